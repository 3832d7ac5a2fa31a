/** An article as a Threads post: fitted text, one tag at most, and the link-preview card. */
import type { Article } from '../../domain/article';
import { articleCard } from '../compose/card';
import { createComposer } from '../compose/composer';
import { singlePost } from '../meta/compose';
import type { ComposedPost, Composer } from '../types';
import { threadsRules } from './rules';

const compose = createComposer({
  ...threadsRules,
  finish: (post: ComposedPost, article: Article): ComposedPost => ({
    ...post,
    card: articleCard(post.url, article),
  }),
});

export const composeThreads: Composer = (article, channel, settings) =>
  compose(article, singlePost(channel), settings);
