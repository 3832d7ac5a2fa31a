/** The editors' outbox in memory, and a sender that records what each target received. */
import {
  type EmailSubscriptions,
  type ListedSubscription,
  type NotificationEvent,
  type NotificationSender,
  type NotificationSettings,
  type NotificationStore,
  PENDING_CONFIRMATION,
  type SendOutcome,
  type StoredBatch,
} from '../../../shared/domain/notification';

type StoredEvent = NotificationEvent & { state: 'pending' | 'batched' | 'sent'; batchId?: string };

export class InMemoryNotificationStore implements NotificationStore {
  readonly events = new Map<string, StoredEvent>();
  readonly batches = new Map<string, StoredBatch & { state: 'open' | 'sent' }>();
  readonly targets = new Map<string, NotificationSettings>();
  /** set to make the next updateBatch throw (a function that dies after sending) */
  failNextUpdate = false;

  async record(event: NotificationEvent): Promise<boolean> {
    const id = `${event.siteId}/${event.key}`;
    if (this.events.has(id)) return false;
    this.events.set(id, { ...structuredClone(event), state: 'pending' });
    return true;
  }

  async pending(siteId: string): Promise<NotificationEvent[]> {
    return [...this.events.values()]
      .filter((e) => e.siteId === siteId && e.state === 'pending')
      .map(({ state: _state, batchId: _batch, ...event }) => event);
  }

  async openBatches(siteId: string): Promise<StoredBatch[]> {
    return [...this.batches.values()]
      .filter((b) => b.siteId === siteId && b.state === 'open')
      .map(({ state: _state, ...batch }) => structuredClone(batch));
  }

  async createBatch(batch: StoredBatch): Promise<boolean> {
    if (this.batches.has(batch.batchId)) return false;
    this.batches.set(batch.batchId, { ...structuredClone(batch), state: 'open' });
    await this.claimEvents(batch.siteId, batch.batchId, batch.eventKeys);
    return true;
  }

  async claimEvents(siteId: string, batchId: string, keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const event = this.events.get(`${siteId}/${key}`);
      if (event) Object.assign(event, { state: 'batched', batchId });
    }
  }

  async updateBatch(batch: StoredBatch): Promise<void> {
    if (this.failNextUpdate) {
      this.failNextUpdate = false;
      throw new Error('the function died');
    }
    const done = batch.pending.length === 0;
    this.batches.set(batch.batchId, { ...structuredClone(batch), state: done ? 'sent' : 'open' });
    if (!done) return;
    for (const key of batch.eventKeys) {
      const event = this.events.get(`${batch.siteId}/${key}`);
      if (event) event.state = 'sent';
    }
  }

  async settings(siteId: string): Promise<NotificationSettings | undefined> {
    return this.targets.get(siteId);
  }

  async saveSettings(siteId: string, settings: NotificationSettings): Promise<void> {
    this.targets.set(siteId, settings);
  }
}

export type Received = {
  target: 'slack' | 'webhook' | 'email';
  batchId: string;
  body: string;
  /** the Slack URL or webhook URL it went to, or the site for e-mail */
  to: string;
};

/** Records every delivery; a target named in `refuse` answers as a failing receiver would. */
export class RecordingNotificationSender implements NotificationSender {
  readonly received: Received[] = [];
  readonly refuse = new Set<Received['target']>();

  private take(entry: Received): SendOutcome {
    if (this.refuse.has(entry.target)) return { ok: false, reason: 'answered HTTP 503' };
    this.received.push(entry);
    return { ok: true };
  }

  async slack(url: string, body: unknown, batchId: string): Promise<SendOutcome> {
    return this.take({ target: 'slack', batchId, body: JSON.stringify(body), to: url });
  }

  async webhook(target: { url: string }, body: string, batchId: string): Promise<SendOutcome> {
    return this.take({ target: 'webhook', batchId, body, to: target.url });
  }

  async email(
    siteId: string,
    subject: string,
    text: string,
    batchId: string,
  ): Promise<SendOutcome> {
    return this.take({ target: 'email', batchId, body: `${subject}\n${text}`, to: siteId });
  }

  /** What a receiver that dedupes on the batch id keeps: one per target and batch. */
  unique(): Received[] {
    const seen = new Map<string, Received>();
    for (const entry of this.received) seen.set(`${entry.target}/${entry.batchId}`, entry);
    return [...seen.values()];
  }
}

/**
 * The e-mail topic's subscriptions as SNS keeps them: subscribing the same address for the
 * same site answers the same ARN; SNS lists a subscription by its ARN once the address
 * confirmed and as `PendingConfirmation` until then; an address may leave by the link.
 */
export class InMemoryEmailSubscriptions implements EmailSubscriptions {
  readonly subscriptions = new Map<
    string,
    { siteId: string; address: string; confirmed: boolean }
  >();
  calls: string[] = [];
  /** set to make the next subscribe throw, as SNS refusing it */
  failNextSubscribe = false;

  async subscribe(siteId: string, address: string): Promise<string> {
    this.calls.push(`subscribe ${siteId} ${address}`);
    if (this.failNextSubscribe) {
      this.failNextSubscribe = false;
      throw new Error('SNS refused');
    }
    for (const [arn, s] of this.subscriptions) {
      if (s.siteId === siteId && s.address === address) return arn;
    }
    const arn = `arn:aws:sns:eu-west-1:000000000000:crier-notifications:${this.subscriptions.size + 1}`;
    this.subscriptions.set(arn, { siteId, address, confirmed: false });
    return arn;
  }

  async unsubscribe(subscriptionArn: string): Promise<void> {
    this.calls.push(`unsubscribe ${subscriptionArn}`);
    this.subscriptions.delete(subscriptionArn);
  }

  async list(): Promise<ListedSubscription[]> {
    return [...this.subscriptions].map(([arn, s]) => ({
      subscriptionArn: s.confirmed ? arn : PENDING_CONFIRMATION,
      endpoint: s.address,
    }));
  }

  /** The address clicks the confirmation link. */
  confirm(address: string): void {
    for (const s of this.subscriptions.values()) if (s.address === address) s.confirmed = true;
  }

  /** The address clicks "unsubscribe" in a digest. */
  leave(address: string): void {
    for (const [arn, s] of this.subscriptions) {
      if (s.address === address) this.subscriptions.delete(arn);
    }
  }
}
