/**
 * The sandbox receiver of the editors' notifications (local runtime only): a Slack
 * incoming webhook at `POST /sandbox/slack/{id}`, a generic webhook at
 * `POST /sandbox/notify-webhook`, and the e-mails the notifier published to the local SNS
 * topic, read from the SQS queue subscribed to it. `GET /sandbox/notifications` lists what
 * arrived, one entry per target and batch id (as a receiver that dedupes would keep), and
 * counts the repeats it dropped.
 */
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalRouteHandler } from '../../http-gateway';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local-aws';

export type ReceivedNotification = {
  target: 'slack' | 'webhook' | 'email';
  /** the Slack hook's id, the webhook's path, or the e-mail's site */
  to: string;
  /** the batch id the sender gave: `x-crier-batch-id`, `webhook-id`, or the `batchId` attribute */
  batchId: string;
  receivedAt: string;
  /** the body as JSON, or the e-mail's subject and text */
  body: unknown;
  /** the webhook's signature headers were there (the receiver has no key to check them) */
  signed?: boolean;
};

export const NOTIFICATION_TOPIC = 'crier-notifications';
export const EMAIL_QUEUE = 'crier-notifications-email';

export class NotificationReceiver {
  private readonly received = new Map<string, ReceivedNotification>();
  private repeats = 0;
  private email: { client: SQSClient; queueUrl: string } | undefined;

  private keep(entry: ReceivedNotification): void {
    const key = `${entry.target}/${entry.to}/${entry.batchId}`;
    if (this.received.has(key)) {
      this.repeats++;
      return;
    }
    this.received.set(key, entry);
  }

  /** Reads the e-mails the topic delivered to its queue (`GET` drains them first). */
  attachEmail(client: SQSClient, queueUrl: string): void {
    this.email = { client, queueUrl };
  }

  private async drainEmail(): Promise<void> {
    if (!this.email) return;
    const { client, queueUrl } = this.email;
    for (;;) {
      const { Messages } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
        }),
      );
      if (!Messages?.length) return;
      for (const message of Messages) {
        const envelope = JSON.parse(message.Body ?? '{}') as {
          Subject?: string;
          Message?: string;
          MessageAttributes?: Record<string, { Value?: string }>;
        };
        this.keep({
          target: 'email',
          to: envelope.MessageAttributes?.site?.Value ?? '',
          batchId: envelope.MessageAttributes?.batchId?.Value ?? '',
          receivedAt: new Date().toISOString(),
          body: { subject: envelope.Subject, text: envelope.Message },
        });
        await client.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
  }

  async list(): Promise<{ notifications: ReceivedNotification[]; repeats: number }> {
    await this.drainEmail();
    return { notifications: [...this.received.values()], repeats: this.repeats };
  }

  readonly slack: LocalRouteHandler = async (request) => {
    const body = parse(request.body);
    if (
      !body ||
      typeof body !== 'object' ||
      typeof (body as { text?: unknown }).text !== 'string'
    ) {
      // As Slack answers a payload without text.
      return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'no_text' };
    }
    this.keep({
      target: 'slack',
      to: request.pathParameters.id ?? '',
      batchId: request.headers['x-crier-batch-id'] ?? '',
      receivedAt: new Date().toISOString(),
      body,
    });
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' };
  };

  readonly webhook: LocalRouteHandler = async (request) => {
    const id = request.headers['webhook-id'];
    if (!id || !request.headers['webhook-signature'] || !request.headers['webhook-timestamp']) {
      return { status: 401, body: '' };
    }
    this.keep({
      target: 'webhook',
      to: request.path,
      batchId: id,
      receivedAt: new Date().toISOString(),
      body: parse(request.body),
      signed: true,
    });
    return { status: 204 };
  };
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The local e-mail topic on fauxqs, made with the real SNS client, and the queue
 * subscribed to it that stands for the inboxes.
 */
export async function createEmailTopic(
  endpoint: string,
  sqs: SQSClient,
): Promise<{ topicArn: string; queueUrl: string }> {
  const sns = new SNSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: NOTIFICATION_TOPIC }));
    if (!TopicArn) throw new Error('CreateTopic returned no TopicArn');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: EMAIL_QUEUE }));
    if (!QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }),
    );
    return { topicArn: TopicArn, queueUrl: QueueUrl };
  } finally {
    sns.destroy();
  }
}
