/**
 * Each network's alt-text limit and how it counts, apart from the image choice's schema:
 * the editor UI counts with this very code, without the API's schema library.
 */
import { ValidationError } from './errors';
import { NETWORK_NAMES, type Platform } from './platform';
import { graphemeLength } from './text';

export type AltTextRule = {
  limit: number;
  unit: 'graphemes' | 'characters';
  /** false where the way Crier posts on the network carries no alt text: it is kept, not sent */
  sent: boolean;
  /** why it is not sent, for the editor */
  note?: string;
};

/**
 * Each network's alt-text limit (docs/networks.md): X 1,000 characters, Bluesky 2,000
 * graphemes, Mastodon 1,500 characters (the instance's default), Threads 1,000
 * characters. Instagram's `alt_text` has no documented limit: Threads' 1,000 (the same
 * Graph API family) is kept. LinkedIn's article card, Facebook's link post and Telegram's
 * photo take no alt text: the editor's is kept on the share and counted against a
 * generous 1,000, but not sent.
 */
export const ALT_TEXT_RULES: Record<Platform, AltTextRule> = {
  x: { limit: 1_000, unit: 'characters', sent: true },
  bluesky: {
    limit: 2_000,
    unit: 'graphemes',
    sent: false,
    note: 'Bluesky shows the image as the link card’s thumbnail, which takes no alt text',
  },
  mastodon: { limit: 1_500, unit: 'characters', sent: true },
  threads: { limit: 1_000, unit: 'characters', sent: true },
  linkedin: {
    limit: 1_000,
    unit: 'characters',
    sent: false,
    note: 'LinkedIn’s article card thumbnail takes no alt text',
  },
  facebook: {
    limit: 1_000,
    unit: 'characters',
    sent: false,
    note: 'Facebook’s link post shows the card it reads from the page, and takes no alt text',
  },
  instagram: { limit: 1_000, unit: 'characters', sent: true },
  telegram: {
    limit: 1_000,
    unit: 'characters',
    sent: false,
    note: 'Telegram photos take no alt text',
  },
};

/** The alt text's length as the network counts it. */
export function altTextLength(platform: Platform, alt: string): number {
  return ALT_TEXT_RULES[platform].unit === 'graphemes' ? graphemeLength(alt) : [...alt].length;
}

/** The alt text, trimmed, or a ValidationError naming `imageAlt` with the count. */
export function checkImageAlt(platform: Platform, alt: string): string {
  const trimmed = alt.trim();
  const rule = ALT_TEXT_RULES[platform];
  const used = altTextLength(platform, trimmed);
  if (used > rule.limit) {
    const message = `is ${used} ${rule.unit}, over ${NETWORK_NAMES[platform]}'s limit of ${rule.limit}`;
    throw new ValidationError(`Invalid imageAlt: ${message}`, [{ field: 'imageAlt', message }]);
  }
  return trimmed;
}
