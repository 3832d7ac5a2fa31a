/**
 * An article its CMS withdrew (a revision with status `unpublished` or `deleted`): every
 * share that has not gone out is cancelled, one being published is marked
 * `cancelRequested`, and each published post whose channel deletes or edits on
 * withdrawal gets a publish message: the publish worker does that under SQS's retries
 * and dead-letter queue (withdraw-post.ts).
 */
import type { Channel } from '../domain/channel';
import { ConflictError } from '../domain/errors';
import type { ArticleRecord, Clock, PublishQueue, ShareStore } from '../domain/ports';
import { applyEvent, type Share } from '../domain/share';
import { refOf } from '../domain/share-key';
import { canApply } from '../domain/share-state';

export type WithdrawArticleDeps = {
  shares: ShareStore;
  channels: readonly Channel[];
  publishQueue: PublishQueue;
  clock: Clock;
};

export type WithdrawReport = {
  /** pending shares cancelled now */
  cancelled: string[];
  /** shares being published: the outcome will tell, and a post that went out is withdrawn then */
  cancelRequested: string[];
  /** published posts sent to the worker to delete or edit */
  removing: string[];
};

/** Conflicting writers (the dispatcher, a worker) settle quickly; past this, SQS retries. */
const MAX_TRIES = 5;
const BY = 'crier';

export async function withdrawArticle(
  deps: WithdrawArticleDeps,
  record: ArticleRecord,
): Promise<WithdrawReport> {
  const reason = `the article was ${record.article.status} (revision ${record.article.revision})`;
  const report: WithdrawReport = { cancelled: [], cancelRequested: [], removing: [] };
  for (const listed of await deps.shares.listForArticle(record.articleId)) {
    const done = await withdrawShare(deps, listed, reason);
    if (done !== 'kept') report[done].push(listed.channelId);
  }
  return report;
}

/** Whether the channel deletes or edits its published post when the article is withdrawn. */
export function removesOnWithdraw(channel: Channel | undefined): boolean {
  return channel !== undefined && channel.onWithdraw !== 'keep';
}

/**
 * One share, re-read and tried again when another writer moved it first: a queued share
 * the worker has just claimed is then `publishing`, and gets `cancelRequested` instead.
 */
async function withdrawShare(
  deps: WithdrawArticleDeps,
  listed: Share,
  reason: string,
): Promise<keyof WithdrawReport | 'kept'> {
  let share: Share | undefined = listed;
  for (let tries = 0; share && tries < MAX_TRIES; tries += 1) {
    const now = deps.clock.now();
    if (canApply(share.status, 'withdraw')) {
      const next = applyEvent(share, 'withdraw', { at: now, by: BY, reason });
      if (await deps.shares.replace(share, next)) return 'cancelled';
    } else if (share.status === 'publishing') {
      // The call may already be made: the worker records what happened, and withdraws
      // the post if it went out (publish-share/).
      if (share.cancelRequested) return 'cancelRequested';
      const next: Share = {
        ...share,
        cancelRequested: true,
        version: share.version + 1,
        updatedAt: now.toISOString(),
      };
      if (await deps.shares.replace(share, next)) return 'cancelRequested';
    } else if (share.status === 'published') {
      const channel = deps.channels.find((c) => c.id === share?.channelId);
      if (share.withdrawal || !removesOnWithdraw(channel)) {
        // A correction still waiting on the kept post is dropped by the worker (correct-post.ts).
        if (share.correctionsDue?.length) await deps.publishQueue.send(refOf(share), 0);
        return 'kept';
      }
      await deps.publishQueue.send(refOf(share), 0);
      return 'removing';
    } else {
      // failed and cancelled stay; an unknown one is reconciled, and the worker withdraws
      // it if it turns out published, or cancels it at its next claim.
      return 'kept';
    }
    share = await deps.shares.get(refOf(share));
  }
  if (!share) return 'kept';
  throw new ConflictError(
    `Share ${listed.articleId}/${listed.channelId} kept changing while it was withdrawn`,
  );
}
