/**
 * An article as a Threads post: fitted text, one tag at most, and the link-preview card;
 * where the channel allows it, a standfirst too long for one post continues in replies.
 */
import type { Article } from '../../domain/article';
import { articleCard } from '../compose/card';
import { createComposer } from '../compose/composer';
import type { ComposedPost, Composer } from '../types';
import { threadsRules } from './rules';

export const composeThreads: Composer = createComposer({
  ...threadsRules,
  finish: (post: ComposedPost, article: Article): ComposedPost => ({
    ...post,
    card: articleCard(post.url, article),
  }),
});
