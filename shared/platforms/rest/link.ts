/**
 * The article link of a link post: its card, from the article itself (LinkedIn shows
 * exactly what the client sends and never fetches the page; Facebook builds the same card
 * from the page's og: tags), and whether a post read back from a network carries it.
 */
import type { Article } from '../../domain/article';
import type { LinkCard } from '../types';

export function articleCard(url: string, article: Article): LinkCard {
  return {
    url,
    title: article.title,
    ...(article.summary ? { description: article.summary } : {}),
    ...(article.imageUrl ? { imageUrl: article.imageUrl } : {}),
    ...(article.imageAlt ? { imageAlt: article.imageAlt } : {}),
  };
}

/** The same link, however the network wrote it (case of the host, an added `/`, escapes). */
export function sameLink(a: string, b: string): boolean {
  const normalize = (value: string) => (URL.canParse(value) ? new URL(value).href : value);
  return normalize(a) === normalize(b);
}
