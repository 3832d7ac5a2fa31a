/**
 * What runs Crier's code and can be replaced at will: one function per handler in
 * shared/resources.ts, wired as its definition says (routes, queue, schedule, and grants
 * for exactly what it `uses`), the HTTP API (the webhooks throttled apart from the editor
 * API), the editor UI in front of it, CloudFront and a web ACL in front of the webhooks when
 * asked for, the minute tick, the alarms and the dashboard.
 */
import {
  Annotations,
  ArnFormat,
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import {
  BUCKET,
  ENV,
  FUNCTIONS,
  type FunctionDefinition,
  type FunctionName,
  isWebhookRoute,
  QUEUES,
  TABLE,
  type Throttle,
} from '../../shared/resources';
import type { CrierSettings } from '../config';
import { CrierFunction } from '../constructs/crier-function';
import { EditorUi } from '../constructs/editor-ui';
import { CrierMonitoring } from '../constructs/monitoring';
import { WebhookEdge } from '../constructs/webhook-edge';
import { pascal, queueNames } from './names';
import type { StatefulStack } from './stateful-stack';

/** What the service stack takes from the stateful one. */
export type StatefulResources = Pick<
  StatefulStack,
  | 'tableName'
  | 'queues'
  | 'mediaBucketName'
  | 'secrets'
  | 'channelSecrets'
  | 'channelSecretPrefix'
  | 'appSecrets'
  | 'appSecretPrefix'
  | 'userPool'
  | 'userPoolClient'
  | 'notificationTopic'
  | 'notificationTopicExport'
>;

/** The stateful resources as this stack reaches them. */
type Resources = Omit<StatefulResources, 'tableName' | 'mediaBucketName'> & {
  table: dynamodb.ITable;
  mediaBucket: s3.IBucket;
};

export type ServiceStackProps = StackProps & {
  settings: CrierSettings;
  stateful: StatefulResources;
  /** the web ACL (in us-east-1) that CloudFront in front of the webhooks carries */
  webhookWebAclArn?: string;
};

/**
 * Steady rate and burst of each route without a throttle of its own: the editor API and
 * the OAuth callbacks. The webhooks have their own (CrierSettings.webhookThrottle).
 */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/** Routes under /api need an editor's token; the others (webhooks) are signed instead. */
const isEditorPath = (path: string) => path === '/api' || path.startsWith('/api/');

export class ServiceStack extends Stack {
  readonly functions: ReadonlyMap<FunctionName, CrierFunction>;
  readonly api: apigwv2.HttpApi;
  readonly apiStage: apigwv2.HttpStage;
  readonly alarmTopic: sns.Topic;
  readonly editorUi: EditorUi;
  readonly monitoring: CrierMonitoring;
  /** CloudFront and its web ACL in front of the webhooks, when the settings ask for them */
  readonly webhookEdge?: WebhookEdge;
  /** the CMS's routes, throttled on their own */
  private readonly webhookRoutes: { key: string; route: apigwv2.HttpRoute }[] = [];

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { settings, stateful } = props;
    const logRemoval = settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    ({ api: this.api, stage: this.apiStage } = this.createApi(logRemoval));
    this.editorUi = new EditorUi(this, 'EditorUi', {
      stage: settings.stage,
      api: this.api,
      userPool: stateful.userPool,
      removalPolicy: logRemoval,
    });
    const editorAuthorizer = new HttpUserPoolAuthorizer('EditorJwt', stateful.userPool, {
      // The command line's client, and the editor UI's.
      userPoolClients: [stateful.userPoolClient, this.editorUi.client],
      identitySource: ['$request.header.Authorization'],
    });

    warnOfMissingIndexes(this, settings);
    // By name (see StatefulStack.tableName), with its indexes so grants cover queries.
    const table = dynamodb.Table.fromTableAttributes(this, 'Table', {
      tableName: stateful.tableName,
      globalIndexes: Object.values(TABLE.indexes).map((index) => index.name),
    });
    // By name too (see StatefulStack.mediaBucketName).
    const mediaBucket = s3.Bucket.fromBucketName(this, 'MediaBucket', stateful.mediaBucketName);
    const resources: Resources = { ...pickStateful(stateful), table, mediaBucket };

    const functions = new Map<FunctionName, CrierFunction>();
    for (const [name, definition] of functionEntries()) {
      const fn = new CrierFunction(this, pascal(name), {
        definition,
        channelsFile: settings.channelsFile,
        environment: environmentFor(definition, resources, settings),
        removalPolicy: logRemoval,
      });
      grantUses(fn, definition, resources);
      // The links in the editors' notifications open the editor UI, and so does the
      // end of Connect.
      if (definition.uses.notifications || definition.uses.networkApps) {
        fn.function.addEnvironment(ENV.editorUrl, this.editorUi.url);
      }
      // Connect's redirect URI is `<API URL>/oauth/callback/<platform>`.
      if (definition.uses.networkApps) fn.function.addEnvironment(ENV.apiUrl, this.apiStage.url);
      this.addTriggers(name, fn, definition, resources, editorAuthorizer);
      functions.set(name, fn);
    }
    this.functions = functions;
    this.throttleWebhooks(settings.webhookThrottle);
    if (props.webhookWebAclArn) {
      this.webhookEdge = new WebhookEdge(this, 'WebhookEdge', {
        stage: settings.stage,
        api: this.api,
        webAclArn: props.webhookWebAclArn,
      });
    }

    this.alarmTopic = this.createAlarmTopic(settings);
    const dlqAlarms: cloudwatch.Alarm[] = [];
    for (const name of queueNames()) {
      const { dlq } = stateful.queues[name];
      const alarm = new cloudwatch.Alarm(this, `${pascal(name)}DlqAlarm`, {
        alarmDescription: `A message reached the ${name} dead-letter queue: see docs/operating.md, "A DLQ that fills", to inspect and redrive it.`,
        metric: dlq.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // SQS sends no datapoints for an idle queue: an empty DLQ.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new SnsAction(this.alarmTopic));
      alarm.addOkAction(new SnsAction(this.alarmTopic));
      dlqAlarms.push(alarm);
    }
    this.monitoring = new CrierMonitoring(this, 'Monitoring', {
      stage: settings.stage,
      topic: this.alarmTopic,
      functions,
      queues: stateful.queues,
      dlqAlarms,
    });

    new CfnOutput(this, 'EditorUiUrl', {
      value: `${this.editorUi.url}/`,
      description: 'The editor UI (and the editor API under /api on the same origin)',
    });
    new CfnOutput(this, 'EditorSignInUrl', {
      value: this.editorUi.signIn.baseUrl(),
      description: "The editors' Cognito sign-in domain",
    });
    new CfnOutput(this, 'ApiUrl', {
      value: this.apiStage.url,
      description: "The HTTP API's base URL",
    });
    for (const [name, definition] of functionEntries()) {
      for (const route of definition.routes ?? []) {
        const { path } = parseRoute(route);
        if (isEditorPath(path)) continue;
        new CfnOutput(this, `${pascal(name)}${pascal(path)}Url`, {
          value: `${this.apiStage.url}${path.slice(1)}`,
          description: path.startsWith('/oauth/')
            ? `The redirect URI to register with each network's app, {platform} filled in (${route})`
            : `Where the CMS sends webhooks (${route})`,
        });
      }
    }
    if (this.webhookEdge) {
      for (const { key } of this.webhookRoutes) {
        const { path } = parseRoute(key);
        new CfnOutput(this, `Firewalled${pascal(path)}Url`, {
          value: `${this.webhookEdge.url}${path}`,
          description: `Where the CMS sends webhooks through CloudFront and the web ACL's rate rule (${key})`,
        });
      }
    }
    for (const [name, fn] of functions) {
      new CfnOutput(this, `${pascal(name)}FunctionName`, {
        value: fn.function.functionName,
        description: `The ${name} function`,
      });
    }
    new CfnOutput(this, 'DashboardName', {
      value: this.monitoring.dashboard.dashboardName,
      description: 'The CloudWatch dashboard: queues, dead letters, outcomes per network, errors',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'Every alarm goes here; subscribe more endpoints to it as needed',
    });
  }

  private createApi(removalPolicy: RemovalPolicy) {
    const api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Crier: CMS webhooks and the editor API',
      // Our own stage below, with access logs and throttling.
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    const stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    return { api, stage };
  }

  /**
   * The webhooks' own token bucket, one per route, in the stage's route settings: a flood
   * of junk at a webhook is refused there (429) and leaves the editor API's limits alone.
   */
  private throttleWebhooks(throttle: Throttle): void {
    const stage = this.apiStage.node.defaultChild as apigwv2.CfnStage;
    stage.routeSettings = Object.fromEntries(
      this.webhookRoutes.map(({ key }) => [
        key,
        // A JSON map in CloudFormation: written as the template spells it, not camel-cased.
        { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit },
      ]),
    );
    // Route settings name routes by key: the stage can only be given them once they exist.
    for (const { route } of this.webhookRoutes) this.apiStage.node.addDependency(route);
  }

  private addTriggers(
    name: FunctionName,
    fn: CrierFunction,
    definition: FunctionDefinition,
    resources: Resources,
    editorAuthorizer: HttpUserPoolAuthorizer,
  ): void {
    if (definition.routes?.length) {
      const integration = new HttpLambdaIntegration(`${pascal(name)}Integration`, fn.function);
      for (const route of definition.routes) {
        const { method, path } = parseRoute(route);
        const editorRoute = isEditorPath(path);
        const [httpRoute] = this.api.addRoutes({
          path,
          methods: [method],
          integration,
          authorizer: editorRoute ? editorAuthorizer : new apigwv2.HttpNoneAuthorizer(),
        });
        if (httpRoute && isWebhookRoute(route))
          this.webhookRoutes.push({ key: route, route: httpRoute });
        if (httpRoute && !editorRoute) {
          Validations.of(httpRoute).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: path.startsWith('/oauth/')
              ? `${route} is where a network's consent page sends the admin's browser back, with no Cognito token: the handler accepts only a single-use, ten-minute state made for a signed-in admin, and the code is useless without that state's PKCE verifier.`
              : `${route} is called by the CMS, which cannot hold a Cognito token: the handler checks each request's HMAC signature (Standard Webhooks) and timestamp before anything else.`,
          });
        }
      }
    }

    if (definition.sqs) {
      const { queue, batchSize, maxBatchingWindowSeconds, maxConcurrency } = definition.sqs;
      fn.function.addEventSource(
        new SqsEventSource(resources.queues[queue].queue, {
          batchSize,
          maxBatchingWindow: Duration.seconds(maxBatchingWindowSeconds),
          maxConcurrency,
          reportBatchItemFailures: true,
        }),
      );
      for (const mapping of fn.function.node.children.filter(
        (child) => child instanceof lambda.EventSourceMapping,
      )) {
        Validations.of(mapping).acknowledge({
          id: 'Serverless-LambdaEventSourceMappingDestination',
          reason: `Lambda takes no on-failure destination for an SQS event source: a message that keeps failing goes to the ${queue} queue's dead-letter queue (its redrive policy), which raises an alarm at the first message.`,
        });
      }
    }

    if (definition.schedule) {
      const { everySeconds } = definition.schedule;
      // EventBridge's finest rate is a minute: a definition asking for less cannot be met.
      if (everySeconds < 60 || everySeconds % 60 !== 0) {
        throw new Error(`${name}: a schedule must be whole minutes, not ${everySeconds}s`);
      }
      const rule = new events.Rule(this, `${pascal(name)}Schedule`, {
        description: `Runs ${definition.entry} every ${everySeconds / 60} minute(s)`,
        schedule: events.Schedule.rate(Duration.minutes(everySeconds / 60)),
        // A tick that cannot be delivered is dropped: the next one does the same work.
        targets: [new targets.LambdaFunction(fn.function, { retryAttempts: 0 })],
      });
      Validations.of(rule).acknowledge({
        id: 'Serverless-EventBusDLQ',
        reason: `A tick of ${definition.entry} carries no data: one that cannot be delivered is followed by the next, ${everySeconds / 60} minute(s) later, which does the same work from the table. A dead-letter queue would hold only empty ticks.`,
      });
    }

    for (const rule of definition.rules ?? []) {
      const every = rule.everyMinutes === 1 ? 'minute' : `${rule.everyMinutes} minutes`;
      const scheduled = new events.Rule(this, `${pascal(name)}${rule.name}Schedule`, {
        description: `Runs ${definition.entry} every ${every}${rule.input ? ` with ${JSON.stringify(rule.input)}` : ''}`,
        schedule: events.Schedule.rate(Duration.minutes(rule.everyMinutes)),
        targets: [
          new targets.LambdaFunction(fn.function, {
            retryAttempts: 0,
            ...(rule.input ? { event: events.RuleTargetInput.fromObject(rule.input) } : {}),
          }),
        ],
      });
      Validations.of(scheduled).acknowledge({
        id: 'Serverless-EventBusDLQ',
        reason: `A run of ${definition.entry} carries no data: one that cannot be delivered is followed by the next, ${every} later, which does the same work from the table. A dead-letter queue would hold only empty events.`,
      });
    }
  }

  private createAlarmTopic(settings: CrierSettings): sns.Topic {
    // CloudWatch can publish to an encrypted topic only through a key whose policy lets
    // it: an AWS-managed SNS key does not, hence a key of our own.
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: `Crier ${settings.stage}: encrypts the alarm topic`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `Crier ${settings.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    // Only alarms of this account: a bare service principal would let any account's
    // alarms publish here.
    const cloudwatchAlarms = new iam.ServicePrincipal('cloudwatch.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
    });
    key.grant(cloudwatchAlarms, 'kms:Decrypt', 'kms:GenerateDataKey*');
    topic.grantPublish(cloudwatchAlarms);
    if (settings.alarmEmail) {
      const subscription = topic.addSubscription(new EmailSubscription(settings.alarmEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An e-mail to the operators about an alarm: an undeliverable one would land in a dead-letter queue nobody reads, while the alarm itself stays in ALARM in CloudWatch until someone looks. More endpoints can subscribe to the topic (docs/operating.md, "Alarms and the dashboard").',
      });
    }
    return topic;
  }
}

/**
 * The functions read every index of TABLE.indexes. While `-c tableIndexes` names a set
 * without one of them (an upgrade's first steps deploy the stateful stack alone), a
 * deploy of this stack would ship code that queries an index the table lacks: said at
 * synth, a warning rather than an error, so those steps still synthesize.
 */
function warnOfMissingIndexes(stack: Stack, settings: CrierSettings): void {
  const held = new Set(settings.tableIndexes.map((index) => index.name));
  const missing = Object.values(TABLE.indexes)
    .map((index) => index.name)
    .filter((name) => !held.has(name));
  if (missing.length === 0) return;
  Annotations.of(stack).addWarningV2(
    'crier:table-lacks-indexes',
    `-c tableIndexes leaves out ${missing.join(', ')}, which the functions read: deploy only the stateful stack with this set, and the service stack once the table has every index (docs/deploying.md, "Upgrading the table's indexes").`,
  );
}

/** Every function shared/resources.ts defines, with its name. */
export function functionEntries(): [FunctionName, FunctionDefinition][] {
  // FUNCTIONS is keyed by FunctionName, so its entries pair each name with its definition.
  return Object.entries(FUNCTIONS) as [FunctionName, FunctionDefinition][];
}

const HTTP_METHODS = new Set<string>(Object.values(apigwv2.HttpMethod));

/** `GET /api/articles/{articleId}` -> its method and path; anything else stops the synth. */
export function parseRoute(route: string): { method: apigwv2.HttpMethod; path: string } {
  const match = /^([A-Z]+) (\/\S*)$/.exec(route);
  const method = match?.[1];
  const path = match?.[2];
  if (!method || !path || !HTTP_METHODS.has(method)) {
    throw new Error(`Route "${route}" is not "METHOD /path"`);
  }
  return { method: method as apigwv2.HttpMethod, path };
}

/** What a function reads from its environment in AWS, by what its definition uses. */
function environmentFor(
  definition: FunctionDefinition,
  resources: Resources,
  settings: CrierSettings,
): Record<string, string> {
  const { uses } = definition;
  const environment: Record<string, string> = { ...tickEnvironment() };
  if (uses.table) environment[ENV.tableName] = resources.table.tableName;
  for (const queue of uses.sendTo ?? []) {
    environment[QUEUES[queue].urlEnv] = resources.queues[queue].queue.queueUrl;
  }
  for (const name of uses.secrets ?? []) {
    // shared/config/secrets.ts reads `<NAME>_ARN` at cold start.
    environment[`${name}_ARN`] = secretOf(resources, name).secretArn;
  }
  if (uses.channelSecrets) environment[ENV.channelSecretPrefix] = resources.channelSecretPrefix;
  if (uses.networkApps) environment[ENV.appSecretPrefix] = resources.appSecretPrefix;
  if (uses.media) environment[BUCKET.nameEnv] = resources.mediaBucket.bucketName;
  if (uses.editors) environment[ENV.userPoolId] = resources.userPool.userPoolId;
  if (uses.notifications) {
    environment[ENV.notifyTopicArn] = resources.notificationTopic.topicArn;
  }
  if (uses.metricsAfter) environment[ENV.metricsAfter] = settings.metricsAfter;
  return environment;
}

/**
 * The tick's period, for every function: the look-ahead that compose, dispatch and
 * publish compute from it must match the schedule EventBridge actually keeps.
 */
function tickEnvironment(): Record<string, string> {
  const periods = new Set(functionEntries().flatMap(([, d]) => d.schedule?.everySeconds ?? []));
  const [period, ...others] = [...periods];
  if (others.length) throw new Error(`Scheduled functions disagree on the tick: ${[...periods]}`);
  return period === undefined ? {} : { CRIER_TICK_SECONDS: String(period) };
}

/** Grants what the definition says the function uses, and nothing else. */
function grantUses(fn: CrierFunction, definition: FunctionDefinition, resources: Resources): void {
  const { uses } = definition;
  const grantee = fn.function;
  if (uses.table === 'read') resources.table.grantReadData(grantee);
  if (uses.table === 'readWrite') resources.table.grantReadWriteData(grantee);
  if (uses.table) {
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(fn, resources.table.tableArn)}/index/*]`,
      reason:
        "The function queries Crier's table through its indexes (due, inflight, articles, timeline, metrics); the grant names this one table's indexes, no other table's.",
    });
  }
  for (const queue of uses.sendTo ?? []) resources.queues[queue].queue.grantSendMessages(grantee);
  for (const name of uses.secrets ?? []) secretOf(resources, name).grantRead(grantee);
  if (uses.channelSecrets) grantChannelSecrets(fn, uses.channelSecrets, resources);
  // Read only: the apps are registered in each network's console, never by Crier.
  if (uses.networkApps)
    for (const secret of resources.appSecrets.values()) secret.grantRead(grantee);
  if (uses.media) grantMedia(fn, uses.media, resources.mediaBucket);
  if (uses.uploads) grantUploads(fn, resources.mediaBucket);
  if (uses.editors) resources.userPool.grant(grantee, ...EDITOR_POOL_ACTIONS);
  // sns:Publish on this one topic; the AWS-managed key lets SNS encrypt for the account.
  if (uses.notifications) {
    resources.notificationTopic.grantPublish(grantee);
    acknowledgeSnsManagedKey(fn);
  }
  // Managing the sites' e-mail subscriptions, on this one topic and its subscriptions
  // (`<topic arn>:<id>`: an unsubscribe names the subscription, not the topic).
  if (uses.emailSubscriptions) {
    const subscriptions = `${Fn.importValue(resources.notificationTopicExport)}:*`;
    iam.Grant.addToPrincipal({
      grantee,
      actions: [...EMAIL_SUBSCRIPTION_ACTIONS],
      resourceArns: [resources.notificationTopic.topicArn, subscriptions],
    });
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(fn, subscriptions)}]`,
      reason:
        'The subscriptions of the notifications topic, whose ids SNS makes: an unsubscribe names the subscription. No other topic is named.',
    });
  }
  // The SQS trigger grants its own receive and delete on its queue (SqsEventSource).
}

/**
 * With cdk.json's `@aws-cdk/aws-kms:applyImportedAliasPermissionsToPrincipal`, publishing
 * to a topic on the AWS-managed key (`alias/aws/sns`) grants the KMS calls on `key/*`,
 * bound by a `kms:ResourceAliases` condition to that one alias: acknowledged here, in the
 * spelling cdk-nag gives it (the partition and region literal when the stack's region is
 * known).
 */
function acknowledgeSnsManagedKey(fn: CrierFunction): void {
  const keys = Stack.of(fn).formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
  Validations.of(fn.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagResource(fn, keys)}]`,
    reason:
      "Encrypting for the notifications topic with SNS's AWS-managed key: the statement is bound by a kms:ResourceAliases condition to alias/aws/sns, whose key id AWS chooses and no template can name.",
  });
  Validations.of(fn.role).acknowledge({
    id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    reason:
      "kms:GenerateDataKey* comes with the CDK's grantPublish on a topic encrypted with SNS's AWS-managed key, bound to alias/aws/sns by a kms:ResourceAliases condition: the data keys SNS needs to encrypt what the function publishes.",
  });
}

/** What setting a site's e-mail addresses takes on the notifications topic, and no more. */
export const EMAIL_SUBSCRIPTION_ACTIONS = [
  'sns:Subscribe',
  'sns:Unsubscribe',
  'sns:ListSubscriptionsByTopic',
] as const;

/** Reading a channel's secret; the functions that use credentials do this and no more. */
export const CHANNEL_SECRET_READ = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
] as const;
/** What storing credentials an admin set takes: a new secret, or a new version of one. */
export const CHANNEL_SECRET_WRITE = [
  'secretsmanager:CreateSecret',
  'secretsmanager:PutSecretValue',
] as const;

/**
 * The channels' secrets by their name prefix: a channel made through the API gets its
 * secret when an admin first sets its credentials, so no grant can name it beforehand.
 * No `grant*` method covers a name prefix, hence the statement written out; it names the
 * prefix and nothing wider.
 */
function grantChannelSecrets(
  fn: CrierFunction,
  access: 'read' | 'readWrite',
  resources: Resources,
): void {
  const arn = Stack.of(fn).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${resources.channelSecretPrefix}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  fn.function.addToRolePolicy(
    new iam.PolicyStatement({
      actions: [...CHANNEL_SECRET_READ, ...(access === 'readWrite' ? CHANNEL_SECRET_WRITE : [])],
      resources: [arn],
    }),
  );
  Validations.of(fn.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagResource(fn, arn)}]`,
    reason:
      "The channels' credentials secrets, by their name prefix: each channel's secret is made when its credentials are first set, and Secrets Manager adds a random suffix to every ARN. No other secret has this prefix.",
  });
}

/**
 * What the editor API does to the editors' user pool (shared/store/cognito-editors.ts):
 * invite, group, list, sign out and delete users, and make a new site's group. Nothing
 * else: no password resets, no pool or client settings.
 */
export const EDITOR_POOL_ACTIONS = [
  'cognito-idp:AdminCreateUser',
  'cognito-idp:AdminAddUserToGroup',
  'cognito-idp:AdminGetUser',
  'cognito-idp:AdminListGroupsForUser',
  'cognito-idp:AdminUserGlobalSignOut',
  'cognito-idp:AdminDeleteUser',
  'cognito-idp:ListUsers',
  'cognito-idp:CreateGroup',
] as const;

/** Media objects only (`media/*`), never the bucket's settings or other prefixes. */
const MEDIA_OBJECTS = 'media/*';

/**
 * Reads (publish: the clients upload the bytes, and presigned URLs carry the signer's
 * rights) or reads and puts (compose stores what it made) the media objects.
 */
function grantMedia(fn: CrierFunction, access: 'read' | 'readWrite', bucket: s3.IBucket): void {
  const grantee = fn.function;
  // Never delete: objects expire by the bucket's lifecycle rule, and nothing removes one.
  const grants =
    access === 'read'
      ? [bucket.grantRead(grantee, MEDIA_OBJECTS)]
      : [bucket.grantRead(grantee, MEDIA_OBJECTS), bucket.grantPut(grantee, MEDIA_OBJECTS)];
  Validations.of(fn.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagResource(fn, bucket.bucketArn)}/${MEDIA_OBJECTS}]`,
    reason:
      "Objects under media/ of Crier's media bucket are named by their content hash: their keys cannot be known when the policy is written, and nothing else lives under that prefix.",
  });
  const wildcards = grants.flatMap((grant) =>
    grant.principalStatements.flatMap((statement) =>
      statement.actions.filter((action) => action.endsWith('*')),
    ),
  );
  for (const action of new Set(wildcards)) {
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `${action} comes with the CDK's bucket ${access === 'read' ? 'grantRead' : 'grantRead and grantPut'}, on Crier's media bucket and its media/ objects only: the variants of the calls the media store makes (GetObject, HeadObject, PutObject, ListBucket so a missing key answers 404).`,
    });
  }
}

/** Editors' uploads (`uploads/*`): put by POST /api/media, read back when a share chooses one. */
function grantUploads(fn: CrierFunction, bucket: s3.IBucket): void {
  const grantee = fn.function;
  bucket.grantRead(grantee, UPLOAD_OBJECTS);
  bucket.grantPut(grantee, UPLOAD_OBJECTS);
  Validations.of(fn.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagResource(fn, bucket.bucketArn)}/${UPLOAD_OBJECTS}]`,
    reason:
      "Objects under uploads/ of Crier's media bucket are named by site and a random id made at upload: their keys cannot be known when the policy is written, and nothing else lives under that prefix.",
  });
}

/** Editors' uploaded images only. */
const UPLOAD_OBJECTS = 'uploads/*';

function secretOf(resources: Resources, name: keyof Resources['secrets']) {
  const secret = resources.secrets[name];
  if (!secret) throw new Error(`Secret ${name} is used but the stateful stack did not create it`);
  return secret;
}

/** Everything but the table and the bucket, which this stack imports by name. */
function pickStateful(stateful: StatefulResources): Omit<Resources, 'table' | 'mediaBucket'> {
  const {
    queues,
    secrets,
    channelSecrets,
    channelSecretPrefix,
    appSecrets,
    appSecretPrefix,
    userPool,
    userPoolClient,
    notificationTopic,
    notificationTopicExport,
  } = stateful;
  return {
    queues,
    secrets,
    channelSecrets,
    channelSecretPrefix,
    appSecrets,
    appSecretPrefix,
    userPool,
    userPoolClient,
    notificationTopic,
    notificationTopicExport,
  };
}

type CfnValue =
  | string
  | { Ref: string }
  | { 'Fn::ImportValue': string }
  | { 'Fn::Join': [string, CfnValue[]] };

/**
 * A resource ARN as cdk-nag spells it in a finding's id (`Ref`s as `<Name>`, another
 * stack's export by its name), so an acknowledgement names exactly the finding it answers.
 */
function nagResource(scope: Construct, arn: string): string {
  const flatten = (value: CfnValue): string => {
    if (typeof value === 'string') return value;
    if ('Ref' in value) return `<${value.Ref}>`;
    if ('Fn::ImportValue' in value) return value['Fn::ImportValue'];
    const [delimiter, parts] = value['Fn::Join'];
    return parts.map(flatten).join(delimiter);
  };
  return flatten(Stack.of(scope).resolve(arn) as CfnValue);
}
