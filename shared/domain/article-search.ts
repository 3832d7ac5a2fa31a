/**
 * The editors' text search over articles: a headline or URL matches when it holds the
 * words typed, whatever their case and accents ("Bolivia" finds "bolívia" and "BOLIVIA").
 */
import type { Article } from './article';

/** `text` folded for comparison: compatibility forms, no combining marks, lower case. */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** Whether the article's headline or URL holds `query` (folded the same way). */
export function articleMatches(article: Pick<Article, 'title' | 'url'>, query: string): boolean {
  const wanted = foldForSearch(query.trim());
  if (wanted === '') return true;
  return (
    foldForSearch(article.title).includes(wanted) || foldForSearch(article.url).includes(wanted)
  );
}

/** Whether the article's section is `section`, compared without regard to case. */
export function sectionMatches(article: Pick<Article, 'section'>, section: string): boolean {
  const own = article.section?.trim();
  return own !== undefined && foldCase(own) === foldCase(section.trim());
}

const foldCase = (text: string) => text.normalize('NFC').toLocaleLowerCase('und');
