/** Sends "publish this share" messages; a message names the share and nothing else. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { ARTICLE_ID_PATTERN } from '../domain/ids';
import type { PublishMessage, PublishQueue } from '../domain/ports';

export const MAX_DELAY_SECONDS = 900;

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
        DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds))),
      }),
    );
  }
}
