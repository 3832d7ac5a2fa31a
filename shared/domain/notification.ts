/**
 * Notifications to a site's editors: the events worth a person's attention (a share that
 * failed or is parked, a channel whose connection is ending or broken, drafts left
 * waiting), kept in an outbox per site and sent as one digest per run to each of the
 * site's targets. Pure code: the store and the senders are ports.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';

export const NOTIFICATION_KINDS = [
  'share-failed',
  'share-parked',
  'channel-expiring',
  'channel-failing',
  'approval-waiting',
  'post-correction',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** One event in a site's outbox. `key` is the dedupe key: one event, one key, one line. */
export const notificationEventSchema = z.object({
  key: z.string().min(1).max(400),
  siteId: z.string().min(1),
  kind: z.enum(NOTIFICATION_KINDS),
  /** when it happened (ISO) */
  at: z.string(),
  channelId: z.string().optional(),
  articleId: z.string().optional(),
  /** the article's headline or the channel's name, for the line */
  title: z.string().max(300).optional(),
  /** why: the share's last error or the channel's health reason, never a secret */
  reason: z.string().max(500).optional(),
});
export type NotificationEvent = z.output<typeof notificationEventSchema>;

/** A message's text is bounded: a few lines per kind, then "and N more". */
const MAX_LINES = 20;
const MAX_REASON = 200;

export {
  MAX_EMAIL_ADDRESSES,
  type NotificationTargetsInput,
  notificationTargetsInputSchema,
} from './notification-targets';

/** What the store keeps for a site: the secrets included. */
export const notificationSettingsSchema = z.object({
  slackWebhookUrl: z.string().optional(),
  email: z.boolean().default(false),
  webhook: z.object({ url: z.string(), secret: z.string() }).optional(),
  approvalReminderMinutes: z.number().int().positive().optional(),
  /** the addresses Crier subscribed to the topic for this site, with their subscriptions */
  emailSubscriptions: z
    .array(z.object({ address: z.string(), subscriptionArn: z.string() }))
    .optional(),
});
export type NotificationSettings = z.output<typeof notificationSettingsSchema>;

/** Where an address stands with the topic: waiting for its confirmation, confirmed, or gone. */
export type EmailSubscriptionState = 'pending' | 'confirmed' | 'unsubscribed';

/** One of the topic's e-mail subscriptions, as SNS lists it. */
export type ListedSubscription = {
  /** `PendingConfirmation` until the address confirms (as SNS lists a pending one) */
  subscriptionArn: string;
  endpoint: string;
};

/**
 * An address's state from the topic's list: its subscription listed by ARN is confirmed;
 * listed as pending for its address, pending; missing, it left (the link in an e-mail)
 * or never confirmed in time.
 */
export function emailStateOf(
  subscription: { address: string; subscriptionArn: string },
  listed: readonly ListedSubscription[] | undefined,
): EmailSubscriptionState {
  if (listed === undefined) return 'pending';
  if (listed.some((entry) => entry.subscriptionArn === subscription.subscriptionArn)) {
    return 'confirmed';
  }
  const address = subscription.address.toLowerCase();
  return listed.some(
    (entry) =>
      entry.subscriptionArn === PENDING_CONFIRMATION && entry.endpoint.toLowerCase() === address,
  )
    ? 'pending'
    : 'unsubscribed';
}

export const PENDING_CONFIRMATION = 'PendingConfirmation';

/** The deployment's e-mail topic, as far as subscribing a site's addresses goes. */
export interface EmailSubscriptions {
  /** Subscribes the address to the site's digests; answers the subscription's ARN. */
  subscribe(siteId: string, address: string): Promise<string>;
  /** Removes a subscription; one already gone is no error. */
  unsubscribe(subscriptionArn: string): Promise<void>;
  /** The topic's e-mail subscriptions. */
  list(): Promise<ListedSubscription[]>;
}

export const DEFAULT_APPROVAL_REMINDER_MINUTES = 60;

/** What an API answer shows of a site's targets: set or unset, never a secret value. */
export type NotificationTargetsView = {
  slack: boolean;
  email: boolean;
  /** the subscribed addresses and where each stands */
  emailAddresses: { address: string; state: EmailSubscriptionState }[];
  /** the webhook's URL shows only its origin: a path may carry a token */
  webhook: { set: boolean; origin?: string };
  approvalReminderMinutes: number;
};

export function viewOfSettings(
  settings: NotificationSettings | undefined,
  /** the topic's e-mail subscriptions; unknown, every address shows as pending */
  listed?: readonly ListedSubscription[],
): NotificationTargetsView {
  return {
    slack: settings?.slackWebhookUrl !== undefined,
    email: settings?.email ?? false,
    emailAddresses: (settings?.emailSubscriptions ?? []).map((subscription) => ({
      address: subscription.address,
      state: emailStateOf(subscription, listed),
    })),
    webhook: settings?.webhook
      ? { set: true, origin: new URL(settings.webhook.url).origin }
      : { set: false },
    approvalReminderMinutes: settings?.approvalReminderMinutes ?? DEFAULT_APPROVAL_REMINDER_MINUTES,
  };
}

export type TargetName = 'slack' | 'email' | 'webhook';

export const targetsOf = (settings: NotificationSettings | undefined): TargetName[] => [
  ...(settings?.slackWebhookUrl ? (['slack'] as const) : []),
  ...(settings?.email ? (['email'] as const) : []),
  ...(settings?.webhook ? (['webhook'] as const) : []),
];

/** The dedupe keys, one per event (the share's version: each failure is its own event). */
export const notificationKeys = {
  share: (
    kind: 'share-failed' | 'share-parked',
    share: { articleId: string; channelId: string; round?: number; version: number },
  ) => `${kind}#${share.articleId}#${share.channelId}#${share.round ?? 0}#v${share.version}`,
  /** one per channel, status and day: a channel failing for a week reminds once a day */
  channel: (kind: 'channel-expiring' | 'channel-failing', channelId: string, at: string) =>
    `${kind}#${channelId}#${at.slice(0, 10)}`,
  /** once per post and corrected revision */
  correction: (share: { articleId: string; channelId: string; round?: number }, revision: number) =>
    `post-correction#${share.articleId}#${share.channelId}#${share.round ?? 0}#r${revision}`,
  /** once per draft */
  approval: (share: { articleId: string; channelId: string; round?: number }) =>
    `approval-waiting#${share.articleId}#${share.channelId}#${share.round ?? 0}`,
};

/** The batch's id: the same events make the same id, so a resend is recognisably the same. */
export function batchIdOf(siteId: string, keys: readonly string[]): string {
  const hash = createHash('sha256').update(siteId);
  for (const key of [...keys].sort()) hash.update('\n').update(key);
  return `ntf_${hash.digest('base64url').slice(0, 32)}`;
}

export type Digest = {
  /** one line, for an e-mail subject */
  subject: string;
  /** plain text: Slack's `text`, the e-mail body */
  text: string;
  counts: Partial<Record<NotificationKind, number>>;
  items: {
    kind: NotificationKind;
    at: string;
    line: string;
    link?: string;
    articleId?: string;
    channelId?: string;
  }[];
};

const HEADINGS: Record<NotificationKind, [string, string]> = {
  'share-failed': ['share failed', 'shares failed'],
  'share-parked': ['share needs an editor', 'shares need an editor'],
  'channel-expiring': ['channel must be reconnected soon', 'channels must be reconnected soon'],
  'channel-failing': ['channel is failing', 'channels are failing'],
  'approval-waiting': ['draft waits for approval', 'drafts wait for approval'],
  'post-correction': ['post may need a correction', 'posts may need a correction'],
};

const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** The editor UI's page for an event: the article, or the channels page. */
export function linkOf(
  editorUrl: string | undefined,
  event: NotificationEvent,
): string | undefined {
  if (editorUrl === undefined) return undefined;
  const base = editorUrl.replace(/\/+$/, '');
  if (event.articleId) return `${base}/#/articles/${encodeURIComponent(event.articleId)}`;
  if (event.channelId) return `${base}/#/channels`;
  return undefined;
}

function lineOf(event: NotificationEvent): string {
  const what = event.title ? `“${clip(event.title, 120)}”` : (event.articleId ?? '');
  const where = event.channelId ? ` on ${event.channelId}` : '';
  const why = event.reason ? `: ${clip(event.reason, MAX_REASON)}` : '';
  switch (event.kind) {
    case 'share-failed':
      return `Failed: ${what}${where}${why}`;
    case 'share-parked':
      return `Needs an editor: ${what}${where}${why}`;
    case 'channel-expiring':
      return `Reconnect soon: ${event.title ?? event.channelId}${why}`;
    case 'channel-failing':
      return `Failing: ${event.title ?? event.channelId}${why}`;
    case 'post-correction':
      return `Correction: ${what}${where}${why}`;
    case 'approval-waiting':
      return `Waiting for approval since ${event.at.slice(0, 16).replace('T', ' ')} UTC: ${what}${where}`;
  }
}

/** One message for a site's events: the counts, then a short line per event, oldest first. */
export function buildDigest(
  siteName: string,
  events: readonly NotificationEvent[],
  editorUrl?: string,
): Digest {
  const sorted = [...events].sort((a, b) => a.at.localeCompare(b.at) || a.key.localeCompare(b.key));
  const counts: Digest['counts'] = {};
  for (const event of sorted) counts[event.kind] = (counts[event.kind] ?? 0) + 1;
  const summary = NOTIFICATION_KINDS.filter((kind) => counts[kind])
    .map((kind) => {
      const count = counts[kind] ?? 0;
      const [one, many] = HEADINGS[kind];
      return `${count} ${count === 1 ? one : many}`;
    })
    .join(', ');
  const items = sorted.map((event) => {
    const link = linkOf(editorUrl, event);
    return {
      kind: event.kind,
      at: event.at,
      line: lineOf(event),
      ...(link ? { link } : {}),
      ...(event.articleId ? { articleId: event.articleId } : {}),
      ...(event.channelId ? { channelId: event.channelId } : {}),
    };
  });
  const shown = items.slice(0, MAX_LINES);
  const more = items.length - shown.length;
  const text = [
    `Crier, ${siteName}: ${summary}`,
    ...shown.map((item) => `• ${item.line}${item.link ? ` ${item.link}` : ''}`),
    ...(more > 0 ? [`…and ${more} more`] : []),
  ].join('\n');
  return { subject: clip(`Crier, ${siteName}: ${summary}`, 100), text, counts, items };
}

/** Slack's incoming webhook body: the text, and the same as blocks with links. */
export function slackBody(digest: Digest): { text: string; blocks: unknown[] } {
  const lines = digest.items.slice(0, MAX_LINES).map((item) => ({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: `• ${escapeSlack(item.line)}${item.link ? ` <${item.link}|open>` : ''}`,
    },
  }));
  return {
    text: digest.text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(digest.subject, 150) } },
      ...lines,
    ],
  };
}

const escapeSlack = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** The generic webhook's body. */
export const NOTIFICATION_EVENT_TYPE = 'notifications.digest';

export function webhookBody(batchId: string, siteId: string, digest: Digest, at: string) {
  return {
    type: NOTIFICATION_EVENT_TYPE,
    timestamp: at,
    data: {
      id: batchId,
      siteId,
      subject: digest.subject,
      counts: digest.counts,
      items: digest.items,
    },
  };
}

// --- Ports.

export type StoredBatch = {
  batchId: string;
  siteId: string;
  eventKeys: string[];
  digest: Digest;
  /** the targets still to be sent to */
  pending: TargetName[];
  attempts: number;
  createdAt: string;
};

export interface NotificationStore {
  /** Records an event once: false if its key is there already (sent or not). */
  record(event: NotificationEvent): Promise<boolean>;
  /** The site's events not yet in a batch. */
  pending(siteId: string): Promise<NotificationEvent[]>;
  /** The site's batches not yet sent to every target. */
  openBatches(siteId: string): Promise<StoredBatch[]>;
  /** Writes a batch once (false if it is there) and marks its events as in it. */
  createBatch(batch: StoredBatch): Promise<boolean>;
  /** Marks the batch's events as batched (again: after a crash between the two writes). */
  claimEvents(siteId: string, batchId: string, keys: readonly string[]): Promise<void>;
  /** What is still to send, after an attempt; none left: the batch and its events are done. */
  updateBatch(batch: StoredBatch): Promise<void>;
  settings(siteId: string): Promise<NotificationSettings | undefined>;
  saveSettings(siteId: string, settings: NotificationSettings): Promise<void>;
}

/** Sends one digest to one kind of target; answers whether it was accepted. */
export type SendOutcome = { ok: true } | { ok: false; reason: string };

export interface NotificationSender {
  slack(url: string, body: unknown, batchId: string): Promise<SendOutcome>;
  webhook(
    target: { url: string; secret: string },
    body: string,
    batchId: string,
    at: Date,
  ): Promise<SendOutcome>;
  email(siteId: string, subject: string, text: string, batchId: string): Promise<SendOutcome>;
}
