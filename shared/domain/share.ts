/** A share: one article's post on one channel, and everything that happened to it. */
import type { ComposedPost, Facet, LinkCard } from '../platforms/types';
import type { Platform } from './platform';
import type { ShareEvent, ShareStatus } from './share-state';

export type HistoryEntry = {
  at: string;
  event: ShareEvent | 'compose';
  from?: ShareStatus;
  to: ShareStatus;
  by: string;
  reason?: string;
};

export type Share = {
  articleId: string;
  channelId: string;
  platform: Platform;
  /** the article revision this share was composed from */
  articleRevision: number;
  status: ShareStatus;
  text: string;
  url: string;
  hashtags: string[];
  card?: LinkCard;
  facets?: Facet[];
  language?: string;
  length?: ComposedPost['length'];
  dueAt: string;
  attempt: number;
  /** bumped by every write; each state change is conditional on it */
  version: number;
  /** chosen once, before the first attempt, and sent with every attempt */
  idempotencyKey: string;
  remoteId?: string;
  remoteUrl?: string;
  lastError?: string;
  cancelRequested?: boolean;
  createdAt: string;
  updatedAt: string;
  history: HistoryEntry[];
};
