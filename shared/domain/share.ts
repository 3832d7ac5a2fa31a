/** A share: one article's post on one channel, and everything that happened to it. */
import * as z from 'zod';
import type { ComposedPost, Facet, LinkCard, MediaRef } from '../platforms/types';
import type { CorrectionRecord, PendingCorrection } from './correction';
import type { Reading } from './metrics';
import type { Platform } from './platform';
import type { ImageChoice } from './share-image';
import { nextStatus, type ShareEvent, type ShareStatus } from './share-state';
import type { PostWithdrawal } from './withdrawal';

/** An image a share carries, as the table stores it and the editor API shows it. */
export const mediaRefSchema = z.object({
  url: z.string(),
  alt: z.string().optional(),
  mimeType: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  bytes: z.number().optional(),
}) satisfies z.ZodType<MediaRef>;

/**
 * History entries that are not state-machine moves: a share composed, recomposed from a
 * new revision, edited by an editor, or its published post withdrawn from the network.
 */
export const HISTORY_NOTES = ['compose', 'recompose', 'edit', 'withdraw-post', 'correct'] as const;
export type HistoryNote = (typeof HISTORY_NOTES)[number];

export type HistoryEntry = {
  at: string;
  event: ShareEvent | HistoryNote;
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
  /** the posts that continue `text` as a thread, where it did not fit */
  thread?: string[];
  media?: MediaRef[];
  /** link-card and media warnings found when the share was composed */
  warnings?: string[];
  /**
   * A multi-step network's prepared object (a Threads or Instagram media container),
   * made when the share was queued, so that only the publish step runs at dueAt.
   */
  preparedId?: string;
  language?: string;
  length?: ComposedPost['length'];
  dueAt: string;
  attempt: number;
  /** bumped by every write; each state change is conditional on it */
  version: number;
  /** chosen once, before the first attempt, and sent with every attempt */
  idempotencyKey: string;
  /**
   * A key the network stores with the post, chosen at the first claim and kept for
   * every attempt: Bluesky's record key (a TID of the claim time).
   */
  remoteKey?: string;
  /** when the share was first claimed for publishing; reconcile looks from here */
  firstClaimedAt?: string;
  /** until when the current claim holds (queued: dueAt plus a margin; publishing: the lease) */
  leaseUntil?: string;
  /** the first post's id and public URL (for a thread, its root) */
  remoteId?: string;
  remoteUrl?: string;
  /**
   * The remote ids of the posts that continue a thread, in `thread` order, each written
   * to the table as soon as its post is made (see share-thread.ts).
   */
  threadIds?: string[];
  /**
   * A withdrawal under way: how many of `threadIds`, counted from the last, are already
   * deleted (a retry resumes with the next one).
   */
  threadWithdrawn?: number;
  /**
   * Bluesky: the record key of each post of `thread`, chosen with `remoteKey` at the first
   * claim and kept for every attempt, so a repeated reply collides instead of posting twice.
   */
  threadKeys?: string[];
  lastError?: string;
  cancelRequested?: boolean;
  /**
   * Since when (ISO) the share waits for a person to reconnect its channel: the token is
   * dead and cannot be refreshed. It stays `scheduled`; new credentials make it due now.
   */
  waitingForReconnect?: string;
  /**
   * What an editor changed by hand, and when: a new revision of the article recomposes
   * the share but keeps these, unless the editor asks otherwise.
   */
  edited?: {
    text?: string;
    thread?: string;
    dueAt?: string;
    /** the image the editor chose (kept through new revisions) */
    image?: ImageChoice;
    /** the editor's alt text for it (kept through new revisions) */
    imageAlt?: string;
  };
  /**
   * The round of an evergreen re-share: absent for the first share of an article on a
   * channel, 2 and up for each re-share (see share-key.ts).
   */
  round?: number;
  /**
   * When the CMS acknowledged the post (syndication), or the last reason it could not be
   * told. Neither is a state of the share: they never change its status.
   */
  syndicatedAt?: string;
  syndicationError?: string;
  /** what was done to the published post once its article was withdrawn */
  withdrawal?: PostWithdrawal;
  /** the post's latest engagement reading (every reading: the metrics store) */
  metrics?: Reading;
  /** when the post's next reading is due: the metrics index lists the share while set */
  metricsDueAt?: string;
  /** which of CRIER_METRICS_AFTER's offsets that reading is (0: the first) */
  metricsRound?: number;
  /** failed attempts at that reading, each put off a little longer */
  metricsTries?: number;
  /** why a reading was not taken, or why the post is no longer read, for the editors */
  metricsSkipped?: string;
  /** the article's headline the share was composed from (a new one may call for a correction) */
  headline?: string;
  /** corrections of the published post waiting for the publish worker, oldest first */
  correctionsDue?: PendingCorrection[];
  /** what was done for each revision that corrected the published post, the latest few */
  corrections?: CorrectionRecord[];
  createdAt: string;
  updatedAt: string;
  /** the first entry and the most recent ones, at most HISTORY_LIMIT (see boundShare) */
  history: HistoryEntry[];
  /** how many history entries were dropped to keep the item small; absent when none */
  historyDropped?: number;
};

/**
 * A share's history keeps its first entry (how it was created) and the most recent ones,
 * this many in all. DynamoDB refuses an item over 400 KB, and a share edited or retried
 * without end would otherwise grow until every write to it failed. Reconcile counts its
 * tries in the history, so this stays above CRIER_MAX_RECONCILES's ceiling (50) less one.
 */
export const HISTORY_LIMIT = 50;

/**
 * The longest text a free-form field keeps (an error, a warning, a history reason):
 * networks can answer with whole pages, and the item must stay far under its limit.
 */
export const NOTE_LIMIT = 1_000;
/** The most composition warnings a share keeps. */
export const WARNINGS_LIMIT = 20;

const clip = (text: string, limit = NOTE_LIMIT): string =>
  text.length > limit ? `${text.slice(0, limit - 1)}…` : text;

/**
 * The share with its history cut to HISTORY_LIMIT entries (the first one and the most
 * recent, the count of the dropped ones in `historyDropped`) and its free-form notes
 * clipped. Every write of a share goes through it, so no path can grow the item without
 * end.
 */
export function boundShare(share: Share): Share {
  const { history } = share;
  const excess = history.length - HISTORY_LIMIT;
  const kept = excess > 0 ? [...history.slice(0, 1), ...history.slice(excess + 1)] : history;
  const next: Share = {
    ...share,
    history: kept.map((entry) =>
      entry.reason && entry.reason.length > NOTE_LIMIT
        ? { ...entry, reason: clip(entry.reason) }
        : entry,
    ),
  };
  if (excess > 0) next.historyDropped = (share.historyDropped ?? 0) + excess;
  if (next.lastError !== undefined) next.lastError = clip(next.lastError);
  if (next.syndicationError !== undefined) next.syndicationError = clip(next.syndicationError);
  if (next.metricsSkipped !== undefined) next.metricsSkipped = clip(next.metricsSkipped);
  if (next.warnings) next.warnings = next.warnings.slice(0, WARNINGS_LIMIT).map((w) => clip(w));
  return next;
}

/** Statuses that hold a lease, and so sit in the in-flight index for the sweeper. */
export const LEASED_STATUSES: readonly ShareStatus[] = ['queued', 'publishing', 'unknown'];

/**
 * The share after `event`: the state machine's next status, the version bumped, the
 * change stamped and appended to the (bounded) history. Throws a ConflictError where the state
 * machine forbids the move.
 */
export function applyEvent(
  share: Share,
  event: ShareEvent,
  change: {
    at: Date;
    by: string;
    reason?: string;
    /** fields that change with the move (dueAt, lease, remote id, error...) */
    patch?: Partial<Omit<Share, 'status' | 'version' | 'history' | 'articleId' | 'channelId'>>;
  },
): Share {
  const to = nextStatus(share.status, event);
  const at = change.at.toISOString();
  const next: Share = boundShare({
    ...share,
    ...change.patch,
    status: to,
    version: share.version + 1,
    updatedAt: at,
    history: [
      ...share.history,
      {
        at,
        event,
        from: share.status,
        to,
        by: change.by,
        ...(change.reason ? { reason: change.reason } : {}),
      },
    ],
  });
  if (!LEASED_STATUSES.includes(to)) delete next.leaseUntil;
  return next;
}
