/**
 * Shortening one piece of text to fit: cut on a word boundary and end with "…"; a word
 * too long for the room is cut between graphemes, never inside an emoji or a combining
 * sequence. Candidates are tried by binary search, so a fit costs O(log n) measurements.
 */
import { graphemes } from '../../domain/text';

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
const LINK = /:\/\/|^www\./iu;

const words = new Intl.Segmenter(undefined, { granularity: 'word' });

/** The text up to `end`, without trailing separators, plus "…"; empty if nothing is left. */
export function cutAt(text: string, end: number): string {
  const kept = text.slice(0, end).replace(TRAILING_JUNK, '');
  return kept ? `${kept}${ELLIPSIS}` : '';
}

/** Offsets where `text` may be cut on a word boundary, ascending. */
export function breakPoints(text: string): number[] {
  const points = new Set<number>();
  for (const match of text.matchAll(/\s+/gu)) if (match.index > 0) points.add(match.index);
  if (SPACELESS.test(text)) {
    let previous = '';
    for (const { segment, index } of words.segment(text)) {
      const next = String.fromCodePoint(segment.codePointAt(0) ?? 0);
      if (index > 0 && joinsSpacelessWords(previous, next)) points.add(index);
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
  // A cut must keep something more than separators.
  const points = breakPoints(text).filter((end) => end > firstKept);
  const shortened =
    longestFittingCut(text, points, fits) ||
    cutInsideWord(text, firstKept, points[0] ?? text.length, fits);
  return shortened && (minWords <= 1 || wordCount(shortened) >= minWords) ? shortened : '';
}

/** Binary search over the cuts at `ends`, ascending. */
function longestFittingCut(
  text: string,
  ends: readonly number[],
  fits: (candidate: string) => boolean,
): string {
  const best = lastIndexWhere(ends.length, (i) => fits(cutAt(text, ends[i] ?? 0)));
  return best >= 0 ? cutAt(text, ends[best] ?? 0) : '';
}

/** Cuts between the graphemes of the first word, from `start` to `end`. */
function cutInsideWord(
  text: string,
  start: number,
  end: number,
  fits: (candidate: string) => boolean,
): string {
  const word = text.slice(start, end);
  // A cut link would lead nowhere, or somewhere else.
  if (LINK.test(word)) return '';
  const ends: number[] = [];
  let offset = start;
  for (const grapheme of graphemes(word).slice(0, -1)) {
    offset += grapheme.length;
    ends.push(offset);
  }
  return longestFittingCut(text, ends, fits);
}
