/** The ports the use cases call; shared/store and shared/queue hold the adapters. */
import type { MediaRef } from '../platforms/types';
import type { Article } from './article';
import type { Platform } from './platform';
import type { ChannelOverrides } from './routing';
import type { Share } from './share';
import type { ShareStatus } from './share-state';

export type ArticleRecord = {
  articleId: string;
  article: Article;
  receivedAt: string;
  updatedAt: string;
  /** the newest revision whose shares have all been written */
  composedRevision?: number;
  /** channels an editor added to this article or dropped from it; no revision changes them */
  channelOverrides?: ChannelOverrides;
};

export type ArticlePage = { articles: ArticleRecord[]; cursor?: string };

/** `from` and `to` bound the time the article was received (inclusive, UTC ISO instants). */
export type ArticleListOptions = { limit: number; cursor?: string; from?: string; to?: string };

export interface ArticleStore {
  /**
   * Stores `record` unless the same or a newer revision is already there; returns what
   * the table holds afterwards, and whether this call wrote it.
   */
  putRevision(record: ArticleRecord): Promise<{ written: boolean; current: ArticleRecord }>;
  get(articleId: string): Promise<ArticleRecord | undefined>;
  markComposed(articleId: string, revision: number): Promise<void>;
  /**
   * Writes the editor's channel overrides if the stored ones are still `previous` (by
   * version; undefined: none yet). False when another change got there first.
   */
  setChannelOverrides(
    articleId: string,
    previous: ChannelOverrides | undefined,
    next: ChannelOverrides,
  ): Promise<boolean>;
  /** newest first */
  list(options: ArticleListOptions): Promise<ArticlePage>;
}

/** A share by its article, channel and evergreen round (absent for the first; see share-key.ts). */
export type ShareRef = { articleId: string; channelId: string; round?: number };

export interface ShareStore {
  /** Writes the share unless one exists for its article, channel and round; true if written. */
  createIfAbsent(share: Share): Promise<boolean>;
  get(ref: ShareRef): Promise<Share | undefined>;
  /** Writes `next` if the stored share still has `previous`'s status and version. */
  replace(previous: Share, next: Share): Promise<boolean>;
  listForArticle(articleId: string): Promise<Share[]>;
  /** scheduled shares due at or before `until` */
  dueBy(until: string, limitPerShard: number): Promise<ShareRef[]>;
  /** queued, publishing or unknown shares whose lease ended at or before `now` */
  leasesEndedBy(now: string, limitPerShard: number): Promise<ShareRef[]>;
}

/** A share's place on its channel's timeline: which article, and when it is due. */
export type ChannelTimelineEntry = { articleId: string; dueAt: string };

export type TimelinePage = { entries: ChannelTimelineEntry[]; cursor?: string };

/** Each channel's shares by dueAt (the channel timeline index), latest first. */
export interface ChannelTimeline {
  /** `from` and `to` bound dueAt (inclusive, UTC ISO instants) */
  list(
    channelId: string,
    options: { limit: number; cursor?: string; from?: string; to?: string },
  ): Promise<TimelinePage>;
}

/** A posting slot a share holds on its channel's calendar (docs/architecture.md, slot reservation). */
export type SlotReservation = {
  channelId: string;
  /** the slot's instant, fixed-width UTC ISO */
  instant: string;
  holder: ShareRef;
  /** when the holder took it: a reservation whose share never appeared goes stale */
  createdAt: string;
};

/** A share on its channel's timeline: where it stands, and when it is (or was) due. */
export type TimelineEntry = ShareRef & { dueAt: string; status: ShareStatus };

/** A channel's calendar: its shares by dueAt (the timeline index) and its slot reservations. */
export interface SlotStore {
  /**
   * Takes the channel's planning lease for `owner` unless another owner holds one that
   * lasts past `now`: one planner at a time reads the calendar and reserves.
   */
  lock(channelId: string, owner: string, now: string, until: string): Promise<boolean>;
  /** Gives the lease back if `owner` still holds it. */
  unlock(channelId: string, owner: string): Promise<void>;
  /**
   * Takes the slot unless another share holds it (a conditional write; taking it again
   * for the same share succeeds). Returns the reservation the table holds afterwards.
   */
  reserve(reservation: SlotReservation): Promise<SlotReservation>;
  /** Replaces a stale reservation with `next`, only if it is still exactly `stale`. */
  takeOver(stale: SlotReservation, next: SlotReservation): Promise<boolean>;
  /** Frees the slot if `holder` holds it; otherwise, or a second time, changes nothing. */
  release(channelId: string, instant: string, holder: ShareRef): Promise<void>;
  /** the channel's reservations from `from` to `to`, earliest first */
  reservations(channelId: string, from: string, to: string): Promise<SlotReservation[]>;
  /** the channel's shares due from `from` to `to`, earliest first, whatever their status */
  timeline(channelId: string, from: string, to: string): Promise<TimelineEntry[]>;
}

export const HEALTH_STATUSES = ['ok', 'expiring', 'failing', 'unconnected'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** What the last who-am-I check of a channel found; `reason` is null when ok. */
export type ChannelHealth = { status: HealthStatus; reason: string | null; checkedAt: string };

export type ChannelState = { rateLimitedUntil?: string; session?: string; health?: ChannelHealth };

export interface ChannelStateStore {
  get(channelId: string): Promise<ChannelState>;
  rateLimitedUntil(channelId: string, until: string): Promise<void>;
  saveSession(channelId: string, session: string): Promise<void>;
  saveHealth(channelId: string, health: ChannelHealth): Promise<void>;
}

/**
 * The single-flight lease over a channel's token refresh: one holder at a time, until
 * `until` (an ISO instant) passes. It holds an owner and an instant, never a token.
 */
export interface RefreshLeases {
  /** true when `owner` holds the lease now (it was free, expired, or already its own) */
  take(channelId: string, owner: string, now: string, until: string): Promise<boolean>;
  /** Ends the lease if `owner` still holds it; otherwise changes nothing. */
  release(channelId: string, owner: string): Promise<void>;
}

/** A publish message names a share and nothing else. */
export type PublishMessage = ShareRef;

export interface PublishQueue {
  /** `delaySeconds` 0-900, SQS's longest delay */
  send(message: PublishMessage, delaySeconds: number): Promise<void>;
}

export interface CredentialsProvider {
  /** the channel's credentials as stored, or undefined when none are configured */
  get(channel: { id: string; platform: Platform }): Promise<unknown>;
}

/**
 * Where the credentials a person set for a channel are kept: Secrets Manager in AWS, the
 * data folder locally. Values are the network's JSON fields, never logged or returned.
 */
export interface ChannelSecrets {
  /** undefined when nothing was ever stored for the channel */
  get(channelId: string): Promise<unknown>;
  put(channelId: string, value: unknown): Promise<void>;
}

/** Remembers webhook deliveries so a redelivery answers as the first one did. */
export interface DeliveryGuard {
  find(source: string, deliveryId: string): Promise<{ articleId: string } | undefined>;
  remember(source: string, deliveryId: string, articleId: string): Promise<void>;
}

export type ComposeMessage = { articleId: string; revision: number };

/**
 * A pointer to an article that may hold a revision not composed yet, looked at from
 * `checkAt`. Only a pointer: the article item says whether anything is left to do.
 */
export type ComposeMarker = { articleId: string; checkAt: string; resends: number };

/**
 * The revision sweep's to-do list, read by time without a scan: ingest marks an article
 * before it stores the revision, the sweep reads the markers whose time has come.
 */
export interface ComposeMarkers {
  mark(marker: ComposeMarker): Promise<void>;
  /** markers whose checkAt is at or before `instant`, oldest first, at most `limit` */
  endedBy(instant: string, limit: number): Promise<ComposeMarker[]>;
  clear(marker: ComposeMarker): Promise<void>;
}

export interface ComposeQueue {
  send(message: ComposeMessage): Promise<void>;
}

/**
 * The media bucket as the publish step sees a share's stored images (shared/preview/
 * media-keeper.ts): whether one is still there, a short-lived link for a network that
 * downloads it, and the image made again where the bucket's lifecycle deleted it.
 */
export interface MediaKeeper {
  /** whether `url` names an object of the bucket (`s3://`, or an old presigned URL of it) */
  isStored(url: string): boolean;
  /** whether that object is still in the bucket */
  exists(url: string): Promise<boolean>;
  /** a GET link for the object, signed at `now` and valid a short while (LINK_SECONDS) */
  link(url: string, now: Date): Promise<string>;
  /**
   * The share's images for its network made again from its article as compose made them
   * (the article's image fitted, or the share card), stored anew; throws where that
   * cannot be done.
   */
  remake(share: Share, article: Article): Promise<{ media: MediaRef[]; warnings: string[] }>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
