/** The one SQS client per module load. */
import { SQSClient } from '@aws-sdk/client-sqs';

export function createSqsClient(): SQSClient {
  // Queues live in the function's own region, so the regional endpoint (or the one in
  // AWS_ENDPOINT_URL_SQS locally) is right; the local emulator's queue URLs name a host
  // that does not resolve, so the queue URL must not be used as the endpoint.
  return new SQSClient({ useQueueUrlAsEndpoint: false });
}
