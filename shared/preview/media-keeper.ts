/**
 * The publish step's view of the media bucket (MediaKeeper): HEAD for a stored image,
 * a presigned link made at the call, and the image made again by the compose step's own
 * enricher where the bucket's lifecycle deleted it.
 */
import type { Article } from '../domain/article';
import type { Platform } from '../domain/platform';
import type { MediaKeeper } from '../domain/ports';
import type { MediaRef } from '../platforms/types';
import { LINK_SECONDS, type MediaStore } from '../store/media-store';

/** The compose step's images for one network: what createEnricher answers, for one platform. */
export type Remake = (
  article: Article,
  platform: Platform,
) => Promise<{ media: MediaRef[]; warnings: string[] } | undefined>;

export function createMediaKeeper(deps: {
  /** the bucket, looked up on first use (a function that never publishes an image needs none) */
  store: () => MediaStore;
  remake: Remake;
}): MediaKeeper {
  return {
    isStored: (url) => deps.store().isStoredMedia(url),
    exists: (url) => deps.store().hasMedia(url),
    link: (url, now) => deps.store().presignedUrl(url, LINK_SECONDS, now),
    async remake(share, article) {
      const made = await deps.remake(article, share.platform);
      if (!made) throw new Error(`no image is made for ${share.platform}`);
      return made;
    },
  };
}
