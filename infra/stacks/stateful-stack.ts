/**
 * What holds Crier's data and outlives a redeploy of the code: the table, the queues
 * with their dead-letter queues, the secrets and the editors' user pool. Built from
 * shared/resources.ts, the definitions the local runtime creates too.
 */
import {
  Aws,
  CfnOutput,
  Duration,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEFAULT_SITE_ID } from '../../shared/domain/article';
import { NETWORK_APP_PLATFORMS } from '../../shared/domain/oauth-connect';
import { SITE_GROUP_PREFIX } from '../../shared/http/editor-auth';
import {
  BUCKET,
  FUNCTIONS,
  type FunctionDefinition,
  QUEUES,
  type QueueName,
  type SecretName,
  TABLE,
} from '../../shared/resources';
import type { CrierSettings } from '../config';
import { pascal, perQueue, queueNames } from './names';

/** The editors' groups, which reach the editor API in the token's `cognito:groups` claim. */
export const EDITOR_GROUPS = {
  editor: 'Reviews, edits, schedules and publishes shares',
  admin: 'Everything an editor does, and managing Crier',
} as const;

/** How each of Crier's own secrets is first generated; operators may set their own. */
const CRIER_SECRETS: Record<SecretName, { description: string; length: number }> = {
  // Letters and digits are base64 too, so the value is a Standard Webhooks key as it is.
  CRIER_WEBHOOK_SECRET: {
    description: 'Signs CMS webhooks (Standard Webhooks): the CMS gets whsec_<this value>',
    length: 44,
  },
  CRIER_GHOST_SECRET: { description: "Signs Ghost's webhooks (X-Ghost-Signature)", length: 64 },
  CRIER_SYNDICATION_SECRET: {
    description: 'Signs the webhooks Crier sends the CMS (Standard Webhooks): whsec_<this value>',
    length: 44,
  },
};

export type QueuePair = { queue: sqs.Queue; dlq: sqs.Queue };

export type StatefulStackProps = StackProps & { settings: CrierSettings };

export class StatefulStack extends Stack {
  readonly table: dynamodb.Table;
  /**
   * `crier-<stage>`: named, so the service stack addresses the table by name and its
   * grants read as plain ARNs rather than references to this stack's outputs.
   */
  readonly tableName: string;
  readonly queues: Record<QueueName, QueuePair>;
  /** processed images and share cards, by content hash (shared/store/media-store.ts) */
  readonly mediaBucket: s3.Bucket;
  /**
   * `crier-<stage>-media-<account>-<region>`: named, as the table is, so the service stack's
   * grants name the bucket rather than an export of this stack. Bucket names are global:
   * the account and region keep two deployments apart.
   */
  readonly mediaBucketName: string;
  /** Crier's own secrets that some function reads */
  readonly secrets: Partial<Record<SecretName, secretsmanager.Secret>>;
  /** one credentials secret per configured channel, by channel id */
  readonly channelSecrets: ReadonlyMap<string, secretsmanager.Secret>;
  /** `crier/<stage>/channel/`: a channel's secret is named this and its id */
  readonly channelSecretPrefix: string;
  /** each network's OAuth app (`{ clientId, clientSecret }`), seeded `{}` (docs/deploying.md) */
  readonly appSecrets: ReadonlyMap<string, secretsmanager.Secret>;
  readonly appSecretPrefix: string;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  /**
   * The editors' e-mail digests: one topic for the deployment, each message carrying its
   * site as the `site` attribute; each e-mail subscription's filter policy picks its
   * site's (docs/operating.md). It costs nothing while nothing is published.
   */
  readonly notificationTopic: sns.Topic;
  /**
   * The export that names the topic's ARN to the service stack, under a name of ours: its
   * grant on the topic's subscriptions (`<arn>:*`) is then spelled the same in every stage.
   */
  readonly notificationTopicExport: string;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const dataRemoval = settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.tableName = `crier-${settings.stage}`;
    this.table = this.createTable(settings, dataRemoval);
    this.queues = perQueue((name) => this.createQueue(name));
    this.mediaBucketName = `crier-${settings.stage}-media-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
    this.mediaBucket = this.createMediaBucket(settings);

    const secretPrefix = `crier/${settings.stage}/`;
    this.secrets = {};
    for (const name of usedSecrets()) {
      const { description, length } = CRIER_SECRETS[name];
      this.secrets[name] = new secretsmanager.Secret(this, pascal(name), {
        secretName: `${secretPrefix}${name}`,
        description,
        generateSecretString: { passwordLength: length, excludePunctuation: true },
        removalPolicy: dataRemoval,
      });
    }

    this.channelSecretPrefix = `${secretPrefix}channel/`;
    const channelSecrets = new Map<string, secretsmanager.Secret>();
    for (const channel of settings.channels) {
      channelSecrets.set(
        channel.id,
        new secretsmanager.Secret(this, `Channel-${channel.id}`, {
          secretName: `${this.channelSecretPrefix}${channel.id}`,
          // Only the id and network: a description that changes would update the secret.
          description: `Credentials of Crier channel ${channel.id} (${channel.platform}), JSON`,
          // An empty object until the operator puts the credentials in (docs/deploying.md).
          // CloudFormation writes it once: later deploys leave the value alone as long as
          // the template's value stays the same.
          secretStringValue: SecretValue.unsafePlainText('{}'),
          removalPolicy: dataRemoval,
        }),
      );
    }
    this.channelSecrets = channelSecrets;

    this.appSecretPrefix = `${secretPrefix}app/`;
    const appSecrets = new Map<string, secretsmanager.Secret>();
    for (const platform of NETWORK_APP_PLATFORMS) {
      const secret = new secretsmanager.Secret(this, `App-${platform}`, {
        secretName: `${this.appSecretPrefix}${platform}`,
        description: `Crier's ${platform} OAuth app: { clientId, clientSecret }, JSON`,
        // `{}` until the operator registers the app with the network (docs/deploying.md).
        secretStringValue: SecretValue.unsafePlainText('{}'),
        removalPolicy: dataRemoval,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          "A network app's client secret is issued in the network's developer console and can only be rotated there: operators put the new value in (docs/deploying.md).",
      });
      appSecrets.set(platform, secret);
    }
    this.appSecrets = appSecrets;

    for (const secret of Object.values(this.secrets)) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'A webhook key is shared with the CMS, which must change with it: rotating it is an operator step on both sides (docs/deploying.md), not a job a rotation Lambda can do alone.',
      });
    }
    for (const secret of channelSecrets.values()) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Channel credentials (app passwords, access tokens) are issued by each network and can only be renewed there: operators rotate them at the network and put the new value in (docs/deploying.md); publish-share rereads them within minutes.',
      });
    }

    ({ userPool: this.userPool, client: this.userPoolClient } = this.createUserPool(
      settings,
      dataRemoval,
    ));

    this.notificationTopicExport = `${this.stackName}-NotificationTopicArn`;
    this.notificationTopic = new sns.Topic(this, 'NotificationTopic', {
      displayName: `Crier ${settings.stage} editors`,
      // The AWS-managed key: no key of our own to pay for; only this account's functions publish.
      masterKey: kms.Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns'),
      enforceSSL: true,
    });

    this.addOutputs();
  }

  /** What an operator needs after a deploy (docs/deploying.md), under readable names. */
  private addOutputs(): void {
    const output = (id: string, value: string, description: string, exportName?: string) =>
      new CfnOutput(this, id, { value, description, ...(exportName ? { exportName } : {}) });
    output('TableName', this.tableName, "Crier's DynamoDB table");
    output('UserPoolId', this.userPool.userPoolId, "The editors' Cognito user pool");
    output('EditorUiClientId', this.userPoolClient.userPoolClientId, "The editor UI's app client");
    output('MediaBucketName', this.mediaBucket.bucketName, 'Processed images and share cards');
    output(
      'NotificationTopicArn',
      this.notificationTopic.topicArn,
      "The editors' e-mail digests: subscribe an address with a filter policy on `site`",
      this.notificationTopicExport,
    );
    for (const [name, secret] of Object.entries(this.secrets)) {
      output(`${pascal(name)}Name`, secret.secretName, `The secret behind ${name}`);
    }
    for (const [channelId, secret] of this.channelSecrets) {
      output(
        `Channel${pascal(channelId)}SecretName`,
        secret.secretName,
        `Credentials of channel ${channelId}`,
      );
    }
    for (const name of queueNames()) {
      const { queue, dlq } = this.queues[name];
      output(`${pascal(name)}QueueArn`, queue.queueArn, `The ${name} queue`);
      output(`${pascal(name)}DlqArn`, dlq.queueArn, `The ${name} dead-letter queue`);
      output(`${pascal(name)}DlqUrl`, dlq.queueUrl, `The ${name} dead-letter queue`);
    }
  }

  private createTable(settings: CrierSettings, removalPolicy: RemovalPolicy): dynamodb.Table {
    const key = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    const table = new dynamodb.Table(this, 'Table', {
      tableName: this.tableName,
      partitionKey: key(TABLE.partitionKey),
      sortKey: key(TABLE.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: settings.retainData,
      removalPolicy,
    });
    // The indexes the code reads, unless an upgrade names the set (docs/deploying.md).
    for (const index of settings.tableIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        // As the local table has it: what the index's readers use, and no more.
        ...(index.projection.type === 'INCLUDE'
          ? {
              projectionType: dynamodb.ProjectionType.INCLUDE,
              nonKeyAttributes: [...index.projection.attributes],
            }
          : { projectionType: dynamodb.ProjectionType[index.projection.type] }),
      });
    }
    return table;
  }

  /**
   * Private, encrypted, SSL only, and every object gone after BUCKET.expireDays: it holds
   * copies derived from public articles, made again on the next compose. Meta's networks
   * read it through presigned URLs, never through a public policy.
   */
  private createMediaBucket(settings: CrierSettings): s3.Bucket {
    const bucket = new s3.Bucket(this, 'MediaBucket', {
      bucketName: this.mediaBucketName,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // SSE-S3 rather than KMS: a presigned URL then needs no kms:Decrypt of the signer.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [
        {
          id: 'expire-media',
          expiration: Duration.days(BUCKET.expireDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // Derived data, but a retained stage keeps it with the rest; a rehearsal stage's
      // bucket is emptied on delete, or CloudFormation could not remove it.
      removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !settings.retainData,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'No server access logs: the bucket holds only resized copies of images the newsroom already published and share cards drawn from public headlines, each expiring after BUCKET.expireDays; it is private (no public access, SSL only) and written and read only by Crier functions, whose calls CloudTrail records.',
    });
    return bucket;
  }

  private createQueue(name: QueueName): QueuePair {
    const definition = QUEUES[name];
    checkQueueDefinition(name, definition);
    const common = {
      encryption: sqs.QueueEncryption.KMS_MANAGED,
      enforceSSL: true,
    } as const;
    const dlq = new sqs.Queue(this, `${pascal(name)}Dlq`, {
      ...common,
      retentionPeriod: Duration.seconds(definition.dlqRetentionSeconds),
    });
    const queue = new sqs.Queue(this, `${pascal(name)}Queue`, {
      ...common,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(definition.retentionSeconds),
      deadLetterQueue: { queue: dlq, maxReceiveCount: definition.maxReceiveCount },
    });
    Validations.of(dlq).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: `The ${name} dead-letter queue is the end of the line: its messages wait there, with an alarm at the first one, for an operator to inspect and redrive them (docs/operating.md, "Redriving"); a dead-letter queue of its own would only move them out of sight.`,
    });
    return { queue, dlq };
  }

  private createUserPool(settings: CrierSettings, removalPolicy: RemovalPolicy) {
    const userPool = new cognito.UserPool(this, 'Editors', {
      // Editors are invited by an administrator (docs/deploying.md), never sign up.
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // An editor's account posts in the newsroom's name on every network: a password
      // alone is not enough. An authenticator app, no SMS (which needs its own setup).
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus: compromised-credential checks and adaptive authentication, enforced.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      userInvitation: {
        emailSubject: 'Your Crier editor account',
        emailBody:
          'You can now sign in to Crier as {username} with the temporary password {####}. You will choose a new password and set up an authenticator app.',
      },
      deletionProtection: settings.retainData,
      removalPolicy,
    });
    for (const [groupName, description] of Object.entries(EDITOR_GROUPS)) {
      userPool.addGroup(`${pascal(groupName)}Group`, { groupName, description });
    }
    // The default site's group; each site made through the API makes its own
    // (`site:<id>`, POST /api/sites). Groups cost nothing while unused.
    userPool.addGroup('DefaultSiteGroup', {
      groupName: `${SITE_GROUP_PREFIX}${DEFAULT_SITE_ID}`,
      description: 'Editors of the default site',
    });
    // The editor UI: a public client (a browser keeps no secret), SRP sign-in, and the
    // password flow for scripts and the command line.
    const client = userPool.addClient('EditorUi', {
      userPoolClientName: `crier-${settings.stage}-editor-ui`,
      generateSecret: false,
      authFlows: { userSrp: true, userPassword: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(7),
    });
    return { userPool, client };
  }
}

/** The secrets some function reads, each once. */
function usedSecrets(): SecretName[] {
  const definitions: FunctionDefinition[] = Object.values(FUNCTIONS);
  return [...new Set(definitions.flatMap((definition) => definition.uses.secrets ?? []))];
}

/**
 * SQS's advice for Lambda consumers, checked at synth: a visibility timeout of at least
 * six times the consumer's timeout (or a slow batch is delivered twice), enough receives
 * before a message is dead-lettered, and a DLQ that keeps a message longer than its queue.
 */
export function checkQueueDefinition(name: QueueName, definition = QUEUES[name]): void {
  const problems: string[] = [];
  const definitions: FunctionDefinition[] = Object.values(FUNCTIONS);
  for (const consumer of definitions.filter((d) => d.sqs?.queue === name)) {
    if (definition.visibilityTimeoutSeconds < 6 * consumer.timeoutSeconds) {
      problems.push(
        `visibility timeout ${definition.visibilityTimeoutSeconds}s is under 6x ${consumer.entry}'s ${consumer.timeoutSeconds}s`,
      );
    }
  }
  if (definition.maxReceiveCount < 5) {
    problems.push(`maxReceiveCount ${definition.maxReceiveCount} is under 5`);
  }
  if (definition.dlqRetentionSeconds <= definition.retentionSeconds) {
    problems.push('the DLQ must keep messages longer than the queue does');
  }
  if (problems.length) {
    throw new Error(`Queue ${name}: ${problems.join('; ')}`);
  }
}
