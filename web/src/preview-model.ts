/**
 * What each preview draws below a post's text, decided without the DOM: the images (a
 * stored one by its API path, a public one by its address, never a bucket link), the
 * link card as the network draws it, read with the link-card checker's own rules and
 * warnings, and the account's name and handle from its channel.
 */
import type { Platform } from '../../shared/domain/platform';
import { NETWORK_NAMES } from '../../shared/domain/platform';
import { CARD_RULES, CARD_WARNINGS } from '../../shared/preview/card-rules';
import { accountHandle } from './account-handle';
import { hostOf } from './rich-text';
import type { Article, Channel, Share } from './schemas';

/** An image as the previews load it: a stored one by its API path, else a public address. */
export type PreviewImageSource = {
  /** the editor API path of a stored image */
  path?: string;
  /** a public web address (the article's image on its site) */
  url?: string;
  alt: string;
  width?: number;
  height?: number;
};

export type Image = PreviewImageSource;
export type Card = {
  title: string;
  description?: string;
  host: string;
  image?: Image;
  note?: string;
};

/** An http(s) address a browser can load. */
export const isWebUrl = (url: string | null | undefined): url is string =>
  typeof url === 'string' && /^https?:\/\//i.test(url);

/** A link to the media bucket: never shown, the previews load stored images from the API. */
const isBucketLink = (url: string) => url.startsWith('s3://') || url.includes('X-Amz-Signature=');

/** An image by its stored path (the API's image route), else by its public address. */
function imageOf(
  path: string | null | undefined,
  url: string | null | undefined,
  alt: string,
  size: { width?: number | null; height?: number | null } = {},
): Image | undefined {
  const sized = {
    alt,
    ...(size.width ? { width: size.width } : {}),
    ...(size.height ? { height: size.height } : {}),
  };
  if (path) return { path, ...sized };
  if (isWebUrl(url) && !isBucketLink(url)) return { url, ...sized };
  return undefined;
}

/** The image Crier attaches (Instagram, Telegram's photo, X or Threads with media), if any. */
export function attachedImage(share: Share): Image | undefined {
  const media = share.media?.[0];
  if (!media) return undefined;
  return imageOf(share.images?.media[0], media.url, media.alt ?? '', media);
}

/**
 * The link card as the network draws it. Bluesky's and LinkedIn's come from the card
 * Crier sends (its thumbnail a stored image). The others read the page: its image when
 * the checker read the page and found one, none when the page has none (the checker's
 * warning says so), and the article's image, marked unchecked, when the page could not
 * be read.
 */
export function linkCard(share: Share, article: Article): Card {
  const card = share.card;
  const base = {
    title: card?.title ?? article.title,
    description: card?.description ?? article.summary ?? undefined,
    host: hostOf(card?.url ?? (share.url || article.url)),
  };
  const alt = card?.imageAlt ?? article.imageAlt ?? '';
  if (CARD_RULES[share.platform].drawnFrom !== 'page') {
    const image = imageOf(share.images?.card, card?.imageUrl, alt);
    return image ? { ...base, image } : base;
  }
  if (share.warnings.includes(CARD_WARNINGS.pageHasNoImage(share.platform))) return base;
  const image = imageOf(null, card?.imageUrl ?? article.imageUrl, alt);
  const unread = share.warnings.includes(CARD_WARNINGS.pageUnread(share.platform));
  return {
    ...base,
    ...(image ? { image } : {}),
    ...(unread ? { note: 'not checked: the page could not be read' } : {}),
  };
}

/** What a page image's box says when this browser cannot load it. */
export const fromThePage = (platform: Platform, host: string) =>
  `${NETWORK_NAMES[platform]} takes the picture from the page on ${host}; it did not load here`;

/** A display name from a handle: `newsroom.bsky.social` -> `Newsroom`. */
export function displayName(account: string): string {
  const first = account.trim().replace(/^@/, '').split(/[@.]/)[0] ?? account;
  return first.charAt(0).toUpperCase() + first.slice(1);
}

/** The account as the channel names it: its display name, and its handle on the network. */
export function accountOf(
  platform: Platform,
  channel: Pick<Channel, 'name' | 'account'> | undefined,
  fallback: string,
): { name: string; handle: string } {
  const account = channel?.account ?? fallback;
  return {
    name: channel?.name?.trim() || displayName(account),
    handle: accountHandle(platform, account),
  };
}
