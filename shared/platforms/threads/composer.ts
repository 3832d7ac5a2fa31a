/** An article as a Threads post: fitted text, one tag at most, and the link-preview card. */
import type { Article } from '../../domain/article';
import { createComposer } from '../compose/composer';
import { singlePost } from '../meta/compose';
import type { ComposedPost, Composer, LinkCard } from '../types';
import { threadsRules } from './rules';

/** What the link attachment (`link_attachment` = the share URL) shows; Threads builds it from the page. */
export function threadsCard(url: string, article: Article): LinkCard {
  return {
    url,
    title: article.title,
    ...(article.summary ? { description: article.summary } : {}),
    ...(article.imageUrl ? { imageUrl: article.imageUrl } : {}),
    ...(article.imageAlt ? { imageAlt: article.imageAlt } : {}),
  };
}

const compose = createComposer({
  ...threadsRules,
  finish: (post: ComposedPost, article: Article): ComposedPost => ({
    ...post,
    card: threadsCard(post.url, article),
  }),
});

export const composeThreads: Composer = (article, channel, settings) =>
  compose(article, singlePost(channel), settings);
