/**
 * CMS and feed HTML (excerpts, descriptions, captions) as one line of reader's text: an
 * inline tag leaves no gap (`<a>Left Voice</a>.` stays `Left Voice.`), a block one does.
 */
import { cleanText } from '../domain/clean-text';

const INLINE =
  /<\/?(?:a|abbr|b|bdi|bdo|cite|code|data|dfn|em|i|kbd|mark|q|s|samp|small|span|strong|sub|sup|time|u|var)\b[^>]*>/gi;

/** Footers WordPress and Yoast add to every feed description and excerpt. */
const FOOTERS = [
  /<p>\s*The post <a\b[^>]*>[\s\S]*?<\/a> appeared first on <a\b[^>]*>[\s\S]*?<\/a>\.?\s*<\/p>/gi,
  /<a\b[^>]*class="[^"]*more-link[\s\S]*?<\/a>/gi,
];

export function htmlText(html: string | undefined): string {
  let value = html ?? '';
  for (const footer of FOOTERS) value = value.replace(footer, ' ');
  return (
    cleanText(value.replace(INLINE, ''))
      // WordPress ends a generated excerpt with `[…]`: an ellipsis says the same.
      .replace(/\s*\[(?:…|\.\.\.)\]\s*$/u, '…')
  );
}
