/**
 * Runs an SQS batch record by record and reports the failures as a partial batch
 * response: the successes are deleted, the failures come back after the visibility
 * timeout and reach the dead-letter queue after maxReceiveCount receives.
 */
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { logger } from '../observability';

export async function processBatch(
  records: readonly SQSRecord[],
  handle: (record: SQSRecord) => Promise<void>,
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of records) {
    try {
      await handle(record);
    } catch (error) {
      logger.error('Message failed; it will be retried', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error: error instanceof Error ? error : String(error),
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
