/**
 * The publish worker's message: the share it names is published, reconciled or, once
 * published, withdrawn where its article was, as its status says.
 */

import { siteOf } from '../../domain/article';
import type { ShareRef } from '../../domain/ports';
import type { Share } from '../../domain/share';
import { refOf } from '../../domain/share-key';
import { isWithdrawn } from '../../domain/withdrawal';
import { announcePublished } from '../announce-published';
import { correctPost } from '../correct-post';
import { recordShareTrouble, troubleOf } from '../notify-editors';
import { removesOnWithdraw } from '../withdraw-article';
import { withdrawPost } from '../withdraw-post';
import { publishQueued } from './claim';
import { reconcile } from './reconcile';
import type { PublishResult, PublishShareDeps } from './types';

export async function handlePublishMessage(
  deps: PublishShareDeps,
  message: ShareRef,
): Promise<PublishResult> {
  const result = await handleShare(deps, message);
  // After the state change is written: a crash in between leaves the message to SQS,
  // and the redelivered one finds the share failed or parked and records it then.
  if ('share' in result) await tellEditors(deps, result.share);
  return result;
}

/** Records a failed or parked share in the editors' outbox, once per state change. */
async function tellEditors(deps: PublishShareDeps, share: Share): Promise<void> {
  if (!deps.notifications || !troubleOf(share)) return;
  const stored = await deps.articles.get(share.articleId);
  await recordShareTrouble(deps.notifications, share, {
    siteId: stored ? siteOf(stored.article) : siteOf({}),
    ...(stored ? { title: stored.article.title } : {}),
  });
}

async function handleShare(deps: PublishShareDeps, message: ShareRef): Promise<PublishResult> {
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
    const withdrawn = await withdrawPost(deps, share);
    // Or a later revision corrected it: edited, replied under, or told (correct-post.ts).
    if (!share.correctionsDue?.length) return withdrawn;
    if (withdrawn.outcome === 'skipped') return correctPost(deps, share);
    // Withdrawn now: the corrections still waiting on the post are dropped.
    await correctPost(deps, withdrawn.share);
    return withdrawn;
  }
  // A duplicate or stale message: the share moved on, and the table says where. A failed
  // one may be the redelivery of a message whose handler died before telling the editors.
  if (troubleOf(share)) await tellEditors(deps, share);
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
