/** Sends "compose this article" messages; the message names the article and revision only. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { ARTICLE_ID_PATTERN } from '../domain/ids';
import type { ComposeMessage, ComposeQueue } from '../domain/ports';

export const composeMessageSchema = z.object({
  articleId: z.string().regex(ARTICLE_ID_PATTERN),
  revision: z.number().int().min(1),
});

export class SqsComposeQueue implements ComposeQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: ComposeMessage): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(composeMessageSchema.parse(message)),
      }),
    );
  }
}
