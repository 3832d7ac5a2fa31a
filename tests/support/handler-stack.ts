/**
 * What the handler tests do around a local stack they drive by hand: the table through a
 * document client, an article sent through the signed webhook and composed, and the
 * messages left on its queues.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/local-aws';
import { FUNCTIONS } from '../../shared/resources';
import { sqsEvent, type TestStack } from './stack';
import { postWebhook, sampleArticle } from './webhook';

/**
 * Ingest, and compose with no queue consumer: what ingest queues stays on the queue for
 * the test to read, or to hand to compose-article itself.
 */
export const INGEST_FUNCTIONS = {
  'ingest-webhook': FUNCTIONS['ingest-webhook'],
  'compose-article': { ...FUNCTIONS['compose-article'], sqs: undefined },
};

/** INGEST_FUNCTIONS and the editor API. */
export const EDITOR_API_FUNCTIONS = { ...INGEST_FUNCTIONS, 'editor-api': FUNCTIONS['editor-api'] };

/** A document client on the stack's table, writing as the stores do. */
export function stackDocumentClient(stack: TestStack): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

/** Sends the sample article patched with `patch` through the signed generic webhook, which must accept it: the article's id. */
export async function sendArticle(
  stack: TestStack,
  patch: Record<string, unknown> = {},
): Promise<string> {
  const response = await postWebhook(
    stack.url,
    stack.secrets.webhookSecret.value,
    JSON.stringify({ ...sampleArticle(), ...patch }),
  );
  expect(response.status).toBe(202);
  return (response.body as { articleId: string }).articleId;
}

/** sendArticle, then compose-article invoked on that revision: the article's id. */
export async function ingestAndCompose(
  stack: TestStack,
  patch: Record<string, unknown>,
  revision = 1,
): Promise<string> {
  const articleId = await sendArticle(stack, patch);
  await stack.invoke('compose-article', sqsEvent([JSON.stringify({ articleId, revision })]));
  return articleId;
}

/** The channels of the publish messages waiting for `articleId`, sorted, over three reads of the queue at most. */
export async function publishMessagesFor(stack: TestStack, articleId: string): Promise<string[]> {
  const channels: string[] = [];
  for (let read = 0; read < 3; read += 1) {
    const messages = await stack.receive('publish');
    for (const m of messages) {
      const body = JSON.parse(m.Body ?? '{}') as { articleId?: string; channelId?: string };
      if (body.articleId === articleId && body.channelId) channels.push(body.channelId);
    }
    if (messages.length === 0) break;
  }
  return channels.sort();
}

/** Takes every message off the stack's `queue`, deleting each: their bodies, parsed, in the order read. */
export async function drainQueue<T = unknown>(
  stack: TestStack,
  queue: Parameters<TestStack['receive']>[0],
): Promise<T[]> {
  const bodies: T[] = [];
  for (;;) {
    const messages = await stack.receive(queue);
    if (!messages.length) return bodies;
    for (const m of messages) {
      bodies.push(JSON.parse(m.Body ?? 'null'));
      await stack.sqs.send(
        new DeleteMessageCommand({
          QueueUrl: stack.queueUrls[queue],
          ReceiptHandle: m.ReceiptHandle,
        }),
      );
    }
  }
}
