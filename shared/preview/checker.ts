/**
 * The link-card checker: what may make a post's card look wrong on its network (no
 * picture, a picture too small, a title cut short, tags the network reads two ways, a
 * canonical URL other than the one posted), as warnings for an editor. It blocks nothing.
 */
import { NETWORK_NAMES, type Platform } from '../domain/platform';
import { graphemeLength } from '../domain/text';
import { fitsCaption } from '../platforms/telegram/rules';
import type { LinkCard, MediaRef } from '../platforms/types';
import { sameUrl } from './extract';
import type { PageCard } from './types';

type Size = { width: number; height: number };

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

/** The parts of a composed post the checker reads (a ComposedPost has them all). */
export type CheckedPost = {
  platform: Platform;
  text: string;
  url: string;
  card?: LinkCard;
  media?: MediaRef[];
};

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

/** What is known of the card's image: from a processed copy in the media, else from the page's tags. */
function imageFacts(
  imageUrl: string,
  card: PageCard | undefined,
  media: MediaRef[] | undefined,
): { size?: Size; bytes?: number } {
  const copy = media?.find((m) => m.url === imageUrl);
  const width = copy?.width ?? (card?.image === imageUrl ? card.imageWidth : undefined);
  const height = copy?.height ?? (card?.image === imageUrl ? card.imageHeight : undefined);
  return {
    ...(width && height ? { size: { width, height } } : {}),
    ...(copy?.bytes ? { bytes: copy.bytes } : {}),
  };
}

const smaller = (size: Size, min: Size) => size.width < min.width || size.height < min.height;
const show = (size: Size) => `${size.width} x ${size.height}`;

/** The page's own warnings a network that reads the page's tags would trip over. */
const TAG_WARNING = /^og:(title|image|url) appears/;

/**
 * Warnings for one post's link card on its network. `card` is the page's card, or
 * undefined when the page could not be fetched (the post then uses the payload's data).
 */
export function checkCard(card: PageCard | undefined, post: CheckedPost): string[] {
  const rule = CARD_RULES[post.platform];
  const network = NETWORK_NAMES[post.platform];
  const warnings: string[] = [];

  if (rule.drawnFrom === 'none') {
    if (!post.media?.length && !card?.image) {
      warnings.push(`${network} needs an image and neither the post nor the page has one`);
    }
    return warnings;
  }

  // A post that goes with its own image shows no link card: nothing of the card matters.
  if (postShape(post.platform, post) === 'media') return [CARD_WARNINGS.mediaInsteadOfCard(post.platform)];

  if (!card) {
    warnings.push(
      rule.drawnFrom === 'page'
        ? CARD_WARNINGS.pageUnread(post.platform)
        : `no page card: the page could not be read; the card uses the article's payload`,
    );
  }

  // What the network will show: the page's tags, or the card Crier sends.
  const fromPage = rule.drawnFrom === 'page';
  const title = fromPage ? card?.title : (post.card?.title ?? card?.title);
  const description = fromPage ? card?.description : (post.card?.description ?? card?.description);
  const image = fromPage ? card?.image : (post.card?.imageUrl ?? card?.image);

  // A network that reads the page: only a page that was read says what it lacks.
  if (fromPage ? card : card || post.card) {
    if (!image) {
      warnings.push(
        fromPage
          ? CARD_WARNINGS.pageHasNoImage(post.platform)
          : CARD_WARNINGS.cardHasNoImage(post.platform),
      );
    }
    if (!title) warnings.push(`the card has no title: ${network} shows the bare link`);
  }

  if (image) {
    const { size, bytes } = imageFacts(image, card, post.media);
    const min =
      post.platform === 'x' && card?.twitterCard === 'summary'
        ? X_SUMMARY_MIN_IMAGE
        : rule.minImage;
    if (size && min && smaller(size, min)) {
      warnings.push(
        `the card image is ${show(size)}, under ${network}'s minimum of ${show(min)}: it may be shown small or not at all`,
      );
    } else if (size && rule.recommendedImage && smaller(size, rule.recommendedImage)) {
      warnings.push(
        `the card image is ${show(size)}; ${network} asks for ${show(rule.recommendedImage)} to show it at full width`,
      );
    }
    if (bytes !== undefined && rule.maxImageBytes !== undefined && bytes > rule.maxImageBytes) {
      warnings.push(
        `the card image is ${bytes.toLocaleString('en')} bytes, over ${network}'s ${rule.maxImageBytes.toLocaleString('en')}: it must be resized or the card goes without it`,
      );
    }
  }

  if (title && rule.titleChars && graphemeLength(title) > rule.titleChars) {
    warnings.push(
      `the card title is ${graphemeLength(title)} characters; ${network} shows about ${rule.titleChars}`,
    );
  }
  if (description && rule.descriptionChars && graphemeLength(description) > rule.descriptionChars) {
    warnings.push(
      `the card description is ${graphemeLength(description)} characters; ${network} shows about ${rule.descriptionChars}`,
    );
  }

  if (card && fromPage) {
    for (const warning of card.warnings) {
      if (TAG_WARNING.test(warning)) warnings.push(warning);
    }
  }

  if (card?.canonicalUrl && !sameUrl(card.canonicalUrl, post.url)) {
    warnings.push(
      `the page's canonical URL ${card.canonicalUrl} differs from the posted URL ${post.url} (UTM parameters aside)` +
        (fromPage ? `: ${network} may show and count the canonical one` : ''),
    );
  }

  return warnings;
}
