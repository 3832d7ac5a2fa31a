/**
 * A PATCH's image and alt text for one share: the choice checked against the network,
 * the alt text against its limit, the image made (shared/preview/chosen-image.ts) and
 * turned into the share's fields: its `media`, or on the networks whose link card Crier
 * sends itself (Bluesky, LinkedIn) its card's thumbnail.
 */
import { siteOf } from '../domain/article';
import { type Site, siteSchema } from '../domain/channel';
import { ConflictError } from '../domain/errors';
import type { ArticleRecord } from '../domain/ports';
import type { Share } from '../domain/share';
import type { ImageEdit } from '../domain/share-edit';
import {
  checkImageAlt,
  checkImageChoice,
  describeImageChoice,
  type ImageChoice,
} from '../domain/share-image';
import type { MediaRef } from '../platforms/types';
import { CARD_THUMBNAIL } from '../preview/card-rules';
import type { ChosenImageInput } from '../preview/chosen-image';
import type { PlatformMedia } from '../preview/media';

export type ImageInput = { image?: ImageChoice; imageAlt?: string | null };

export type ShareImageDeps = {
  /** makes the chosen image for the network (absent: image choices are refused) */
  chooseImage?: (input: ChosenImageInput) => Promise<PlatformMedia>;
  /** the article's site: its name and brand draw the share card */
  siteOf: (siteId: string) => Site | undefined;
};

type ImageFields = Pick<Share, 'media' | 'card' | 'warnings'>;

/**
 * Compose's words about the image it made (the article's image unusable, a card used
 * instead, Instagram having none): they speak of a picture the editor has replaced.
 */
const IMAGE_WARNINGS = [
  /; a share card is used$/,
  /^share card could not be drawn/,
  /^Instagram posts need an image/,
];

/** The share's warnings without compose's words about its image, once an editor chose one. */
function withoutImageWarnings(warnings: string[] | undefined): string[] | undefined {
  const kept = warnings?.filter((w) => !IMAGE_WARNINGS.some((pattern) => pattern.test(w)));
  return kept?.length ? kept : undefined;
}

function withAlt(ref: MediaRef, alt: string | undefined): MediaRef {
  const { alt: _, ...rest } = ref;
  return alt ? { ...rest, alt } : rest;
}

/** The share's image fields carrying `ref` (or no image), and its alt text. */
export function imageFields(share: Share, ref: MediaRef | undefined): ImageFields {
  const warnings = withoutImageWarnings(share.warnings);
  if (!CARD_THUMBNAIL.includes(share.platform)) {
    return { media: ref ? [ref] : undefined, card: share.card, warnings };
  }
  if (!share.card) return { media: share.media, card: share.card, warnings };
  const { imageUrl: _url, imageAlt: _alt, ...bare } = share.card;
  return {
    media: share.media,
    card: ref ? { ...bare, imageUrl: ref.url, ...(ref.alt ? { imageAlt: ref.alt } : {}) } : bare,
    warnings,
  };
}

/** The share's current image, whichever field holds it. */
export function currentImage(share: Share): MediaRef | undefined {
  if (!CARD_THUMBNAIL.includes(share.platform)) return share.media?.[0];
  const card = share.card;
  return card?.imageUrl
    ? { url: card.imageUrl, ...(card.imageAlt ? { alt: card.imageAlt } : {}) }
    : undefined;
}

/**
 * What the PATCH does to the share's image, checked before anything is made: the choice
 * (Instagram refuses `none`) and the alt text (over the network's limit: 400 naming
 * `imageAlt` with the count). A new choice, or the alt text dropped, makes the image
 * again; a new alt text alone is set on the image the share has.
 */
export async function imageEdit(
  deps: ShareImageDeps,
  share: Share,
  record: ArticleRecord,
  input: ImageInput,
): Promise<ImageEdit | undefined> {
  if (input.image === undefined && input.imageAlt === undefined) return undefined;
  const choice = input.image && checkImageChoice(share.platform, input.image);
  const typed =
    typeof input.imageAlt === 'string' ? checkImageAlt(share.platform, input.imageAlt) : undefined;
  // An empty alt text is no alt text of the editor's: the image's own comes back.
  const alt: string | null | undefined =
    input.imageAlt === undefined ? undefined : typed ? typed : null;
  const keptAlt = alt === undefined ? share.edited?.imageAlt : (alt ?? undefined);
  const reasons: string[] = [];
  let ref: MediaRef | undefined;
  if (choice || alt === null) {
    if (!deps.chooseImage) throw new ConflictError('Images cannot be chosen here');
    const siteId = siteOf(record.article);
    const site = deps.siteOf(siteId) ?? siteSchema.parse({ name: siteId });
    const made = await deps.chooseImage({
      choice: choice ?? share.edited?.image,
      article: record.article,
      site,
      siteId,
      platform: share.platform,
    });
    ref = made.media[0];
    if (choice) reasons.push(`image: ${describeImageChoice(choice)}`);
  } else {
    ref = currentImage(share);
  }
  if (ref) ref = keptAlt !== undefined ? withAlt(ref, keptAlt) : ref;
  if (alt !== undefined) reasons.push(alt ? 'alt text edited' : 'alt text back to the image’s own');
  const fields = imageFields(share, ref);
  // An alt text alone changes no picture: compose's words about it still hold.
  if (!choice && alt !== null) fields.warnings = share.warnings;
  return {
    fields,
    ...(choice ? { choice } : {}),
    ...(alt !== undefined ? { alt } : {}),
    reason: reasons.join('; '),
  };
}
