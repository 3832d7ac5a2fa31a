/**
 * The live count beside the editor's text box: each network's own counter from
 * shared/platforms, the very code the composer and the API use, run on the text the
 * server will keep (trimmed, in NFC, a Bluesky URL as its label), so the browser and
 * the server never disagree on the count or on whether a post fits.
 */
import type { Platform } from '../../shared/domain/platform';
import { utf8Length } from '../../shared/domain/text';
import {
  BLUESKY_MAX_BYTES,
  BLUESKY_MAX_GRAPHEMES,
  blueskyRules,
  measureBlueskyText,
} from '../../shared/platforms/bluesky/rules';
import type { Measure } from '../../shared/platforms/compose/network';
import { FACEBOOK_MAX_MESSAGE, facebookRules } from '../../shared/platforms/facebook/rules';
import {
  INSTAGRAM_MAX_CAPTION,
  INSTAGRAM_MAX_HASHTAGS,
  INSTAGRAM_MAX_MENTIONS,
  instagramHashtagCount,
  instagramMentionCount,
  instagramRules,
} from '../../shared/platforms/instagram/rules';
import { keptText } from '../../shared/platforms/kept-text';
import { LINKEDIN_MAX_COMMENTARY, linkedinRules } from '../../shared/platforms/linkedin/rules';
import {
  MASTODON_DEFAULT_MAX_CHARACTERS,
  mastodonRules,
} from '../../shared/platforms/mastodon/rules';
import { TELEGRAM_MAX_MESSAGE_LENGTH, telegramRules } from '../../shared/platforms/telegram/rules';
import {
  THREADS_MAX_CHARACTERS,
  THREADS_MAX_LINKS,
  threadsLinks,
  threadsRules,
} from '../../shared/platforms/threads/rules';
import type { ComposedPost } from '../../shared/platforms/types';
import { X_MAX_WEIGHTED_LENGTH, xRules } from '../../shared/platforms/x/rules';

type Unit = ComposedPost['length']['unit'];

type Counter = {
  unit: Unit;
  measure: (text: string, limit: number) => Measure;
  /** the limit when the share does not carry one (Mastodon's is per instance) */
  defaultLimit: number;
  /** why a text within the count still does not fit, if the network has other rules */
  otherProblem?: (text: string) => string | undefined;
};

const COUNTERS: Record<Platform, Counter> = {
  x: {
    unit: xRules.unit,
    measure: xRules.measure,
    defaultLimit: X_MAX_WEIGHTED_LENGTH,
    otherProblem: () => 'X does not accept a character in this text',
  },
  bluesky: {
    unit: blueskyRules.unit,
    // The kept text's links are labels already.
    measure: measureBlueskyText,
    defaultLimit: BLUESKY_MAX_GRAPHEMES,
    otherProblem: (text) => {
      const bytes = utf8Length(text);
      return bytes > BLUESKY_MAX_BYTES
        ? `${bytes.toLocaleString()} bytes: Bluesky takes at most ${BLUESKY_MAX_BYTES.toLocaleString()}`
        : undefined;
    },
  },
  mastodon: {
    unit: mastodonRules.unit,
    measure: mastodonRules.measure,
    defaultLimit: MASTODON_DEFAULT_MAX_CHARACTERS,
  },
  threads: {
    unit: threadsRules.unit,
    measure: threadsRules.measure,
    defaultLimit: THREADS_MAX_CHARACTERS,
    otherProblem: (text) => {
      const links = threadsLinks(text).length;
      return links > THREADS_MAX_LINKS
        ? `${links} links: Threads takes at most ${THREADS_MAX_LINKS}`
        : undefined;
    },
  },
  linkedin: {
    unit: linkedinRules.unit,
    measure: linkedinRules.measure,
    defaultLimit: LINKEDIN_MAX_COMMENTARY,
  },
  facebook: {
    unit: facebookRules.unit,
    measure: facebookRules.measure,
    defaultLimit: FACEBOOK_MAX_MESSAGE,
  },
  instagram: {
    unit: instagramRules.unit,
    measure: instagramRules.measure,
    defaultLimit: INSTAGRAM_MAX_CAPTION,
    otherProblem: (text) => {
      const hashtags = instagramHashtagCount(text);
      if (hashtags > INSTAGRAM_MAX_HASHTAGS) {
        return `${hashtags} hashtags: Instagram takes at most ${INSTAGRAM_MAX_HASHTAGS}`;
      }
      const mentions = instagramMentionCount(text);
      if (mentions > INSTAGRAM_MAX_MENTIONS) {
        return `${mentions} mentions: Instagram takes at most ${INSTAGRAM_MAX_MENTIONS}`;
      }
      return undefined;
    },
  },
  telegram: {
    unit: telegramRules.unit,
    measure: telegramRules.measure,
    defaultLimit: TELEGRAM_MAX_MESSAGE_LENGTH,
  },
};

export type LiveCount = {
  /** the network's count, exact even past the limit */
  used: number;
  limit: number;
  unit: Unit;
  fits: boolean;
  /** what stops the text, in words, when it does not fit */
  problem?: string;
};

/** The count of `typed` as the server will count it once it keeps it (kept-text.ts). */
export function countFor(platform: Platform, typed: string, limit?: number): LiveCount {
  const counter = COUNTERS[platform];
  const max = limit ?? counter.defaultLimit;
  const text = keptText(platform, typed);
  if (text === '') {
    return {
      used: 0,
      limit: max,
      unit: counter.unit,
      fits: false,
      problem: 'an empty text is not a post',
    };
  }
  const verdict = counter.measure(text, max);
  // Counters may stop at limit + 1; past the limit the editor wants to know by how much.
  const used =
    verdict.used > max ? counter.measure(text, Number.MAX_SAFE_INTEGER).used : verdict.used;
  if (verdict.fits) return { used, limit: max, unit: counter.unit, fits: true };
  const problem =
    used > max
      ? `${(used - max).toLocaleString()} over the limit`
      : (counter.otherProblem?.(text) ?? 'the network would refuse this text');
  return { used, limit: max, unit: counter.unit, fits: false, problem };
}

/** `weighted characters`, `characters`, `graphemes` in the words an editor reads. */
export function unitLabel(unit: Unit): string {
  if (unit === 'weighted') return 'weighted characters';
  return 'characters';
}
