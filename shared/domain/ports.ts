/** The ports the use cases call; shared/store and shared/queue hold the adapters. */
import type { Article } from './article';
import type { Share } from './share';

export type ArticleRecord = {
  articleId: string;
  article: Article;
  receivedAt: string;
  updatedAt: string;
  /** the newest revision whose shares have all been written */
  composedRevision?: number;
};

export type ArticlePage = { articles: ArticleRecord[]; cursor?: string };

export interface ArticleStore {
  /**
   * Stores `record` unless the same or a newer revision is already there; returns what
   * the table holds afterwards, and whether this call wrote it.
   */
  putRevision(record: ArticleRecord): Promise<{ written: boolean; current: ArticleRecord }>;
  get(articleId: string): Promise<ArticleRecord | undefined>;
  markComposed(articleId: string, revision: number): Promise<void>;
  /** newest first */
  list(options: { limit: number; cursor?: string }): Promise<ArticlePage>;
}

export interface ShareStore {
  /** Writes the share unless one exists for its article and channel; true if written. */
  createIfAbsent(share: Share): Promise<boolean>;
  listForArticle(articleId: string): Promise<Share[]>;
}

/** Remembers webhook deliveries so a redelivery answers as the first one did. */
export interface DeliveryGuard {
  find(source: string, deliveryId: string): Promise<{ articleId: string } | undefined>;
  remember(source: string, deliveryId: string, articleId: string): Promise<void>;
}

export type ComposeMessage = { articleId: string; revision: number };

export interface ComposeQueue {
  send(message: ComposeMessage): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
