/**
 * CloudFront in front of the webhooks, carrying the web ACL of WebhookFirewallStack (WAF
 * cannot attach to an HTTP API): `/webhooks/*` goes to the HTTP API uncached, with every
 * viewer header but Host (the signatures); anything else is a 404 at the edge.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { Construct } from 'constructs';

export type WebhookEdgeProps = {
  stage: string;
  api: apigwv2.IHttpApi;
  /** the web ACL's ARN, from us-east-1 */
  webAclArn: string;
};

/** What the distribution forwards; the rest of the API stays on its own URL. */
export const WEBHOOK_PATH_PATTERN = '/webhooks/*';

export class WebhookEdge extends Construct {
  readonly distribution: cloudfront.Distribution;
  /** `https://<distribution>.cloudfront.net` */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebhookEdgeProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const api = new origins.HttpOrigin(
      `${props.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`,
      {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      },
    );
    // Only the webhooks pass: the editor API and the OAuth callbacks are not served here.
    const notFound = new cloudfront.Function(this, 'NotFound', {
      comment: `Crier ${props.stage}: only /webhooks/* is served on this distribution`,
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(
        "function handler() { return { statusCode: 404, statusDescription: 'Not Found' }; }",
      ),
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Crier ${props.stage}: the CMS webhooks behind the rate rule`,
      webAclId: props.webAclArn,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      defaultBehavior: {
        origin: api,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        functionAssociations: [
          { function: notFound, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      additionalBehaviors: {
        [WEBHOOK_PATH_PATTERN]: {
          origin: api,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          compress: false,
        },
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    const acknowledge = (rule: string, reason: string) =>
      Validations.of(this.distribution).acknowledge({ id: `AwsSolutions-${rule}`, reason });
    acknowledge(
      'CFR1',
      'No geo restriction: the CMS may run in any country (a hosted WordPress or Ghost), and every webhook is refused without its HMAC signature.',
    );
    acknowledge(
      'CFR3',
      "No CloudFront access logs: every webhook that passes is logged by API Gateway's access log, and the web ACL's metrics and sampled requests show what the rate rule blocked.",
    );
    acknowledge(
      'CFR4',
      "The distribution uses CloudFront's default certificate (*.cloudfront.net), whose security policy CloudFront fixes; the viewer policy asks TLSv1.2_2021 and applies as soon as a custom domain and certificate are added.",
    );
  }
}
