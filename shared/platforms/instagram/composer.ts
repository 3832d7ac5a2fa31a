/**
 * An article as an Instagram caption with its image. Instagram posts nothing without
 * an image, and its captions link nothing: both become warnings an editor sees.
 */
import type { Article } from '../../domain/article';
import { createComposer } from '../compose/composer';
import { articleMedia } from '../compose/media';
import { singlePost } from '../meta/compose';
import type { ComposedPost, Composer } from '../types';
import { instagramRules } from './rules';

export const NO_IMAGE_WARNING =
  'Instagram posts need an image and the article has none: add one before this share can go out';
export const LINK_WARNING =
  'Instagram does not link URLs in captions: the article address takes room but cannot be followed (say "link in bio" instead)';

function finish(post: ComposedPost, article: Article): ComposedPost {
  const media = articleMedia(article);
  const warnings = [...(post.warnings ?? [])];
  if (media.length === 0) warnings.push(NO_IMAGE_WARNING);
  if (post.text.includes(post.url)) warnings.push(LINK_WARNING);
  return {
    ...post,
    ...(media.length > 0 ? { media } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

const compose = createComposer({ ...instagramRules, finish });

export const composeInstagram: Composer = (article, channel, settings) =>
  compose(article, singlePost(channel), settings);
