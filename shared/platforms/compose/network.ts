/**
 * What each network hands the shared composer: its limit, its own counter, how it writes
 * a mention, and anything it adds to a finished post (Bluesky's facets and card).
 */
import type { Article } from '../../domain/article';
import type { Channel } from '../../domain/channel';
import type { Platform } from '../../domain/platform';
import type { ComposedPost } from '../types';

/**
 * The network's count of a text, and whether it would accept the text as a post. `used`
 * is exact when the text is within the limit; over it, counting may stop at limit + 1.
 */
export type Measure = { used: number; fits: boolean };

export type NetworkRules = {
  platform: Platform;
  unit: ComposedPost['length']['unit'];
  limit: (channel: Channel) => number;
  measure: (text: string, limit: number) => Measure;
  /** the longest hashtag (without `#`, in graphemes) worth adding on this network */
  maxHashtagGraphemes: number;
  /** an author's handle as the network writes a mention, or undefined if it is not one */
  mention: (handle: string) => string | undefined;
  /** what the network adds once the text is final */
  finish?: (post: ComposedPost, article: Article) => ComposedPost;
};
