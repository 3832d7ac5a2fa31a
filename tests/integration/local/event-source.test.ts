import { createHash } from 'node:crypto';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type EventSource,
  type EventSourceOptions,
  failedMessageIds,
  startEventSource,
} from '../../../infra/local/event-source';
import { createLogger, type LogEntry } from '../../../infra/local/logger';
import { type LocalQueue, type LocalSqs, startSqs } from '../../../infra/local/sqs';
import type { QueueDefinition } from '../../../shared/resources';

type Delivery = { at: number; records: SQSRecord[]; remainingMs: number };

let sqs: LocalSqs;
let logs: LogEntry[] = [];
const log = createLogger({ quiet: true, sink: (entry) => logs.push(entry) });
const running: EventSource[] = [];
let queueCount = 0;

beforeAll(async () => {
  sqs = await startSqs({ log, queues: {} });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((source) => source.stop({ graceMs: 3_000 })));
  logs = [];
});

afterAll(async () => {
  await sqs.stop();
});

async function queue(overrides: Partial<QueueDefinition> = {}): Promise<LocalQueue> {
  queueCount += 1;
  return sqs.createQueue({
    localName: `test-${process.pid}-${queueCount}`,
    urlEnv: 'UNUSED_QUEUE_URL',
    visibilityTimeoutSeconds: 1,
    retentionSeconds: 600,
    maxReceiveCount: 5,
    dlqRetentionSeconds: 600,
    ...overrides,
  });
}

/** Starts a poller whose handler is `answer`, and records every batch it is given. */
function poll(
  target: LocalQueue,
  answer: (event: SQSEvent, deliveries: Delivery[]) => Promise<unknown>,
  options: Partial<Pick<EventSourceOptions, 'trigger'>> & { timeoutSeconds?: number } = {},
): Delivery[] {
  const deliveries: Delivery[] = [];
  const source = startEventSource({
    function: { name: 'test-consumer', timeoutSeconds: options.timeoutSeconds ?? 5, memoryMB: 128 },
    trigger: options.trigger ?? { batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 2 },
    queue: { url: target.url, arn: target.arn },
    client: sqs.client,
    loadHandler: async () => async (event: SQSEvent, context: Context) => {
      deliveries.push({
        at: Date.now(),
        records: structuredClone(event.Records),
        remainingMs: context.getRemainingTimeInMillis(),
      });
      return answer(event, deliveries);
    },
    log,
  });
  running.push(source);
  return deliveries;
}

async function send(target: LocalQueue, ...bodies: string[]): Promise<void> {
  await sqs.client.send(
    new SendMessageBatchCommand({
      QueueUrl: target.url,
      Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
    }),
  );
}

async function depth(url: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

const bodies = (delivery: Delivery | undefined) => delivery?.records.map((record) => record.body);
const receiveCounts = (delivery: Delivery | undefined) =>
  delivery?.records.map((record) => record.attributes.ApproximateReceiveCount);

describe('SQS pollers against fauxqs', () => {
  it('hands the function a Lambda SQS event with system and message attributes', async () => {
    const target = await queue();
    const deliveries = poll(target, async () => undefined);
    await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: target.url,
        MessageBody: '{"articleId":"a1"}',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'compose' },
          blob: { DataType: 'Binary', BinaryValue: Uint8Array.from([1, 2, 3]) },
        },
      }),
    );
    await vi.waitFor(() => expect(deliveries).toHaveLength(1), { timeout: 5_000 });
    const record = deliveries[0]?.records[0];
    expect(record).toMatchObject({
      body: '{"articleId":"a1"}',
      md5OfBody: createHash('md5').update('{"articleId":"a1"}').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: target.arn,
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1', SenderId: expect.any(String) },
      messageAttributes: {
        kind: { dataType: 'String', stringValue: 'compose' },
        blob: { dataType: 'Binary', binaryValue: 'AQID' },
      },
    });
    expect(record?.messageId).toMatch(/\S+/);
    expect(record?.receiptHandle).toMatch(/\S+/);
    expect(Number(record?.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(Number(record?.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
      Number(record?.attributes.SentTimestamp),
    );
    await vi.waitFor(async () =>
      expect(await depth(target.url)).toEqual({ visible: 0, inFlight: 0 }),
    );
  });

  it('gives the handler a context whose remaining time counts down from the function timeout', async () => {
    const target = await queue();
    const deliveries = poll(target, async () => undefined, { timeoutSeconds: 3 });
    await send(target, 'tick');
    await vi.waitFor(() => expect(deliveries).toHaveLength(1), { timeout: 5_000 });
    expect(deliveries[0]?.remainingMs).toBeLessThanOrEqual(3_000);
    expect(deliveries[0]?.remainingMs).toBeGreaterThan(2_500);
  });

  it('gathers messages that arrive within the batching window into one batch', async () => {
    // Longer than the window, as AWS asks: otherwise the first message could reappear in it.
    const target = await queue({ visibilityTimeoutSeconds: 5 });
    // One poller: with two, the second one's long poll would take the later messages.
    const deliveries = poll(target, async () => undefined, {
      trigger: { batchSize: 5, maxBatchingWindowSeconds: 1, maxConcurrency: 1 },
    });
    await send(target, 'first');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await send(target, 'second', 'third');
    await vi.waitFor(() => expect(deliveries).toHaveLength(1), { timeout: 5_000 });
    expect(bodies(deliveries[0])?.sort()).toEqual(['first', 'second', 'third']);
  });

  it('deletes the successes of a partly failed batch; only the failed message comes back, received a second time', async () => {
    const target = await queue({ visibilityTimeoutSeconds: 1 });
    await send(target, 'a', 'b', 'c');
    const deliveries = poll(target, async (event, seen) => {
      if (seen.length > 1) return { batchItemFailures: [] };
      const failed = event.Records.filter((record) => record.body === 'b');
      return {
        batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })),
      } satisfies SQSBatchResponse;
    });
    await vi.waitFor(() => expect(deliveries).toHaveLength(2), { timeout: 5_000 });
    expect(bodies(deliveries[0])?.sort()).toEqual(['a', 'b', 'c']);
    expect(bodies(deliveries[1])).toEqual(['b']);
    expect(receiveCounts(deliveries[1])).toEqual(['2']);
    // Empty and nothing in flight: a and c were deleted, not merely hidden.
    await vi.waitFor(async () =>
      expect(await depth(target.url)).toEqual({ visible: 0, inFlight: 0 }),
    );
    expect(deliveries).toHaveLength(2);
  });

  it('fails the whole batch when an itemIdentifier is not in it', async () => {
    const target = await queue({ visibilityTimeoutSeconds: 1 });
    await send(target, 'x', 'y');
    const deliveries = poll(target, async (_event, seen) =>
      seen.length > 1 ? undefined : { batchItemFailures: [{ itemIdentifier: 'not-a-message' }] },
    );
    await vi.waitFor(
      () => expect(deliveries.flatMap((delivery) => delivery.records)).toHaveLength(4),
      { timeout: 6_000 },
    );
    const again = deliveries.slice(1).flatMap((delivery) => delivery.records);
    expect(again.map((record) => record.body).sort()).toEqual(['x', 'y']);
    expect(again.map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['2', '2']);
    expect(logs.some((entry) => entry.event === 'poller.batch-failed')).toBe(true);
  });

  it('redelivers a message whose handler throws after its visibility timeout, not before', async () => {
    const target = await queue({ visibilityTimeoutSeconds: 2 });
    const deliveries = poll(target, async (_event, seen) => {
      if (seen.length === 1) throw new Error('the network is down');
      return undefined;
    });
    await send(target, 'retry me');
    await vi.waitFor(() => expect(deliveries).toHaveLength(2), { timeout: 6_000 });
    const [first, second] = deliveries;
    const gap = (second?.at ?? 0) - (first?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(1_900);
    expect(gap).toBeLessThan(3_500);
    expect(receiveCounts(second)).toEqual(['2']);
    expect(second?.records[0]?.messageId).toBe(first?.records[0]?.messageId);
    await vi.waitFor(async () =>
      expect(await depth(target.url)).toEqual({ visible: 0, inFlight: 0 }),
    );
  });

  it('moves a message that keeps failing to the DLQ after maxReceiveCount receives, and the handler sees it no more', async () => {
    const target = await queue({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
    const deliveries = poll(target, async () => {
      throw new Error('poison');
    });
    await send(target, 'poison pill');
    await vi.waitFor(async () => expect((await depth(target.dlqUrl)).visible).toBe(1), {
      timeout: 8_000,
      interval: 100,
    });
    // Gone from the source queue (neither visible nor in flight): it cannot reach the handler again.
    expect(await depth(target.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(deliveries).toHaveLength(2);
    expect(deliveries.map((delivery) => receiveCounts(delivery)?.[0])).toEqual(['1', '2']);
    const { Messages } = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: target.dlqUrl, WaitTimeSeconds: 1 }),
    );
    expect(Messages?.map((message) => message.Body)).toEqual(['poison pill']);
  });

  it('abandons a handler that overruns its timeout as failed: nothing is deleted and the message comes back after the visibility timeout', async () => {
    const target = await queue({ visibilityTimeoutSeconds: 1 });
    const deliveries = poll(
      target,
      async (_event, seen) => {
        // The first run outlives its 0.3 s timeout and then "succeeds": too late to count.
        if (seen.length === 1) await new Promise((resolve) => setTimeout(resolve, 600));
        return undefined;
      },
      { timeoutSeconds: 0.3 },
    );
    await send(target, 'slow');
    await vi.waitFor(() => expect(deliveries).toHaveLength(2), { timeout: 6_000 });
    const gap = (deliveries[1]?.at ?? 0) - (deliveries[0]?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(receiveCounts(deliveries[1])).toEqual(['2']);
    expect(logs.map((entry) => entry.event)).toContain('poller.batch-timed-out');
    await vi.waitFor(() =>
      expect(logs.map((entry) => entry.event)).toContain('invocation.settled-after-timeout'),
    );
    await vi.waitFor(async () =>
      expect(await depth(target.url)).toEqual({ visible: 0, inFlight: 0 }),
    );
  });

  it('stops: the long polls end and the in-flight batch is waited for', async () => {
    const target = await queue();
    let finished = false;
    const deliveries = poll(target, async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      finished = true;
      return undefined;
    });
    await send(target, 'in flight');
    await vi.waitFor(() => expect(deliveries).toHaveLength(1), { timeout: 5_000 });
    const started = Date.now();
    const source = running.pop();
    await source?.stop();
    expect(finished).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await depth(target.url)).toEqual({ visible: 0, inFlight: 0 });
  });
});

describe('reading a partial batch response', () => {
  const ids = ['m1', 'm2'];

  it('treats no answer, or no failures, as every message succeeded', () => {
    for (const answer of [
      undefined,
      null,
      {},
      { batchItemFailures: [] },
      { batchItemFailures: null },
    ]) {
      expect(failedMessageIds(answer, ids)).toEqual({ ok: true, failed: new Set() });
    }
  });

  it('lists the failed messages', () => {
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'm2' }] }, ids)).toEqual({
      ok: true,
      failed: new Set(['m2']),
    });
  });

  it('fails the whole batch on an empty, unknown or misnamed identifier, or a malformed answer', () => {
    for (const answer of [
      { batchItemFailures: [{ itemIdentifier: '' }] },
      { batchItemFailures: [{ itemIdentifier: 'm3' }] },
      { batchItemFailures: [{ id: 'm1' }] },
      { batchItemFailures: 'm1' },
      'ok',
      [],
    ]) {
      expect(failedMessageIds(answer, ids).ok).toBe(false);
    }
  });
});
