/**
 * The publish worker's hand-off to syndication: right after a share is recorded
 * `published` (never before), queue the notification that tells the CMS. The worker
 * calls it once the whole publish step is done, so nothing the step still had to record
 * waits on the queue.
 */
import { refOf } from '../domain/share-key';
import type { SyndicationQueue } from '../domain/syndication';
import type { PublishResult } from './publish-share/types';

export async function announcePublished(
  queue: SyndicationQueue | undefined,
  result: PublishResult,
): Promise<PublishResult> {
  if (queue && result.outcome === 'published' && !result.share.syndicatedAt) {
    await queue.send(refOf(result.share));
  }
  return result;
}
