/**
 * SQS pollers that stand in for Lambda's SQS event source mapping, always with
 * ReportBatchItemFailures: batches, partial failures, the function timeout. Failed
 * messages are left alone: SQS shows them again after the visibility timeout, and the
 * queue's RedrivePolicy moves them to the DLQ after maxReceiveCount receives (fauxqs
 * does this on receive, as SQS does, so the pollers need not).
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Handler, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import type { SqsTrigger } from '../../shared/resources';
import { type FunctionIdentity, invokeHandler } from './invoke';
import { LOCAL_REGION } from './local-aws';
import type { Logger } from './logger';

export type EventSourceOptions = {
  function: FunctionIdentity;
  trigger: Pick<SqsTrigger, 'batchSize' | 'maxBatchingWindowSeconds' | 'maxConcurrency'>;
  queue: { url: string; arn: string };
  client: SQSClient;
  loadHandler: () => Promise<Handler>;
  log: Logger;
  /** longest wait of one ReceiveMessage; Lambda's pollers use 20 s */
  waitTimeSeconds?: number;
};

export type EventSource = {
  /**
   * Ends the long polls and waits for in-flight batches, at most `graceMs`. A batch still
   * running then is abandoned: its messages come back after their visibility timeout.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
};

/** Lambda's invocation payload limit; a batch stops growing before it. */
const MAX_BATCH_BYTES = 6 * 1024 * 1024;

function toMessageAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    out[name] = {
      stringValue: value.StringValue,
      binaryValue: value.BinaryValue
        ? Buffer.from(value.BinaryValue).toString('base64')
        : undefined,
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((bytes) =>
        Buffer.from(bytes).toString('base64'),
      ),
      dataType: value.DataType ?? 'String',
    };
  }
  return out;
}

/** One record as Lambda hands it to the function. */
export function toSqsRecord(
  message: Message,
  queueArn: string,
  region: string = LOCAL_REGION,
): SQSRecord | undefined {
  const { MessageId, ReceiptHandle, Body, MD5OfBody } = message;
  if (MessageId === undefined || ReceiptHandle === undefined || Body === undefined)
    return undefined;
  const system = message.Attributes ?? {};
  const record: SQSRecord = {
    messageId: MessageId,
    receiptHandle: ReceiptHandle,
    body: Body,
    attributes: {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
      SentTimestamp: system.SentTimestamp ?? '',
      SenderId: system.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? '',
      ...(system.AWSTraceHeader ? { AWSTraceHeader: system.AWSTraceHeader } : {}),
      ...(system.SequenceNumber ? { SequenceNumber: system.SequenceNumber } : {}),
      ...(system.MessageGroupId ? { MessageGroupId: system.MessageGroupId } : {}),
      ...(system.MessageDeduplicationId
        ? { MessageDeduplicationId: system.MessageDeduplicationId }
        : {}),
      ...(system.DeadLetterQueueSourceArn
        ? { DeadLetterQueueSourceArn: system.DeadLetterQueueSourceArn }
        : {}),
    },
    messageAttributes: toMessageAttributes(message.MessageAttributes),
    md5OfBody: MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
  if (message.MD5OfMessageAttributes)
    record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

const BatchResponse = z.object({
  batchItemFailures: z.array(z.object({ itemIdentifier: z.string().min(1) })).nullish(),
});

/**
 * What a handler's answer means for its batch, as Lambda reads a partial batch response:
 * nothing, or no failures -> every message succeeded; a list of message ids -> those
 * failed; anything malformed, or an id that is empty or not in the batch -> all failed.
 */
export function failedMessageIds(
  response: unknown,
  batchIds: readonly string[],
): { ok: true; failed: Set<string> } | { ok: false; reason: string } {
  if (response === undefined || response === null) return { ok: true, failed: new Set() };
  const parsed = BatchResponse.safeParse(response);
  if (!parsed.success) return { ok: false, reason: 'malformed batch response' };
  const failed = new Set<string>();
  for (const { itemIdentifier } of parsed.data.batchItemFailures ?? []) {
    if (!batchIds.includes(itemIdentifier)) {
      return { ok: false, reason: `itemIdentifier ${itemIdentifier} is not in the batch` };
    }
    failed.add(itemIdentifier);
  }
  return { ok: true, failed };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

export function startEventSource(options: EventSourceOptions): EventSource {
  const { client, queue, trigger, loadHandler } = options;
  const fn = options.function;
  const log = options.log.child({ function: fn.name });
  const waitTimeSeconds = options.waitTimeSeconds ?? 20;
  const region = fn.region ?? LOCAL_REGION;
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();

  const receive = async (max: number, wait: number): Promise<Message[]> => {
    const { Messages } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
        WaitTimeSeconds: wait,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: stopping.signal },
    );
    return Messages ?? [];
  };

  /** Long-polls for a first message, then fills the batch within the batching window. */
  const gather = async (): Promise<Message[]> => {
    const batch = await receive(trigger.batchSize, waitTimeSeconds);
    const windowMs = trigger.maxBatchingWindowSeconds * 1000;
    if (batch.length === 0 || windowMs <= 0) return batch;
    const deadline = Date.now() + windowMs;
    let bytes = batch.reduce((sum, message) => sum + Buffer.byteLength(message.Body ?? ''), 0);
    while (
      batch.length < trigger.batchSize &&
      bytes < MAX_BATCH_BYTES &&
      !stopping.signal.aborted
    ) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const wait = Math.min(20, Math.floor(remaining / 1000));
      const more = await receive(trigger.batchSize - batch.length, wait);
      for (const message of more) {
        const earlier = batch.findIndex((held) => held.MessageId === message.MessageId);
        if (earlier === -1) {
          batch.push(message);
          bytes += Buffer.byteLength(message.Body ?? '');
          continue;
        }
        // Its visibility timeout ran out while the batch was gathering: only the newest
        // receipt handle can delete it. AWS asks for a visibility timeout of at least six
        // times the function timeout plus the batching window to avoid this.
        batch[earlier] = message;
        log.warn('poller.visibility-expired-while-batching', {
          messageId: message.MessageId,
          batchingWindowSeconds: trigger.maxBatchingWindowSeconds,
        });
      }
      // Under a second left, SQS cannot wait that short: look again shortly.
      if (more.length === 0 && wait === 0) await sleep(Math.min(remaining, 50), stopping.signal);
    }
    return batch;
  };

  const deleteMessages = async (records: readonly SQSRecord[]): Promise<void> => {
    for (let start = 0; start < records.length; start += 10) {
      const chunk = records.slice(start, start + 10);
      const { Failed } = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: chunk.map((record, index) => ({
            Id: String(start + index),
            ReceiptHandle: record.receiptHandle,
          })),
        }),
      );
      for (const failure of Failed ?? []) {
        log.warn('poller.delete-failed', { entry: failure.Id, code: failure.Code });
      }
    }
  };

  const runBatch = async (messages: Message[]): Promise<void> => {
    const records = messages.flatMap((message) => toSqsRecord(message, queue.arn, region) ?? []);
    const event: SQSEvent = { Records: records };
    const ids = records.map((record) => record.messageId);
    let handler: Handler;
    try {
      handler = await loadHandler();
    } catch (error) {
      log.error('function.load-failed', { error, messages: ids.length });
      return;
    }
    log.debug('poller.batch-started', { messages: ids });
    const outcome = await invokeHandler(handler, event, fn, log);
    const fields = { requestId: outcome.requestId, durationMs: outcome.durationMs, messages: ids };
    if (outcome.status === 'timed-out') {
      log.error('poller.batch-timed-out', { ...fields, timeoutSeconds: fn.timeoutSeconds });
      return;
    }
    if (outcome.status === 'failed') {
      log.error('poller.batch-failed', { ...fields, error: outcome.error });
      return;
    }
    const result = failedMessageIds(outcome.value, ids);
    if (!result.ok) {
      log.error('poller.batch-failed', { ...fields, reason: result.reason });
      return;
    }
    const succeeded = records.filter((record) => !result.failed.has(record.messageId));
    await deleteMessages(succeeded);
    if (result.failed.size > 0) {
      log.warn('poller.batch-partly-failed', { ...fields, failed: [...result.failed] });
    } else {
      log.info('poller.batch-done', fields);
    }
  };

  const poll = async (poller: number): Promise<void> => {
    while (!stopping.signal.aborted) {
      let messages: Message[];
      try {
        messages = await gather();
      } catch (error) {
        if (stopping.signal.aborted) break;
        log.warn('poller.receive-failed', { poller, error });
        await sleep(1000, stopping.signal);
        continue;
      }
      if (messages.length === 0) continue;
      const batch = runBatch(messages).catch((error: unknown) =>
        log.error('poller.batch-error', { poller, error }),
      );
      inFlight.add(batch);
      await batch;
      inFlight.delete(batch);
    }
  };

  const pollers = Array.from({ length: Math.max(1, trigger.maxConcurrency) }, (_, poller) =>
    poll(poller),
  );
  log.debug('poller.started', { queue: queue.url, pollers: pollers.length });

  let stopped: Promise<void> | undefined;
  return {
    stop: ({ graceMs = 10_000 } = {}) => {
      stopped ??= (async () => {
        // An aborted long poll may still take a message that arrives before its wait ends
        // (fauxqs does not notice the closed connection); it comes back after its
        // visibility timeout, as with SQS when a connection drops.
        stopping.abort();
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), graceMs);
        });
        const done = await Promise.race([
          Promise.all([...pollers, ...inFlight]).then(() => 'done' as const),
          grace,
        ]);
        clearTimeout(timer);
        if (done === 'timeout')
          log.warn('poller.stop-abandoned-batches', { batches: inFlight.size });
        log.info('poller.stopped');
      })();
      return stopped;
    },
  };
}
