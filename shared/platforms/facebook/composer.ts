/** An article as a Facebook Page link post: the message, and the card Facebook will scrape. */
import type { Article } from '../../domain/article';
import { articleCard } from '../compose/card';
import { createComposer } from '../compose/composer';
import type { ComposedPost } from '../types';
import { facebookRules } from './rules';

export const composeFacebook = createComposer({
  ...facebookRules,
  // The client sends only `link`: Facebook builds the card from the page's og: tags, which
  // carry the same title, standfirst and image the article came with.
  finish: (post: ComposedPost, article: Article): ComposedPost => ({
    ...post,
    card: articleCard(post.url, article),
  }),
});
