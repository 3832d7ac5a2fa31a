/** Counting graphemes only as far as a limit: segmenting is slow, and most texts tried are over. */
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The number of graphemes in `text`, or `max + 1` as soon as it is known to be over `max`. */
export function countGraphemesUpTo(text: string, max: number): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) {
    if (++count > max) break;
  }
  return count;
}
