/**
 * Who draws each network's link card and what it needs, what the network shows below a
 * post's text, and the warnings that say so: shared by the link-card checker and the
 * editor UI's previews, so a warning and the preview drawn beside it agree.
 */
import { NETWORK_NAMES, type Platform } from '../domain/platform';
import { fitsCaption } from '../platforms/telegram/rules';

export type Size = { width: number; height: number };

export type CardRule = {
  /**
   * Who draws the card: the network, from the page's own tags (`page`); Crier, from the
   * post's card (`post`: LinkedIn does not fetch the page, Bluesky's card is built by the
   * client); or nobody (`none`: Instagram shows no link card).
   */
  drawnFrom: 'page' | 'post' | 'none';
  /** characters of title the card shows before it cuts */
  titleChars?: number;
  /** characters of description the card shows before it cuts */
  descriptionChars?: number;
  /** below this the network drops the image or shows a small one */
  minImage?: Size;
  /** what the network asks for to show the card at full width */
  recommendedImage?: Size;
  /** the largest thumbnail the network takes, in bytes */
  maxImageBytes?: number;
};

/** X's Cards markup reference: title max 70, description max 200, images under 5 MB. */
const X_RULE: CardRule = {
  drawnFrom: 'page',
  titleChars: 70,
  descriptionChars: 200,
  // summary_large_image; a `summary` card's own minimum is in X_SUMMARY_MIN_IMAGE
  minImage: { width: 300, height: 157 },
  maxImageBytes: 5 * 1024 * 1024,
};
/** X's minimum for the small `summary` card's square image. */
export const X_SUMMARY_MIN_IMAGE: Size = { width: 144, height: 144 };

export const CARD_RULES: Record<Platform, CardRule> = {
  x: X_RULE,
  // The client uploads the thumbnail; the lexicon refuses a thumb over 1,000,000 bytes.
  bluesky: { drawnFrom: 'post', maxImageBytes: 1_000_000 },
  // The server crawls the page after posting; no documented limits.
  mastodon: { drawnFrom: 'page' },
  // The link attachment is crawled from the page; no documented limits.
  threads: { drawnFrom: 'page' },
  // Crier sends title, description and thumbnail; titles past about 150 characters are cut
  // in the feed, and thumbnails below 1200 x 627 are shown small.
  linkedin: { drawnFrom: 'post', titleChars: 150, minImage: { width: 1200, height: 627 } },
  // Facebook scrapes og: tags; about 88 characters of title show on a link post; 200 x 200
  // is the smallest image it uses, 1200 x 630 what it asks for.
  facebook: {
    drawnFrom: 'page',
    titleChars: 88,
    minImage: { width: 200, height: 200 },
    recommendedImage: { width: 1200, height: 630 },
  },
  instagram: { drawnFrom: 'none' },
  // The link preview is built from the page's og: tags.
  telegram: { drawnFrom: 'page' },
};

/**
 * The networks whose link card Crier builds and sends itself (`drawnFrom: 'post'`): a
 * share's image there is the card's thumbnail, not an attached image.
 */
export const CARD_THUMBNAIL: readonly Platform[] = (Object.keys(CARD_RULES) as Platform[]).filter(
  (platform) => CARD_RULES[platform].drawnFrom === 'post',
);

/**
 * What the network shows below the text: the post's own image (`media`: Instagram always;
 * X and Threads when the post carries one; Telegram when it goes as a photo, its caption
 * fitting), else the link card. The editor UI's previews draw the same.
 */
export function postShape(
  platform: Platform,
  post: { text: string; media?: readonly unknown[] | null },
): 'media' | 'card' {
  if (platform === 'instagram') return 'media';
  const hasMedia = (post.media?.length ?? 0) > 0;
  if (!hasMedia) return 'card';
  if (platform === 'x' || platform === 'threads') return 'media';
  if (platform === 'telegram' && fitsCaption(post.text)) return 'media';
  return 'card';
}

/** The warnings a preview reads to draw the card as the network will (see the previews). */
export const CARD_WARNINGS = {
  /** the page could not be read: the network draws the card from it, unchecked */
  pageUnread: (platform: Platform) =>
    `no page card: the page could not be read, so nothing here was checked; ${NETWORK_NAMES[platform]} draws the card from the page itself`,
  /** the page was read and names no image (og:image, twitter:image, JSON-LD or any in the page) */
  pageHasNoImage: (platform: Platform) =>
    `the page has no image (no og:image, twitter:image or other): ${NETWORK_NAMES[platform]} shows the link without a picture`,
  cardHasNoImage: (platform: Platform) =>
    `the card has no image: ${NETWORK_NAMES[platform]} shows the link without a picture`,
  /** the post carries its own image, which the network shows in place of the link card */
  mediaInsteadOfCard: (platform: Platform) =>
    platform === 'x'
      ? 'the post carries images, so X shows them instead of the link card'
      : `the post carries an image, so ${NETWORK_NAMES[platform]} shows it instead of the link card`,
};
