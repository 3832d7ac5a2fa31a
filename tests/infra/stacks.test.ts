/**
 * The CDK templates against shared/resources.ts: the table and queues it defines, and one
 * function per handler wired as its definition says (its grants: least-privilege.test.ts).
 * Bundling is skipped and CloudFormation validation is off, so a synth takes well under a
 * second.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { CONFIG_PATH_IN_LAMBDA, REPOSITORY_ROOT } from '../../infra/constructs/bundling';
import { type CrierApp, createCrierApp } from '../../infra/stacks/crier';
import { API_THROTTLE, functionEntries, parseRoute } from '../../infra/stacks/service-stack';
import { EDITOR_GROUPS } from '../../infra/stacks/stateful-stack';
import { loadChannelsConfig } from '../../shared/config/channels';
import { DEFAULT_METRICS_AFTER } from '../../shared/domain/metrics';
import { NETWORK_APP_PLATFORMS } from '../../shared/domain/oauth-connect';
import {
  BUCKET,
  ENV,
  FUNCTIONS,
  type FunctionDefinition,
  QUEUES,
  type QueueName,
  TABLE,
} from '../../shared/resources';

const EXAMPLE_CONFIG = join(REPOSITORY_ROOT, 'config/channels.example.json');
/** Where the test apps write their cloud assemblies; removed afterwards. */
const ASSEMBLIES = mkdtempSync(join(tmpdir(), 'crier-infra-'));
afterAll(() => rmSync(ASSEMBLIES, { recursive: true, force: true }));
const CHANNELS = loadChannelsConfig(EXAMPLE_CONFIG).channels;
const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

function crier(context: Record<string, unknown> = {}): CrierApp {
  return createCrierApp(
    {
      outdir: mkdtempSync(join(ASSEMBLIES, 'cdk.out-')),
      context: { 'aws:cdk:bundling-stacks': [], stage: 'test', config: EXAMPLE_CONFIG, ...context },
      builtinCloudFormationValidation: false,
    },
    REPOSITORY_ROOT,
  );
}

const logicalId = (construct: IConstruct): string => {
  const child = construct.node.defaultChild;
  if (!child) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(child as CfnElement);
};

/** Whether a template value names the resource (directly, or through a stack output). */
const refersTo = (value: unknown, id: string): boolean => JSON.stringify(value).includes(id);

describe('the CDK app', () => {
  let crierApp: CrierApp;
  let stateful: Template;
  let service: Template;

  beforeAll(() => {
    crierApp = crier();
    stateful = Template.fromStack(crierApp.stateful);
    service = Template.fromStack(crierApp.service);
  });

  const functionResource = (definition: FunctionDefinition): [string, Resource] => {
    const found = Object.entries(
      service.findResources('AWS::Lambda::Function', {
        Properties: { Description: definition.description },
      }),
    );
    expect(found, definition.entry).toHaveLength(1);
    return found[0] as [string, Resource];
  };
  type Rule = {
    ScheduleExpression?: string;
    Targets: { Arn: unknown; Input?: string; RetryPolicy?: { MaximumRetryAttempts?: number } }[];
  };
  const rulesTargeting = (functionId: string): Rule[] =>
    Object.values(service.findResources('AWS::Events::Rule'))
      .map((rule) => rule.Properties as Rule)
      .filter((rule) => rule.Targets.some((target) => refersTo(target.Arn, functionId)));

  describe('stateful stack', () => {
    it('names both stacks after the stage', () => {
      expect(crierApp.stateful.stackName).toBe('Crier-test-Stateful');
      expect(crierApp.service.stackName).toBe('Crier-test-Service');
    });

    it('has the table of docs/architecture.md: keys, every index, TTL, PITR, encryption, on demand', () => {
      const indexes = Object.values(TABLE.indexes);
      stateful.resourceCountIs('AWS::DynamoDB::Table', 1);
      stateful.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: 'crier-test',
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        GlobalSecondaryIndexes: indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          // What the index's readers use, never whole items.
          Projection:
            index.projection.type === 'INCLUDE'
              ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.attributes] }
              : { ProjectionType: 'KEYS_ONLY' },
        })),
      });
    });

    it.each(QUEUE_NAMES)('gives the %s queue its definition, a DLQ and SSL-only access', (name) => {
      const definition = QUEUES[name];
      const { queue, dlq } = crierApp.stateful.queues[name];
      const queues = stateful.findResources('AWS::SQS::Queue');
      const source = queues[logicalId(queue)] as Resource;
      const dead = queues[logicalId(dlq)] as Resource;
      expect(source.Properties).toMatchObject({
        VisibilityTimeout: definition.visibilityTimeoutSeconds,
        MessageRetentionPeriod: definition.retentionSeconds,
        KmsMasterKeyId: 'alias/aws/sqs',
        RedrivePolicy: { maxReceiveCount: definition.maxReceiveCount },
      });
      expect(refersTo(source.Properties.RedrivePolicy, logicalId(dlq))).toBe(true);
      expect(dead.Properties).toMatchObject({
        MessageRetentionPeriod: definition.dlqRetentionSeconds,
        KmsMasterKeyId: 'alias/aws/sqs',
      });
      expect(definition.dlqRetentionSeconds).toBeGreaterThan(definition.retentionSeconds);
      expect(definition.maxReceiveCount).toBeGreaterThanOrEqual(5);
      for (const id of [logicalId(queue), logicalId(dlq)]) {
        stateful.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: id }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        });
      }
    });

    it("keeps each queue's messages invisible for at least six times its consumer's timeout", () => {
      for (const [, definition] of functionEntries()) {
        if (!definition.sqs) continue;
        const queue = QUEUES[definition.sqs.queue];
        expect(queue.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
          6 * definition.timeoutSeconds,
        );
      }
    });

    it('creates one credentials secret per configured channel, one per network app, and the webhook secrets', () => {
      for (const channel of CHANNELS) {
        stateful.hasResourceProperties('AWS::SecretsManager::Secret', {
          Name: `crier/test/channel/${channel.id}`,
          SecretString: '{}',
        });
      }
      for (const name of [
        'CRIER_WEBHOOK_SECRET',
        'CRIER_GHOST_SECRET',
        'CRIER_SYNDICATION_SECRET',
      ]) {
        stateful.hasResourceProperties('AWS::SecretsManager::Secret', {
          Name: `crier/test/${name}`,
          GenerateSecretString: Match.objectLike({ ExcludePunctuation: true }),
        });
      }
      // Each network's app, `{}` until the operator registers it (Mastodon has none: Crier
      // registers itself on each instance).
      for (const platform of NETWORK_APP_PLATFORMS) {
        stateful.hasResourceProperties('AWS::SecretsManager::Secret', {
          Name: `crier/test/app/${platform}`,
          SecretString: '{}',
        });
      }
      // Only the secrets a function reads.
      stateful.resourceCountIs(
        'AWS::SecretsManager::Secret',
        CHANNELS.length + NETWORK_APP_PLATFORMS.length + 3,
      );
    });

    it('invites editors only, with a strong password, MFA, threat protection and their groups', () => {
      stateful.hasResourceProperties('AWS::Cognito::UserPool', {
        AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        UserPoolTier: 'PLUS',
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          }),
        },
      });
      // The two roles and the default site's group; other sites' groups are made with them.
      const groups = Object.values(stateful.findResources('AWS::Cognito::UserPoolGroup')).map(
        (group) => (group as { Properties: { GroupName: string } }).Properties.GroupName,
      );
      expect(groups.sort()).toEqual([...Object.keys(EDITOR_GROUPS), 'site:default'].sort());
      stateful.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        GenerateSecret: false,
        ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_SRP_AUTH']),
      });
    });

    it("has one encrypted, SSL-only topic for the editors' e-mail digests, on the AWS-managed key", () => {
      stateful.resourceCountIs('AWS::SNS::Topic', 1);
      const [topic] = Object.values(stateful.findResources('AWS::SNS::Topic'));
      expect(JSON.stringify(topic?.Properties.KmsMasterKeyId)).toContain('alias/aws/sns');
      stateful.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('keeps media in a private, encrypted, SSL-only bucket that forgets it after BUCKET.expireDays', () => {
      stateful.resourceCountIs('AWS::S3::Bucket', 1);
      const [bucketId, bucket] = Object.entries(stateful.findResources('AWS::S3::Bucket'))[0] as [
        string,
        Resource,
      ];
      expect(bucket.Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
        LifecycleConfiguration: {
          Rules: [
            {
              Id: 'expire-media',
              Status: 'Enabled',
              ExpirationInDays: BUCKET.expireDays,
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            },
          ],
        },
      });
      // Named like the table, with the account and region: bucket names are global.
      expect(JSON.stringify(bucket.Properties.BucketName)).toMatch(
        /crier-test-media-.*AWS::AccountId.*AWS::Region/,
      );
      stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
            Match.objectLike({
              Effect: 'Deny',
              Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
            }),
          ]),
        },
      });
      // No statement of the bucket's policy lets anyone in: Meta gets presigned URLs.
      const policies = Object.values(stateful.findResources('AWS::S3::BucketPolicy')) as Resource[];
      for (const policy of policies) {
        const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] })
          .Statement;
        for (const statement of statements.filter((st) => st.Effect === 'Allow')) {
          expect(JSON.stringify(statement)).not.toContain('"Principal":"*"');
          expect(JSON.stringify(statement)).not.toContain('"AWS":"*"');
        }
      }
    });

    it('empties and deletes the media bucket with a rehearsal stage, and keeps it in prod', () => {
      stateful.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
      stateful.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
      const prod = Template.fromStack(crier({ stage: 'prod' }).stateful);
      prod.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
      prod.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    });

    it('lets a rehearsal stage be deleted whole', () => {
      stateful.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    });
  });

  describe('service stack', () => {
    it('has one function per handler, on arm64 and the newest Node.js, traced, with source maps', () => {
      const entries = functionEntries();
      // Besides the handlers, only the CDK's function that deploys the editor UI's files.
      const functions = Object.keys(service.findResources('AWS::Lambda::Function'));
      const deployers = functions.filter((id) => id.startsWith('CustomCDKBucketDeployment'));
      expect(deployers).toHaveLength(1);
      expect(functions).toHaveLength(entries.length + deployers.length);
      for (const [, definition] of entries) {
        const [, fn] = functionResource(definition);
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          Timeout: definition.timeoutSeconds,
          MemorySize: definition.memoryMB,
          TracingConfig: { Mode: 'Active' },
          Environment: {
            Variables: {
              NODE_OPTIONS: '--enable-source-maps',
              CRIER_CONFIG: CONFIG_PATH_IN_LAMBDA,
            },
          },
        });
        const logGroupId = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup
          .Ref;
        const logGroup = service.findResources('AWS::Logs::LogGroup')[logGroupId] as Resource;
        expect(logGroup.Properties.RetentionInDays).toBe(30);
      }
    });

    it('gives each function the environment its definition implies, and no more', () => {
      for (const [, definition] of functionEntries()) {
        const [, fn] = functionResource(definition);
        const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> })
          .Variables;
        const expected = [
          'CRIER_CONFIG',
          'NODE_OPTIONS',
          'POWERTOOLS_SERVICE_NAME',
          'POWERTOOLS_METRICS_NAMESPACE',
          'POWERTOOLS_LOG_LEVEL',
          'CRIER_TICK_SECONDS',
          ...(definition.uses.table ? [ENV.tableName] : []),
          ...(definition.uses.sendTo ?? []).map((queue) => QUEUES[queue].urlEnv),
          ...(definition.uses.secrets ?? []).map((secret) => `${secret}_ARN`),
          ...(definition.uses.channelSecrets ? [ENV.channelSecretPrefix] : []),
          ...(definition.uses.media ? [BUCKET.nameEnv] : []),
          ...(definition.uses.editors ? [ENV.userPoolId] : []),
          ...(definition.uses.notifications ? [ENV.notifyTopicArn] : []),
          ...(definition.uses.notifications || definition.uses.networkApps ? [ENV.editorUrl] : []),
          ...(definition.uses.networkApps ? [ENV.appSecretPrefix, ENV.apiUrl] : []),
          ...(definition.uses.metricsAfter ? [ENV.metricsAfter] : []),
        ];
        expect(Object.keys(variables).sort(), definition.entry).toEqual(expected.sort());
        expect(variables).toMatchObject({
          POWERTOOLS_METRICS_NAMESPACE: 'Crier',
          CRIER_TICK_SECONDS: '60',
        });
        if (definition.uses.table) expect(variables[ENV.tableName]).toBe('crier-test');
        if (definition.uses.channelSecrets) {
          expect(variables[ENV.channelSecretPrefix]).toBe('crier/test/channel/');
        }
        if (definition.uses.networkApps) {
          expect(variables[ENV.appSecretPrefix]).toBe('crier/test/app/');
        }
        if (definition.uses.media) {
          expect(JSON.stringify(variables[BUCKET.nameEnv])).toMatch(/crier-test-media-/);
        }
        if (definition.uses.metricsAfter) {
          expect(variables[ENV.metricsAfter]).toBe(DEFAULT_METRICS_AFTER);
        }
        // The JWT authorizer guards /api in AWS: no shared editor token there.
        expect(variables).not.toHaveProperty(ENV.editorToken);
        expect(variables).not.toHaveProperty(ENV.webhookSecret);
      }
    });

    it('reads each queue with the function, batch size, window and concurrency defined', () => {
      const consumers = functionEntries().filter(([, d]) => d.sqs);
      service.resourceCountIs('AWS::Lambda::EventSourceMapping', consumers.length);
      for (const [, definition] of consumers) {
        const trigger = definition.sqs;
        if (!trigger) continue;
        const [functionId] = functionResource(definition);
        const queueId = logicalId(crierApp.stateful.queues[trigger.queue].queue);
        const mappings = Object.values(
          service.findResources('AWS::Lambda::EventSourceMapping', {
            Properties: { FunctionName: { Ref: functionId } },
          }),
        ) as Resource[];
        expect(mappings).toHaveLength(1);
        const mapping = mappings[0] as Resource;
        expect(mapping.Properties).toMatchObject({
          BatchSize: trigger.batchSize,
          MaximumBatchingWindowInSeconds: trigger.maxBatchingWindowSeconds,
          ScalingConfig: { MaximumConcurrency: trigger.maxConcurrency },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        });
        expect(trigger.maxConcurrency).toBeGreaterThanOrEqual(2);
        expect(refersTo(mapping.Properties.EventSourceArn, queueId), definition.entry).toBe(true);
      }
    });

    it('routes each path to its function: /api behind the Cognito JWT authorizer, webhooks signed', () => {
      const routed = functionEntries().flatMap(([, d]) =>
        (d.routes ?? []).map((r) => [d, r] as const),
      );
      service.resourceCountIs('AWS::ApiGatewayV2::Route', routed.length);
      const authorizers = service.findResources('AWS::ApiGatewayV2::Authorizer');
      const [authorizerId, authorizer] = Object.entries(authorizers)[0] as [string, Resource];
      expect(Object.keys(authorizers)).toHaveLength(1);
      expect(authorizer.Properties).toMatchObject({
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
      });
      const jwt = authorizer.Properties.JwtConfiguration;
      expect(refersTo(jwt, 'cognito-idp.')).toBe(true);
      expect(refersTo(jwt, logicalId(crierApp.stateful.userPool))).toBe(true);
      expect(refersTo(jwt, logicalId(crierApp.stateful.userPoolClient))).toBe(true);

      for (const [definition, route] of routed) {
        const [functionId] = functionResource(definition);
        const { path } = parseRoute(route);
        const [routeResource] = Object.values(
          service.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: route } }),
        ) as Resource[];
        expect(routeResource, route).toBeDefined();
        if (path.startsWith('/api')) {
          expect(routeResource?.Properties).toMatchObject({
            AuthorizationType: 'JWT',
            AuthorizerId: { Ref: authorizerId },
          });
        } else {
          expect(routeResource?.Properties.AuthorizationType).toBe('NONE');
        }
        const target = JSON.stringify(routeResource?.Properties.Target);
        const integrationId = /"Ref":"([^"]+)"/.exec(target)?.[1] ?? '';
        const integration = service.findResources('AWS::ApiGatewayV2::Integration')[
          integrationId
        ] as Resource;
        expect(refersTo(integration.Properties.IntegrationUri, functionId), route).toBe(true);
      }
      // Each site's WordPress and Ghost endpoints, signed with the site's own keys.
      for (const route of ['POST /webhooks/wordpress/{siteId}', 'POST /webhooks/ghost/{siteId}']) {
        service.hasResourceProperties('AWS::ApiGatewayV2::Route', {
          RouteKey: route,
          AuthorizationType: 'NONE',
        });
      }
    });

    it('logs every request and throttles the API', () => {
      service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        AccessLogSettings: {
          DestinationArn: Match.anyValue(),
          Format: Match.stringLikeRegexp('\\$context\\.requestId'),
        },
        DefaultRouteSettings: {
          ThrottlingRateLimit: API_THROTTLE.rateLimit,
          ThrottlingBurstLimit: API_THROTTLE.burstLimit,
        },
      });
    });

    it('runs each function on the tick every minute, without retries', () => {
      const scheduled = functionEntries().filter(([, d]) => d.schedule);
      expect(scheduled.length).toBeGreaterThan(0);
      const ruled = functionEntries().flatMap(([, d]) => d.rules ?? []);
      service.resourceCountIs('AWS::Events::Rule', scheduled.length + ruled.length);
      for (const [, definition] of scheduled) {
        const [functionId] = functionResource(definition);
        service.hasResourceProperties('AWS::Events::Rule', {
          ScheduleExpression: 'rate(1 minute)',
          Targets: [
            Match.objectLike({
              Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
              RetryPolicy: { MaximumRetryAttempts: 0 },
            }),
          ],
        });
      }
    });

    it("sends the editors' digest every five minutes, on a rule of its own", () => {
      const [functionId] = functionResource(FUNCTIONS['notify-editors']);
      service.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(5 minutes)',
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
            RetryPolicy: { MaximumRetryAttempts: 0 },
            Input: Match.absent(),
          }),
        ],
      });
      expect(rulesTargeting(functionId)).toHaveLength(1);
    });

    it('renews tokens every five minutes and checks channels hourly, two rules into check-channels', () => {
      const [functionId] = functionResource(FUNCTIONS['check-channels']);
      const rules = rulesTargeting(functionId).map((rule) => ({
        schedule: rule.ScheduleExpression,
        input: JSON.parse(String(rule.Targets[0]?.Input)),
        retries: rule.Targets[0]?.RetryPolicy?.MaximumRetryAttempts,
      }));
      expect(rules.sort((a, b) => String(a.schedule).localeCompare(String(b.schedule)))).toEqual([
        { schedule: 'rate(1 hour)', input: { task: 'health' }, retries: 0 },
        { schedule: 'rate(5 minutes)', input: { task: 'tokens' }, retries: 0 },
      ]);
      // Within the margin of the shortest-lived token (X's two hours: a tenth, 12 minutes).
      const tokens = FUNCTIONS['check-channels'].rules.find((r) => r.input.task === 'tokens');
      expect(tokens?.everyMinutes).toBeLessThan(12);
    });

    it("reads the posts' metrics every five minutes, on a rule of its own, without retries", () => {
      const definition = FUNCTIONS['collect-metrics'];
      const [functionId] = functionResource(definition);
      const rules = rulesTargeting(functionId);
      expect(rules).toHaveLength(1);
      expect(rules[0]).toMatchObject({
        ScheduleExpression: 'rate(5 minutes)',
        Targets: [
          {
            Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
            RetryPolicy: { MaximumRetryAttempts: 0 },
          },
        ],
      });
      // EventBridge's own Scheduled Event, as the local runtime's tick sends it.
      expect(rules[0]?.Targets[0]?.Input).toBeUndefined();
      // The asynchronous invocation retries nothing either: the next tick reads what is due.
      service.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: functionId },
        MaximumRetryAttempts: 0,
      });
    });

    it('ends each run of a function on rules of its own before the next run begins', () => {
      for (const [name, definition] of functionEntries()) {
        for (const rule of definition.rules ?? []) {
          expect(definition.timeoutSeconds, `${name} ${rule.name}`).toBeLessThan(
            rule.everyMinutes * 60,
          );
        }
      }
    });

    it('gives the metrics collector the channels, their secrets and the offsets, and no queue or bucket', () => {
      const [, fn] = functionResource(FUNCTIONS['collect-metrics']);
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(variables).toMatchObject({
        [ENV.tableName]: 'crier-test',
        [ENV.channelSecretPrefix]: 'crier/test/channel/',
        [ENV.appSecretPrefix]: 'crier/test/app/',
        [ENV.metricsAfter]: '1h,6h,24h,72h,7d',
      });
      for (const name of [...QUEUE_NAMES.map((queue) => QUEUES[queue].urlEnv), BUCKET.nameEnv]) {
        expect(variables).not.toHaveProperty(name);
      }
      // `-c metricsAfter` sets when the posts are read, for the collector alone.
      const custom = Template.fromStack(crier({ metricsAfter: '30m, 2h,1d' }).service);
      const [withCustom] = Object.values(
        custom.findResources('AWS::Lambda::Function', {
          Properties: { Description: FUNCTIONS['collect-metrics'].description },
        }),
      );
      expect(withCustom?.Properties.Environment.Variables[ENV.metricsAfter]).toBe('30m, 2h,1d');
      const carrying = Object.values(custom.findResources('AWS::Lambda::Function')).filter(
        (resource) => resource.Properties.Environment?.Variables?.[ENV.metricsAfter] !== undefined,
      );
      expect(carrying).toHaveLength(
        functionEntries().filter(([, definition]) => definition.uses.metricsAfter).length,
      );
    });

    it("raises an alarm, to an encrypted SSL-only topic, on each DLQ's first message", () => {
      // One per DLQ; the other alarms are tests/infra/monitoring.test.ts's.
      const sqsAlarms = service.findResources('AWS::CloudWatch::Alarm', {
        Properties: { Namespace: 'AWS/SQS' },
      });
      expect(Object.keys(sqsAlarms)).toHaveLength(QUEUE_NAMES.length);
      const [topicId] = Object.keys(service.findResources('AWS::SNS::Topic'));
      for (const name of QUEUE_NAMES) {
        const dlqId = logicalId(crierApp.stateful.queues[name].dlq);
        const alarms = Object.values(
          service.findResources('AWS::CloudWatch::Alarm', {
            Properties: {
              Namespace: 'AWS/SQS',
              MetricName: 'ApproximateNumberOfMessagesVisible',
              Threshold: 1,
              ComparisonOperator: 'GreaterThanOrEqualToThreshold',
              AlarmActions: [{ Ref: topicId }],
            },
          }),
        ) as Resource[];
        expect(
          alarms.filter((a) => refersTo(a.Properties.Dimensions, dlqId)),
          name,
        ).toHaveLength(1);
      }
      service.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      service.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
      service.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    it('mails the alarms when an address is given, and subscribes nobody otherwise', () => {
      service.resourceCountIs('AWS::SNS::Subscription', 0);
      const withEmail = Template.fromStack(crier({ alarmEmail: 'ops@newsroom.example' }).service);
      withEmail.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@newsroom.example',
      });
    });
  });

  describe('settings', () => {
    it('refuses a prod stage without its own channels file', () => {
      expect(() => crier({ stage: 'prod', config: undefined })).toThrow(/channels file/);
    });

    it('refuses a channels file that does not validate', () => {
      expect(() => crier({ config: join(REPOSITORY_ROOT, 'package.json') })).toThrow(
        /Invalid channel configuration/,
      );
    });

    it('holds the indexes an upgrade names, legacy ones with whole items, one change a deploy', () => {
      const step = crier({ tableIndexes: 'due,inflight,articles,timeline,due-keys' });
      const [table] = Object.values(
        Template.fromStack(step.stateful).findResources('AWS::DynamoDB::Table'),
      );
      const indexes = z
        .array(
          z.object({ IndexName: z.string(), Projection: z.object({ ProjectionType: z.string() }) }),
        )
        .parse(table?.Properties.GlobalSecondaryIndexes);
      expect(indexes.map((index) => [index.IndexName, index.Projection.ProjectionType])).toEqual([
        ['due', 'ALL'],
        ['inflight', 'ALL'],
        ['articles', 'ALL'],
        ['timeline', 'ALL'],
        ['due-keys', 'KEYS_ONLY'],
      ]);
      expect(() => crier({ tableIndexes: 'due,nonsense' })).toThrow(
        /-c tableIndexes: knows no index nonsense/,
      );
      expect(() => crier({ tableIndexes: 'due-keys,due-keys' })).toThrow(/names due-keys twice/);
    });

    it('refuses metrics offsets that do not parse, naming the bad one', () => {
      expect(() => crier({ metricsAfter: '1h,soon' })).toThrow(
        /-c metricsAfter: "soon" is not an offset/,
      );
      expect(() => crier({ metricsAfter: '0s' })).toThrow(/-c metricsAfter: "0s" must be after/);
      expect(() => crier({ metricsAfter: ' , ' })).toThrow(/-c metricsAfter: at least one offset/);
    });

    it('adds the metrics index to a table of the four before it in one deploy, the others unchanged', () => {
      const indexesOf = (app: CrierApp) => {
        const [table] = Object.values(
          Template.fromStack(app.stateful).findResources('AWS::DynamoDB::Table'),
        );
        return z
          .array(z.object({ IndexName: z.string() }).loose())
          .parse(table?.Properties.GlobalSecondaryIndexes);
      };
      const before = indexesOf(
        crier({ tableIndexes: 'due-keys,inflight-keys,articles-keys,timeline-status' }),
      );
      const after = indexesOf(crierApp);
      expect(before.map((index) => index.IndexName)).not.toContain(TABLE.indexes.metrics.name);
      // One index more, and every earlier one exactly as it was: CloudFormation makes one
      // index a deploy, so a plain deploy of the new version is the whole upgrade.
      expect(after.filter((index) => !before.some((b) => isDeepStrictEqual(b, index)))).toEqual([
        {
          IndexName: 'metrics-keys',
          KeySchema: [
            { AttributeName: 'metricsPK', KeyType: 'HASH' },
            { AttributeName: 'metricsSK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ]);
      expect(before.filter((index) => !after.some((a) => isDeepStrictEqual(a, index)))).toEqual([]);
    });

    it('warns at synth while the indexes named leave out one the functions read', () => {
      const warnings = (app: CrierApp) =>
        Annotations.fromStack(app.service).findWarning('*', Match.stringLikeRegexp('tableIndexes'));
      expect(warnings(crierApp)).toEqual([]);
      const midUpgrade = crier({
        tableIndexes: 'due-keys,inflight-keys,articles-keys,timeline-status',
      });
      expect(warnings(midUpgrade).map((warning) => warning.entry.data)).toEqual([
        expect.stringContaining('leaves out metrics-keys, which the functions read'),
      ]);
    });

    it('retains the data of a prod stage and protects it from deletion', () => {
      const prod = crier({ stage: 'prod' });
      const template = Template.fromStack(prod.stateful);
      expect(prod.stateful.terminationProtection).toBe(true);
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtectionEnabled: true, TableName: 'crier-prod' }),
      });
      template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain' });
      for (const secret of Object.values(template.findResources('AWS::SecretsManager::Secret'))) {
        expect(secret.DeletionPolicy).toBe('Retain');
      }
    });
  });
});
