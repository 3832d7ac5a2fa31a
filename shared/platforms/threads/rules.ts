/**
 * Threads: 500 characters, where "emojis are counted as the number of UTF-8 bytes"
 * (docs/networks.md, Threads, "Limits"; the exact algorithm is unconfirmed): every grapheme
 * counts 1, an emoji grapheme its UTF-8 byte length. At most 5 distinct links.
 */
import twitterText from 'twitter-text';
import { utf8Length } from '../../domain/text';
import type { Measure, NetworkRules } from '../compose/network';
import { metaMention } from '../meta/compose';

export const THREADS_MAX_CHARACTERS = 500;
/** More distinct links (text links plus link_attachment) fail with THREADS_API__LINK_LIMIT_EXCEEDED. */
export const THREADS_MAX_LINKS = 5;
/** A Threads tag ("topic tag") is 1-50 characters, without `.` or `&`. */
export const THREADS_MAX_TAG_GRAPHEMES = 50;
/** A post carries one tag: the first valid hashtag; more would stay plain text. */
export const THREADS_MAX_TAGS = 1;
/** `alt_text` on an image post. */
export const THREADS_MAX_ALT_TEXT = 1000;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
// Wider than what a person calls an emoji (text-style © or ™ count too): an over-count
// only trims a post early, an under-count gets it refused.
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u;

/** The text's length as Threads counts it, or more than `max` as soon as it is over. */
export function threadsLength(text: string, max = THREADS_MAX_CHARACTERS): number {
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    used += EMOJI.test(segment) ? utf8Length(segment) : 1;
    if (used > max) break;
  }
  return used;
}

/** The distinct links in `text`, bare domains included (Threads links those too). */
export function threadsLinks(text: string): string[] {
  return [...new Set(twitterText.extractUrls(text).map((url) => url.toLowerCase()))];
}

export function measureThreads(text: string, limit = THREADS_MAX_CHARACTERS): Measure {
  const used = threadsLength(text, limit);
  return { used, fits: used <= limit && threadsLinks(text).length <= THREADS_MAX_LINKS };
}

export const threadsRules: Omit<NetworkRules, 'finish'> = {
  platform: 'threads',
  unit: 'characters',
  limit: () => THREADS_MAX_CHARACTERS,
  measure: measureThreads,
  maxHashtagGraphemes: THREADS_MAX_TAG_GRAPHEMES,
  maxHashtags: THREADS_MAX_TAGS,
  maxAltCharacters: THREADS_MAX_ALT_TEXT,
  mention: metaMention,
};
