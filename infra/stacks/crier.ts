/**
 * Crier in one stage: the stateful stack and the service stack that uses it, checked by
 * cdk-nag's AwsSolutions and Serverless rules. infra/app.ts and the template tests build
 * it the same way.
 */
import { App, type AppProps, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { type CrierSettings, readSettings } from '../config';
import { ServiceStack } from './service-stack';
import { StatefulStack } from './stateful-stack';
import { WebhookFirewallStack } from './webhook-firewall-stack';

export type CrierStacks = {
  stateful: StatefulStack;
  service: ServiceStack;
  /** the web ACL in us-east-1, when the settings ask for the webhook firewall */
  firewall?: WebhookFirewallStack;
};

export function addCrierStacks(scope: Construct, settings: CrierSettings): CrierStacks {
  const prefix = `Crier-${settings.stage}`;
  // The firewall's ACL lives in us-east-1 and the service stack refers to it: references
  // across regions need every stack's region spelled out (`cdk` sets CDK_DEFAULT_ACCOUNT
  // when it has credentials; the references work with the account left to deploy time).
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const placement = settings.webhookFirewall
    ? { env: { account, region: settings.webhookFirewall.region }, crossRegionReferences: true }
    : {};
  const firewall = settings.webhookFirewall
    ? new WebhookFirewallStack(scope, `${prefix}-WebhookFirewall`, {
        description: `Crier (${settings.stage}): the web ACL in front of the webhooks (CloudFront's, so in us-east-1)`,
        stage: settings.stage,
        limit: settings.webhookFirewall.limit,
        account,
      })
    : undefined;
  const stateful = new StatefulStack(scope, `${prefix}-Stateful`, {
    ...placement,
    description: `Crier (${settings.stage}): table, queues, secrets and the editors' user pool`,
    settings,
    // Deleting this stack deletes the data; in a retained stage CloudFormation refuses.
    terminationProtection: settings.retainData,
  });
  const service = new ServiceStack(scope, `${prefix}-Service`, {
    ...placement,
    description: `Crier (${settings.stage}): functions, HTTP API, schedule and alarms`,
    settings,
    stateful,
    ...(firewall ? { webhookWebAclArn: firewall.webAcl.attrArn } : {}),
  });
  service.addStackDependency(stateful);
  for (const stack of [stateful, service, ...(firewall ? [firewall] : [])]) {
    Tags.of(stack).add('app', 'crier');
    Tags.of(stack).add('stage', settings.stage);
  }
  return { stateful, service, ...(firewall ? { firewall } : {}) };
}

export type CrierApp = CrierStacks & { app: App; settings: CrierSettings };

/**
 * The app with its settings read from the context, and cdk-nag registered: a finding
 * not acknowledged (with its reason, next to the resource) fails the synth.
 */
export function createCrierApp(props: AppProps = {}, baseDir?: string): CrierApp {
  const app = new App(props);
  const settings = readSettings(app.node, baseDir);
  const stacks = addCrierStacks(app, settings);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, settings, ...stacks };
}
