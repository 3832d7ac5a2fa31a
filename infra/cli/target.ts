/**
 * Where the operations commands act: the local stack (its `<dataDir>/runtime.json`), a
 * deployed stage in AWS (the table `crier-<stage>`, queues found by the names
 * CloudFormation gives them), or what the environment names (TABLE_NAME and the queue
 * URL variables the functions read, with the SDK's own endpoint settings).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ENV, QUEUES, type QueueName } from '../../shared/resources';
import { LOCAL_CREDENTIALS } from '../local/local-aws';
import { readRuntimeFile } from '../local/runtime-file';
import { pascal } from '../stacks/names';

/** process.stdout and process.stderr, or a test's buffers. */
export type CommandIo = {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
};

export class CliError extends Error {
  override name = 'CliError';
  /** 1: the command could not be done; 2: it was asked wrongly */
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export type TargetOptions = {
  /** the local stack's data folder */
  local?: string;
  /** a deployed stage */
  stage?: string;
  table?: string;
  queueUrl?: string;
};

export type Target = {
  /** for the operator: what the command acts on */
  description: string;
  dynamo: DynamoDBClient;
  sqs: SQSClient;
  tableName(): string;
  queueUrl(name: QueueName): Promise<string>;
  /** the queue's DLQ URL where the target knows it without asking SQS */
  dlqUrl(name: QueueName): string | undefined;
  destroy(): void;
};

export function resolveTarget(
  options: TargetOptions,
  env: NodeJS.ProcessEnv = process.env,
): Target {
  const stage = options.stage ?? env.CRIER_STAGE;
  if (options.local === undefined && stage) return awsTarget(stage, options);
  if (options.local === undefined && (env[ENV.tableName] || anyQueueEnv(env))) {
    return environmentTarget(options, env);
  }
  return localTarget(options.local ?? env.CRIER_DATA_DIR ?? '.crier', options);
}

const anyQueueEnv = (env: NodeJS.ProcessEnv) =>
  Object.values(QUEUES).some((queue) => env[queue.urlEnv]);

function localTarget(dataDir: string, options: TargetOptions): Target {
  const runtime = readRuntimeFile(dataDir);
  if (!runtime) {
    throw new CliError(
      `No local stack is running with its data in ${dataDir}: start it (npm start), name its folder with --local <dir>, or give --stage <stage> for a deployed one.`,
    );
  }
  const region = runtime.region;
  const dynamo = new DynamoDBClient({
    endpoint: runtime.dynamoEndpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
  });
  const sqs = new SQSClient({
    endpoint: runtime.sqsEndpoint,
    useQueueUrlAsEndpoint: false,
    region,
    credentials: LOCAL_CREDENTIALS,
  });
  const queue = (name: QueueName) => {
    const found = runtime.queues[name];
    if (!found) throw new CliError(`The local stack has no ${name} queue`);
    return found;
  };
  return {
    description: `the local stack in ${dataDir} (${runtime.url})`,
    dynamo,
    sqs,
    tableName: () => options.table ?? runtime.tableName,
    queueUrl: async (name) => options.queueUrl ?? queue(name).url,
    dlqUrl: (name) => queue(name).dlqUrl,
    destroy: () => {
      dynamo.destroy();
      sqs.destroy();
    },
  };
}

function environmentTarget(options: TargetOptions, env: NodeJS.ProcessEnv): Target {
  const dynamo = new DynamoDBClient({});
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  return {
    description: 'the table and queues the environment names',
    dynamo,
    sqs,
    tableName: () => {
      const name = options.table ?? env[ENV.tableName];
      if (!name) throw new CliError(`Name the table: --table or ${ENV.tableName}`, 2);
      return name;
    },
    queueUrl: async (name) => {
      const url = options.queueUrl ?? env[QUEUES[name].urlEnv];
      if (!url)
        throw new CliError(`Name the ${name} queue: --queue-url or ${QUEUES[name].urlEnv}`, 2);
      return url;
    },
    dlqUrl: () => undefined,
    destroy: () => {
      dynamo.destroy();
      sqs.destroy();
    },
  };
}

/**
 * A deployed stage: its table is named `crier-<stage>` (the stateful stack names it), and
 * CloudFormation names each queue `Crier-<stage>-Stateful-<Name>Queue...`.
 */
function awsTarget(stage: string, options: TargetOptions): Target {
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) throw new CliError(`Not a stage: ${stage}`, 2);
  const dynamo = new DynamoDBClient({});
  const sqs = new SQSClient({});
  return {
    description: `stage ${stage} in AWS`,
    dynamo,
    sqs,
    tableName: () => options.table ?? `crier-${stage}`,
    queueUrl: async (name) => {
      if (options.queueUrl) return options.queueUrl;
      const prefix = `Crier-${stage}-Stateful-${pascal(name)}Queue`;
      const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
      const [url, ...others] = QueueUrls;
      if (!url || others.length) {
        throw new CliError(
          `${url ? 'More than one' : 'No'} queue named ${prefix}... in this account and region: pass --queue-url (the stack's outputs name it).`,
        );
      }
      return url;
    },
    dlqUrl: () => undefined,
    destroy: () => {
      dynamo.destroy();
      sqs.destroy();
    },
  };
}

/** A queue's URL from its ARN, for a DLQ named by a redrive policy. */
export async function queueUrlOfArn(sqs: SQSClient, arn: string): Promise<string> {
  const [, , , , account, name] = arn.split(':');
  if (!account || !name) throw new CliError(`Not an SQS queue ARN: ${arn}`);
  const { QueueUrl } = await sqs.send(
    new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
  );
  if (!QueueUrl) throw new CliError(`No queue ${arn}`);
  return QueueUrl;
}
