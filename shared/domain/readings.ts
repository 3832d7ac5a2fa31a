/**
 * When a published post's counts are read: the instants of CRIER_METRICS_AFTER's offsets
 * after the post went out, which channels are read at all, how many readings a channel
 * may take per run of the collector, and the collector's ports.
 */
import type { Channel } from './channel';
import type { Platform } from './platform';
import type { ShareRef } from './ports';
import type { HistoryEntry, Share } from './share';

/**
 * A channel's readings: on unless its `metrics.enabled` says otherwise, except on X,
 * which charges for every read: there they are off unless enabled (with a monthly budget).
 */
export function readsMetrics(channel: Pick<Channel, 'platform' | 'metrics'>): boolean {
  return channel.metrics?.enabled ?? channel.platform !== 'x';
}

/** Why a channel's posts are not read, for the editors; undefined when they are. */
export function readingOffReason(
  channel: Pick<Channel, 'platform' | 'metrics'>,
): string | undefined {
  if (readsMetrics(channel)) return undefined;
  return channel.platform === 'x'
    ? 'not read: X charges for reads, and reading is off for this channel'
    : 'not read: reading is off for this channel';
}

/**
 * The most readings one channel takes per run of the collector (every five minutes in
 * AWS), so that readings never use up what publishing needs of the network's rate limits:
 * Mastodon allows 300 calls per 5 minutes per account, Meta's app usage 200 calls per
 * user an hour, X's per-user read limits are 900 per 15 minutes; Bluesky's and Telegram's
 * are wide. Each figure leaves most of the window to publishing.
 */
export const READS_PER_RUN: Record<Platform, number> = {
  x: 50,
  bluesky: 100,
  mastodon: 60,
  threads: 15,
  instagram: 15,
  facebook: 15,
  linkedin: 30,
  telegram: 30,
};

/** The instant the post went out: the history's move into `published`. */
export function postedAtOf(share: Pick<Share, 'history' | 'updatedAt'>): string {
  const entry = [...share.history]
    .reverse()
    .find(
      (e: HistoryEntry) => e.to === 'published' && e.from !== undefined && e.from !== 'published',
    );
  return entry?.at ?? share.updatedAt;
}

export type NextReading = { metricsDueAt: string; metricsRound: number };

/**
 * The reading after `round` (-1: before the first): the first whose instant is still
 * ahead of `now`, or the last one. A reading that came late (a channel waiting for a
 * reconnect, a rate limit) does not make the ones it overran due one after another, each
 * with the same counts. Undefined: `round` was the last.
 */
export function nextReading(
  postedAt: string,
  offsetsMs: readonly number[],
  round: number,
  now: Date,
): NextReading | undefined {
  const base = Date.parse(postedAt);
  const last = offsetsMs.length - 1;
  if (round >= last) return undefined;
  let next = round + 1;
  while (next < last && base + (offsetsMs[next] ?? 0) <= now.getTime()) next += 1;
  return {
    metricsDueAt: new Date(base + (offsetsMs[next] ?? 0)).toISOString(),
    metricsRound: next,
  };
}

/**
 * Which offset a reading taken at `now` stands for: its own `round`, or a later one whose
 * instant it is already past (a late reading counts as the latest age it reached).
 */
export function roundAt(
  postedAt: string,
  offsetsMs: readonly number[],
  round: number,
  now: Date,
): number {
  const base = Date.parse(postedAt);
  let at = Math.min(round, offsetsMs.length - 1);
  while (at + 1 < offsetsMs.length && base + (offsetsMs[at + 1] ?? 0) <= now.getTime()) at += 1;
  return at;
}

/**
 * What a share takes on when it is recorded published: its first reading's instant, or
 * why it will not be read (`metricsSkipped`). Written with the record itself, so it costs
 * no write of its own and cannot fail apart from it.
 */
export function firstReading(
  channel: Pick<Channel, 'platform' | 'metrics'> | undefined,
  postedAt: Date,
  offsetsMs: readonly number[],
): Pick<Share, 'metricsDueAt' | 'metricsRound' | 'metricsSkipped'> {
  const off = channel ? readingOffReason(channel) : undefined;
  if (off) return { metricsSkipped: off };
  if (offsetsMs.length === 0) return {};
  const first = nextReading(postedAt.toISOString(), offsetsMs, -1, postedAt);
  return first ?? {};
}

/** The month a read is counted in against a channel's monthly budget (UTC, `yyyy-mm`). */
export const readingMonth = (at: Date): string => at.toISOString().slice(0, 7);

/** A due reading as the index lists it: the share's ref and the reading's instant. */
export type DueReading = ShareRef & { dueAt: string };

/** The metrics index: shares whose next reading is due, earliest first, per shard. */
export interface ReadingsIndex {
  /**
   * A page of one shard's readings due at or before `until`, earliest first, starting
   * after `after` (the last sort key of the previous page); `next` to carry on, if any.
   */
  dueBy(
    shard: number,
    until: string,
    limit: number,
    after?: string,
  ): Promise<{ due: DueReading[]; next?: string }>;
}

/** Per channel, apart from publishing's own state: when its readings may go on, and X's reads. */
export interface ReadingState {
  /** until when (ISO) the network refused the channel's reads, if it did */
  pausedUntil(channelId: string): Promise<string | undefined>;
  /** the network rate limited the channel's reads until `until` (only ever moves forward) */
  pause(channelId: string, until: string): Promise<void>;
  /** counts one read in `month`; false, counting nothing, once `budget` reads were counted */
  takeRead(channelId: string, month: string, budget: number): Promise<boolean>;
  /** the reads counted in `month` */
  readsIn(channelId: string, month: string): Promise<number>;
}
