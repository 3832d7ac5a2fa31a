/** An article as a LinkedIn article post: the commentary fitted to 3,000, and the card. */
import type { Article } from '../../domain/article';
import { articleCard } from '../compose/card';
import { createComposer } from '../compose/composer';
import type { ComposedPost } from '../types';
import { linkedinRules } from './rules';

/** LinkedIn never fetches the page: without an image of the article's, the card has none. */
export const LINKEDIN_NO_IMAGE_WARNING =
  'The article has no image: the LinkedIn card goes out without a thumbnail';

export const composeLinkedIn = createComposer({
  ...linkedinRules,
  finish: (post: ComposedPost, article: Article): ComposedPost => ({
    ...post,
    card: articleCard(post.url, article),
    ...(article.imageUrl ? {} : { warnings: [LINKEDIN_NO_IMAGE_WARNING] }),
  }),
});
