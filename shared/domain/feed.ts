/**
 * Feeds Crier polls for articles (RSS 2.0, Atom, JSON Feed), as the channels config lists
 * them, and what is remembered of each between polls.
 */
import * as z from 'zod';
import { siteIdSchema } from './routing';

export const feedSchema = z.object({
  /** names the feed in the table and the logs; lowercase letters, digits and dashes */
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes, at most 63'),
  url: z.url({ protocol: /^https?$/, message: 'must be an http or https URL' }),
  /** minutes between two fetches of the feed (the poller itself runs every minute) */
  everyMinutes: z.number().int().min(1).max(1440).default(5),
  /**
   * On the first poll, items published up to this many hours before are taken too;
   * older ones are only remembered as seen. 0 (default): only what appears from then on.
   */
  backlogHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 30)
    .default(0),
  /** the site whose articles the feed's items become; unset: the default site */
  siteId: siteIdSchema.optional(),
});

export type Feed = z.output<typeof feedSchema>;

/** What the poller keeps of a feed between polls. */
export type FeedState = {
  /** when Crier first polled the feed: the backlog is what was published before */
  firstPolledAt: string;
  lastPolledAt: string;
  /** the validators of the last full answer, sent back for a conditional GET */
  etag?: string;
  lastModified?: string;
  /** why the last poll failed; absent after a good one */
  lastError?: string;
};

export interface FeedStore {
  getState(feedId: string): Promise<FeedState | undefined>;
  saveState(feedId: string, state: FeedState): Promise<void>;
  /** the revision each item was last taken at, for the items already seen */
  seen(feedId: string, itemIds: readonly string[]): Promise<Map<string, number>>;
  /** remembers an item at a revision; a lower revision never replaces a higher one */
  markSeen(feedId: string, itemId: string, revision: number): Promise<void>;
}

/** One entry of a feed, whatever the format, before it becomes an article. */
export type FeedItem = {
  /** the guid, Atom id or JSON Feed id; the link when the feed gives none */
  id: string;
  url?: string;
  title?: string;
  /** HTML or text; the article schema keeps the text */
  summary?: string;
  imageUrl?: string;
  imageAlt?: string;
  authors: string[];
  categories: string[];
  language?: string;
  publishedAt?: string;
  updatedAt?: string;
};

export type ParsedFeed = {
  format: 'rss' | 'atom' | 'json';
  language?: string;
  items: FeedItem[];
};
