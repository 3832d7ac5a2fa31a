/**
 * The editors' e-mail digests: one SNS topic per deployment, each message carrying its
 * site as the `site` attribute, so each e-mail subscription's filter policy picks its
 * site's (docs/operating.md). The only code that speaks SNS.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SendOutcome } from '../domain/notification';

export const createSnsClient = (): SNSClient => new SNSClient({});

export class SnsNotificationTopic {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(
    siteId: string,
    subject: string,
    text: string,
    batchId: string,
  ): Promise<SendOutcome> {
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          // SNS wants an ASCII subject without line breaks, at most 100 characters.
          Subject: subject.replace(/[^\x20-\x7e]/g, ' ').slice(0, 100),
          Message: text,
          MessageAttributes: {
            site: { DataType: 'String', StringValue: siteId },
            batchId: { DataType: 'String', StringValue: batchId },
          },
        }),
      );
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: `SNS refused: ${error instanceof Error ? error.name : 'error'}` };
    }
  }
}
