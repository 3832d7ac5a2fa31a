/**
 * The web ACL in front of the webhooks (`-c webhookFirewall=true`): a rate-based rule that
 * answers 429 to an address sending more than its limit in 5 minutes. CloudFront takes
 * only web ACLs made in us-east-1, so this stack is there whatever the stage's region;
 * the service stack's distribution refers to it across regions.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { FIREWALL_REGION } from '../config';

export type WebhookFirewallStackProps = Omit<StackProps, 'env'> & {
  stage: string;
  /** requests one address may send in any 5 minutes */
  limit: number;
  /** the account, when known; the region is always us-east-1 */
  account?: string;
};

/** Seconds a sender the rule blocked is told to wait before it tries again. */
export const FIREWALL_RETRY_AFTER_SECONDS = 60;
/** WAF's window for the rate-based rule: the limit counts requests in the last 5 minutes. */
export const FIREWALL_WINDOW_SECONDS = 300;
const BLOCKED_BODY = 'rate-limited';

export class WebhookFirewallStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WebhookFirewallStackProps) {
    const { stage, limit, account, ...stackProps } = props;
    super(scope, id, {
      ...stackProps,
      env: { account, region: FIREWALL_REGION },
      crossRegionReferences: true,
    });
    const metric = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName: `crier-${stage}-${name}`,
      sampledRequestsEnabled: true,
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `crier-${stage}-webhooks`,
      // WAF takes letters, digits, spaces and a few signs here: no quotes or brackets.
      description: `Crier ${stage}: limits the requests each address sends to the webhooks`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: metric('webhooks'),
      customResponseBodies: {
        [BLOCKED_BODY]: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            error: 'rate_limited',
            message: 'Too many requests from this address: send again after Retry-After seconds.',
          }),
        },
      },
      rules: [
        {
          name: 'webhook-rate-per-address',
          priority: 0,
          statement: {
            rateBasedStatement: {
              limit,
              aggregateKeyType: 'IP',
              evaluationWindowSec: FIREWALL_WINDOW_SECONDS,
            },
          },
          // 429 with Retry-After rather than WAF's bare 403, so a sender knows to retry.
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: BLOCKED_BODY,
                responseHeaders: [
                  { name: 'retry-after', value: String(FIREWALL_RETRY_AFTER_SECONDS) },
                ],
              },
            },
          },
          visibilityConfig: metric('webhook-rate'),
        },
      ],
    });
    new CfnOutput(this, 'WebhookWebAclArn', {
      value: this.webAcl.attrArn,
      description: "The web ACL in front of the webhooks' CloudFront distribution",
    });
  }
}
