/**
 * A share's images at publish: each stored one checked to be still in the media bucket
 * (made again, or left out with a warning, where the bucket's lifecycle deleted it), and
 * a presigned link made for the networks that download the image themselves, right
 * before the call that makes them fetch it.
 */
import type { Article } from '../../domain/article';
import type { Platform } from '../../domain/platform';
import type { MediaKeeper } from '../../domain/ports';
import type { Share } from '../../domain/share';
import type { MediaRef } from '../../platforms/types';
import { BUCKET } from '../../resources';

/**
 * The networks that download the image from a URL themselves (docs/networks.md): the
 * container's `image_url` on Meta's networks, `sendPhoto`'s URL on Telegram. The others
 * get the bytes from the bucket through their client.
 */
export const FETCHED_BY_URL: readonly Platform[] = ['threads', 'instagram', 'facebook', 'telegram'];

/** What the check changed in the share: written with the claim. */
export type MediaPatch = Pick<Share, 'media' | 'card' | 'warnings'>;

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The stored images the share names: its media and its card's thumbnail. */
function storedUrls(keeper: MediaKeeper, share: Share): string[] {
  const urls = [...(share.media ?? []).map((m) => m.url), share.card?.imageUrl];
  return urls.filter((url): url is string => url !== undefined && keeper.isStored(url));
}

/** Whether the object is there; a bucket that cannot answer now counts as having it. */
async function stillThere(keeper: MediaKeeper, url: string): Promise<boolean> {
  return keeper.exists(url).catch(() => true);
}

/**
 * The share's images as they must go out: undefined when every stored one is still in
 * the bucket (or there is none), else a patch with the images made again from the
 * article, or, where that fails, the missing ones left out and a warning saying so.
 * The bucket deletes an object BUCKET.expireDays after it was last written, and a share
 * may fall due later than that (an evergreen round, a far embargo, a slot months out).
 */
export async function keepMedia(
  keeper: MediaKeeper,
  share: Share,
  article: Article,
): Promise<MediaPatch | undefined> {
  const urls = storedUrls(keeper, share);
  const missing = new Set<string>();
  for (const url of new Set(urls)) {
    if (!(await stillThere(keeper, url))) missing.add(url);
  }
  if (missing.size === 0) return undefined;

  let failure: string;
  try {
    // An editor's chosen image is not the article's: made again from the article, the
    // share would go out with another picture than the one chosen.
    if (share.edited?.image) throw new Error(`the editor chose it (${share.edited.image.source})`);
    const remade = await keeper.remake(share, article);
    const first = remade.media[0];
    if (first) return withRemade(share, missing, remade.media, first, remade.warnings);
    failure = remade.warnings.join('; ') || 'nothing was made';
  } catch (error) {
    failure = reasonOf(error);
  }
  const outcome =
    share.platform === 'instagram'
      ? 'Instagram takes no post without one, so it is refused'
      : 'the share goes out without it';
  const warning =
    `The image stored for this share was no longer in the media bucket (it keeps images ` +
    `${BUCKET.expireDays} days) and could not be made again (${failure}): ${outcome}.`;
  return withoutMissing(share, missing, warning);
}

/** The missing images replaced by the ones made again (the card's thumbnail by the first). */
function withRemade(
  share: Share,
  missing: Set<string>,
  media: MediaRef[],
  first: MediaRef,
  warnings: string[],
): MediaPatch {
  const mediaGone = share.media?.some((m) => missing.has(m.url));
  const card =
    share.card?.imageUrl && missing.has(share.card.imageUrl)
      ? { ...share.card, imageUrl: first.url, imageAlt: first.alt ?? share.card.imageAlt }
      : share.card;
  return {
    media: mediaGone ? media : share.media,
    card,
    warnings: mergeWarnings(share.warnings, warnings),
  };
}

/** The missing images left out, and the warning that says so. */
function withoutMissing(share: Share, missing: Set<string>, warning: string): MediaPatch {
  const media = share.media?.filter((m) => !missing.has(m.url));
  let card = share.card;
  if (card?.imageUrl && missing.has(card.imageUrl)) {
    const { imageUrl: _url, imageAlt: _alt, ...rest } = card;
    card = rest;
  }
  return {
    media: media?.length ? media : undefined,
    card,
    warnings: mergeWarnings(share.warnings, [warning]),
  };
}

function mergeWarnings(kept: string[] | undefined, added: string[]): string[] | undefined {
  const all = [...new Set([...(kept ?? []), ...added])];
  return all.length ? all : undefined;
}

/**
 * The share as the network gets it: on a network that downloads the image, each stored
 * image's URL replaced by a presigned link signed now and valid a short while. Nothing
 * here is written to the table: a link is made for each call and never kept, since one
 * signed with a Lambda role's temporary credentials dies with them within hours.
 */
export async function linkMedia(
  keeper: MediaKeeper | undefined,
  share: Share,
  now: Date,
): Promise<Share> {
  if (!keeper || !FETCHED_BY_URL.includes(share.platform) || !share.media?.length) return share;
  const media = await Promise.all(
    share.media.map(async (ref) =>
      keeper.isStored(ref.url) ? { ...ref, url: await keeper.link(ref.url, now) } : ref,
    ),
  );
  return { ...share, media };
}
