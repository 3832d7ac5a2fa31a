/**
 * A channel whose token is dead and cannot be refreshed: its shares wait, `scheduled`,
 * for a person to reconnect it. No attempt is spent; the share is looked at again after
 * a growing pause, and becomes due at once when the channel gets credentials again.
 */
import { siteOf } from '../../domain/article';
import { applyEvent, type Share } from '../../domain/share';
import { recordShareParked } from '../notify-editors';
import { BY, lost } from './settle';
import type { PublishResult, PublishShareDeps } from './types';

const FIRST_LOOK_MS = 5 * 60_000;
const LONGEST_PAUSE_MS = 6 * 3_600_000;

/** The next look: as long again as the share has waited, from 5 minutes up to 6 hours. */
export function reconnectRecheck(waitingSince: string | undefined, now: Date): string {
  const waited = waitingSince ? now.getTime() - Date.parse(waitingSince) : 0;
  const pause = Math.min(LONGEST_PAUSE_MS, Math.max(FIRST_LOOK_MS, waited));
  return new Date(now.getTime() + pause).toISOString();
}

/**
 * Moves a queued (or just claimed, before any post) share back to `scheduled`, marked as
 * waiting for a reconnect; the editors hear of it once, the first time.
 */
export async function waitForReconnect(
  deps: PublishShareDeps,
  share: Share,
  reason: string,
): Promise<PublishResult> {
  const now = deps.clock.now();
  const since = share.waitingForReconnect ?? now.toISOString();
  const next = applyEvent(share, share.status === 'publishing' ? 'defer' : 'reschedule', {
    at: now,
    by: BY,
    reason,
    patch: {
      dueAt: reconnectRecheck(share.waitingForReconnect, now),
      waitingForReconnect: since,
      lastError: reason,
      leaseUntil: undefined,
    },
  });
  if (!(await deps.shares.replace(share, next))) return lost(share);
  if (!share.waitingForReconnect && deps.notifications) {
    const stored = await deps.articles.get(share.articleId);
    await recordShareParked(deps.notifications, next, {
      siteId: stored ? siteOf(stored.article) : siteOf({}),
      ...(stored ? { title: stored.article.title } : {}),
      reason,
    });
  }
  return { outcome: 'deferred', share: next };
}
