/**
 * The publish worker's message: the share it names is published, reconciled or, once
 * published, withdrawn where its article was, as its status says.
 */
import type { ShareRef } from '../../domain/ports';
import { refOf } from '../../domain/share-key';
import { isWithdrawn } from '../../domain/withdrawal';
import { announcePublished } from '../announce-published';
import { removesOnWithdraw } from '../withdraw-article';
import { withdrawPost } from '../withdraw-post';
import { publishQueued } from './claim';
import { reconcile } from './reconcile';
import type { PublishResult, PublishShareDeps } from './types';

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
