/**
 * An article as a Telegram channel post: the text fitted to 4,096 characters, the
 * article's image (the client posts it as a photo with the text as its caption when the
 * text fits 1,024), and the link card Telegram's preview shows when the post goes out as
 * a text message instead.
 */
import type { Article } from '../../domain/article';
import { createComposer } from '../compose/composer';
import { articleMedia } from '../compose/media';
import type { ComposedPost, LinkCard } from '../types';
import { telegramRules } from './rules';

/**
 * What the link preview shows. Telegram builds it from the page's own tags; Crier only
 * names the URL and asks for the large image, so this is what the editor should expect.
 */
export function telegramCard(url: string, article: Article): LinkCard {
  return {
    url,
    title: article.title,
    ...(article.summary ? { description: article.summary } : {}),
    ...(article.imageUrl ? { imageUrl: article.imageUrl } : {}),
    ...(article.imageAlt ? { imageAlt: article.imageAlt } : {}),
  };
}

export const composeTelegram = createComposer({
  ...telegramRules,
  finish: (post: ComposedPost, article: Article): ComposedPost => {
    // Telegram photos take no alt text; the editor still sees the article's.
    const media = articleMedia(article);
    return {
      ...post,
      card: telegramCard(post.url, article),
      ...(media.length > 0 ? { media } : {}),
    };
  },
});
