/**
 * The network calls of one claim: the share's first post, then each part of its thread
 * as a reply to the one before, each recorded (record.ts) before the next call.
 */
import type { PublishingConfig } from '../../config/publishing';
import type { Share } from '../../domain/share';
import { describePost, nextPost } from '../../domain/share-thread';
import type { PublishOutcome } from '../../platforms/client';
import { callSafely } from '../client-call';
import { linkMedia } from './media';
import { afterRecord } from './reconcile';
import { keepChannelState, recordPublish, recordReply } from './record';
import { finishShort, lost, settle } from './settle';
import { waitForReconnect } from './tokens';
import type { Posting, PublishResult, PublishShareDeps } from './types';

/**
 * The claimed share's posts: its first, unless an earlier claim made it, then the parts
 * of its thread still missing (postReplies).
 */
export async function postShare(
  deps: PublishShareDeps,
  claimed: Share,
  posting: Posting,
): Promise<PublishResult> {
  if (claimed.remoteId) return postReplies(deps, claimed, posting);

  const publish = async (): Promise<PublishOutcome> => {
    let share: Share;
    try {
      // The image's link is made now, for this call: the network fetches it at once.
      share = await linkMedia(deps.media, claimed, deps.clock.now());
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return { kind: 'retry', message: `the image's link could not be made: ${why}` };
    }
    return callSafely<PublishOutcome>(
      () =>
        posting.client.publish({
          share,
          ...posting.call,
          timeoutMs: deps.config.networkTimeoutMs,
        }),
      // After a create call the post may exist, so a broken client counts as unknown.
      (message) => ({ kind: 'unknown', message }),
    );
  };
  let outcome = await publish();
  if (outcome.kind === 'auth' && !outcome.permission && deps.tokens) {
    // The network called the token dead: nothing was posted. Refresh it and try once more.
    // A permission refusal is left alone: the token is alive, a refresh would change nothing.
    const kept = await deps.tokens
      .fresh({ id: posting.channelId, platform: claimed.platform }, { force: true })
      .catch(() => undefined);
    if (kept?.status === 'unrefreshable') return waitForReconnect(deps, claimed, kept.reason);
    if (kept?.status === 'refreshed') {
      posting.call = { ...posting.call, credentials: kept.credentials };
      outcome = await publish();
    }
  }
  // Recorded right after the call: nothing that can throw runs in between.
  const result = await recordPublish(deps, claimed, outcome);
  await keepChannelState(deps, posting, outcome);
  if (result.outcome === 'thread') return postReplies(deps, result.share, posting);
  return afterRecord(deps, result);
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
