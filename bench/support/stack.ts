/**
 * The local stack as the stack benchmarks use it: a temporary data folder, free ports,
 * no log lines, the sample article signed and sent as a CMS would, and the sandboxes'
 * posts. Each benchmark that starts a stack runs in a process of its own: handler
 * modules, once imported, keep the clients they made for the first stack.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/local-aws';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../infra/local/stack';
import { signStandardWebhook } from '../../shared/ingest/standard-webhooks';

export type BenchStack = LocalStack & { sqs: SQSClient; dispose(): Promise<void> };

export async function startBenchStack(options: LocalStackOptions = {}): Promise<BenchStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'crier-bench-'));
  const stack = await startLocalStack({ port: 0, quiet: true, ...options, dataDir });
  const sqs = new SQSClient({
    endpoint: stack.sqsEndpoint,
    useQueueUrlAsEndpoint: false,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  return Object.assign(stack, {
    sqs,
    async dispose() {
      sqs.destroy();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

const SAMPLE = new URL('../../tests/fixtures/webhooks/generic-article.json', import.meta.url);
const sample = z.record(z.string(), z.unknown()).parse(JSON.parse(readFileSync(SAMPLE, 'utf8')));

/**
 * Sends the sample article under its own id and headline (X refuses a text it already
 * has), signed per Standard Webhooks; resolves when the 202 arrives, with its time.
 */
export async function sendArticle(
  stack: BenchStack,
  id: string,
  extra: Record<string, unknown> = {},
): Promise<{ articleId: string; acceptedAt: number }> {
  const body = JSON.stringify({
    ...sample,
    ...extra,
    id,
    title: `${String(sample.title)} (${id})`,
  });
  const deliveryId = `msg_${randomUUID()}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(new URL('/webhooks/generic', stack.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': deliveryId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook(
        stack.secrets.webhookSecret.value,
        deliveryId,
        timestamp,
        body,
      ),
    },
    body,
  });
  const acceptedAt = Date.now();
  const answer = z.object({ articleId: z.string() }).safeParse(await response.json());
  if (response.status !== 202 || !answer.success) {
    throw new Error(`the webhook answered ${response.status}`);
  }
  return { articleId: answer.data.articleId, acceptedAt };
}

const postSchema = z.object({ platform: z.string(), remoteId: z.string(), receivedAt: z.string() });
export type SandboxPost = z.output<typeof postSchema>;

export async function sandboxPosts(stack: BenchStack): Promise<SandboxPost[]> {
  const response = await fetch(new URL('/sandbox/posts', stack.url));
  return z.array(postSchema).parse(await response.json());
}

const shareSchema = z.object({
  channelId: z.string(),
  platform: z.string(),
  status: z.string(),
  dueAt: z.string(),
  remoteId: z.string().nullish(),
  createdAt: z.string(),
  /** the share's own record of each step, with its time (the pipeline's stages) */
  history: z.array(z.object({ at: z.string(), event: z.string() })),
});
export type ApiShare = z.output<typeof shareSchema>;
const FINAL = ['published', 'failed', 'cancelled'];

/** The article's shares once every one is final, polled through the editor API. */
export async function finalShares(
  stack: BenchStack,
  articleId: string,
  timeoutMs = 60_000,
): Promise<ApiShare[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(new URL(`/api/articles/${articleId}`, stack.url), {
      headers: { authorization: `Bearer ${stack.secrets.editorToken.value}` },
    });
    if (response.status === 200) {
      const { shares } = z.object({ shares: z.array(shareSchema) }).parse(await response.json());
      if (shares.length > 0 && shares.every((share) => FINAL.includes(share.status))) return shares;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the shares of ${articleId} were not final after ${timeoutMs / 1000} s`);
}

/**
 * A queue of the benchmark's own on the stack's SQS emulator, with a long-polling
 * consumer as Lambda's event source mapping has: each message received is deleted and
 * handed to `onMessage` with the time it arrived.
 */
export async function benchQueue(
  stack: BenchStack,
  name: string,
  onMessage: (body: string, receivedAt: number) => void | Promise<void>,
): Promise<{ url: string; stop(): void }> {
  const { QueueUrl: url } = await stack.sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!url) throw new Error(`no queue ${name}`);
  const stopping = new AbortController();
  const poll = async () => {
    while (!stopping.signal.aborted) {
      try {
        const { Messages } = await stack.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            WaitTimeSeconds: 20,
            MaxNumberOfMessages: 10,
          }),
          { abortSignal: stopping.signal },
        );
        const receivedAt = Date.now();
        for (const message of Messages ?? []) {
          await onMessage(message.Body ?? '', receivedAt);
          await stack.sqs.send(
            new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }),
          );
        }
      } catch (error) {
        if (!stopping.signal.aborted) throw error;
      }
    }
  };
  void poll();
  return { url, stop: () => stopping.abort() };
}

export async function send(stack: BenchStack, url: string, body: string, delaySeconds = 0) {
  await stack.sqs.send(
    new SendMessageCommand({ QueueUrl: url, MessageBody: body, DelaySeconds: delaySeconds }),
  );
}
