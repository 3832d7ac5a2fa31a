/**
 * Bluesky: 300 graphemes and 3,000 UTF-8 bytes, a link counted as the short label the post
 * shows for it (links.ts; docs/networks.md, Bluesky).
 */
import { isLanguageTag } from '../../domain/language';
import { utf8Length } from '../../domain/text';
import { countGraphemesUpTo } from '../compose/count';
import type { Measure, NetworkRules } from '../compose/network';
import { labelLinks } from './links';

export { findLinks } from '../compose/tokens';

export const BLUESKY_MAX_GRAPHEMES = 300;
export const BLUESKY_MAX_BYTES = 3000;
/** The lexicon's limits on a `#tag` facet's tag. */
export const BLUESKY_MAX_TAG_GRAPHEMES = 64;
export const BLUESKY_MAX_TAG_BYTES = 640;

const HANDLE =
  /^@?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?)$/i;

/** The count of a text exactly as it is posted (its links already labels). */
export function measureBlueskyText(text: string, limit = BLUESKY_MAX_GRAPHEMES): Measure {
  const used = countGraphemesUpTo(text, limit);
  return { used, fits: used <= limit && utf8Length(text) <= BLUESKY_MAX_BYTES };
}

/** The count of a text as the composer writes it: each full URL counts as its label. */
export function measureBluesky(text: string, limit = BLUESKY_MAX_GRAPHEMES): Measure {
  return measureBlueskyText(labelLinks(text).text, limit);
}

/** `@handle` for a Bluesky handle (a domain name) given with or without `@`. */
export function blueskyMention(handle: string): string | undefined {
  const name = HANDLE.exec(handle.trim())?.[1];
  return name ? `@${name.toLowerCase()}` : undefined;
}

/**
 * A `langs` entry: the PDS refuses a record whose tags are not well-formed BCP 47 (at most
 * 3 of them; Crier sends one), so a tag that is not one is left out of the post.
 */
export function blueskyLanguage(tag: string | undefined): string | undefined {
  return tag && isLanguageTag(tag) ? tag : undefined;
}

export const blueskyRules: Omit<NetworkRules, 'finish'> = {
  platform: 'bluesky',
  unit: 'graphemes',
  limit: () => BLUESKY_MAX_GRAPHEMES,
  measure: measureBluesky,
  maxHashtagGraphemes: BLUESKY_MAX_TAG_GRAPHEMES,
  mention: blueskyMention,
  language: blueskyLanguage,
};
