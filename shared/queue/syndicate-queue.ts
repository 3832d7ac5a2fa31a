/**
 * The syndicate queue: "tell the CMS about this share" messages, and holding a failed one
 * back for its backoff before SQS shows it again (the queue's redrive policy then moves it
 * to the DLQ after its last attempt).
 */
import {
  ChangeMessageVisibilityCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { ARTICLE_ID_PATTERN } from '../domain/ids';
import type { ShareRef } from '../domain/ports';
import type { SyndicationQueue } from '../domain/syndication';

export const syndicateMessageSchema = z.object({
  articleId: z.string().regex(ARTICLE_ID_PATTERN),
  channelId: z.string().min(1).max(70),
  /** an evergreen re-share's round (2 and up); absent for the first share */
  round: z.number().int().min(2).optional(),
});

export class SqsSyndicationQueue implements SyndicationQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(share: ShareRef): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(syndicateMessageSchema.parse(share)),
      }),
    );
  }
}

/** SQS's longest visibility timeout. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;

/**
 * Holds a record that failed back for `seconds`: the function reports it failed, and SQS
 * shows it again only then. The queue is found from the record itself (its ARN), with the
 * rights the event source mapping already grants.
 */
export class SqsRedelivery {
  private readonly urls = new Map<string, Promise<string>>();

  constructor(private readonly sqs: SQSClient) {}

  async later(record: SQSRecord, seconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: await this.urlOf(record.eventSourceARN),
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(seconds))),
      }),
    );
  }

  private urlOf(arn: string): Promise<string> {
    let url = this.urls.get(arn);
    if (!url) {
      // arn:aws:sqs:<region>:<account>:<name>
      const [, , , , account, name] = arn.split(':');
      if (!name || !account) throw new Error(`Not an SQS queue ARN: ${arn}`);
      url = this.sqs
        .send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))
        .then(({ QueueUrl }) => {
          if (!QueueUrl) throw new Error(`No URL for queue ${name}`);
          return QueueUrl;
        });
      url.catch(() => this.urls.delete(arn));
      this.urls.set(arn, url);
    }
    return url;
  }
}
