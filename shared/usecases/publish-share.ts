/**
 * The publish worker's use case (DESIGN.md, "Posting exactly once"): claim the queued
 * share with a lease, call the network once, record the outcome at once; an unknown
 * outcome goes straight to reconcile, never to a blind retry.
 */
import { randomInt } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { TID } from '@atproto/common-web';
import type { PublishingConfig } from '../config/publishing';
import { backoffSeconds } from '../domain/backoff';
import type { Channel, Site } from '../domain/channel';
import type {
  ArticleStore,
  ChannelStateStore,
  Clock,
  CredentialsProvider,
  PublishQueue,
  ShareRef,
  ShareStore,
} from '../domain/ports';
import { applyEvent, type Share } from '../domain/share';
import type { ShareEvent } from '../domain/share-state';
import { isWithdrawn } from '../domain/withdrawal';
import type {
  NetworkClient,
  PrepareOutcome,
  PublishOutcome,
  ReconcileOutcome,
} from '../platforms/client';
import { enqueueIfDue } from './dispatch';
import { removesOnWithdraw } from './withdraw-article';
import { withdrawPost } from './withdraw-post';

export type PublishShareDeps = {
  shares: ShareStore;
  articles: ArticleStore;
  channelState: ChannelStateStore;
  credentials: CredentialsProvider;
  publishQueue: PublishQueue;
  channels: readonly Channel[];
  clientFor: (platform: Share['platform']) => NetworkClient | undefined;
  clock: Clock;
  config: PublishingConfig;
  random?: () => number;
  /** the newsroom, for `{site}` in a channel's `withdrawnText` */
  site?: Site;
};

export type PublishResult =
  | {
      outcome:
        | 'published'
        | 'failed'
        | 'deferred'
        | 'unknown'
        | 'cancelled'
        | 'parked'
        | 'withdrawn'
        | 'refused';
      share: Share;
    }
  | { outcome: 'early' | 'skipped'; reason: string };

const BY = 'publisher';

export async function handlePublishMessage(
  deps: PublishShareDeps,
  message: ShareRef,
): Promise<PublishResult> {
  const share = await deps.shares.get(message);
  if (!share) return { outcome: 'skipped', reason: 'no such share' };
  if (share.status === 'queued') return followWithdrawal(deps, await publishQueued(deps, share));
  if (share.status === 'unknown') return followWithdrawal(deps, await reconcile(deps, share));
  // Its article was withdrawn: the channel may delete or edit the post (withdraw-post.ts).
  if (share.status === 'published') return withdrawPost(deps, share);
  // A duplicate or stale message: the share moved on, and the table says where.
  return { outcome: 'skipped', reason: `share is ${share.status}` };
}

/**
 * A post that went out after its article was withdrawn (a withdrawal that found it
 * publishing, or reconcile finding it late) is withdrawn in turn: a message of its own,
 * so SQS retries that step apart from this one.
 */
async function followWithdrawal(
  deps: PublishShareDeps,
  result: PublishResult,
): Promise<PublishResult> {
  if (result.outcome !== 'published') return result;
  const { share } = result;
  if (!removesOnWithdraw(deps.channels.find((c) => c.id === share.channelId))) return result;
  const record = await deps.articles.get(share.articleId);
  if (record && isWithdrawn(record.article.status)) await deps.publishQueue.send(ref(share), 0);
  return result;
}

async function publishQueued(deps: PublishShareDeps, share: Share): Promise<PublishResult> {
  const now = deps.clock.now();
  const record = await deps.articles.get(share.articleId);
  if (record?.article.status !== 'published') {
    const reason = record ? `the article is ${record.article.status}` : 'the article is gone';
    return settle(deps, share, 'withdraw', { reason }, 'cancelled');
  }
  const channel = deps.channels.find((c) => c.id === share.channelId);
  const client = deps.clientFor(share.platform);
  const state = await deps.channelState.get(share.channelId);
  const early = new Date(share.dueAt).getTime() - now.getTime();
  if (early > 1000) {
    // Early (its dueAt moved, the message outran its delay, or a multi-step network's
    // container is to be made ahead): prepare what can be, then wait again.
    const prepared =
      channel && client?.prepare && !share.preparedId
        ? await prepare(deps, share, channel, client, state.session)
        : share;
    await deps.publishQueue.send(ref(prepared), early / 1000);
    return { outcome: 'early', reason: `due in ${Math.ceil(early / 1000)} s` };
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

  // The claim: one worker wins; the keys the network stores are fixed before the call.
  const claimed = applyEvent(share, 'start', {
    at: now,
    by: BY,
    reason: `attempt ${share.attempt + 1}`,
    patch: {
      leaseUntil: new Date(now.getTime() + deps.config.leaseSeconds * 1000).toISOString(),
      firstClaimedAt: share.firstClaimedAt ?? now.toISOString(),
      remoteKey: share.remoteKey ?? (share.platform === 'bluesky' ? recordKey(now) : undefined),
    },
  });
  if (!(await deps.shares.replace(share, claimed))) return lost(share);

  if (claimed.attempt >= deps.config.maxAttempts) {
    const reason = `gave up after ${claimed.attempt} attempts${share.lastError ? `: ${share.lastError}` : ''}`;
    return settle(deps, claimed, 'fail', { reason, patch: { lastError: reason } }, 'failed');
  }
  if (!channel || !client) {
    const reason = channel
      ? `no client for ${share.platform}`
      : `channel ${share.channelId} is no longer configured`;
    return settle(deps, claimed, 'fail', { reason, patch: { lastError: reason } }, 'failed');
  }
  let credentials: unknown;
  try {
    credentials = await deps.credentials.get(channel.id);
  } catch (error) {
    // The network was not called: a retry with backoff is safe.
    const reason = `credentials unavailable: ${error instanceof Error ? error.message : String(error)}`;
    return defer(deps, claimed, reason);
  }
  if (credentials === undefined) {
    const reason = `no credentials configured for channel ${channel.id}`;
    return settle(deps, claimed, 'fail', { reason, patch: { lastError: reason } }, 'failed');
  }

  const outcome = await callSafely<PublishOutcome>(
    () =>
      client.publish({
        share: claimed,
        account: channel.account,
        credentials,
        session: state.session,
        timeoutMs: deps.config.networkTimeoutMs,
      }),
    // After a create call the post may exist, so a broken client counts as unknown.
    (message) => ({ kind: 'unknown', message }),
  );
  // Recorded right after the call: nothing that can throw runs in between.
  const result = await recordPublish(deps, claimed, outcome);
  if (outcome.session) await deps.channelState.saveSession(channel.id, outcome.session);
  if (outcome.kind === 'rate') await deps.channelState.rateLimitedUntil(channel.id, outcome.until);
  if (result.outcome === 'unknown') return reconcile(deps, result.share);
  if (result.outcome === 'deferred')
    return { ...result, share: await enqueueIfDue(deps, result.share) };
  return result;
}

async function recordPublish(
  deps: PublishShareDeps,
  claimed: Share,
  outcome: PublishOutcome,
): Promise<PublishResult> {
  const now = deps.clock.now();
  switch (outcome.kind) {
    case 'published':
      return settle(
        deps,
        claimed,
        'succeed',
        {
          patch: { remoteId: outcome.remoteId, remoteUrl: outcome.remoteUrl, lastError: undefined },
        },
        'published',
      );
    case 'rejected':
    case 'auth': {
      const reason = `${outcome.kind}: ${outcome.message}`;
      return settle(deps, claimed, 'fail', { reason, patch: { lastError: reason } }, 'failed');
    }
    case 'rate':
      return defer(
        deps,
        claimed,
        `rate limited until ${outcome.until}: ${outcome.message}`,
        outcome.until,
      );
    case 'retry':
      return defer(deps, claimed, `retry: ${outcome.message}`);
    case 'unknown': {
      const reason = `unknown outcome: ${outcome.message}`;
      return settle(
        deps,
        claimed,
        'lose',
        { reason, patch: { lastError: reason, leaseUntil: now.toISOString() } },
        'unknown',
      );
    }
  }
}

/**
 * A multi-step network's first step, ahead of dueAt. Nothing is posted yet, so every
 * failure only leaves a note: the publish step at dueAt makes the container itself.
 */
async function prepare(
  deps: PublishShareDeps,
  share: Share,
  channel: Channel,
  client: NetworkClient,
  session: string | undefined,
): Promise<Share> {
  const credentials = await deps.credentials.get(channel.id).catch(() => undefined);
  if (!client.prepare || credentials === undefined) return share;
  const call = {
    share,
    account: channel.account,
    credentials,
    session,
    timeoutMs: deps.config.networkTimeoutMs,
  };
  const outcome: PrepareOutcome = await client.prepare(call).catch((error: unknown) => ({
    kind: 'retry',
    message: error instanceof Error ? error.message : String(error),
  }));
  if (outcome.session) await deps.channelState.saveSession(channel.id, outcome.session);
  const next: Share =
    outcome.kind === 'prepared'
      ? { ...share, preparedId: outcome.preparedId, lastError: undefined }
      : { ...share, lastError: `prepare: ${outcome.kind}: ${outcome.message}` };
  const written = {
    ...next,
    version: share.version + 1,
    updatedAt: deps.clock.now().toISOString(),
  };
  return (await deps.shares.replace(share, written)) ? written : share;
}

/** Back to scheduled with attempt + 1, or failed once the attempts are spent. */
async function defer(
  deps: PublishShareDeps,
  claimed: Share,
  reason: string,
  until?: string,
): Promise<PublishResult> {
  const now = deps.clock.now();
  const attempt = claimed.attempt + 1;
  if (attempt >= deps.config.maxAttempts) {
    const final = `${reason} (gave up after ${attempt} attempts)`;
    return settle(
      deps,
      claimed,
      'fail',
      { reason: final, patch: { attempt, lastError: final } },
      'failed',
    );
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

/** Finds out whether an unknown share was posted, and moves it accordingly. */
async function reconcile(deps: PublishShareDeps, share: Share): Promise<PublishResult> {
  const channel = deps.channels.find((c) => c.id === share.channelId);
  const client = deps.clientFor(share.platform);
  let outcome: ReconcileOutcome;
  let session: string | undefined;
  if (!channel || !client) {
    outcome = { kind: 'unsure', reason: `channel ${share.channelId} or its client is gone` };
  } else {
    const [credentials, state] = await Promise.all([
      deps.credentials.get(channel.id).catch(() => undefined),
      deps.channelState.get(channel.id),
    ]);
    outcome =
      credentials === undefined
        ? { kind: 'unsure', reason: 'credentials unavailable' }
        : await callSafely<ReconcileOutcome>(
            () =>
              client.reconcile({
                share,
                account: channel.account,
                credentials,
                session: state.session,
                timeoutMs: deps.config.networkTimeoutMs,
              }),
            (message) => ({ kind: 'unsure', reason: message }),
          );
    session = outcome.session;
  }
  const result = await recordReconcile(deps, share, outcome);
  if (session && channel) await deps.channelState.saveSession(channel.id, session);
  if (result.outcome === 'deferred')
    return { ...result, share: await enqueueIfDue(deps, result.share) };
  return result;
}

async function recordReconcile(
  deps: PublishShareDeps,
  share: Share,
  outcome: ReconcileOutcome,
): Promise<PublishResult> {
  const now = deps.clock.now();
  switch (outcome.kind) {
    case 'found':
      return settle(
        deps,
        share,
        'reconcile-found',
        {
          reason: 'reconcile found the post',
          patch: { remoteId: outcome.remoteId, remoteUrl: outcome.remoteUrl, lastError: undefined },
        },
        'published',
      );
    case 'absent': {
      // Certainly not posted: again with the same keys, counted as an attempt and backed
      // off, so a network that keeps failing after the create cannot loop for ever.
      const attempt = share.attempt + 1;
      const wait = backoffSeconds(deps.config.backoff, attempt - 1, deps.random);
      return settle(
        deps,
        share,
        'reconcile-absent',
        {
          reason: 'reconcile: not posted',
          patch: { attempt, dueAt: new Date(now.getTime() + wait * 1000).toISOString() },
        },
        'deferred',
      );
    }
    case 'unsure': {
      const tries = share.history.filter((h) => h.event === 'reconcile-unsure').length + 1;
      const parked = tries >= deps.config.maxReconciles;
      const reason = parked
        ? `parked for an editor: ${outcome.reason}`
        : `reconcile could not tell: ${outcome.reason}`;
      const next = applyEvent(share, 'reconcile-unsure', {
        at: now,
        by: BY,
        reason,
        patch: {
          lastError: reason,
          leaseUntil: parked
            ? undefined
            : new Date(
                now.getTime() + backoffSeconds(deps.config.backoff, tries, deps.random) * 1000,
              ).toISOString(),
        },
      });
      if (parked) delete next.leaseUntil;
      if (!(await deps.shares.replace(share, next))) return lost(share);
      return { outcome: parked ? 'parked' : 'unknown', share: next };
    }
  }
}

async function settle(
  deps: PublishShareDeps,
  share: Share,
  event: ShareEvent,
  change: { reason?: string; patch?: Parameters<typeof applyEvent>[2]['patch'] },
  outcome: 'published' | 'failed' | 'deferred' | 'unknown' | 'cancelled',
): Promise<PublishResult> {
  const next = applyEvent(share, event, { at: deps.clock.now(), by: BY, ...change });
  if (await deps.shares.replace(share, next)) return { outcome, share: next };
  const flagged = await cancelRequestedMeanwhile(deps, share);
  if (!flagged) return lost(share);
  // Only the flag changed: the outcome stands, and keeps the flag.
  const merged: Share = { ...next, cancelRequested: true, version: flagged.version + 1 };
  if (!(await deps.shares.replace(flagged, merged))) return lost(share);
  return { outcome, share: merged };
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
  const stored = await deps.shares.get(ref(share));
  if (!stored?.cancelRequested) return undefined;
  // As stored: no undefined fields (key order does not matter to isDeepStrictEqual).
  const strip = ({ version, updatedAt, cancelRequested, ...rest }: Share): unknown =>
    JSON.parse(JSON.stringify(rest));
  return isDeepStrictEqual(strip(stored), strip(share)) ? stored : undefined;
}

/** Someone else changed the share first; the table has the truth, so nothing to do. */
function lost(share: Share): PublishResult {
  return {
    outcome: 'skipped',
    reason: `share ${share.articleId}/${share.channelId} changed meanwhile`,
  };
}

/** A client that throws instead of answering broke its contract: `onError` says what that means. */
async function callSafely<T extends PublishOutcome | ReconcileOutcome>(
  call: () => Promise<T>,
  onError: (message: string) => T,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    return onError(`client error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Bluesky's record key: a TID of the first claim's time (NETWORKS.md, Finding 2). */
function recordKey(now: Date): string {
  return TID.fromTime(now.getTime() * 1000 + randomInt(1000), randomInt(1024)).toString();
}

const ref = (share: Share): ShareRef => ({
  articleId: share.articleId,
  channelId: share.channelId,
});
