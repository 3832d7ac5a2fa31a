/**
 * The publish worker's hand-off to syndication: right after a share is recorded
 * `published` (never before), queue the notification that tells the CMS. The worker
 * calls it once the whole publish step is done, so nothing the step still had to record
 * waits on the queue.
 */
import { isDeskPostId } from '../domain/ids';
import { refOf } from '../domain/share-key';
import type { SyndicationQueue } from '../domain/syndication';
import type { PublishResult } from './publish-share/types';

export async function announcePublished(
  queue: SyndicationQueue | undefined,
  result: PublishResult,
): Promise<PublishResult> {
  // A desk post has no CMS to tell (shared/usecases/desk-post.ts).
  const announced = result.outcome === 'published' && !isDeskPostId(result.share.articleId);
  if (queue && announced && !result.share.syndicatedAt) {
    await queue.send(refOf(result.share));
  }
  return result;
}
