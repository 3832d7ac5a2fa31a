/**
 * SQS for the local runtime: fauxqs in-process on a free port, and every queue of
 * `QUEUES` with its dead-letter queue, created through the real SDK as in AWS.
 * fauxqs keeps messages in memory only: a restart drops them, and the table-driven
 * sweep sends again what they carried.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type QueueAttributeName,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type FauxqsServer, type MessageSpyReader, startFauxqs } from 'fauxqs';
import { QUEUES, type QueueDefinition } from '../../shared/resources';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-aws';
import type { Logger } from './logger';

export type LocalQueue = {
  url: string;
  arn: string;
  dlqUrl: string;
  dlqArn: string;
  definition: QueueDefinition;
};

export type LocalSqs = {
  endpoint: string;
  port: number;
  client: SQSClient;
  queues: Record<string, LocalQueue>;
  /** what fauxqs saw happen (its S3 uploads keep the media bucket on disk: media-bucket.ts) */
  spy: MessageSpyReader;
  /** creates one more queue and its DLQ (tests use their own definitions) */
  createQueue(definition: QueueDefinition): Promise<LocalQueue>;
  stop(): Promise<void>;
};

/**
 * fauxqs names queues `http://sqs.<region>.localhost:<port>/000000000000/<name>`, a host
 * that does not resolve here, and it looks queues up by that exact URL. With
 * @aws-sdk/client-sqs 3.1169.0 an SQSClient whose endpoint comes only from
 * AWS_ENDPOINT_URL_SQS still sends each call to the QueueUrl's host (its queueUrlMiddleware
 * only stands aside when `endpoint` is passed to the constructor) and fails with
 * ENOTFOUND; `useQueueUrlAsEndpoint: false` keeps it on the configured endpoint. So a
 * client needs either an explicit `endpoint` or `useQueueUrlAsEndpoint: false`; the
 * latter changes nothing in AWS, where the regional endpoint and the queue's host agree.
 */
export function createSqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    useQueueUrlAsEndpoint: false,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
}

async function queueArn(client: SQSClient, url: string): Promise<string> {
  const attributeNames: QueueAttributeName[] = ['QueueArn'];
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: attributeNames }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${url} has no QueueArn`);
  return arn;
}

async function createOne(
  client: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  return { url: QueueUrl, arn: await queueArn(client, QueueUrl) };
}

/** The queue and its `<localName>-dlq`, with the attributes the CDK stack gives them. */
export async function createQueueWithDlq(
  client: SQSClient,
  definition: QueueDefinition,
): Promise<LocalQueue> {
  const dlq = await createOne(client, `${definition.localName}-dlq`, {
    MessageRetentionPeriod: String(definition.dlqRetentionSeconds),
  });
  const queue = await createOne(client, definition.localName, {
    VisibilityTimeout: String(definition.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(definition.retentionSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlq.arn,
      maxReceiveCount: definition.maxReceiveCount,
    }),
  });
  return { url: queue.url, arn: queue.arn, dlqUrl: dlq.url, dlqArn: dlq.arn, definition };
}

export async function startSqs(options: {
  log: Logger;
  queues?: Record<string, QueueDefinition>;
}): Promise<LocalSqs> {
  const { log } = options;
  // The spy keeps the last few events in memory; media-bucket.ts watches its S3 uploads.
  const server: FauxqsServer = await startFauxqs({ port: 0, logger: false, messageSpies: true });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = createSqsClient(endpoint);
  const queues: Record<string, LocalQueue> = {};

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      client.destroy();
      // Its preClose hook ends pending long polls; forceCloseConnections drops the sockets.
      await server.stop();
      log.info('sqs.stopped');
    })();
    return stopped;
  };

  try {
    for (const [name, definition] of Object.entries(options.queues ?? QUEUES)) {
      queues[name] = await createQueueWithDlq(client, definition);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  log.debug('sqs.started', {
    endpoint,
    queues: Object.values(queues).map((queue) => queue.definition.localName),
  });
  return {
    endpoint,
    port: server.port,
    client,
    queues,
    spy: server.spy,
    createQueue: (definition) => createQueueWithDlq(client, definition),
    stop,
  };
}
