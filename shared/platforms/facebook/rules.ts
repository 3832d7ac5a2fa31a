/**
 * Facebook Page: a link post's `message`. Its limit, 63,206 characters, is widely cited
 * but not confirmed in Meta's docs (docs/networks.md, Facebook Page, "Limits"); the unit is
 * not stated either, so it is counted in UTF-16 code units, the largest of the usual
 * "characters" (never fewer than code points or graphemes).
 */
import type { Measure, NetworkRules } from '../compose/network';

/** Unconfirmed (see above): a constant here so that one change corrects every channel. */
export const FACEBOOK_MAX_MESSAGE = 63_206;
/** Long enough for any real hashtag; Facebook sets no documented limit. */
export const FACEBOOK_MAX_HASHTAG_GRAPHEMES = 100;

export function measureFacebook(text: string, limit = FACEBOOK_MAX_MESSAGE): Measure {
  return { used: text.length, fits: text.length <= limit };
}

export const facebookRules: Omit<NetworkRules, 'finish'> = {
  platform: 'facebook',
  unit: 'characters',
  limit: () => FACEBOOK_MAX_MESSAGE,
  measure: measureFacebook,
  maxHashtagGraphemes: FACEBOOK_MAX_HASHTAG_GRAPHEMES,
  // A Page post tags a Page or person by its id (`@[id]`), never by a handle: names instead.
  mention: () => undefined,
};
