/**
 * The publish worker's use case (docs/architecture.md, "Posting exactly once"): claim the queued
 * share with a lease, call the network once per post, record each outcome at once; an
 * unknown outcome goes straight to reconcile, never to a blind retry. A share with a
 * `thread` posts its parts as replies, one after the other (see share-thread.ts).
 */
import { randomInt } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { TID } from '@atproto/common-web';
import type { PublishingConfig } from '../../config/publishing';
import { backoffSeconds } from '../../domain/backoff';
import type { Channel, Site } from '../../domain/channel';
import type {
  ArticleStore,
  ChannelStateStore,
  Clock,
  CredentialsProvider,
  PublishQueue,
  ShareRef,
  ShareStore,
} from '../../domain/ports';
import { applyEvent, type Share } from '../../domain/share';
import { refOf } from '../../domain/share-key';
import type { ShareEvent } from '../../domain/share-state';
import {
  describePost,
  missingPosts,
  type NextPost,
  nextPost,
  postCount,
  recordPost,
} from '../../domain/share-thread';
import type { SyndicationQueue } from '../../domain/syndication';
import { isWithdrawn } from '../../domain/withdrawal';
import type {
  ClientCall,
  NetworkClient,
  PrepareOutcome,
  PublishOutcome,
  ReconcileOutcome,
} from '../../platforms/client';
import { announcePublished } from '../announce-published';
import { callSafely } from '../client-call';
import { enqueueIfDue } from '../dispatch';
import { removesOnWithdraw } from '../withdraw-article';
import { withdrawPost } from '../withdraw-post';

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
  /** where a published share is announced for the CMS (syndication); none: not announced */
  syndication?: SyndicationQueue;
  /**
   * Runs once a share is recorded published, and again for any later message about it, so
   * a failure here retries the message until it succeeds (the next evergreen round).
   */
  afterPublished?: (share: Share) => Promise<unknown>;
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
      /** why the network refused the post, where it did: `auth` is the operators' to fix */
      refusal?: 'auth' | 'rejected';
    }
  | { outcome: 'early' | 'skipped'; reason: string };

const BY = 'publisher';

export async function handlePublishMessage(
  deps: PublishShareDeps,
  message: ShareRef,
): Promise<PublishResult> {
  const share = await deps.shares.get(message);
  if (!share) return { outcome: 'skipped', reason: 'no such share' };
  // Syndication: announced after the outcome is recorded; a message redelivered because
  // the announcement failed finds the share published and announces it again.
  const announce = (result: PublishResult) => announcePublished(deps.syndication, result);
  if (share.status === 'queued') {
    return announce(await followWithdrawal(deps, await publishQueued(deps, share)));
  }
  if (share.status === 'unknown') {
    return announce(await followWithdrawal(deps, await reconcile(deps, share)));
  }
  if (share.status === 'published') {
    await deps.afterPublished?.(share);
    await announce({ outcome: 'published', share });
    // Its article was withdrawn: the channel may delete or edit the post (withdraw-post.ts).
    return withdrawPost(deps, share);
  }
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
  if (record && isWithdrawn(record.article.status)) await deps.publishQueue.send(refOf(share), 0);
  return result;
}

async function publishQueued(deps: PublishShareDeps, share: Share): Promise<PublishResult> {
  const now = deps.clock.now();
  const record = await deps.articles.get(share.articleId);
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
  const channel = deps.channels.find((c) => c.id === share.channelId);
  const client = deps.clientFor(share.platform);
  const state = await deps.channelState.get(share.channelId);
  const early = new Date(share.dueAt).getTime() - now.getTime();
  if (early > 1000) {
    // Early (its dueAt moved, the message outran its delay, or a multi-step network's
    // container is to be made ahead): prepare what can be, then wait again.
    // Only the first post is prepared: a thread resumed after it needs no container.
    const prepared =
      channel && client?.prepare && !share.preparedId && !share.remoteId
        ? await prepare(deps, share, channel, client, state.session)
        : share;
    await deps.publishQueue.send(refOf(prepared), early / 1000);
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
      ...(share.platform === 'bluesky' ? recordKeys(share, now) : {}),
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
    credentials = await deps.credentials.get(channel.id);
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
    call: { account: channel.account, credentials, session: state.session },
    endsAt,
  };
  if (claimed.remoteId) return postReplies(deps, claimed, posting);

  const outcome = await callSafely<PublishOutcome>(
    () =>
      client.publish({
        share: claimed,
        ...posting.call,
        timeoutMs: deps.config.networkTimeoutMs,
      }),
    // After a create call the post may exist, so a broken client counts as unknown.
    (message) => ({ kind: 'unknown', message }),
  );
  // Recorded right after the call: nothing that can throw runs in between.
  const result = await recordPublish(deps, claimed, outcome);
  await keepChannelState(deps, posting, outcome);
  if (result.outcome === 'thread') return postReplies(deps, result.share, posting);
  return afterRecord(deps, result);
}

/** What every call of one claim shares: the client, the channel's account and credentials. */
type Posting = {
  client: NetworkClient;
  channelId: string;
  call: Omit<ClientCall, 'share' | 'timeoutMs'>;
  /** when this claim's calls must be over (ms since the epoch) */
  endsAt: number;
};

/** A rotated session is kept, and the next call of the claim uses it; a 429 marks the channel. */
async function keepChannelState(
  deps: PublishShareDeps,
  posting: Posting,
  outcome: PublishOutcome,
): Promise<void> {
  if (outcome.session) {
    posting.call.session = outcome.session;
    await deps.channelState.saveSession(posting.channelId, outcome.session);
  }
  if (outcome.kind === 'rate') {
    await deps.channelState.rateLimitedUntil(posting.channelId, outcome.until);
  }
}

/** An unknown outcome is reconciled at once; a deferred share is sent again when due. */
async function afterRecord(deps: PublishShareDeps, result: PublishResult): Promise<PublishResult> {
  if (result.outcome === 'unknown') return reconcile(deps, result.share);
  if (result.outcome === 'deferred')
    return { ...result, share: await enqueueIfDue(deps, result.share) };
  return result;
}

/**
 * The shortest time worth starting a reply with: less, and the call would likely run out
 * and leave an unknown outcome to reconcile, where resuming in a fresh claim costs nothing.
 */
function minReplyMs(config: PublishingConfig): number {
  return Math.min(5_000, config.networkTimeoutMs / 2);
}

/**
 * Posts the thread's parts still missing, each as a reply to the one before, and records
 * each the moment it is made. The record is a write of its own per post, not one write
 * when the thread is done: a claim that dies halfway (a crash, the function's timeout)
 * must leave in the table every post it made, so that the sweeper's reconcile looks for
 * the one post that may be out unrecorded and the next claim resumes after it. While
 * parts remain that write keeps the status (`publishing`: there is no state change to
 * make), bumps the version and is conditional on (status, version) like any other; if it
 * loses, someone else moved the share (its lease expired and the sweeper took it), so
 * posting stops and reconcile works from what the table holds.
 */
async function postReplies(
  deps: PublishShareDeps,
  claimed: Share,
  posting: Posting,
): Promise<PublishResult> {
  let share = claimed;
  const replies = posting.client.replies;
  for (;;) {
    const step = nextPost(share);
    if (step.kind === 'done') {
      return settle(deps, share, 'succeed', { patch: { lastError: undefined } }, 'published');
    }
    // Only reached with the first post recorded; nothing to do if the table says otherwise.
    if (step.kind === 'root') return lost(share);
    if (!replies) return finishShort(deps, share, `${share.platform} takes no replies`);
    const left = posting.endsAt - deps.clock.now().getTime();
    if (left < minReplyMs(deps.config)) {
      return resume(deps, share, `this claim's time ran out before ${describePost(share, step)}`);
    }
    const outcome = await callSafely<PublishOutcome>(
      () =>
        replies.publish({
          share,
          ...posting.call,
          timeoutMs: left,
          index: step.index,
          parentId: step.parentId,
        }),
      (message) => ({ kind: 'unknown', message }),
    );
    // Recorded right after the call: nothing that can throw runs in between.
    const result = await recordReply(deps, share, step, outcome);
    await keepChannelState(deps, posting, outcome);
    if (result.outcome !== 'thread') return afterRecord(deps, result);
    share = result.share;
  }
}

/** What a post's outcome made of the share; `thread`: recorded, and more posts to make. */
type Recorded = PublishResult | { outcome: 'thread'; share: Share };

/**
 * A post of the thread is out and more are to come: its record, written at once as a
 * same-status write (see postReplies).
 */
async function recordProgress(
  deps: PublishShareDeps,
  share: Share,
  patch: Partial<Share>,
): Promise<Recorded> {
  const next: Share = {
    ...share,
    ...patch,
    lastError: undefined,
    version: share.version + 1,
    updatedAt: deps.clock.now().toISOString(),
  };
  if (!(await deps.shares.replace(share, next))) return lost(share);
  return { outcome: 'thread', share: next };
}

async function recordReply(
  deps: PublishShareDeps,
  share: Share,
  step: Extract<NextPost, { kind: 'reply' }>,
  outcome: PublishOutcome,
): Promise<Recorded> {
  const now = deps.clock.now();
  const post = describePost(share, step);
  switch (outcome.kind) {
    case 'published': {
      const patch = recordPost(share, step, outcome);
      if (nextPost({ ...share, ...patch }).kind !== 'done') {
        return recordProgress(deps, share, patch);
      }
      return settle(
        deps,
        share,
        'succeed',
        { patch: { ...patch, lastError: undefined } },
        'published',
      );
    }
    case 'rejected':
    case 'auth':
      // The thread's first post is out: the share is published whatever becomes of the
      // rest, and says which posts it lacks.
      return finishShort(deps, share, `${post} ${outcome.kind}: ${outcome.message}`);
    case 'rate':
      return defer(
        deps,
        share,
        `${post} rate limited until ${outcome.until}: ${outcome.message}`,
        outcome.until,
      );
    case 'retry':
      return defer(deps, share, `${post} retry: ${outcome.message}`);
    case 'unknown': {
      const reason = `unknown outcome of ${post}: ${outcome.message}`;
      return settle(
        deps,
        share,
        'lose',
        { reason, patch: { lastError: reason, leaseUntil: now.toISOString() } },
        'unknown',
      );
    }
  }
}

/**
 * The claim's time is spent with parts still to post: back to scheduled, due at once and
 * without counting an attempt (nothing failed), so the next claim resumes at the next
 * part with a whole network timeout of its own. Each claim posts at least one part, so
 * this ends.
 */
async function resume(
  deps: PublishShareDeps,
  share: Share,
  reason: string,
): Promise<PublishResult> {
  const result = await settle(
    deps,
    share,
    'defer',
    { reason, patch: { dueAt: deps.clock.now().toISOString() } },
    'deferred',
  );
  return afterRecord(deps, result);
}

/**
 * Nothing more will be posted: `failed` when nothing is out, and `published`, with the
 * posts it lacks in `lastError`, when the thread's first post is.
 */
async function giveUp(
  deps: PublishShareDeps,
  share: Share,
  reason: string,
  patch: Partial<Share> = {},
): Promise<PublishResult> {
  if (share.remoteId) return finishShort(deps, share, reason, patch);
  return settle(deps, share, 'fail', { reason, patch: { ...patch, lastError: reason } }, 'failed');
}

/** Published without the rest of its thread: `lastError` names the posts missing and why. */
async function finishShort(
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

async function recordPublish(
  deps: PublishShareDeps,
  claimed: Share,
  outcome: PublishOutcome,
): Promise<Recorded> {
  const now = deps.clock.now();
  switch (outcome.kind) {
    case 'published':
      if (postCount(claimed) > 1) {
        return recordProgress(deps, claimed, recordPost(claimed, { kind: 'root' }, outcome));
      }
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
      const result = await settle(
        deps,
        claimed,
        'fail',
        { reason, patch: { lastError: reason } },
        'failed',
      );
      return result.outcome === 'failed' ? { ...result, refusal: outcome.kind } : result;
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
 * Finds out whether an unknown share's post was made, and moves it accordingly. Posts
 * go out one at a time and each is recorded as soon as it is made, so the one post an
 * unknown outcome (or an expired lease) leaves in doubt is the first not recorded.
 */
async function reconcile(deps: PublishShareDeps, share: Share): Promise<PublishResult> {
  const step = nextPost(share);
  if (step.kind === 'done') {
    return settle(
      deps,
      share,
      'reconcile-found',
      { reason: 'every post is recorded', patch: { lastError: undefined } },
      'published',
    );
  }
  const channel = deps.channels.find((c) => c.id === share.channelId);
  const client = deps.clientFor(share.platform);
  let outcome: ReconcileOutcome;
  let session: string | undefined;
  const replies = client?.replies;
  if (!channel || !client) {
    outcome = { kind: 'unsure', reason: `channel ${share.channelId} or its client is gone` };
  } else if (step.kind === 'reply' && !replies) {
    outcome = { kind: 'unsure', reason: `${share.platform} cannot look for a reply` };
  } else {
    const [credentials, state] = await Promise.all([
      deps.credentials.get(channel.id).catch(() => undefined),
      deps.channelState.get(channel.id),
    ]);
    const call = {
      share,
      account: channel.account,
      credentials,
      session: state.session,
      timeoutMs: deps.config.networkTimeoutMs,
    };
    outcome =
      credentials === undefined
        ? { kind: 'unsure', reason: 'credentials unavailable' }
        : await callSafely<ReconcileOutcome>(
            () =>
              step.kind === 'reply' && replies
                ? replies.reconcile({ ...call, index: step.index, parentId: step.parentId })
                : client.reconcile(call),
            (message) => ({ kind: 'unsure', reason: message }),
          );
    session = outcome.session;
  }
  const result = await recordReconcile(deps, share, step, outcome);
  if (session && channel) await deps.channelState.saveSession(channel.id, session);
  if (result.outcome === 'deferred')
    return { ...result, share: await enqueueIfDue(deps, result.share) };
  return result;
}

async function recordReconcile(
  deps: PublishShareDeps,
  share: Share,
  step: Exclude<NextPost, { kind: 'done' }>,
  outcome: ReconcileOutcome,
): Promise<PublishResult> {
  const now = deps.clock.now();
  const post = describePost(share, step);
  switch (outcome.kind) {
    case 'found': {
      const patch = recordPost(share, step, outcome);
      if (nextPost({ ...share, ...patch }).kind === 'done') {
        return settle(
          deps,
          share,
          'reconcile-found',
          {
            reason: postCount(share) > 1 ? `reconcile found ${post}` : 'reconcile found the post',
            patch: { ...patch, lastError: undefined },
          },
          'published',
        );
      }
      // Found, and the thread goes on: the posts after it are certainly not made (each
      // waits for the one before), which is what `reconcile-absent` means. Due at once
      // and no attempt counted, since nothing failed; each such round records one more
      // post, so it cannot loop.
      return settle(
        deps,
        share,
        'reconcile-absent',
        {
          reason: `reconcile found ${post}; the rest of the thread is not posted yet`,
          patch: { ...patch, lastError: undefined, dueAt: now.toISOString() },
        },
        'deferred',
      );
    }
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
          reason: `reconcile: ${post} not posted`,
          patch: { attempt, dueAt: new Date(now.getTime() + wait * 1000).toISOString() },
        },
        'deferred',
      );
    }
    case 'unsure': {
      const tries = share.history.filter((h) => h.event === 'reconcile-unsure').length + 1;
      const parked = outcome.never === true || tries >= deps.config.maxReconciles;
      const about = postCount(share) > 1 ? ` about ${post}` : '';
      const reason = parked
        ? `parked for an editor${about}: ${outcome.reason}`
        : `reconcile could not tell${about}: ${outcome.reason}`;
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
function lost(share: Share): PublishResult {
  return {
    outcome: 'skipped',
    reason: `share ${share.articleId}/${share.channelId} changed meanwhile`,
  };
}

/**
 * Bluesky's record keys: TIDs of the first claim's time (docs/networks.md, Finding 2), one for
 * the first post and one per part of the thread, in order, each kept once chosen.
 */
function recordKeys(share: Share, now: Date): Pick<Share, 'remoteKey' | 'threadKeys'> {
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
