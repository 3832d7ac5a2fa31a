/**
 * What each network hands the shared composer: its limit, its own counter, how it writes
 * a mention, and anything it adds to a finished post (Bluesky's facets and card).
 */
import type { Article } from '../../domain/article';
import type { Channel } from '../../domain/channel';
import type { Platform } from '../../domain/platform';
import type { ComposedPost, ComposeSettings } from '../types';

/**
 * The network's count of a text, and whether it would accept the text as a post. `used`
 * is exact when the text is within the limit; over it, counting may stop at limit + 1.
 */
export type Measure = { used: number; fits: boolean };

/** What a network's `finish` may also need: the channel and the site settings. */
export type FinishContext = { channel: Channel; settings: ComposeSettings };

export type NetworkRules = {
  platform: Platform;
  unit: ComposedPost['length']['unit'];
  limit: (channel: Channel) => number;
  measure: (text: string, limit: number) => Measure;
  /** the longest hashtag (without `#`, in graphemes) worth adding on this network */
  maxHashtagGraphemes: number;
  /**
   * The most hashtags the network accepts in one post, those the text has already
   * included (Instagram: 30); a channel's `hashtags.max` never goes beyond it.
   */
  maxHashtags?: number;
  /** the longest alt text the network takes for an image, in characters (code points) */
  maxAltCharacters?: number;
  /** an author's handle as the network writes a mention, or undefined if it is not one */
  mention: (handle: string) => string | undefined;
  /**
   * The article's language tag as the network takes it (a post whose tag the network
   * refuses would fail whole), or undefined to leave it out of the post; absent: the tag
   * as ingest checked it.
   */
  language?: (tag: string) => string | undefined;
  /**
   * What the network adds once the text is final: a card, facets, media (`articleMedia`
   * in ./media gives the article's image with its alt text). Where the post continues in
   * a `thread`, what it adds is for `text` alone.
   */
  finish?: (post: ComposedPost, article: Article, context: FinishContext) => ComposedPost;
};
