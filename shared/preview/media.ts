/**
 * The compose step for images: the article's image fetched once, checked, fitted to each
 * network and stored, or a branded share card where there is no usable image, and
 * Instagram's portrait card always. Every network gets its MediaRef and what happened.
 */
import type { Article } from '../domain/article';
import type { Site } from '../domain/channel';
import type { Platform } from '../domain/platform';
import type { MediaRef } from '../platforms/types';
// The image stack (sharp, and satori with resvg for the cards) is loaded when a share
// needs an image, not with the function: import() below, types only here.
import type { CardOptions, CardSize } from './card-image';
import type { ImageFacts, ProcessedImage } from './image';
import type { SafeFetch } from './types';

export type Images = typeof import('./image');

/** What the step needs of the media bucket (shared/store/media-store.ts). */
export interface MediaStorePort {
  putMedia(bytes: Uint8Array, mimeType: string): Promise<{ key: string; url: string }>;
}

/** An article image larger than this is not fetched: no newsroom photo needs more. */
export const IMAGE_MAX_BYTES = 5 * 1024 * 1024;
/** Slow image hosts (and offline machines) cost a compose at most this. */
export const IMAGE_TIMEOUT_MS = 5_000;
const ACCEPT = 'image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1';

export type PlatformMedia = { media: MediaRef[]; warnings: string[] };

export type ShareMediaInput = { article: Article; site: Site; platforms: readonly Platform[] };

export type ShareMediaDeps = {
  safeFetch: SafeFetch;
  store: MediaStorePort;
  now: () => Date;
  /** for the logo path and the date's time zone */
  card?: Pick<CardOptions, 'baseDir' | 'emoji' | 'timeZone'>;
};

/**
 * A fitted image stored, as a share names it: by the object's `s3://` URL, never a
 * presigned one; the networks that download the image themselves get a link made when
 * they are about to (publish-share/media.ts).
 */
export async function storeMedia(
  store: MediaStorePort,
  image: ProcessedImage,
  alt: string | undefined,
): Promise<MediaRef> {
  const stored = await store.putMedia(image.bytes, image.mimeType);
  return {
    url: stored.url,
    mimeType: image.mimeType,
    width: image.width,
    height: image.height,
    bytes: image.bytes.byteLength,
    ...(alt ? { alt } : {}),
  };
}

export type Source =
  | { kind: 'article'; bytes: Buffer; facts: ImageFacts }
  | { kind: 'none'; why: string };

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Fetches and checks the article image, or says in a few words why there is none. */
export async function articleImage(
  article: Article,
  safeFetch: SafeFetch,
  images: Images,
): Promise<Source> {
  if (!article.imageUrl) return { kind: 'none', why: 'the article has no image' };
  let body: Buffer;
  try {
    const response = await safeFetch(article.imageUrl, {
      maxBytes: IMAGE_MAX_BYTES,
      timeoutMs: IMAGE_TIMEOUT_MS,
      accept: ACCEPT,
    });
    if (response.status < 200 || response.status > 299) {
      return { kind: 'none', why: `article image could not be fetched: HTTP ${response.status}` };
    }
    body = response.body;
  } catch (error) {
    return { kind: 'none', why: `article image could not be fetched: ${reasonOf(error)}` };
  }
  const { probeImage, isUsable, MIN_USABLE, ImageRejectedError } = images;
  try {
    const facts = await probeImage(body);
    if (!isUsable(facts)) {
      return {
        kind: 'none',
        why: `article image is too small (${facts.width}x${facts.height}, under ${MIN_USABLE.width}x${MIN_USABLE.height})`,
      };
    }
    return { kind: 'article', bytes: body, facts };
  } catch (error) {
    const why = error instanceof ImageRejectedError ? error.message : reasonOf(error);
    return { kind: 'none', why: `article image is not usable: ${why}` };
  }
}

/** The branded share card of the article, as compose draws it. */
export function drawShareCard(
  article: Article,
  site: Site,
  size: CardSize,
  deps: Pick<ShareMediaDeps, 'now' | 'card'>,
): Promise<Buffer> {
  return import('./card-image').then(({ renderShareCard }) =>
    renderShareCard(
      {
        title: article.title,
        section: article.section,
        siteName: site.name,
        date: article.publishedAt || deps.now().toISOString(),
        language: article.language,
      },
      site.brand,
      size,
      deps.card,
    ).then((c) => c.bytes),
  );
}

/** The share card's alt text: what it shows. */
export const shareCardAlt = (article: Article, site: Site): string =>
  [article.title, article.section, site.name].filter(Boolean).join(' · ');

/**
 * One MediaRef per network (and the warnings that explain it), for the networks asked.
 * A failed fetch or an unusable image never fails the step: the networks get a share
 * card instead. A failure to store does: compose is retried, as for any write.
 */
export async function buildShareMedia(
  input: ShareMediaInput,
  deps: ShareMediaDeps,
): Promise<Partial<Record<Platform, PlatformMedia>>> {
  const { article, site } = input;
  const platforms = [...new Set(input.platforms)];
  const result: Partial<Record<Platform, PlatformMedia>> = {};
  if (!platforms.length) return result;

  const images = await import('./image');
  const { processFor } = images;
  const needsArticleImage = platforms.some((p) => p !== 'instagram');
  const source: Source = needsArticleImage
    ? await articleImage(article, deps.safeFetch, images)
    : { kind: 'none', why: 'Instagram shows the share card' };

  // Each rendered once, on first need; each network's copy is fitted from it.
  const cards = new Map<CardSize, Promise<Buffer>>();
  const card = (size: CardSize) => {
    let rendered = cards.get(size);
    if (!rendered) {
      rendered = drawShareCard(article, site, size, deps);
      cards.set(size, rendered);
    }
    return rendered;
  };
  const cardAlt = shareCardAlt(article, site);

  const store = (image: ProcessedImage, alt: string | undefined) =>
    storeMedia(deps.store, image, alt);

  const fromCard = async (platform: Platform, size: CardSize, warnings: string[]) => {
    let image: ProcessedImage;
    try {
      image = await processFor(platform, await card(size));
    } catch (error) {
      warnings.push(`share card could not be drawn: ${reasonOf(error)}; no image`);
      return { media: [], warnings };
    }
    return { media: [await store(image, cardAlt)], warnings };
  };

  const forPlatform = async (platform: Platform): Promise<PlatformMedia> => {
    const warnings: string[] = [];
    if (platform === 'instagram') return fromCard(platform, 'portrait', warnings);
    if (source.kind === 'none') {
      warnings.push(`${source.why}; a share card is used`);
      return fromCard(platform, 'landscape', warnings);
    }
    let image: ProcessedImage;
    try {
      image = await processFor(platform, source.bytes);
    } catch (error) {
      warnings.push(`article image could not be fitted: ${reasonOf(error)}; a share card is used`);
      return fromCard(platform, 'landscape', warnings);
    }
    return { media: [await store(image, article.imageAlt)], warnings };
  };
  // The networks' copies are made and stored side by side (sharp works off the main
  // thread, the stores wait on S3); every one is settled before a failure is passed on.
  const made = await Promise.allSettled(platforms.map(forPlatform));
  for (const [index, outcome] of made.entries()) {
    if (outcome.status === 'rejected') throw outcome.reason;
    const platform = platforms[index];
    if (platform) result[platform] = outcome.value;
  }
  return result;
}
