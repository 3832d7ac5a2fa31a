/**
 * A share's stored images (the processed media it attaches, the thumbnail of the card
 * Crier sends), read back for the signed-in editor's previews: the editor UI shows them
 * from these bytes, never from a link to the bucket.
 */
import { siteOf } from '../domain/article';
import { NotFoundError, PayloadTooLargeError } from '../domain/errors';
import type { ArticleStore, ShareStore } from '../domain/ports';
import type { Share } from '../domain/share';
import { parseShareKey, shareKeyOf } from '../domain/share-key';

/**
 * The largest image the route answers: base64 makes it a third larger, and a Lambda
 * function's answer through API Gateway holds at most 6 MB. Processed images are far
 * smaller (a share card is tens of kilobytes); a bigger one is posted all the same.
 */
export const MAX_IMAGE_ANSWER_BYTES = 4_000_000;

/** Which of a share's images: one of its media by position, or its card's thumbnail. */
export type ShareImageChoice = { kind: 'media'; index: number } | { kind: 'card' };

export type ShareImageDeps = {
  articles: ArticleStore;
  shares: ShareStore;
  /** the media bucket: whether a URL names one of its objects, and that object's bytes */
  media: {
    isStoredMedia(url: string): boolean;
    getMedia(url: string): Promise<{ bytes: Uint8Array; mimeType: string }>;
  };
};

/** Whether a share's image URL names an image Crier stored (its `s3://` URL, or an old presigned link). */
export const isStoredImageUrl = (url: string | undefined): url is string =>
  url !== undefined && (url.startsWith('s3://') || url.includes('X-Amz-Signature='));

/** The editor API path that serves a share's stored image to a signed-in editor. */
export function shareImagePath(share: Share, choice: ShareImageChoice): string {
  const base = `/api/articles/${encodeURIComponent(share.articleId)}/shares/${encodeURIComponent(shareKeyOf(share))}`;
  return choice.kind === 'card' ? `${base}/card-image` : `${base}/media/${choice.index}`;
}

/**
 * Where the previews load each stored image of the share from: its card's thumbnail and
 * each of its media, null where the image is not one Crier stored (an article's own
 * image on the publisher's site, which a browser loads as it is).
 */
export function storedImagePaths(share: Share): { card: string | null; media: (string | null)[] } {
  return {
    card: isStoredImageUrl(share.card?.imageUrl) ? shareImagePath(share, { kind: 'card' }) : null,
    media: (share.media ?? []).map((m, index) =>
      isStoredImageUrl(m.url) ? shareImagePath(share, { kind: 'media', index }) : null,
    ),
  };
}

/**
 * The bytes and type of one stored image of a share. Another site's article, a share or
 * an image that is not there, and an image that is not a stored one all answer as absent.
 */
export async function readShareImage(
  deps: ShareImageDeps,
  ref: { articleId: string; key: string; choice: ShareImageChoice },
  mayRead: (siteId: string) => boolean,
): Promise<{ bytes: Uint8Array; mimeType: string }> {
  const absent = () => new NotFoundError('No such image');
  const record = await deps.articles.get(ref.articleId);
  if (!record || !mayRead(siteOf(record.article))) {
    throw new NotFoundError(`No article ${ref.articleId}`);
  }
  const parts = parseShareKey(ref.key);
  if (!parts) throw absent();
  const share = await deps.shares.get({ articleId: ref.articleId, ...parts });
  if (!share) throw absent();
  const url =
    ref.choice.kind === 'card' ? share.card?.imageUrl : share.media?.[ref.choice.index]?.url;
  if (!url || !isStoredImageUrl(url) || !deps.media.isStoredMedia(url)) throw absent();
  let image: { bytes: Uint8Array; mimeType: string };
  try {
    image = await deps.media.getMedia(url);
  } catch (error) {
    // The bucket's lifecycle may have deleted it: publish makes it again when it posts.
    if (error instanceof Error && error.name === 'MediaNotFoundError') throw absent();
    throw error;
  }
  if (image.bytes.byteLength > MAX_IMAGE_ANSWER_BYTES) {
    throw new PayloadTooLargeError(
      `The image is ${image.bytes.byteLength.toLocaleString('en')} bytes, over the ${MAX_IMAGE_ANSWER_BYTES.toLocaleString('en')} the API answers; it is posted as it is`,
    );
  }
  return image;
}
