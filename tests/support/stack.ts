/** A local stack for one test file: a temporary data folder, free ports, no log lines. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/local-aws';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../infra/local/stack';
import type { QueueName } from '../../shared/resources';

export type TestStack = LocalStack & {
  db: DynamoDBDocumentClient;
  sqs: SQSClient;
  /** every item in the table, sorted by key */
  items(): Promise<Record<string, unknown>[]>;
  queueDepth(queue: QueueName): Promise<number>;
  /** takes up to 10 messages off a queue (they come back after its visibility timeout) */
  receive(queue: QueueName): Promise<Message[]>;
  dispose(): Promise<void>;
};

export async function startTestStack(options: LocalStackOptions = {}): Promise<TestStack> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'crier-test-'));
  // Channels post with the sandboxes' fixed accounts unless a test asks for the sign-in
  // `npm start` runs (`autoConnect: true`): most tests count the tokens issued themselves.
  const stack = await startLocalStack({
    port: 0,
    quiet: true,
    autoConnect: false,
    // Tests that send webhooks back to back study something else; the throttle's own
    // tests turn it on.
    webhookThrottle: false,
    ...options,
    dataDir,
  });
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    }),
  );
  const sqs = new SQSClient({
    endpoint: stack.sqsEndpoint,
    useQueueUrlAsEndpoint: false,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  return Object.assign(stack, {
    db,
    sqs,
    async items() {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: startKey }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items.sort((a, b) =>
        `${String(a.PK)} ${String(a.SK)}`.localeCompare(`${String(b.PK)} ${String(b.SK)}`),
      );
    },
    async queueDepth(queue: QueueName) {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: stack.queueUrls[queue],
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return (
        Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
      );
    },
    async receive(queue: QueueName) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: stack.queueUrls[queue],
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      return Messages ?? [];
    },
    async dispose() {
      await stack.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** An SQS event as Lambda's event source mapping builds it, from bodies. */
export function sqsEvent(
  bodies: string[],
  queueArn = 'arn:aws:sqs:us-east-1:000000000000:test',
): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${i}`,
      receiptHandle: `r-${i}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    })),
  };
}
