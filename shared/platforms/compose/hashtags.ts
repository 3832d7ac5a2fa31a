/** Hashtags: picked from the channel's list, the section and the tags; found in a text. */
import type { Article } from '../../domain/article';
import type { Channel } from '../../domain/channel';
import { graphemeLength } from '../../domain/text';

// Apostrophes vanish ("Women's Rights" -> WomensRights); other punctuation splits words.
const APOSTROPHES = /['`´‘’ʼ]/gu;
// A word starts with a letter or digit: a mark with nothing to sit on (the variation
// selector left of an emoji such as ❤️) is not one.
const WORD = /[\p{L}\p{Nd}][\p{L}\p{M}\p{Nd}]*/gu;
const HAS_CAPITAL = /[\p{Lu}\p{Lt}]/u;
const ALL_DIGITS = /^\p{Nd}+$/u;
const LETTER = /\p{L}/u;
// Caseless scripts written with spaces cannot show word breaks by capitals: their
// users join words with `_` (#الربيع_العربي). Chinese, Japanese and Korean run words together.
const CASELESS_SPACED =
  /^(?:(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}])\p{Lo}|\p{M})+$/u;

const HASHTAG_IN_TEXT = /(?<=^|\s)[#＃]([\p{L}\p{Nd}_][\p{L}\p{M}\p{Nd}_]*)/gu;

export type HashtagMatch = { tag: string; start: number; end: number };

/** `label` as a hashtag without `#`: punctuation gone, several words in CamelCase. */
export function toHashtag(label: string): string {
  const words = label.normalize('NFC').replace(APOSTROPHES, '').match(WORD) ?? [];
  if (words.length === 1) return words[0] ?? '';
  let tag = '';
  let previous = '';
  for (const word of words) {
    if (previous && CASELESS_SPACED.test(previous) && CASELESS_SPACED.test(word)) tag += '_';
    tag += HAS_CAPITAL.test(word) ? word : capitalize(word);
    previous = word;
  }
  return tag;
}

function capitalize(word: string): string {
  const [first = '', ...rest] = word;
  return first.toUpperCase() + rest.join('');
}

/** A tag is worth posting if it has a letter and the network's hashtags can hold it. */
export function isUsableHashtag(tag: string, maxGraphemes: number): boolean {
  return tag !== '' && !ALL_DIGITS.test(tag) && graphemeLength(tag) <= maxGraphemes;
}

/**
 * Sections and tags that say nothing about a story when they stand alone as a hashtag
 * (CMS defaults and front-page labels), compared as hashtags without regard to case, so
 * "Top Stories", "top-stories" and "#TopStories" are all one entry.
 */
export const STOP_HASHTAGS: readonly string[] = [
  'News',
  'Latest',
  'Latest News',
  'Top News',
  'Top Stories',
  'Breaking News',
  'Opinion',
  'Uncategorized',
  'Uncategorised',
  'Featured',
  'Home',
  'Homepage',
  'Front Page',
  'General',
  'Misc',
  'Miscellaneous',
  'Other',
  'Blog',
  'Articles',
  'Stories',
  'Posts',
  'Main',
  'Headlines',
  'Updates',
  "Editor's Picks",
];

const hashtagKey = (label: string) => toHashtag(label).toLowerCase();
const BUILT_IN_STOP = new Set(STOP_HASHTAGS.map(hashtagKey));

export type PickOptions = {
  /** the longest hashtag (in graphemes) the network takes */
  maxGraphemes: number;
  /** hashtags the text has already: not repeated, and counted against `networkMax` */
  present: readonly string[];
  /** the most hashtags the network accepts in one post, those present included */
  networkMax?: number;
};

/**
 * The channel's hashtags for an article, in order `always`, section, tags; deduplicated
 * case-insensitively, without those `present` in the text already, at most the channel's
 * `max` and the network's maximum. A section or tag on the stop list (built in, and the
 * channel's `stop`) is skipped; `always` is the channel's own choice and is not.
 */
export function pickHashtags(
  article: Article,
  settings: Channel['hashtags'],
  options: PickOptions,
): string[] {
  const stop = new Set([...BUILT_IN_STOP, ...settings.stop.map(hashtagKey)]);
  const fromArticle = [
    ...(settings.fromSection && article.section ? [article.section] : []),
    ...(settings.fromTags ? article.tags : []),
  ].filter((label) => !stop.has(hashtagKey(label)));
  const max = Math.min(
    settings.max,
    (options.networkMax ?? Number.POSITIVE_INFINITY) - options.present.length,
  );
  const seen = new Set(options.present.map((tag) => tag.toLowerCase()));
  const picked: string[] = [];
  for (const label of [...settings.always, ...fromArticle]) {
    if (picked.length >= max) break;
    const tag = toHashtag(label);
    const key = tag.toLowerCase();
    if (!isUsableHashtag(tag, options.maxGraphemes) || seen.has(key)) continue;
    seen.add(key);
    picked.push(tag);
  }
  return picked;
}

/** Hashtags written in `text` (`#` at the start or after a space), UTF-16 offsets. */
export function findHashtags(text: string): HashtagMatch[] {
  const found: HashtagMatch[] = [];
  for (const match of text.matchAll(HASHTAG_IN_TEXT)) {
    const tag = match[1] ?? '';
    if (!LETTER.test(tag)) continue;
    found.push({ tag, start: match.index, end: match.index + 1 + tag.length });
  }
  return found;
}
