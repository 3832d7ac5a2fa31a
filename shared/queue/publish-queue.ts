/** Sends "publish this share" messages; a message names the share and nothing else. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { ARTICLE_ID_PATTERN } from '../domain/ids';
import type { PublishMessage, PublishQueue } from '../domain/ports';

export const MAX_DELAY_SECONDS = 900;

/**
 * The DelaySeconds a message waiting `seconds` is sent with: SQS counts whole seconds, so
 * the wait is rounded to the nearest (0 to 900). The message arrives at most half a second
 * before or after the share is due; an early one waits the rest at the publisher
 * (publish-share/claim.ts). Rounding up would post up to a second late; rounding down and
 * waiting would hold every worker half a second on average, which a burst of due shares
 * pays for in concurrency.
 */
export function delaySecondsFor(seconds: number): number {
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(seconds)));
}

export const publishMessageSchema = z.object({
  articleId: z.string().regex(ARTICLE_ID_PATTERN),
  channelId: z.string().min(1).max(63),
  /** an evergreen re-share's round; absent for the first share */
  round: z.number().int().min(2).max(9999).optional(),
});

export class SqsPublishQueue implements PublishQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: PublishMessage, delaySeconds: number): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(publishMessageSchema.parse(message)),
        DelaySeconds: delaySecondsFor(delaySeconds),
      }),
    );
  }
}
