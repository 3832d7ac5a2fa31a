/** The one composer every network shares; a network only brings its NetworkRules. */
import type { Article } from '../../domain/article';
import type { Channel } from '../../domain/channel';
import type { ComposedPost, Composer } from '../types';
import { authorHandles, authorNames } from './bylines';
import { fitPost, type PostParts, renderParts } from './fit';
import { findHashtags, pickHashtags } from './hashtags';
import type { NetworkRules } from './network';
import { slugify, withUtm } from './utm';

/** The article URL as this channel shares it. */
export function shareUrl(article: Article, channel: Channel): string {
  return withUtm(article.url, channel.utm, {
    platform: channel.platform,
    channel: channel.id,
    section: slugify(article.section ?? ''),
    sourceId: article.sourceId,
  });
}

function postParts(
  article: Article,
  channel: Channel,
  rules: NetworkRules,
  url: string,
): PostParts {
  const withoutHashtags: PostParts = {
    title: article.title,
    summary: article.summary ?? '',
    url,
    section: article.section ?? '',
    authors: authorNames(article.authors, article.language),
    handles: authorHandles(article.authors, rules.platform, rules.mention, article.language),
    imageCredit: article.imageCredit ?? '',
    hashtags: [],
  };
  const present = findHashtags(renderParts(channel.template, withoutHashtags)).map((m) => m.tag);
  const hashtags = pickHashtags(article, channel.hashtags, {
    maxGraphemes: rules.maxHashtagGraphemes,
    present,
  });
  return { ...withoutHashtags, hashtags };
}

export function createComposer(rules: NetworkRules): Composer {
  return (article: Article, channel: Channel): ComposedPost => {
    const url = shareUrl(article, channel);
    const parts = postParts(article, channel, rules, url);
    const limit = rules.limit(channel);
    const fitted = fitPost(channel.template, parts, {
      measure: (text) => rules.measure(text, limit),
      limit,
      unit: rules.unit,
      label: `channel ${channel.id} (${rules.platform})`,
    });
    const post: ComposedPost = {
      text: fitted.text,
      url,
      hashtags: fitted.hashtags,
      ...(article.language ? { language: article.language } : {}),
      length: { used: fitted.used, limit, unit: rules.unit },
    };
    return rules.finish ? rules.finish(post, article) : post;
  };
}
