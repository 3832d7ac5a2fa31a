import type { Article } from '../../domain/article';
import type { LinkCard } from '../types';

/**
 * The article's link card as Crier knows it: the shared URL, headline, standfirst and
 * image. Networks that build the card themselves (Telegram, Threads, Facebook) show what
 * the page says; Bluesky and LinkedIn show exactly this.
 */
export function articleCard(url: string, article: Article): LinkCard {
  return {
    url,
    title: article.title,
    ...(article.summary ? { description: article.summary } : {}),
    ...(article.imageUrl ? { imageUrl: article.imageUrl } : {}),
    ...(article.imageAlt ? { imageAlt: article.imageAlt } : {}),
  };
}
