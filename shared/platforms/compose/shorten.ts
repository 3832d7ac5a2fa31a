/**
 * Shortening one piece of text to fit: cut on a word boundary and end with "…"; a word
 * too long for the room is cut between graphemes, never inside an emoji or a combining
 * sequence, and never inside a link, a hashtag or a mention. Candidates are tried by
 * binary search, so a fit costs O(log n) measurements.
 */
import { graphemes } from '../../domain/text';
import { protectedSpans, type Span, spanAround } from './tokens';

export const ELLIPSIS = '…';

// What a cut must not leave dangling before the "…": spaces, separators, an opening
// bracket or quote. `%`, `#`, closing quotes and the like carry meaning and stay.
const JUNK = String.raw`\s\p{Pd}\p{Ps}\p{Pi}\p{Pc},.;:!?…·&/|+、。，；：！？،؛؟`;
const TRAILING_JUNK = new RegExp(`[${JUNK}]+$`, 'u');
const NOT_JUNK = new RegExp(`[^${JUNK}]`, 'u');
// Scripts written without spaces between words: any word boundary inside them is a break.
const SPACELESS =
  /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/u;
const SPACE = /\s/u;

const words = new Intl.Segmenter(undefined, { granularity: 'word' });

/**
 * The text up to `end`, without trailing separators, plus "…"; empty if nothing is left.
 * A separator that belongs to a link, hashtag or mention in `spans` stays: `@ana_` and
 * `https://example.org/a/` are other accounts and pages without their last character.
 */
export function cutAt(text: string, end: number, spans = protectedSpans(text)): string {
  let kept = text.slice(0, end).replace(TRAILING_JUNK, '');
  const entered = spanAround(spans, kept.length);
  if (entered) kept = text.slice(0, entered.end);
  return kept ? `${kept}${ELLIPSIS}` : '';
}

/**
 * Offsets where `text` may be cut on a word boundary, ascending; none inside a link,
 * hashtag or mention (Chinese and Japanese words inside a URL's path are no break).
 */
export function breakPoints(text: string, spans = protectedSpans(text)): number[] {
  const points = new Set<number>();
  for (const match of text.matchAll(/\s+/gu)) if (match.index > 0) points.add(match.index);
  if (SPACELESS.test(text)) {
    let previous = '';
    for (const { segment, index } of words.segment(text)) {
      const next = String.fromCodePoint(segment.codePointAt(0) ?? 0);
      if (index > 0 && joinsSpacelessWords(previous, next) && !spanAround(spans, index)) {
        points.add(index);
      }
      previous = Array.from(segment).at(-1) ?? '';
    }
  }
  return [...points].sort((a, b) => a - b);
}

function joinsSpacelessWords(previous: string, next: string): boolean {
  if (SPACE.test(previous) || SPACE.test(next)) return false;
  return SPACELESS.test(previous) || SPACELESS.test(next);
}

/** The number of words in `text`, by the Unicode word rules (so in Chinese too). */
export function wordCount(text: string): number {
  let count = 0;
  for (const segment of words.segment(text)) if (segment.isWordLike) count++;
  return count;
}

/** The largest i in [0, n) for which `ok(i)` holds, assuming it holds up to some i; or -1. */
export function lastIndexWhere(n: number, ok: (i: number) => boolean): number {
  let low = 0;
  let high = n - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (ok(middle)) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

/**
 * The longest shortening of `text` that `fits`: `text` itself, else a cut on a word
 * boundary, else (when even the first word is too long) a cut inside the first word.
 * Empty when nothing fits or fewer than `minWords` words would remain.
 */
export function shortenToFit(
  text: string,
  fits: (candidate: string) => boolean,
  minWords = 1,
): string {
  if (!text || fits(text)) return text;
  const firstKept = text.search(NOT_JUNK);
  if (firstKept === -1) return '';
  const spans = protectedSpans(text);
  // A cut must keep something more than separators.
  const points = breakPoints(text, spans).filter((end) => end > firstKept);
  const cut = (end: number) => cutAt(text, end, spans);
  const shortened =
    longestFitting(points, cut, fits) ||
    longestFitting(graphemeEnds(text, firstKept, points[0] ?? text.length, spans), cut, fits);
  return shortened && (minWords <= 1 || wordCount(shortened) >= minWords) ? shortened : '';
}

/** Binary search over the candidates `make(ends[i])`, ends ascending; '' if none fits. */
function longestFitting(
  ends: readonly number[],
  make: (end: number) => string,
  fits: (candidate: string) => boolean,
): string {
  const best = lastIndexWhere(ends.length, (i) => fits(make(ends[i] ?? 0)));
  return best >= 0 ? make(ends[best] ?? 0) : '';
}

/**
 * The offsets between the graphemes of the word from `start` to `end`, where a word too
 * long for the room may be cut; none if the word holds a link, hashtag or mention.
 */
export function graphemeEnds(
  text: string,
  start: number,
  end: number,
  spans: readonly Span[],
): number[] {
  if (spans.some((span) => span.start < end && start < span.end)) return [];
  const ends: number[] = [];
  let offset = start;
  for (const grapheme of graphemes(text.slice(start, end)).slice(0, -1)) {
    offset += grapheme.length;
    ends.push(offset);
  }
  return ends;
}
