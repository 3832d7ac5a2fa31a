/** What a composer makes of an article for one channel, before any network call. */
import type { Article } from '../domain/article';
import type { AuthorDirectory, Channel, Site } from '../domain/channel';

/** A link card: Bluesky's `app.bsky.embed.external`, LinkedIn's article, and the like. */
export type LinkCard = {
  /** the article URL as shared (with the channel's UTM parameters) */
  url: string;
  title: string;
  description?: string;
  imageUrl?: string;
  imageAlt?: string;
};

/** A Bluesky rich-text facet: UTF-8 byte offsets, start inclusive, end exclusive. */
export type Facet = {
  index: { byteStart: number; byteEnd: number };
  features: (
    | { $type: 'app.bsky.richtext.facet#link'; uri: string }
    | { $type: 'app.bsky.richtext.facet#tag'; tag: string }
  )[];
};

/** An image to attach: the article's image (or, for Instagram, the share card) and its alt text. */
export type MediaRef = {
  /** where the client gets the bytes: the original URL, or the processed copy's URL */
  url: string;
  alt?: string;
  /** set once the image was fetched, checked and processed (shared/preview) */
  mimeType?: string;
  width?: number;
  height?: number;
  bytes?: number;
};

export type ComposedPost = {
  /** the post's text, exactly as it is sent */
  text: string;
  /**
   * Where the text does not fit and the channel allows threads: the posts that follow
   * `text`, each valid on its own, in order.
   */
  thread?: string[];
  /** images to attach, where the network takes them */
  media?: MediaRef[];
  /** what may make the post look wrong on the network (missing image, title too long...) */
  warnings?: string[];
  /** the article URL with the channel's UTM parameters */
  url: string;
  /** the hashtags that made it into `text`, without `#` */
  hashtags: string[];
  card?: LinkCard;
  facets?: Facet[];
  language?: string;
  /** the network's own count of `text`, and its limit */
  length: { used: number; limit: number; unit: 'weighted' | 'graphemes' | 'characters' };
};

/** What every channel shares from the config: the site (`{site}`) and the author directory (`{handles}`). */
export type ComposeSettings = { site?: Site; authors: AuthorDirectory };

/** Without `settings`, there is no site name and no author directory. */
export type Composer = (
  article: Article,
  channel: Channel,
  settings?: ComposeSettings,
) => ComposedPost;
