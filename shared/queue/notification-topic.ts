/**
 * The editors' e-mail digests: one SNS topic per deployment, each message carrying its
 * site as the `site` attribute, so each e-mail subscription's filter policy picks its
 * site's (docs/operating.md), made by Crier when an admin sets the site's addresses.
 * The only code that speaks SNS.
 */
import {
  InvalidParameterException,
  ListSubscriptionsByTopicCommand,
  NotFoundException,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import type { EmailSubscriptions, ListedSubscription, SendOutcome } from '../domain/notification';

export const createSnsClient = (): SNSClient => new SNSClient({});

export class SnsNotificationTopic implements EmailSubscriptions {
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

  async subscribe(siteId: string, address: string): Promise<string> {
    const { SubscriptionArn } = await this.client.send(
      new SubscribeCommand({
        TopicArn: this.topicArn,
        Protocol: 'email',
        Endpoint: address,
        Attributes: { FilterPolicy: JSON.stringify({ site: [siteId] }) },
        // The ARN even while the address has not confirmed, to unsubscribe it by later.
        ReturnSubscriptionArn: true,
      }),
    );
    if (!SubscriptionArn) throw new Error('SNS answered Subscribe without a SubscriptionArn');
    return SubscriptionArn;
  }

  async unsubscribe(subscriptionArn: string): Promise<void> {
    try {
      await this.client.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
    } catch (error) {
      // Gone already (the address left through the link in an e-mail), or still waiting
      // for a confirmation, which SNS may refuse to delete: no digest reaches an address
      // before it confirms, and SNS drops an unconfirmed subscription after a few days.
      if (error instanceof NotFoundException || error instanceof InvalidParameterException) {
        return;
      }
      throw error;
    }
  }

  async list(): Promise<ListedSubscription[]> {
    const listed: ListedSubscription[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListSubscriptionsByTopicCommand({ TopicArn: this.topicArn, NextToken }),
      );
      for (const entry of page.Subscriptions ?? []) {
        if (entry.Protocol !== 'email' || !entry.SubscriptionArn || !entry.Endpoint) continue;
        listed.push({ subscriptionArn: entry.SubscriptionArn, endpoint: entry.Endpoint });
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return listed;
  }
}
