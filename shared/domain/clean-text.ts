/**
 * Text as a reader sees it: entities decoded, tags gone, whitespace folded, NFC. Apart
 * from text.ts, so the HTML entity decoder loads only where a CMS string is read.
 */
import { decodeHTML } from 'entities';

const TAG = /<[^>]*>/g;

/** One line of clean text from a CMS string that may carry HTML and entities. */
export function cleanText(input: string): string {
  return decodeHTML(input.replace(TAG, ' '))
    .replace(/[\s\u00a0\u200b]+/gu, ' ')
    .trim()
    .normalize('NFC');
}
