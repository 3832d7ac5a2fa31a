/**
 * Least privilege in the templates: each function's role holds exactly the actions on
 * exactly the resources its definition in shared/resources.ts says it `uses` (so a new
 * function must state its needs), `*` only where AWS allows nothing narrower, and the
 * resource policies let in only this account's services, each for its own resource.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../infra/constructs/bundling';
import { type CrierApp, createCrierApp } from '../../infra/stacks/crier';
import { functionEntries, parseRoute } from '../../infra/stacks/service-stack';
import { NETWORK_APP_PLATFORMS } from '../../shared/domain/oauth-connect';
import { FUNCTIONS, type FunctionDefinition, QUEUES, type QueueName } from '../../shared/resources';

const EXAMPLE_CONFIG = join(REPOSITORY_ROOT, 'config/channels.example.json');
const ASSEMBLIES = mkdtempSync(join(tmpdir(), 'crier-infra-'));
afterAll(() => rmSync(ASSEMBLIES, { recursive: true, force: true }));
const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

type Statement = {
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
};
type Resource = { Type: string; Properties: Record<string, unknown> };

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

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const logicalId = (construct: IConstruct): string => {
  const child = construct.node.defaultChild;
  if (!child) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(child as CfnElement);
};

/**
 * What the CDK's grant methods give, by what a definition `uses`. The table grants carry
 * DynamoDB Streams' GetRecords and GetShardIterator; the table has no stream, and they
 * name the table and its indexes, never a stream ARN, so they reach nothing.
 */
const ACTIONS = {
  logs: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  // X-Ray has no resource-level permissions: these two accept only Resource "*".
  xray: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  tableRead: [
    'dynamodb:BatchGetItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
    'dynamodb:GetItem',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    'dynamodb:Query',
    'dynamodb:Scan',
  ],
  tableWrite: [
    'dynamodb:BatchWriteItem',
    'dynamodb:DeleteItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ],
  send: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
  consume: [
    'sqs:ChangeMessageVisibility',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
    'sqs:ReceiveMessage',
  ],
  secret: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
  // Only the editor API stores credentials, and only under the channels' prefix.
  channelSecretWrite: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'],
  mediaRead: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'],
  // Put without delete: media expire by the bucket's lifecycle rule.
  mediaPut: [
    's3:Abort*',
    's3:PutObject',
    's3:PutObjectLegalHold',
    's3:PutObjectRetention',
    's3:PutObjectTagging',
    's3:PutObjectVersionTagging',
  ],
  // The editor API's Cognito calls, written out here rather than read from the stack, so
  // an added action fails this test until someone writes it down.
  editorPool: [
    'cognito-idp:AdminAddUserToGroup',
    'cognito-idp:AdminCreateUser',
    'cognito-idp:AdminDeleteUser',
    'cognito-idp:AdminGetUser',
    'cognito-idp:AdminListGroupsForUser',
    'cognito-idp:AdminUserGlobalSignOut',
    'cognito-idp:CreateGroup',
    'cognito-idp:ListUsers',
  ],
  notify: ['sns:Publish'],
  // Setting a site's e-mail addresses: written out, so an added action fails this test.
  subscribe: ['sns:ListSubscriptionsByTopic', 'sns:Subscribe', 'sns:Unsubscribe'],
} as const;

const grants = (actions: readonly string[], resources: readonly string[]) =>
  actions.flatMap((action) => resources.map((resource) => `${action} on ${resource}`));

/** Every `action on resource` a function's definition entitles it to, and nothing else. */
function expectedGrants(definition: FunctionDefinition): string[] {
  const { uses } = definition;
  const all = [
    ...grants(ACTIONS.logs, ['its own log group']),
    ...grants(ACTIONS.xray, ['*']),
    ...(uses.table ? grants(ACTIONS.tableRead, ['the table', 'the table’s indexes']) : []),
    ...(uses.table === 'readWrite'
      ? grants(ACTIONS.tableWrite, ['the table', 'the table’s indexes'])
      : []),
    ...(uses.sendTo ?? []).flatMap((queue) => grants(ACTIONS.send, [`the ${queue} queue`])),
    ...(definition.sqs ? grants(ACTIONS.consume, [`the ${definition.sqs.queue} queue`]) : []),
    ...(uses.secrets ?? []).flatMap((name) => grants(ACTIONS.secret, [`the secret ${name}`])),
    ...(uses.channelSecrets ? grants(ACTIONS.secret, ['the channels’ credentials']) : []),
    ...(uses.channelSecrets === 'readWrite'
      ? grants(ACTIONS.channelSecretWrite, ['the channels’ credentials'])
      : []),
    // Read, never write: each network's app is registered in that network's console.
    ...(uses.networkApps
      ? grants(
          ACTIONS.secret,
          NETWORK_APP_PLATFORMS.map((platform) => `the ${platform} app`),
        )
      : []),
    ...(uses.media ? grants(ACTIONS.mediaRead, ['the media bucket', 'the media objects']) : []),
    ...(uses.media === 'readWrite' ? grants(ACTIONS.mediaPut, ['the media objects']) : []),
    // Editors' uploads: read and put, under their own prefix only.
    ...(uses.uploads ? grants(ACTIONS.mediaRead, ['the media bucket', 'the uploads']) : []),
    ...(uses.uploads ? grants(ACTIONS.mediaPut, ['the uploads']) : []),
    ...(uses.editors ? grants(ACTIONS.editorPool, ['the editors’ user pool']) : []),
    ...(uses.notifications ? grants(ACTIONS.notify, ['the notification topic']) : []),
    ...(uses.emailSubscriptions
      ? grants(ACTIONS.subscribe, [
          'the notification topic',
          'the notification topic’s subscriptions',
        ])
      : []),
  ];
  return [...new Set(all)].sort();
}

describe('least privilege', () => {
  let crierApp: CrierApp;
  let service: Template;
  let stateful: Template;

  beforeAll(() => {
    crierApp = crier();
    service = Template.fromStack(crierApp.service);
    stateful = Template.fromStack(crierApp.stateful);
  });

  /** A resource as a reader of the policy would name it; anything else is named unknown. */
  const nameOf = (resource: unknown, ownLogGroup: string): string => {
    const text = JSON.stringify(resource);
    if (resource === '*') return '*';
    if (text === JSON.stringify({ 'Fn::GetAtt': [ownLogGroup, 'Arn'] })) return 'its own log group';
    if (/:table\/crier-test"\]\]\}$/.test(text)) return 'the table';
    if (/:table\/crier-test\/index\/\*"\]\]\}$/.test(text)) return 'the table’s indexes';
    if (
      /:s3:::crier-test-media-",\{"Ref":"AWS::AccountId"\},"-",\{"Ref":"AWS::Region"\}\]\]\}$/.test(
        text,
      )
    )
      return 'the media bucket';
    if (/:s3:::crier-test-media-.*"\/media\/\*"\]\]\}$/.test(text)) return 'the media objects';
    if (/:s3:::crier-test-media-.*"\/uploads\/\*"\]\]\}$/.test(text)) return 'the uploads';
    if (/:secret:crier\/test\/channel\/\*"\]\]\}$/.test(text)) return 'the channels’ credentials';
    const { queues, secrets, channelSecrets, userPool, notificationTopic } = crierApp.stateful;
    if (text.includes(logicalId(userPool)) && text.includes('Arn')) return 'the editors’ user pool';
    if (text.includes('-NotificationTopicArn"},":*"]]}'))
      return 'the notification topic’s subscriptions';
    if (text.includes(logicalId(notificationTopic))) return 'the notification topic';
    for (const queue of QUEUE_NAMES) {
      if (text.includes(logicalId(queues[queue].queue))) return `the ${queue} queue`;
      if (text.includes(logicalId(queues[queue].dlq))) return `the ${queue} dead-letter queue`;
    }
    for (const [name, secret] of Object.entries(secrets)) {
      if (secret && text.includes(logicalId(secret))) return `the secret ${name}`;
    }
    for (const [id, secret] of channelSecrets) {
      if (text.includes(logicalId(secret))) return `the credentials of ${id}`;
    }
    for (const [platform, secret] of crierApp.stateful.appSecrets) {
      if (text.includes(logicalId(secret))) return `the ${platform} app`;
    }
    return `something unknown: ${text}`;
  };

  const functionResource = (definition: FunctionDefinition): Resource => {
    const found = Object.values(
      service.findResources('AWS::Lambda::Function', {
        Properties: { Description: definition.description },
      }),
    ) as Resource[];
    expect(found, definition.entry).toHaveLength(1);
    return found[0] as Resource;
  };

  const statementsOf = (definition: FunctionDefinition): Statement[] => {
    const fn = functionResource(definition);
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = service.findResources('AWS::IAM::Role')[roleId] as Resource;
    const inline = asArray(
      role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[],
    );
    const attached = (
      Object.values(service.findResources('AWS::IAM::Policy')) as Resource[]
    ).filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`));
    return [...inline, ...attached.map((p) => p.Properties)].flatMap(
      (p) => (p.PolicyDocument as { Statement: Statement[] }).Statement,
    );
  };

  it.each(functionEntries())(
    '%s holds exactly what its definition uses, on its own resources',
    (_name, definition) => {
      const fn = functionResource(definition);
      const ownLogGroup = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup
        .Ref;
      const statements = statementsOf(definition);
      for (const statement of statements) {
        // Plain allows: no deny to lean on, no "everything but", no condition to reason about.
        expect(statement).toEqual({
          Effect: 'Allow',
          Action: statement.Action,
          Resource: statement.Resource,
        });
      }
      const granted = statements
        .flatMap((statement) =>
          asArray(statement.Action).flatMap((action) =>
            asArray(statement.Resource).map(
              (resource) => `${action} on ${nameOf(resource, ownLogGroup)}`,
            ),
          ),
        )
        .sort();
      expect([...new Set(granted)]).toEqual(expectedGrants(definition));
    },
  );

  it("lets only the editor API manage the topic's e-mail subscriptions, on that topic alone", () => {
    const managing = functionEntries()
      .filter(([, definition]) =>
        statementsOf(definition).some((statement) =>
          asArray(statement.Action).some((action) => action === 'sns:Subscribe'),
        ),
      )
      .map(([name]) => name);
    expect(managing).toEqual(['editor-api']);
    const statement = statementsOf(FUNCTIONS['editor-api']).find((s) =>
      asArray(s.Action).includes('sns:Subscribe'),
    );
    const resources = asArray(statement?.Resource);
    // The topic, and its subscriptions (`<topic arn>:*`), which an unsubscribe names.
    expect(resources).toHaveLength(2);
    expect(JSON.stringify(resources[0])).toContain(logicalId(crierApp.stateful.notificationTopic));
    expect(resources[1]).toEqual({
      'Fn::Join': ['', [{ 'Fn::ImportValue': crierApp.stateful.notificationTopicExport }, ':*']],
    });
    expect(asArray(statement?.Action).sort()).toEqual([...ACTIONS.subscribe]);
  });

  it('lets the metrics collector read and write the table and the channels’ credentials, read the apps, and nothing else', () => {
    const actions = [
      ...new Set(
        statementsOf(FUNCTIONS['collect-metrics']).flatMap((statement) =>
          asArray(statement.Action),
        ),
      ),
    ].sort();
    // Written out, so an added grant fails here until someone writes it down: no queue, no
    // bucket, no user pool, no topic. It stores a renewed token or session in the channel's
    // secret, as publish-share does.
    expect(actions).toEqual(
      [
        ...ACTIONS.logs,
        ...ACTIONS.xray,
        ...ACTIONS.tableRead,
        ...ACTIONS.tableWrite,
        ...ACTIONS.secret,
        ...ACTIONS.channelSecretWrite,
      ].sort(),
    );
  });

  it('gives no function a role of another', () => {
    const roles = functionEntries().map(([, definition]) =>
      JSON.stringify(functionResource(definition).Properties.Role),
    );
    expect(new Set(roles).size).toBe(roles.length);
  });

  it('uses Resource "*" only for X-Ray and the UI deployment\'s CloudFront invalidation, in every identity policy of both stacks', () => {
    for (const template of [
      service,
      stateful,
      Template.fromStack(crier({ stage: 'prod' }).stateful),
    ]) {
      const documents = [
        ...(Object.values(template.findResources('AWS::IAM::Policy')) as Resource[]).map(
          (p) => p.Properties.PolicyDocument,
        ),
        ...(Object.values(template.findResources('AWS::IAM::Role')) as Resource[]).flatMap((r) =>
          asArray(r.Properties.Policies as { PolicyDocument: unknown }[]).map(
            (p) => p.PolicyDocument,
          ),
        ),
      ] as { Statement: Statement[] }[];
      for (const statement of documents.flatMap((d) => d.Statement)) {
        expect(statement.NotResource, JSON.stringify(statement)).toBeUndefined();
        expect(statement.NotAction, JSON.stringify(statement)).toBeUndefined();
        if (asArray(statement.Resource).includes('*')) {
          // The CDK's BucketDeployment invalidates the editor UI's distribution after a
          // deploy; CloudFront's invalidation calls are granted that way by the CDK.
          const actions = asArray(statement.Action);
          const invalidation = ['cloudfront:GetInvalidation', 'cloudfront:CreateInvalidation'];
          expect(
            [[...ACTIONS.xray], invalidation].map((allowed) => [...allowed].sort().join()),
            JSON.stringify(statement),
          ).toContain([...actions].sort().join());
        }
      }
    }
  });

  it('attaches an AWS-managed policy only to the CDK’s bucket-emptying helper of a rehearsal stage', () => {
    // AWSLambdaBasicExecutionRole (its logs, `*`): the role of the CDK's own provider that
    // empties the media bucket when a rehearsal stage is deleted. A prod stage has none.
    const managed = (template: Template) =>
      Object.entries(template.findResources('AWS::IAM::Role')).flatMap(([id, role]) =>
        asArray((role as Resource).Properties.ManagedPolicyArns).map(
          (arn) => `${id}: ${JSON.stringify(arn)}`,
        ),
      );
    expect(managed(service)).toEqual([]);
    expect(managed(stateful)).toEqual([
      expect.stringMatching(
        /^CustomS3AutoDeleteObjectsCustomResourceProviderRole.*service-role\/AWSLambdaBasicExecutionRole/,
      ),
    ]);
    expect(managed(Template.fromStack(crier({ stage: 'prod' }).stateful))).toEqual([]);
  });

  it('lets each function be invoked only by its own routes and schedule', () => {
    const permissions = Object.values(
      service.findResources('AWS::Lambda::Permission'),
    ) as Resource[];
    const [apiId] = Object.keys(service.findResources('AWS::ApiGatewayV2::Api'));
    const expected: string[] = [];
    for (const [name, definition] of functionEntries()) {
      const fn = crierApp.service.functions.get(name);
      if (!fn) throw new Error(`no function ${name} in the service stack`);
      const functionId = logicalId(fn.function);
      for (const route of definition.routes ?? []) {
        expected.push(
          `${functionId} by apigateway.amazonaws.com from ${apiId}/*/*${parseRoute(route).path}`,
        );
      }
      if (definition.schedule) {
        expected.push(`${functionId} by events.amazonaws.com from its schedule`);
      }
      for (const _rule of definition.rules ?? []) {
        expected.push(`${functionId} by events.amazonaws.com from its schedule`);
      }
    }
    const actual = permissions.map((permission) => {
      const { Action, FunctionName, Principal, SourceArn, ...rest } = permission.Properties;
      expect(Action).toBe('lambda:InvokeFunction');
      // No source account or other condition stands in for the source ARN.
      expect(rest).toEqual({});
      const functionId = (FunctionName as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const source = JSON.stringify(SourceArn);
      const from =
        Principal === 'events.amazonaws.com' &&
        /"Fn::GetAtt":\["[A-Za-z]+Schedule[0-9A-F]+","Arn"\]/.test(source)
          ? 'its schedule'
          : /":execute-api:"/.test(source)
            ? `${/"Ref":"(Api[0-9A-F]+)"/.exec(source)?.[1]}${/"(\/\*\/\*\/[^"]*)"/.exec(source)?.[1]}`
            : `an unknown source ${source}`;
      return `${functionId} by ${String(Principal)} from ${from}`;
    });
    expect(actual.sort()).toEqual(expected.sort());
  });

  it('lets no one in through a resource policy but this account and its services', () => {
    const documents = [service, stateful].flatMap((template) =>
      [
        ['AWS::SQS::QueuePolicy', 'PolicyDocument'],
        ['AWS::SNS::TopicPolicy', 'PolicyDocument'],
        ['AWS::S3::BucketPolicy', 'PolicyDocument'],
        ['AWS::KMS::Key', 'KeyPolicy'],
      ].flatMap(([type = '', field = '']) =>
        (Object.values(template.findResources(type)) as Resource[]).map((r) => ({
          type,
          statements: (r.Properties[field] as { Statement: Statement[] }).Statement,
        })),
      ),
    );
    expect(documents.length).toBeGreaterThan(0);
    for (const { type, statements } of documents) {
      for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
        const principal = JSON.stringify(statement.Principal);
        const label = `${type}: ${JSON.stringify(statement)}`;
        expect(principal, label).not.toMatch(/^"\*"$|"AWS":"\*"/);
        if (principal.includes('"Service"')) {
          // A service acts for this account only (else any account's alarms could publish):
          // by account, or, for CloudFront's origin access, by this account's distribution.
          expect(JSON.stringify(statement.Condition), label).toMatch(
            /"aws:SourceAccount"|"AWS:SourceArn":\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":cloudfront::",\{"Ref":"AWS::AccountId"\},":distribution\//,
          );
        } else if (type === 'AWS::KMS::Key') {
          // The key policy every KMS key needs: the account may manage its own key ("*" is
          // the key itself in a key policy).
          expect(principal, label).toMatch(/:iam::",\{"Ref":"AWS::AccountId"\},":root"/);
        } else {
          // The CDK's helper that empties the media bucket of a rehearsal stage.
          expect(principal, label).toContain('CustomS3AutoDeleteObjectsCustomResourceProviderRole');
        }
      }
    }
  });
});
