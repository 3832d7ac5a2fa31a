/**
 * Recording where a claimed share ends up: one conditional write per outcome (settle),
 * and the outcomes built on it: deferred, unknown, given up, published short of its thread.
 */
import { isDeepStrictEqual } from 'node:util';
import { backoffSeconds } from '../../domain/backoff';
import { firstReading } from '../../domain/readings';
import { applyEvent, type Share } from '../../domain/share';
import { refOf } from '../../domain/share-key';
import type { ShareEvent } from '../../domain/share-state';
import { missingPosts } from '../../domain/share-thread';
import type { PublishResult, PublishShareDeps } from './types';

/** Who the share's history says made the change. */
export const BY = 'publisher';

/**
 * The outcome's record: one write, conditional on the share being as this claim read it.
 * A cancel request written meanwhile is the one change that does not make it lose.
 */
export async function settle(
  deps: PublishShareDeps,
  share: Share,
  event: ShareEvent,
  change: { reason?: string; patch?: Parameters<typeof applyEvent>[2]['patch'] },
  outcome: 'published' | 'failed' | 'deferred' | 'unknown' | 'cancelled',
): Promise<PublishResult> {
  const at = deps.clock.now();
  const next = withFirstReading(
    deps,
    share,
    applyEvent(share, event, { at, by: BY, ...change }),
    at,
  );
  if (await deps.shares.replace(share, next)) {
    if (outcome === 'published') await deps.afterPublished?.(next);
    return { outcome, share: next };
  }
  const flagged = await cancelRequestedMeanwhile(deps, share);
  if (!flagged) return lost(share);
  // Only the flag changed: the outcome stands, and keeps the flag.
  const merged: Share = { ...next, cancelRequested: true, version: flagged.version + 1 };
  if (!(await deps.shares.replace(flagged, merged))) return lost(share);
  if (outcome === 'published') await deps.afterPublished?.(merged);
  return { outcome, share: merged };
}

/**
 * A share just recorded published takes its first reading's instant (or why it will not
 * be read) in the same write: the metrics index lists it from then on, at no write of its
 * own, and nothing about readings can hold back or fail the record.
 */
function withFirstReading(deps: PublishShareDeps, before: Share, next: Share, at: Date): Share {
  if (next.status !== 'published' || before.status === 'published') return next;
  if (next.metricsDueAt || next.metricsSkipped || next.metrics) return next;
  const channel = deps.channels.find((c) => c.id === next.channelId);
  return { ...next, ...firstReading(channel, at, deps.config.metricsAfterMs) };
}

/**
 * The stored share when the only change since `share` is a cancel request (an editor's,
 * or a withdrawal's while the network call ran), which must not cost the record.
 */
async function cancelRequestedMeanwhile(
  deps: PublishShareDeps,
  share: Share,
): Promise<Share | undefined> {
  if (share.cancelRequested) return undefined;
  const stored = await deps.shares.get(refOf(share));
  if (!stored?.cancelRequested) return undefined;
  // As stored: no undefined fields (key order does not matter to isDeepStrictEqual).
  const strip = ({ version, updatedAt, cancelRequested, ...rest }: Share): unknown =>
    JSON.parse(JSON.stringify(rest));
  return isDeepStrictEqual(strip(stored), strip(share)) ? stored : undefined;
}

/** Someone else changed the share first; the table has the truth, so nothing to do. */
export function lost(share: Share): PublishResult {
  return {
    outcome: 'skipped',
    reason: `share ${share.articleId}/${share.channelId} changed meanwhile`,
  };
}

/** Back to scheduled with attempt + 1, or failed once the attempts are spent. */
export async function defer(
  deps: PublishShareDeps,
  claimed: Share,
  reason: string,
  until?: string,
): Promise<PublishResult> {
  const now = deps.clock.now();
  const attempt = claimed.attempt + 1;
  if (attempt >= deps.config.maxAttempts) {
    return giveUp(deps, claimed, `${reason} (gave up after ${attempt} attempts)`, { attempt });
  }
  const wait = backoffSeconds(deps.config.backoff, attempt - 1, deps.random);
  const dueAt = until ?? new Date(now.getTime() + wait * 1000).toISOString();
  return settle(
    deps,
    claimed,
    'defer',
    // A prepared container may be what failed (or may expire meanwhile): make a new one.
    { reason, patch: { attempt, dueAt, lastError: reason, preparedId: undefined } },
    'deferred',
  );
}

/**
 * The post may or may not exist: the share goes to reconcile, never to a blind retry. Its
 * lease ends now, so the sweeper takes it up if this worker does not reconcile it.
 */
export async function markUnknown(
  deps: PublishShareDeps,
  share: Share,
  reason: string,
): Promise<PublishResult> {
  const leaseUntil = deps.clock.now().toISOString();
  return settle(
    deps,
    share,
    'lose',
    { reason, patch: { lastError: reason, leaseUntil } },
    'unknown',
  );
}

/**
 * Nothing more will be posted: `failed` when nothing is out, and `published`, with the
 * posts it lacks in `lastError`, when the thread's first post is.
 */
export async function giveUp(
  deps: PublishShareDeps,
  share: Share,
  reason: string,
  patch: Partial<Share> = {},
): Promise<PublishResult> {
  if (share.remoteId) return finishShort(deps, share, reason, patch);
  return settle(deps, share, 'fail', { reason, patch: { ...patch, lastError: reason } }, 'failed');
}

/** Published without the rest of its thread: `lastError` names the posts missing and why. */
export async function finishShort(
  deps: PublishShareDeps,
  share: Share,
  reason: string,
  patch: Partial<Share> = {},
): Promise<PublishResult> {
  const missing = missingPosts(share);
  const note = missing ? `${missing} not posted: ${reason}` : reason;
  return settle(
    deps,
    share,
    'succeed',
    { reason: note, patch: { ...patch, lastError: note } },
    'published',
  );
}
