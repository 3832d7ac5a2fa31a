/** Text as a reader sees it: entities decoded, tags gone, whitespace folded, NFC. */
import { decodeHTML } from 'entities';

const TAG = /<[^>]*>/g;

/** One line of clean text from a CMS string that may carry HTML and entities. */
export function cleanText(input: string): string {
  return decodeHTML(input.replace(TAG, ' '))
    .replace(/[\s\u00a0\u200b]+/gu, ' ')
    .trim()
    .normalize('NFC');
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The user-perceived characters of `text` (an emoji sequence is one). */
export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

export function graphemeLength(text: string): number {
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
