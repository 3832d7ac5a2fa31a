/**
 * Instagram: a caption of at most 2,200 characters, 30 hashtags and 20 @-tags
 * (docs/networks.md, Instagram, "Limits"). How Instagram counts a character is unconfirmed:
 * UTF-16 code units are never fewer than code points or graphemes, so counting them
 * can only trim a caption early, never get it refused.
 */
import type { Measure, NetworkRules } from '../compose/network';
import { metaMention } from '../meta/compose';

export const INSTAGRAM_MAX_CAPTION = 2200;
export const INSTAGRAM_MAX_HASHTAGS = 30;
export const INSTAGRAM_MAX_MENTIONS = 20;
/** Long enough for any real hashtag; Instagram documents no limit. */
export const INSTAGRAM_MAX_HASHTAG_GRAPHEMES = 100;

// Every `#word` and `@name`, wherever it stands: counting one too many is the safe side.
const HASHTAG = /[#＃][\p{L}\p{M}\p{Nd}_]+/gu;
const MENTION = /@[A-Za-z0-9._]+/g;

export function instagramHashtagCount(text: string): number {
  return text.match(HASHTAG)?.length ?? 0;
}

export function instagramMentionCount(text: string): number {
  return text.match(MENTION)?.length ?? 0;
}

export function measureInstagram(text: string, limit = INSTAGRAM_MAX_CAPTION): Measure {
  const used = text.length;
  return {
    used,
    fits:
      used <= limit &&
      instagramHashtagCount(text) <= INSTAGRAM_MAX_HASHTAGS &&
      instagramMentionCount(text) <= INSTAGRAM_MAX_MENTIONS,
  };
}

export const instagramRules: Omit<NetworkRules, 'finish'> = {
  platform: 'instagram',
  unit: 'characters',
  limit: () => INSTAGRAM_MAX_CAPTION,
  measure: measureInstagram,
  maxHashtagGraphemes: INSTAGRAM_MAX_HASHTAG_GRAPHEMES,
  maxHashtags: INSTAGRAM_MAX_HASHTAGS,
  mention: metaMention,
};
