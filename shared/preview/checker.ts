/**
 * The link-card checker: what may make a post's card look wrong on its network (no
 * picture, a picture too small, a title cut short, tags the network reads two ways, a
 * canonical URL other than the one posted), as warnings for an editor. It blocks nothing.
 */
import { NETWORK_NAMES, type Platform } from '../domain/platform';
import { graphemeLength } from '../domain/text';
import type { LinkCard, MediaRef } from '../platforms/types';
import { CARD_RULES, CARD_WARNINGS, postShape, type Size, X_SUMMARY_MIN_IMAGE } from './card-rules';
import { sameUrl } from './extract';

export {
  CARD_RULES,
  CARD_WARNINGS,
  type CardRule,
  postShape,
  X_SUMMARY_MIN_IMAGE,
} from './card-rules';

import type { PageCard } from './types';

/** The parts of a composed post the checker reads (a ComposedPost has them all). */
export type CheckedPost = {
  platform: Platform;
  text: string;
  url: string;
  card?: LinkCard;
  media?: MediaRef[];
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
  if (postShape(post.platform, post) === 'media')
    return [CARD_WARNINGS.mediaInsteadOfCard(post.platform)];

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
