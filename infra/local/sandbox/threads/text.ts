/**
 * How the Threads sandbox counts a post, written from Meta's wording ("500 characters;
 * emojis are counted as the number of UTF-8 bytes"; at most 5 links), not from Crier's
 * composer, so the sandbox checks the composer instead of agreeing with it. What counts
 * as an emoji here is what shows as one: emoji presentation, or text made emoji with
 * U+FE0F, flags, keycaps.
 */
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
const EMOJI =
  /\p{Emoji_Presentation}|\p{Extended_Pictographic}\ufe0f|\p{Regional_Indicator}|\u20e3/u;
const LINK = /\bhttps?:\/\/[^\s<>"]+/giu;
const TRAILING = /[.,;:!?…'"’”)\]]+$/u;

export function threadsTextLength(text: string): number {
  let length = 0;
  for (const { segment } of graphemes.segment(text)) {
    length += EMOJI.test(segment) ? Buffer.byteLength(segment, 'utf8') : 1;
  }
  return length;
}

/** The distinct links of a post: those in its text, and its link attachment. */
export function threadsLinkCount(text: string, attachment: string | undefined): number {
  const links = new Set(
    Array.from(text.matchAll(LINK), (m) => m[0].replace(TRAILING, '').toLowerCase()),
  );
  if (attachment) links.add(attachment.toLowerCase());
  return links.size;
}
