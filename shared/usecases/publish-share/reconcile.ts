/**
 * Reconcile: a share whose outcome is unknown (the call's answer was lost, or its lease
 * ran out) asks the network whether its post was made, and moves accordingly.
 */
import { backoffSeconds } from '../../domain/backoff';
import { applyEvent, type Share } from '../../domain/share';
import {
  describePost,
  type NextPost,
  nextPost,
  postCount,
  recordPost,
} from '../../domain/share-thread';
import type { ReconcileOutcome } from '../../platforms/client';
import { callSafely } from '../client-call';
import { enqueueIfDue } from '../dispatch';
import { BY, lost, settle } from './settle';
import type { PublishResult, PublishShareDeps } from './types';

/** An unknown outcome is reconciled at once; a deferred share is sent again when due. */
export async function afterRecord(
  deps: PublishShareDeps,
  result: PublishResult,
): Promise<PublishResult> {
  if (result.outcome === 'unknown') return reconcile(deps, result.share);
  if (result.outcome === 'deferred')
    return { ...result, share: await enqueueIfDue(deps, result.share) };
  return result;
}

/**
 * Finds out whether an unknown share's post was made, and moves it accordingly. Posts
 * go out one at a time and each is recorded as soon as it is made, so the one post an
 * unknown outcome (or an expired lease) leaves in doubt is the first not recorded.
 */
export async function reconcile(deps: PublishShareDeps, share: Share): Promise<PublishResult> {
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
  const client = await deps.clientFor(share.platform);
  let outcome: ReconcileOutcome;
  let session: string | undefined;
  const replies = client?.replies;
  if (!channel || !client) {
    outcome = { kind: 'unsure', reason: `channel ${share.channelId} or its client is gone` };
  } else if (step.kind === 'reply' && !replies) {
    outcome = { kind: 'unsure', reason: `${share.platform} cannot look for a reply` };
  } else {
    const [credentials, state] = await Promise.all([
      deps.credentials.get(channel).catch(() => undefined),
      deps.channelState.get(channel.id),
    ]);
    const call = {
      share,
      account: channel.account,
      credentials,
      session: state.session,
      timeoutMs: deps.config.networkTimeoutMs,
      ...(deps.sessions ? { loginGate: deps.sessions.for(channel.id) } : {}),
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
