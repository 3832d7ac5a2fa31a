/**
 * Queue senders that record what they were given. Each checks the message against the
 * schema its SQS sender checks it with (shared/queue), so a message SQS would never carry
 * fails here too, and records the delay as SendMessage would get it.
 */
import type {
  ComposeMessage,
  ComposeQueue,
  PublishMessage,
  PublishQueue,
  ShareRef,
} from '../../../shared/domain/ports';
import type { SyndicationQueue } from '../../../shared/domain/syndication';
import { composeMessageSchema } from '../../../shared/queue/compose-queue';
import { delaySecondsFor, publishMessageSchema } from '../../../shared/queue/publish-queue';
import { syndicateMessageSchema } from '../../../shared/queue/syndicate-queue';

export type SentPublishMessage = {
  message: PublishMessage;
  /** what the use case asked for */
  requestedDelaySeconds: number;
  /** DelaySeconds as SqsPublishQueue sends it: whole seconds, rounded to the nearest, 0 to 900 */
  delaySeconds: number;
};

export class RecordingPublishQueue implements PublishQueue {
  readonly sent: SentPublishMessage[] = [];

  async send(message: PublishMessage, delaySeconds: number): Promise<void> {
    const body = publishMessageSchema.parse(message);
    this.sent.push({
      message: JSON.parse(JSON.stringify(body)) as PublishMessage,
      requestedDelaySeconds: delaySeconds,
      delaySeconds: delaySecondsFor(delaySeconds),
    });
  }

  /** The messages sent since the last `take`, and forgets them (as a consumer would). */
  take(): SentPublishMessage[] {
    return this.sent.splice(0, this.sent.length);
  }
}

export class RecordingComposeQueue implements ComposeQueue {
  readonly sent: ComposeMessage[] = [];

  async send(message: ComposeMessage): Promise<void> {
    this.sent.push(composeMessageSchema.parse(message));
  }
}

export class RecordingSyndicationQueue implements SyndicationQueue {
  readonly sent: ShareRef[] = [];

  async send(share: ShareRef): Promise<void> {
    this.sent.push(syndicateMessageSchema.parse(share));
  }
}
