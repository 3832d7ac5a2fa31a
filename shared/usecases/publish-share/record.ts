/**
 * A post's outcome, recorded the moment its call returns: on the share (the first post,
 * or a part of its thread) and on the channel's state (a rotated session, a rate limit).
 */
import type { Share } from '../../domain/share';
import {
  describePost,
  type NextPost,
  nextPost,
  postCount,
  recordPost,
} from '../../domain/share-thread';
import type { PublishOutcome } from '../../platforms/client';
import { defer, finishShort, lost, markUnknown, settle } from './settle';
import type { Posting, PublishShareDeps, Recorded } from './types';

/** The share's warnings with those a published post brought back, once each. */
function publishedWarnings(share: Share, outcome: PublishOutcome): Partial<Share> {
  if (outcome.kind !== 'published' || !outcome.warnings?.length) return {};
  return { warnings: [...new Set([...(share.warnings ?? []), ...outcome.warnings])] };
}

/** The outcome of the share's first post (its only one, or its thread's first). */
export async function recordPublish(
  deps: PublishShareDeps,
  claimed: Share,
  outcome: PublishOutcome,
): Promise<Recorded> {
  switch (outcome.kind) {
    case 'published':
      if (postCount(claimed) > 1) {
        return recordProgress(deps, claimed, {
          ...recordPost(claimed, { kind: 'root' }, outcome),
          ...publishedWarnings(claimed, outcome),
        });
      }
      return settle(
        deps,
        claimed,
        'succeed',
        {
          patch: {
            remoteId: outcome.remoteId,
            remoteUrl: outcome.remoteUrl,
            lastError: undefined,
            ...publishedWarnings(claimed, outcome),
          },
        },
        'published',
      );
    case 'rejected':
    case 'auth': {
      // An editor reads the first word: `permission` means grant it, `auth` reconnect.
      const kind = outcome.kind === 'auth' && outcome.permission ? 'permission' : outcome.kind;
      const reason = `${kind}: ${outcome.message}`;
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
    case 'unknown':
      return markUnknown(deps, claimed, `unknown outcome: ${outcome.message}`);
  }
}

export async function recordReply(
  deps: PublishShareDeps,
  share: Share,
  step: Extract<NextPost, { kind: 'reply' }>,
  outcome: PublishOutcome,
): Promise<Recorded> {
  const post = describePost(share, step);
  switch (outcome.kind) {
    case 'published': {
      const patch = { ...recordPost(share, step, outcome), ...publishedWarnings(share, outcome) };
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
    case 'unknown':
      return markUnknown(deps, share, `unknown outcome of ${post}: ${outcome.message}`);
  }
}

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

/** A rotated session is kept, and the next call of the claim uses it; a 429 marks the channel. */
export async function keepChannelState(
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
