/** Images on a post, each with alt text: screen-reader users get the photo described too. */
import type { Article } from '../../domain/article';
import type { ComposedPost, MediaRef } from '../types';
import { shortenToFit } from './shorten';

/**
 * The article's image as a post's media, with the article's alt text; `url` instead
 * where the network takes another image (Instagram's share card). None without either.
 */
export function articleMedia(article: Article, url = article.imageUrl): MediaRef[] {
  if (!url) return [];
  return [{ url, ...(article.imageAlt ? { alt: article.imageAlt } : {}) }];
}

/**
 * `post` with alt text on every image: the article's where the network's finish gave
 * none, each cut on a word to the network's limit.
 */
export function withAltText(
  post: ComposedPost,
  article: Article,
  maxAltCharacters = Number.POSITIVE_INFINITY,
): ComposedPost {
  if (!post.media?.length) return post;
  const fits = (alt: string) => [...alt].length <= maxAltCharacters;
  const media = post.media.map((image) => {
    const alt = shortenToFit(image.alt ?? article.imageAlt ?? '', fits);
    const { alt: _, ...rest } = image;
    return alt ? { ...rest, alt } : rest;
  });
  return { ...post, media };
}
