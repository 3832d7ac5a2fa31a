/** The one composer every network shares; a network only brings its NetworkRules. */
import type { Article } from '../../domain/article';
import type { Channel } from '../../domain/channel';
import type { ComposedPost, Composer, ComposeSettings } from '../types';
import { authorHandles, authorNames } from './bylines';
import { type Budget, type FittedPost, fitPost, type PostParts, renderParts } from './fit';
import { findHashtags, pickHashtags } from './hashtags';
import { withAltText } from './media';
import type { NetworkRules } from './network';
import { type FittedThread, fitThread } from './thread';
import { slugify, withUtm } from './utm';

/** What a composer called without settings knows: no site name, no author directory. */
export const NO_SETTINGS: ComposeSettings = { authors: {} };

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
  settings: ComposeSettings,
): PostParts {
  const withoutHashtags: PostParts = {
    title: article.title,
    summary: article.summary ?? '',
    url,
    section: article.section ?? '',
    authors: authorNames(article.authors, article.language),
    author: article.authors[0]?.name ?? '',
    handles: authorHandles(
      article.authors,
      rules.platform,
      rules.mention,
      article.language,
      settings.authors,
    ),
    imageCredit: article.imageCredit ?? '',
    site: settings.site?.name ?? '',
    hashtags: [],
  };
  const present = findHashtags(renderParts(channel.template, withoutHashtags)).map((m) => m.tag);
  const hashtags = pickHashtags(article, channel.hashtags, {
    maxGraphemes: rules.maxHashtagGraphemes,
    present,
    ...(rules.maxHashtags === undefined ? {} : { networkMax: rules.maxHashtags }),
  });
  return { ...withoutHashtags, hashtags };
}

/** A thread where the channel allows one and the standfirst needs it, else one post. */
function fitForChannel(
  channel: Channel,
  parts: PostParts,
  budget: Budget,
): FittedPost | FittedThread {
  const thread = channel.thread.enabled
    ? fitThread(channel.template, parts, budget, channel.thread.max)
    : undefined;
  return thread ?? fitPost(channel.template, parts, budget);
}

/** The post's `language`: the article's, as the network takes it, or none. */
function postLanguage(rules: NetworkRules, tag: string | undefined): { language?: string } {
  const language = tag && (rules.language ? rules.language(tag) : tag);
  return language ? { language } : {};
}

export function createComposer(rules: NetworkRules): Composer {
  return (article: Article, channel: Channel, settings = NO_SETTINGS): ComposedPost => {
    const url = shareUrl(article, channel);
    const parts = postParts(article, channel, rules, url, settings);
    const limit = rules.limit(channel);
    const fitted = fitForChannel(channel, parts, {
      measure: (text) => rules.measure(text, limit),
      limit,
      unit: rules.unit,
      label: `channel ${channel.id} (${rules.platform})`,
    });
    const post: ComposedPost = {
      text: fitted.text,
      ...('thread' in fitted ? { thread: fitted.thread } : {}),
      ...('thread' in fitted && fitted.cut
        ? {
            warnings: [
              `The standfirst needs more than ${channel.thread.max} posts: the last one is cut.`,
            ],
          }
        : {}),
      url,
      hashtags: fitted.hashtags,
      ...postLanguage(rules, article.language),
      length: { used: fitted.used, limit, unit: rules.unit },
    };
    const finished = rules.finish ? rules.finish(post, article, { channel, settings }) : post;
    return withAltText(finished, article, rules.maxAltCharacters);
  };
}
