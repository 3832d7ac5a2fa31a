/**
 * Mastodon: the instance's limit (500 unless the channel says otherwise), counted in
 * graphemes the way StatusLengthValidator does (docs/networks.md, Mastodon, "Limits").
 */
import twitterText from 'twitter-text';
import { primaryLanguage } from '../../domain/language';
import { countGraphemesUpTo } from '../compose/count';
import type { Measure, NetworkRules } from '../compose/network';

export const MASTODON_DEFAULT_MAX_CHARACTERS = 500;
/** `characters_reserved_per_url` on a stock instance */
export const MASTODON_URL_LENGTH = 23;
/** Long enough for any real hashtag; Mastodon sets no documented limit. */
export const MASTODON_MAX_HASHTAG_GRAPHEMES = 100;
/** `description_limit` on a stock instance: the longest alt text an image takes */
export const MASTODON_MAX_ALT_CHARACTERS = 1500;

const USER = '[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*';
const WORD = String.raw`[\p{L}\p{M}\p{N}\p{Pc}]`;
// Account::MENTION_RE: `@user` or `@user@remote.host`, not inside a word or a path.
const MENTION = new RegExp(`(?<![=/]|${WORD})@(${USER})(?:@${WORD}+(?:[.-]+${WORD}+)*)?`, 'giu');
const HANDLE = new RegExp(String.raw`^@?(${USER})@((?:[\p{L}\p{N}-]+\.)+[\p{L}\p{N}-]+)$`, 'iu');
const PROFILE_URL = new RegExp(String.raw`^https?://([^/\s]+)/@(${USER})/?$`, 'iu');

type Rewrite = { start: number; end: number; replacement: string };

/**
 * The text as Mastodon counts it: every URL with a scheme becomes 23 characters and
 * every `@user@remote.host` its local part `@user`.
 */
export function mastodonCountableText(text: string): string {
  const urls: Rewrite[] = twitterText
    .extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false })
    .map(({ indices: [start, end] }) => ({
      start,
      end,
      replacement: 'x'.repeat(MASTODON_URL_LENGTH),
    }));
  const mentions: Rewrite[] = Array.from(text.matchAll(MENTION), (match) => ({
    start: match.index,
    end: match.index + match[0].length,
    replacement: `@${match[1] ?? ''}`,
  }));
  let countable = '';
  let at = 0;
  for (const rewrite of [...urls, ...mentions].sort((a, b) => a.start - b.start)) {
    if (rewrite.start < at) continue;
    countable += text.slice(at, rewrite.start) + rewrite.replacement;
    at = rewrite.end;
  }
  return countable + text.slice(at);
}

export function measureMastodon(text: string, limit = MASTODON_DEFAULT_MAX_CHARACTERS): Measure {
  const used = countGraphemesUpTo(mastodonCountableText(text), limit);
  return { used, fits: used <= limit };
}

/** `@user@instance` from `@user@instance`, `user@instance` or `https://instance/@user`. */
export function mastodonMention(handle: string): string | undefined {
  const trimmed = handle.trim();
  const account = HANDLE.exec(trimmed);
  if (account) return `@${account[1]}@${(account[2] ?? '').toLowerCase()}`;
  const profile = PROFILE_URL.exec(trimmed);
  if (profile) return `@${profile[2]}@${(profile[1] ?? '').toLowerCase()}`;
  return undefined;
}

/**
 * A status's `language`: Mastodon takes an ISO 639 two-letter code, so a tag's language
 * subtag is sent (`pt-BR` -> `pt`), and a tag without a two-letter one is left out.
 */
export function mastodonLanguage(tag: string | undefined): string | undefined {
  const language = tag ? primaryLanguage(tag) : undefined;
  return language && /^[a-z]{2}$/.test(language) ? language : undefined;
}

export const mastodonRules: NetworkRules = {
  platform: 'mastodon',
  unit: 'graphemes',
  limit: (channel) => channel.maxCharacters ?? MASTODON_DEFAULT_MAX_CHARACTERS,
  measure: measureMastodon,
  maxHashtagGraphemes: MASTODON_MAX_HASHTAG_GRAPHEMES,
  maxAltCharacters: MASTODON_MAX_ALT_CHARACTERS,
  mention: mastodonMention,
  language: mastodonLanguage,
};
