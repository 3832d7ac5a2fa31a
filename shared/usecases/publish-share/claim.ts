/**
 * A queued share's claim: the checks before it (article, cancel, dueAt, rate limit), the
 * conditional write that lets one worker win, and what the calls then need.
 */
import { randomInt } from 'node:crypto';
import { applyEvent, type Share } from '../../domain/share';
import { refOf } from '../../domain/share-key';
import { enqueueIfDue } from '../dispatch';
import { keepMedia } from './media';
import { postShare } from './post';
import { prepare } from './prepare';
import { BY, defer, finishShort, giveUp, lost, settle } from './settle';
import { waitForReconnect } from './tokens';
import type { Posting, PublishResult, PublishShareDeps } from './types';

/**
 * A queued share: cancelled, early (sent again), deferred (rate limit) or claimed, and a
 * claimed share posted (post.ts) or given up.
 */
export async function publishQueued(deps: PublishShareDeps, share: Share): Promise<PublishResult> {
  const now = deps.clock.now();
  // Both read at once: the channel's state is needed by all but a cancelled share.
  const [record, state] = await Promise.all([
    deps.articles.get(share.articleId),
    deps.channelState.get(share.channelId),
  ]);
  if (record?.article.status !== 'published') {
    const reason = record ? `the article is ${record.article.status}` : 'the article is gone';
    if (!share.remoteId) return settle(deps, share, 'withdraw', { reason }, 'cancelled');
    // The thread's first post is out, so the share can no longer be cancelled: it ends
    // published, the rest of the thread unposted and named in lastError.
    const claimed = applyEvent(share, 'start', { at: now, by: BY, reason });
    if (!(await deps.shares.replace(share, claimed))) return lost(share);
    return finishShort(deps, claimed, reason);
  }
  if (share.cancelRequested) {
    // An editor cancelled it while an earlier attempt was in flight, which did not post.
    const reason = 'cancelled: an editor asked while it was being published';
    return settle(deps, share, 'cancel', { reason }, 'cancelled');
  }
  const status = deps.statusOf?.(share.channelId);
  if (status === 'archived' && !share.remoteId) {
    const reason = `cancelled: channel ${share.channelId} is archived`;
    return settle(deps, share, 'cancel', { reason }, 'cancelled');
  }
  const channel = deps.channels.find((c) => c.id === share.channelId);
  const client = await deps.clientFor(share.platform);
  const early = new Date(share.dueAt).getTime() - now.getTime();
  if (early > EARLY_MS) {
    // Early (its dueAt moved, the message outran its delay, or a multi-step network's
    // container is to be made ahead): prepare what can be, then wait again.
    // Only the first post is prepared: a thread resumed after it needs no container.
    const prepared =
      channel && client?.prepare && !share.preparedId && !share.remoteId
        ? await prepare(deps, share, channel, client, state.session, record.article)
        : share;
    // The wait left is counted after preparing, which takes its own time.
    const left = new Date(share.dueAt).getTime() - deps.clock.now().getTime();
    await deps.publishQueue.send(refOf(prepared), left / 1000);
    return { outcome: 'early', reason: `due in ${Math.ceil(early / 1000)} s` };
  }
  if (status === 'paused') {
    // Nothing goes out on a paused channel, and nothing is lost: the share waits as
    // scheduled, without spending an attempt, and the tick looks at it again shortly.
    const deferred = applyEvent(share, 'reschedule', {
      at: now,
      by: BY,
      reason: 'channel paused',
      patch: { dueAt: pausedRecheck(deps, now) },
    });
    if (!(await deps.shares.replace(share, deferred))) return lost(share);
    return { outcome: 'deferred', share: deferred };
  }
  if (state.rateLimitedUntil && state.rateLimitedUntil > now.toISOString()) {
    const deferred = applyEvent(share, 'reschedule', {
      at: now,
      by: BY,
      reason: `channel rate limited until ${state.rateLimitedUntil}`,
      patch: { dueAt: state.rateLimitedUntil },
    });
    if (!(await deps.shares.replace(share, deferred))) return lost(share);
    return { outcome: 'deferred', share: await enqueueIfDue(deps, deferred) };
  }

  // A token about to die is renewed before the claim; one nobody can renew parks the
  // share for a reconnect without spending an attempt.
  let renewed: unknown;
  if (deps.tokens && channel && client) {
    const kept = await deps.tokens.fresh(channel).catch(() => undefined);
    if (kept?.status === 'unrefreshable') return waitForReconnect(deps, share, kept.reason);
    if (kept?.status === 'refreshed') renewed = kept.credentials;
  }

  // Its images still in the bucket, or made again, or left out with a warning: written
  // with the claim. A prepared container holds the image already.
  const images =
    deps.media && !share.preparedId && !share.remoteId
      ? await keepMedia(deps.media, share, record.article)
      : undefined;

  // The claim: one worker wins; the keys the network stores are fixed before the call.
  // A message that came before the share's time waits the rest first; a share changed
  // meanwhile (cancelled, moved) fails the claim's condition.
  const claimedAt = await untilDue(deps, share);
  const claimed = applyEvent(share, 'start', {
    at: claimedAt,
    by: BY,
    reason: `attempt ${share.attempt + 1}`,
    patch: {
      ...images,
      leaseUntil: new Date(claimedAt.getTime() + deps.config.leaseSeconds * 1000).toISOString(),
      firstClaimedAt: share.firstClaimedAt ?? claimedAt.toISOString(),
      waitingForReconnect: undefined,
      ...(share.platform === 'bluesky' ? await recordKeys(share, claimedAt) : {}),
    },
  });
  if (!(await deps.shares.replace(share, claimed))) return lost(share);

  if (claimed.attempt >= deps.config.maxAttempts) {
    const reason = `gave up after ${claimed.attempt} attempts${share.lastError ? `: ${share.lastError}` : ''}`;
    return giveUp(deps, claimed, reason);
  }
  if (!channel || !client) {
    const reason = channel
      ? `no client for ${share.platform}`
      : `channel ${share.channelId} is no longer configured`;
    return giveUp(deps, claimed, reason);
  }
  let credentials: unknown;
  try {
    credentials = renewed ?? (await deps.credentials.get(channel));
  } catch (error) {
    // The network was not called: a retry with backoff is safe.
    const reason = `credentials unavailable: ${error instanceof Error ? error.message : String(error)}`;
    return defer(deps, claimed, reason);
  }
  if (credentials === undefined) {
    const reason = `no credentials configured for channel ${channel.id}`;
    return giveUp(deps, claimed, reason);
  }

  // Every call of this claim ends within one network timeout, however many posts it
  // makes, so the function is never killed between a post and its record.
  const endsAt = deps.clock.now().getTime() + deps.config.networkTimeoutMs;
  const posting: Posting = {
    client,
    channelId: channel.id,
    call: {
      account: channel.account,
      credentials,
      session: state.session,
      ...(deps.sessions ? { loginGate: deps.sessions.for(channel.id) } : {}),
    },
    endsAt,
  };
  return postShare(deps, claimed, posting);
}

/**
 * How early a message may come and still be kept: DelaySeconds' rounding leaves half a
 * second either way, and the rest is room for the queue's own timing.
 */
const EARLY_MS = 1000;

/**
 * A message that came less than a second before its share's dueAt (SQS delays count
 * whole seconds: shared/queue/publish-queue.ts) waits the rest here, just before the
 * claim, so the post goes out at its time rather than early. Returns the time of the
 * claim.
 */
async function untilDue(deps: PublishShareDeps, share: Share): Promise<Date> {
  // Read again: the reads above took their own time.
  const now = deps.clock.now();
  const early = new Date(share.dueAt).getTime() - now.getTime();
  if (!deps.wait || early <= 0 || early > EARLY_MS) return now;
  await deps.wait(early);
  return deps.clock.now();
}

/**
 * When a paused channel's share is looked at again: past the tick's look-ahead, so the
 * dispatcher (not the direct path) sends it again, once per tick at most.
 */
function pausedRecheck(deps: PublishShareDeps, now: Date): string {
  const seconds = Math.max(60, deps.config.lookAheadSeconds + 1);
  return new Date(now.getTime() + seconds * 1000).toISOString();
}

/**
 * Bluesky's record keys: TIDs of the first claim's time (docs/networks.md, Finding 2), one for
 * the first post and one per part of the thread, in order, each kept once chosen.
 */
async function recordKeys(
  share: Share,
  now: Date,
): Promise<Pick<Share, 'remoteKey' | 'threadKeys'>> {
  // Loaded for Bluesky's shares only, as its client is.
  const { TID } = await import('@atproto/common-web');
  const micros = now.getTime() * 1000 + randomInt(1000);
  const clock = randomInt(1024);
  const key = (offset: number) => TID.fromTime(micros + offset, clock).toString();
  const parts = share.thread?.length ?? 0;
  const kept = share.threadKeys ?? [];
  return {
    remoteKey: share.remoteKey ?? key(0),
    ...(parts > 0
      ? {
          threadKeys: [
            ...kept.slice(0, parts),
            ...Array.from({ length: Math.max(0, parts - kept.length) }, (_, i) =>
              key(1 + kept.length + i),
            ),
          ],
        }
      : {}),
  };
}
