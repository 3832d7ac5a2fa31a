/**
 * The pieces of a post that only work whole: links, hashtags and mentions. A cut or a
 * thread split that lands inside one would send readers elsewhere, tag something else,
 * or mention someone else.
 */

export type Link = { uri: string; start: number; end: number };

/** A run of text (UTF-16 offsets, end exclusive) that must not be cut. */
export type Span = { start: number; end: number; kind: 'link' | 'hashtag' | 'mention' };

// An http(s) URL not glued to a preceding word; trailing punctuation is the sentence's.
const LINK = /(?<![\p{L}\p{M}\p{N}_@#$/:.-])https?:\/\/\S+/giu;
const TRAILING_PUNCTUATION = /[.,;:!?…'"’”»]$/u;

// What no cut may enter. Wider than what any one network links, tags or mentions: a
// link without a scheme, a `#` after a letter, an e-mail address are kept whole too,
// since keeping something whole costs at most a shorter cut.
const PROTECTED = new RegExp(
  [
    String.raw`(?<link>(?:[a-z][a-z0-9+.-]*:\/\/|www\.|(?:[a-z0-9-]+\.)+[a-z]{2,}\/)\S*)`,
    String.raw`(?<hashtag>[#＃][\p{L}\p{M}\p{Nd}_]+)`,
    String.raw`(?<mention>@[\p{L}\p{M}\p{N}_]+(?:[.-]+[\p{L}\p{M}\p{N}_]+)*(?:@[\p{L}\p{M}\p{N}-]+(?:\.[\p{L}\p{M}\p{N}-]+)+)?)`,
  ].join('|'),
  'giu',
);

const count = (text: string, char: string) => text.split(char).length - 1;

/** A URL without the sentence punctuation that follows it, or an unmatched ")". */
export function withoutTrailingPunctuation(url: string): string {
  let uri = url;
  for (;;) {
    if (TRAILING_PUNCTUATION.test(uri)) uri = uri.slice(0, -1);
    else if (uri.endsWith(')') && count(uri, ')') > count(uri, '(')) uri = uri.slice(0, -1);
    else return uri;
  }
}

/** The http(s) links in `text`, UTF-16 offsets, as a Bluesky client would link them. */
export function findLinks(text: string): Link[] {
  return Array.from(text.matchAll(LINK), (match) => {
    const uri = withoutTrailingPunctuation(match[0]);
    return { uri, start: match.index, end: match.index + uri.length };
  });
}

/** The links, hashtags and mentions in `text`, in order, none overlapping. */
export function protectedSpans(text: string): Span[] {
  return Array.from(text.matchAll(PROTECTED), (match): Span => {
    const start = match.index;
    const { link, hashtag } = match.groups ?? {};
    if (link !== undefined) {
      return { start, end: start + withoutTrailingPunctuation(link).length, kind: 'link' };
    }
    return {
      start,
      end: start + match[0].length,
      kind: hashtag !== undefined ? 'hashtag' : 'mention',
    };
  });
}

/** The span that `offset` falls strictly inside, if any. */
export function spanAround(spans: readonly Span[], offset: number): Span | undefined {
  return spans.find((span) => span.start < offset && offset < span.end);
}
