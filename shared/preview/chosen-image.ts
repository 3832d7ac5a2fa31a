/**
 * The image an editor chose for one share, made for its network as compose makes the
 * others (shared/preview/media.ts): the article's image, the drawn share card, or an
 * upload, each fitted to the network by processFor and stored by content hash under
 * `media/`; or nothing. Without a choice, exactly what compose gives the network.
 */
import type { Article } from '../domain/article';
import type { Site } from '../domain/channel';
import { ValidationError } from '../domain/errors';
import type { Platform } from '../domain/platform';
import type { ImageChoice } from '../domain/share-image';
import type { UploadStore } from '../store/upload-store';
import {
  articleImage,
  buildShareMedia,
  drawShareCard,
  type PlatformMedia,
  type ShareMediaDeps,
  shareCardAlt,
  storeMedia,
} from './media';

export type ChosenImageInput = {
  /** undefined: compose's own image for the network */
  choice: ImageChoice | undefined;
  article: Article;
  /** the article's site: its name and brand draw the card */
  site: Site;
  /** the article's site id: where its uploads are kept */
  siteId: string;
  platform: Platform;
};

export type ChosenImageDeps = ShareMediaDeps & { uploads: Pick<UploadStore, 'getUpload'> };

const refuse = (message: string, field = 'image') =>
  new ValidationError(`Invalid ${field}: ${message}`, [{ field, message }]);

export async function makeChosenImage(
  input: ChosenImageInput,
  deps: ChosenImageDeps,
): Promise<PlatformMedia> {
  const { choice, article, site, platform } = input;
  if (!choice) {
    const made = await buildShareMedia({ article, site, platforms: [platform] }, deps);
    return made[platform] ?? { media: [], warnings: [] };
  }
  if (choice.source === 'none') return { media: [], warnings: [] };

  const images = await import('./image');
  let bytes: Uint8Array;
  let alt: string | undefined;
  switch (choice.source) {
    case 'card':
      bytes = await drawShareCard(
        article,
        site,
        platform === 'instagram' ? 'portrait' : 'landscape',
        deps,
      );
      alt = shareCardAlt(article, site);
      break;
    case 'article': {
      const source = await articleImage(article, deps.safeFetch, images);
      if (source.kind === 'none') throw refuse(`${source.why}: choose the card or an upload`);
      bytes = source.bytes;
      alt = article.imageAlt;
      break;
    }
    case 'upload': {
      const upload = await deps.uploads.getUpload(input.siteId, choice.upload);
      if (!upload) {
        throw refuse(
          `no upload ${choice.upload} for site ${input.siteId} (an upload is kept for its site only, and expires with the bucket's images)`,
          'image.upload',
        );
      }
      bytes = upload.bytes;
      break;
    }
  }
  let fitted: Awaited<ReturnType<typeof images.processFor>>;
  try {
    fitted = await images.processFor(platform, bytes);
  } catch (error) {
    if (error instanceof images.ImageRejectedError) throw refuse(error.message);
    throw error;
  }
  return { media: [await storeMedia(deps.store, fitted, alt)], warnings: [] };
}
