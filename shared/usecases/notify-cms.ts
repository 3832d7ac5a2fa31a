/**
 * Tells the CMS where a published share went (syndication links): one signed webhook per
 * share, retried with backoff until the CMS answers 2xx. What happened is recorded on the
 * share (`syndicatedAt`, or `syndicationError`) without touching its status.
 */
import type { SyndicationRetry } from '../config/syndication';
import { isDeskPost } from '../domain/article';
import { backoffSeconds } from '../domain/backoff';
import type { Channel } from '../domain/channel';
import type { ArticleStore, Clock, ShareRef, ShareStore } from '../domain/ports';
import type { Share } from '../domain/share';
import {
  type SyndicationConfig,
  syndicationEvent,
  syndicationUrlFor,
  syndicationWebhookId,
  type WebhookDelivery,
  type WebhookSender,
} from '../domain/syndication';
import { signStandardWebhook } from '../ingest/standard-webhooks';

export type NotifyCmsDeps = {
  shares: ShareStore;
  articles: ArticleStore;
  channels: readonly Channel[];
  syndication: SyndicationConfig | undefined;
  sender: WebhookSender;
  /** the Standard Webhooks secret the CMS verifies with (`whsec_...`) */
  secret: string;
  retry: SyndicationRetry;
  clock: Clock;
  random?: () => number;
};

export type NotifyResult =
  | { outcome: 'sent'; status: number }
  | { outcome: 'skipped'; reason: string }
  /** `retryInSeconds` absent: that was the last attempt */
  | { outcome: 'failed'; reason: string; retryInSeconds?: number };

/** Writes that lose to a concurrent one are tried again on a fresh read, this many times. */
const WRITE_TRIES = 3;

export async function notifyCms(
  deps: NotifyCmsDeps,
  ref: ShareRef,
  /** 1 for the first delivery of the message, counting up with each retry */
  attempt: number,
): Promise<NotifyResult> {
  const share = await deps.shares.get(ref);
  if (!share) return { outcome: 'skipped', reason: 'no such share' };
  // Only a published share has a post to tell of, and only once.
  if (share.status !== 'published')
    return { outcome: 'skipped', reason: `share is ${share.status}` };
  if (share.syndicatedAt) return { outcome: 'skipped', reason: 'the CMS was told already' };
  const stored = await deps.articles.get(share.articleId);
  if (!stored) return { outcome: 'skipped', reason: 'the article is gone' };
  if (isDeskPost(stored.article)) {
    return { outcome: 'skipped', reason: 'a desk post: there is no CMS to tell' };
  }
  const url = syndicationUrlFor(deps.syndication, stored.article.source);
  if (!url) {
    return {
      outcome: 'skipped',
      reason: `no syndication URL for ${stored.article.source} articles`,
    };
  }

  const now = deps.clock.now();
  const body = JSON.stringify(
    syndicationEvent({
      articleId: share.articleId,
      article: stored.article,
      share,
      channel: deps.channels.find((c) => c.id === share.channelId),
      at: now,
    }),
  );
  const webhookId = syndicationWebhookId(share);
  const timestamp = Math.floor(now.getTime() / 1000);
  const delivery = await deps.sender.post(url, {
    body,
    headers: {
      'webhook-id': webhookId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook(deps.secret, webhookId, timestamp, body),
    },
    timeoutMs: (deps.syndication?.timeoutSeconds ?? 10) * 1000,
  });

  if (delivery.kind === 'answered' && delivery.status >= 200 && delivery.status < 300) {
    await recordOnShare(deps, ref, { syndicatedAt: deps.clock.now().toISOString() });
    return { outcome: 'sent', status: delivery.status };
  }
  const last = attempt >= deps.retry.maxAttempts;
  // The URL is the operator's and may carry a token: never in the reason.
  const reason = `${failureOf(delivery)} (attempt ${attempt} of ${deps.retry.maxAttempts}${last ? ', no more' : ''})`;
  await recordOnShare(deps, ref, { syndicationError: reason });
  return last
    ? { outcome: 'failed', reason }
    : {
        outcome: 'failed',
        reason,
        retryInSeconds: backoffSeconds(deps.retry.backoff, attempt - 1, deps.random),
      };
}

function failureOf(delivery: WebhookDelivery): string {
  switch (delivery.kind) {
    case 'answered':
      return `the CMS answered HTTP ${delivery.status}`;
    case 'timeout':
      return 'the CMS did not answer in time';
    case 'network':
      return `the CMS could not be reached: ${delivery.code}`;
  }
}

/**
 * Sets the syndication fields (a success clears the error) with the share's usual
 * conditional write on status and version, so a concurrent change is never overwritten.
 */
async function recordOnShare(
  deps: NotifyCmsDeps,
  ref: ShareRef,
  patch: Pick<Share, 'syndicatedAt' | 'syndicationError'>,
): Promise<void> {
  for (let tries = 0; tries < WRITE_TRIES; tries++) {
    const current = await deps.shares.get(ref);
    if (!current) return;
    const next: Share = {
      ...current,
      ...patch,
      version: current.version + 1,
      updatedAt: deps.clock.now().toISOString(),
    };
    if (patch.syndicatedAt) delete next.syndicationError;
    if (await deps.shares.replace(current, next)) return;
  }
  throw new Error(
    `Share ${ref.articleId}/${ref.channelId} kept changing; syndication not recorded`,
  );
}
