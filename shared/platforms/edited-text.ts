/**
 * An editor's own text for a share: counted the way its network counts (the same rules
 * the composer fits posts with), refused with the count when the network would refuse
 * it, and finished as the composer finishes a post (Bluesky's facets, the hashtags).
 */
import type { Channel } from '../domain/channel';
import { PostTextError, ValidationError } from '../domain/errors';
import { NETWORK_NAMES, type Platform } from '../domain/platform';
import { utf8Length } from '../domain/text';
import { blueskyPost } from './bluesky/composer';
import type { KnownLink } from './bluesky/links';
import { BLUESKY_MAX_BYTES, blueskyRules, measureBlueskyText } from './bluesky/rules';
import { findHashtags } from './compose/hashtags';
import type { NetworkRules } from './compose/network';
import { facebookRules } from './facebook/rules';
import {
  INSTAGRAM_MAX_HASHTAGS,
  INSTAGRAM_MAX_MENTIONS,
  instagramHashtagCount,
  instagramMentionCount,
  instagramRules,
} from './instagram/rules';
import { keptText } from './kept-text';
import { linkedinRules } from './linkedin/rules';
import { mastodonRules } from './mastodon/rules';
import { telegramRules } from './telegram/rules';
import { THREADS_MAX_LINKS, threadsLinks, threadsRules } from './threads/rules';
import type { ComposedPost } from './types';
import { xRules } from './x/rules';

type Rules = Omit<NetworkRules, 'finish'>;

const RULES: Record<Platform, Rules> = {
  x: xRules,
  bluesky: blueskyRules,
  mastodon: mastodonRules,
  threads: threadsRules,
  linkedin: linkedinRules,
  facebook: facebookRules,
  instagram: instagramRules,
  telegram: telegramRules,
};

const UNIT_NAMES: Record<ComposedPost['length']['unit'], string> = {
  weighted: 'characters as X weighs them (a link 23, CJK and emoji 2)',
  graphemes: 'characters',
  characters: 'characters',
};

/** What an edited text changes on its share. */
export type EditedText = Pick<ComposedPost, 'text' | 'length' | 'hashtags' | 'facets'>;

/**
 * The channel's text limit as compose applies it: the network's, or the channel's own,
 * and for Mastodon never over what the instance allows (`serverLimit`).
 */
export function textLimit(channel: Channel, serverLimit?: number): number {
  const fitted = serverLimit
    ? { ...channel, maxCharacters: Math.min(channel.maxCharacters ?? serverLimit, serverLimit) }
    : channel;
  return RULES[channel.platform].limit(fitted);
}

/** Whether `text` fits `limit` as the network counts it (the composer's own rules). */
export function fitsLimit(platform: Platform, text: string, limit: number): boolean {
  return RULES[platform].measure(text, limit).fits;
}

/** Why a text within the limit is still not a post the network takes; `field` names it. */
function problemOf(platform: Platform, text: string, field: string): string {
  const network = NETWORK_NAMES[platform];
  switch (platform) {
    case 'bluesky':
      return `${field} is ${utf8Length(text)} bytes in UTF-8; Bluesky takes at most ${BLUESKY_MAX_BYTES}`;
    case 'instagram':
      if (instagramHashtagCount(text) > INSTAGRAM_MAX_HASHTAGS) {
        return `${field} has ${instagramHashtagCount(text)} hashtags; Instagram takes at most ${INSTAGRAM_MAX_HASHTAGS}`;
      }
      if (instagramMentionCount(text) > INSTAGRAM_MAX_MENTIONS) {
        return `${field} has ${instagramMentionCount(text)} mentions; Instagram takes at most ${INSTAGRAM_MAX_MENTIONS}`;
      }
      break;
    case 'threads':
      return `${field} has ${threadsLinks(text).length} different links; Threads takes at most ${THREADS_MAX_LINKS}`;
    case 'x':
      return `${field} has characters X does not accept`;
  }
  return `${field} is not a post ${network} accepts`;
}

/** A kept text's count: on Bluesky its links are labels already, counted as they stand. */
function measureKept(platform: Platform, text: string, limit: number) {
  return platform === 'bluesky'
    ? measureBlueskyText(text, limit)
    : RULES[platform].measure(text, limit);
}

/**
 * The editor's `raw` text for `channel` as the server keeps it (kept-text.ts: trimmed,
 * in NFC as the composer leaves its texts, a Bluesky URL as its label), or a
 * PostTextError with the network's own count and limit. `field` names the text in the
 * request and in the error: `text`, or `thread.<i>` for a reply of a thread. On Bluesky,
 * `known` are the labels the share's text showed before the edit (bluesky/links.ts,
 * knownLinks), which keep their links where the editor left them.
 */
export function checkEditedText(
  channel: Channel,
  raw: string,
  limit: number,
  field = 'text',
  known: readonly KnownLink[] = [],
): EditedText {
  // On Bluesky the URLs typed in full become labels here, their links kept in `post`.
  const post =
    channel.platform === 'bluesky'
      ? blueskyPost(raw.normalize('NFC').trim(), { known })
      : undefined;
  const text = post?.text ?? keptText(channel.platform, raw);
  if (text === '') {
    throw new ValidationError(`Invalid ${field}`, [{ field, message: 'must not be empty' }]);
  }
  const rules = RULES[channel.platform];
  // Counting without a limit gives the exact count (the composer stops at limit + 1).
  const whole = measureKept(channel.platform, text, Number.POSITIVE_INFINITY);
  const length = { used: whole.used, limit, unit: rules.unit };
  if (whole.used > limit) {
    const network = NETWORK_NAMES[channel.platform];
    throw new PostTextError(
      `${field} is ${whole.used} ${UNIT_NAMES[rules.unit]}; ${network} takes at most ${limit} on ${channel.id}`,
      length,
      field,
    );
  }
  if (!measureKept(channel.platform, text, limit).fits) {
    throw new PostTextError(problemOf(channel.platform, text, field), length, field);
  }
  return {
    text,
    length,
    hashtags: findHashtags(text).map((match) => match.tag),
    ...(post ? { facets: post.facets } : {}),
  };
}
