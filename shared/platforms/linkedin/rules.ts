/**
 * LinkedIn: a post's `commentary` is "little text" (docs/networks.md, LinkedIn, "Limits"):
 * every reserved character is backslash-escaped, or LinkedIn silently cuts the post at
 * it, and hashtags go as `{hashtag|\#|tag}` templates. The 3,000 limit is counted on the
 * commentary as sent, in UTF-16 code units: LinkedIn does not say whether it counts the
 * escaped or the plain text, and the escaped one is never shorter, so this keeps the margin.
 */

import { findHashtags } from '../compose/hashtags';
import type { Measure, NetworkRules } from '../compose/network';

export const LINKEDIN_MAX_COMMENTARY = 3000;
/** Long enough for any real hashtag; LinkedIn sets no documented limit. */
export const LINKEDIN_MAX_HASHTAG_GRAPHEMES = 100;

// The little-text reserved characters; `\` itself first in meaning, all in one pass.
const RESERVED = /[\\|{}@[\]()<>#*_~]/g;

/** Plain text as little text that shows exactly that text: every reserved character escaped. */
export function escapeLittleText(text: string): string {
  return text.replace(RESERVED, (c) => `\\${c}`);
}

/**
 * A share's plain text as LinkedIn's `commentary`: reserved characters escaped (inside
 * links too: LinkedIn parses the little text first and links what reads as a URL in the
 * result), and each hashtag as a HashtagTemplate so it stays a hashtag.
 */
export function toLittleText(text: string): string {
  let out = '';
  let at = 0;
  for (const { tag, start, end } of findHashtags(text)) {
    out += `${escapeLittleText(text.slice(at, start))}{hashtag|\\#|${escapeLittleText(tag)}}`;
    at = end;
  }
  return out + escapeLittleText(text.slice(at));
}

export function measureLinkedIn(text: string, limit = LINKEDIN_MAX_COMMENTARY): Measure {
  const used = toLittleText(text).length;
  return { used, fits: used <= limit };
}

export const linkedinRules: Omit<NetworkRules, 'finish'> = {
  platform: 'linkedin',
  unit: 'characters',
  limit: () => LINKEDIN_MAX_COMMENTARY,
  measure: measureLinkedIn,
  maxHashtagGraphemes: LINKEDIN_MAX_HASHTAG_GRAPHEMES,
  // A LinkedIn mention is `@[Name](urn:li:person:…)`: it needs the member's URN, which a
  // byline's handle is not, so authors are named instead.
  mention: () => undefined,
};
