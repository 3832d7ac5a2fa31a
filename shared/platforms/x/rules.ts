/** X: 280 weighted characters, as twitter-text counts them (docs/networks.md, X, "Limits"). */
import twitterText from 'twitter-text';
import type { Measure, NetworkRules } from '../compose/network';

export const X_MAX_WEIGHTED_LENGTH = 280;
/** Long enough for any real hashtag; X sets no documented limit. */
export const X_MAX_HASHTAG_GRAPHEMES = 100;
/** `POST /2/media/metadata` takes alt text of up to 1,000 characters. */
export const X_MAX_ALT_CHARACTERS = 1000;

const USERNAME = /^@?([A-Za-z0-9_]{1,15})$/;

/** twitter-text's verdict: URLs weigh 23, CJK and emoji 2; invalid characters fail. */
export function measureX(text: string, limit = X_MAX_WEIGHTED_LENGTH): Measure {
  const parsed = twitterText.parseTweet(text.normalize('NFC'));
  return { used: parsed.weightedLength, fits: parsed.valid && parsed.weightedLength <= limit };
}

/** `@name` for an X username given with or without `@`. */
export function xMention(handle: string): string | undefined {
  const name = USERNAME.exec(handle.trim())?.[1];
  return name ? `@${name}` : undefined;
}

export const xRules: NetworkRules = {
  platform: 'x',
  unit: 'weighted',
  limit: () => X_MAX_WEIGHTED_LENGTH,
  measure: measureX,
  maxHashtagGraphemes: X_MAX_HASHTAG_GRAPHEMES,
  maxAltCharacters: X_MAX_ALT_CHARACTERS,
  mention: xMention,
};
