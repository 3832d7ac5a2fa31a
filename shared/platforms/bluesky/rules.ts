/** Bluesky: 300 graphemes and 3,000 UTF-8 bytes, links counted in full (NETWORKS.md, Bluesky). */
import { utf8Length } from '../../domain/text';
import { countGraphemesUpTo } from '../compose/count';
import type { Measure, NetworkRules } from '../compose/network';

export const BLUESKY_MAX_GRAPHEMES = 300;
export const BLUESKY_MAX_BYTES = 3000;
/** The lexicon's limits on a `#tag` facet's tag. */
export const BLUESKY_MAX_TAG_GRAPHEMES = 64;
export const BLUESKY_MAX_TAG_BYTES = 640;

const HANDLE =
  /^@?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?)$/i;

// An http(s) URL not glued to a preceding word; trailing punctuation is the sentence's.
const LINK = /(?<![\p{L}\p{M}\p{N}_@#$/:.-])https?:\/\/\S+/giu;
const TRAILING_PUNCTUATION = /[.,;:!?…'"’”»]$/u;

export type Link = { uri: string; start: number; end: number };

export function measureBluesky(text: string, limit = BLUESKY_MAX_GRAPHEMES): Measure {
  const used = countGraphemesUpTo(text, limit);
  return { used, fits: used <= limit && utf8Length(text) <= BLUESKY_MAX_BYTES };
}

/** `@handle` for a Bluesky handle (a domain name) given with or without `@`. */
export function blueskyMention(handle: string): string | undefined {
  const name = HANDLE.exec(handle.trim())?.[1];
  return name ? `@${name.toLowerCase()}` : undefined;
}

/** The links in `text`, UTF-16 offsets, as a Bluesky client would link them. */
export function findLinks(text: string): Link[] {
  return Array.from(text.matchAll(LINK), (match) => {
    const uri = withoutTrailingPunctuation(match[0]);
    return { uri, start: match.index, end: match.index + uri.length };
  });
}

const count = (text: string, char: string) => text.split(char).length - 1;

function withoutTrailingPunctuation(url: string): string {
  let uri = url;
  for (;;) {
    if (TRAILING_PUNCTUATION.test(uri)) uri = uri.slice(0, -1);
    else if (uri.endsWith(')') && count(uri, ')') > count(uri, '(')) uri = uri.slice(0, -1);
    else return uri;
  }
}

export const blueskyRules: Omit<NetworkRules, 'finish'> = {
  platform: 'bluesky',
  unit: 'graphemes',
  limit: () => BLUESKY_MAX_GRAPHEMES,
  measure: measureBluesky,
  maxHashtagGraphemes: BLUESKY_MAX_TAG_GRAPHEMES,
  mention: blueskyMention,
};
