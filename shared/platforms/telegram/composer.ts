/**
 * An article as a Telegram channel post: the text fitted to 4,096 characters, the
 * article's image (the client posts it as a photo with the text as its caption when the
 * text fits 1,024), and the link card Telegram's preview shows when the post goes out as
 * a text message instead.
 */
import type { Article } from '../../domain/article';
import { articleCard } from '../compose/card';
import { createComposer } from '../compose/composer';
import { articleMedia } from '../compose/media';
import type { ComposedPost } from '../types';
import { telegramRules } from './rules';

export const composeTelegram = createComposer({
  ...telegramRules,
  finish: (post: ComposedPost, article: Article): ComposedPost => {
    // Telegram photos take no alt text; the editor still sees the article's.
    const media = articleMedia(article);
    return {
      ...post,
      card: articleCard(post.url, article),
      ...(media.length > 0 ? { media } : {}),
    };
  },
});
