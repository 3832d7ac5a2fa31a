/**
 * Tells each site's editors what needs them, batched: the events are recorded where they
 * happen (a share failing or parked, a channel's health, a draft left waiting), and the
 * scheduled notifier sends one digest per site and target per run.
 *
 * At least once, never twice for one event: an event's key is written once; a batch is
 * written (with its digest and id) before anything is sent, and a batch left open by a
 * crash is sent again, the same message under the same id, which the receiver dedupes
 * on (the webhook's `webhook-id`, the e-mail's `batchId` attribute, Slack's `x-crier-batch-id`).
 */

import { siteOf } from '../domain/article';
import {
  batchIdOf,
  buildDigest,
  DEFAULT_APPROVAL_REMINDER_MINUTES,
  type NotificationEvent,
  type NotificationSender,
  type NotificationStore,
  notificationKeys,
  type StoredBatch,
  slackBody,
  type TargetName,
  targetsOf,
  webhookBody,
} from '../domain/notification';
import type { ArticleStore, Clock, ShareStore } from '../domain/ports';
import type { Share } from '../domain/share';

/** A draft is reminded of within this long of becoming overdue, by whichever run sees it. */
export const REMINDER_WINDOW_MS = 3_600_000;

/** The most events one batch carries (it is kept whole in one table item). */
export const MAX_EVENTS_PER_BATCH = 100;

/** A batch a target keeps refusing is given up after this many runs. */
export const MAX_SEND_ATTEMPTS = 12;

/** What a share's new state is worth telling: a failure, or a parking that waits for a person. */
export function troubleOf(share: Share): 'share-failed' | 'share-parked' | undefined {
  if (share.status === 'failed') return 'share-failed';
  // Parked: unknown with no lease, so nothing reconciles it again by itself.
  if (share.status === 'unknown' && share.leaseUntil === undefined) return 'share-parked';
  return undefined;
}

/**
 * Records a notification for the share's state, if it is one worth telling; the key is
 * the share's version, so a message handled twice records it once.
 */
export async function recordShareTrouble(
  store: NotificationStore,
  share: Share,
  context: { siteId: string; title?: string },
): Promise<boolean> {
  const kind = troubleOf(share);
  if (!kind) return false;
  return store.record({
    key: notificationKeys.share(kind, share),
    siteId: context.siteId,
    kind,
    at: share.updatedAt,
    articleId: share.articleId,
    channelId: share.channelId,
    ...(context.title ? { title: context.title } : {}),
    ...(share.lastError ? { reason: share.lastError } : {}),
  });
}

/**
 * Records a share held back for a reason the share's status does not show (one waiting
 * for its channel to be reconnected stays `scheduled`): the caller that holds it says
 * so, once per state change (the key is the share's version).
 */
export async function recordShareParked(
  store: NotificationStore,
  share: Share,
  context: { siteId: string; title?: string; reason: string },
): Promise<boolean> {
  return store.record({
    key: notificationKeys.share('share-parked', share),
    siteId: context.siteId,
    kind: 'share-parked',
    at: share.updatedAt,
    articleId: share.articleId,
    channelId: share.channelId,
    ...(context.title ? { title: context.title } : {}),
    reason: context.reason,
  });
}

export type ChannelHealthEvent = {
  siteId: string;
  channelId: string;
  /** the channel's name, for the line */
  name?: string;
  status: 'ok' | 'expiring' | 'failing' | 'unconnected';
  /** the network's reason; never a token */
  reason?: string;
  at: Date;
};

/**
 * What the health checker calls with each channel's status: an expiring or failing
 * channel is told of once a day while it stays so; `ok` and `unconnected` are not news.
 */
export async function notifyChannelHealth(
  store: NotificationStore,
  health: ChannelHealthEvent,
): Promise<boolean> {
  if (health.status !== 'expiring' && health.status !== 'failing') return false;
  const kind = health.status === 'expiring' ? 'channel-expiring' : 'channel-failing';
  const at = health.at.toISOString();
  return store.record({
    key: notificationKeys.channel(kind, health.channelId, at),
    siteId: health.siteId,
    kind,
    at,
    channelId: health.channelId,
    ...(health.name ? { title: health.name } : {}),
    ...(health.reason ? { reason: health.reason } : {}),
  });
}

/** A draft share waiting for an editor's approval since `since`. */
export type WaitingDraft = {
  siteId: string;
  articleId: string;
  channelId: string;
  round?: number;
  title?: string;
  since: string;
};

export type NotifyEditorsDeps = {
  store: NotificationStore;
  sender: NotificationSender;
  /** the sites to serve, with the name their messages carry */
  sites: readonly { id: string; name: string }[];
  /** drafts waiting since before the instant, for the sites asked */
  waitingDrafts?: (siteIds: readonly string[], before: Date) => Promise<WaitingDraft[]>;
  clock: Clock;
  /** the editor UI's address, for links; unset, the lines carry none */
  editorUrl?: string;
  log?: (message: string, fields: Record<string, unknown>) => void;
};

export type NotifyEditorsReport = {
  batches: number;
  sent: number;
  failed: number;
  reminders: number;
};

export async function notifyEditors(deps: NotifyEditorsDeps): Promise<NotifyEditorsReport> {
  const report: NotifyEditorsReport = { batches: 0, sent: 0, failed: 0, reminders: 0 };
  const now = deps.clock.now();
  const served: { id: string; name: string; targets: TargetName[]; minutes: number }[] = [];
  for (const site of deps.sites) {
    const settings = await deps.store.settings(site.id);
    const targets = targetsOf(settings);
    // A site with no target keeps its events until one is set.
    if (targets.length === 0) continue;
    served.push({
      ...site,
      targets,
      minutes: settings?.approvalReminderMinutes ?? DEFAULT_APPROVAL_REMINDER_MINUTES,
    });
  }
  if (served.length === 0) return report;

  if (deps.waitingDrafts) {
    // One look for every site, as far back as the shortest reminder; each site then keeps its own.
    const shortest = Math.min(...served.map((site) => site.minutes));
    const drafts = await deps.waitingDrafts(
      served.map((site) => site.id),
      new Date(now.getTime() - shortest * 60_000),
    );
    for (const draft of drafts) {
      const site = served.find((s) => s.id === draft.siteId);
      if (!site) continue;
      // Overdue, and not long ago: an older one was reminded of by an earlier run (a
      // notifier stopped for longer than the window does not catch up on reminders).
      const overdueAt = Date.parse(draft.since) + site.minutes * 60_000;
      if (overdueAt > now.getTime() || overdueAt < now.getTime() - REMINDER_WINDOW_MS) continue;
      const recorded = await deps.store.record({
        key: notificationKeys.approval(draft),
        siteId: draft.siteId,
        kind: 'approval-waiting',
        at: draft.since,
        articleId: draft.articleId,
        channelId: draft.channelId,
        ...(draft.title ? { title: draft.title } : {}),
      });
      if (recorded) report.reminders++;
    }
  }

  for (const site of served) {
    // First what a crash or a refusing target left open: the same message again.
    for (const open of await deps.store.openBatches(site.id)) {
      await deps.store.claimEvents(site.id, open.batchId, open.eventKeys);
      await sendBatch(deps, open, report);
    }
    const pending = await deps.store.pending(site.id);
    if (pending.length === 0) continue;
    // The oldest first, a bounded number: a batch is one table item; the rest go next run.
    const events = [...pending]
      .sort((a, b) => a.at.localeCompare(b.at) || a.key.localeCompare(b.key))
      .slice(0, MAX_EVENTS_PER_BATCH);
    const batch = newBatch(site, events, deps.editorUrl, now);
    if (await deps.store.createBatch(batch)) {
      report.batches++;
      await sendBatch(deps, batch, report);
    }
  }
  return report;
}

function newBatch(
  site: { id: string; name: string; targets: TargetName[] },
  events: readonly NotificationEvent[],
  editorUrl: string | undefined,
  now: Date,
): StoredBatch {
  const keys = events.map((event) => event.key);
  return {
    batchId: batchIdOf(site.id, keys),
    siteId: site.id,
    eventKeys: keys,
    digest: buildDigest(site.name, events, editorUrl),
    pending: site.targets,
    attempts: 0,
    createdAt: now.toISOString(),
  };
}

/** Sends the batch to each target still pending; what fails is tried again next run. */
async function sendBatch(
  deps: NotifyEditorsDeps,
  batch: StoredBatch,
  report: NotifyEditorsReport,
): Promise<void> {
  const settings = await deps.store.settings(batch.siteId);
  const configured = targetsOf(settings);
  const left: TargetName[] = [];
  for (const target of batch.pending) {
    // A target removed since the batch was made is not sent to.
    if (!configured.includes(target) || !settings) continue;
    const outcome = await sendTo(deps, target, settings, batch);
    if (outcome.ok) {
      report.sent++;
    } else {
      report.failed++;
      left.push(target);
      deps.log?.('Notification not accepted', {
        siteId: batch.siteId,
        batchId: batch.batchId,
        target,
        reason: outcome.reason,
      });
    }
  }
  const attempts = batch.attempts + 1;
  const givenUp = left.length > 0 && attempts >= MAX_SEND_ATTEMPTS;
  if (givenUp) {
    deps.log?.('Notification given up', {
      siteId: batch.siteId,
      batchId: batch.batchId,
      targets: left,
      attempts,
    });
  }
  await deps.store.updateBatch({ ...batch, pending: givenUp ? [] : left, attempts });
}

function sendTo(
  deps: NotifyEditorsDeps,
  target: TargetName,
  settings: NonNullable<Awaited<ReturnType<NotificationStore['settings']>>>,
  batch: StoredBatch,
) {
  switch (target) {
    case 'slack':
      return deps.sender.slack(
        settings.slackWebhookUrl ?? '',
        slackBody(batch.digest),
        batch.batchId,
      );
    case 'email':
      return deps.sender.email(
        batch.siteId,
        batch.digest.subject,
        batch.digest.text,
        batch.batchId,
      );
    case 'webhook': {
      const at = deps.clock.now();
      const body = JSON.stringify(
        webhookBody(batch.batchId, batch.siteId, batch.digest, at.toISOString()),
      );
      if (!settings.webhook)
        return Promise.resolve({ ok: false as const, reason: 'no webhook set' });
      return deps.sender.webhook(settings.webhook, body, batch.batchId, at);
    }
  }
}

/**
 * How far back a run looks for articles with drafts: a draft is reminded of if its article
 * came in at most this long before the draft became overdue (a channel added to an older
 * article makes a draft this look does not see).
 */
const DRAFT_LOOKBACK_MS = 6 * 3_600_000;
const DRAFT_ARTICLES_PER_RUN = 200;

/**
 * The drafts of the sites' recent articles waiting since before `before`: the articles
 * received in the six hours before it, newest first, a bounded number per run.
 */
export async function findWaitingDrafts(
  deps: { articles: ArticleStore; shares: ShareStore },
  siteIds: readonly string[],
  before: Date,
): Promise<WaitingDraft[]> {
  const page = await deps.articles.list({
    limit: DRAFT_ARTICLES_PER_RUN,
    from: new Date(before.getTime() - DRAFT_LOOKBACK_MS).toISOString(),
    to: before.toISOString(),
  });
  const cutoff = before.toISOString();
  const drafts: WaitingDraft[] = [];
  for (const record of page.articles) {
    const siteId = siteOf(record.article);
    if (!siteIds.includes(siteId)) continue;
    for (const share of await deps.shares.listForArticle(record.articleId)) {
      if (share.status !== 'draft' || share.createdAt > cutoff) continue;
      drafts.push({
        siteId,
        articleId: share.articleId,
        channelId: share.channelId,
        ...(share.round !== undefined ? { round: share.round } : {}),
        title: record.article.title,
        since: share.createdAt,
      });
    }
  }
  return drafts;
}
