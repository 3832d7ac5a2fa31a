/**
 * In-memory adapters of the store ports (shared/domain/ports.ts), for unit tests of the use
 * cases. Each keeps the contract of its DynamoDB adapter in shared/store, and
 * tests/integration/store/ports-contract.test.ts runs the same assertions against both:
 *
 * - items are kept as DynamoDB keeps them: a JSON copy (undefined fields dropped, nothing
 *   shared with the caller), read back through the same schemas (shared/store/items.ts);
 * - every conditional write has the condition of its Dynamo twin: `createIfAbsent` is
 *   attribute_not_exists, `replace` compares status and version, `putRevision` keeps the
 *   newest revision, slot reservations are taken unless another share holds them;
 * - the sparse indexes (due, in flight, channel timeline) are computed with the same key
 *   functions (shared/store/keys.ts), so `dueBy` and `leasesEndedBy` answer shard by shard,
 *   earliest first within a shard, `limitPerShard` each, as the Dynamo queries do.
 */
import * as z from 'zod';
import { ValidationError } from '../../../shared/domain/errors';
import type {
  ArticleListOptions,
  ArticlePage,
  ArticleRecord,
  ArticleStore,
  ChannelHealth,
  ChannelState,
  ChannelStateStore,
  ChannelTimeline,
  ChannelTimelineEntry,
  Clock,
  ComposeMarker,
  ComposeMarkers,
  DeliveryGuard,
  RefreshLeases,
  ShareRef,
  ShareStore,
  SlotReservation,
  SlotStore,
  TimelineEntry,
  TimelinePage,
} from '../../../shared/domain/ports';
import type { ChannelOverrides } from '../../../shared/domain/routing';
import { LEASED_STATUSES, type Share } from '../../../shared/domain/share';
import { shareKeyOf } from '../../../shared/domain/share-key';
import { TABLE } from '../../../shared/resources';
import { DELIVERY_GUARD_DAYS } from '../../../shared/store/delivery-guard';
import { articleItemSchema, shareItemSchema } from '../../../shared/store/items';
import {
  articlesByTime,
  channelTimeline,
  dueIndex,
  holderOf,
  leaseIndex,
  shareRefOf,
} from '../../../shared/store/keys';

/** What DynamoDB hands back of what it was given: a copy, without undefined fields. */
export const stored = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** DynamoDB orders string keys by their UTF-8 bytes. */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** `~` sorts after every character of an id: every key of the instant matches (as in share-store.ts). */
const upTo = (instant: string) => `${instant}#~`;

/** DynamoDB refuses a query whose BETWEEN has its lower bound above its upper bound. */
function checkBetween(low: string, high: string): void {
  if (byBytes(low, high) <= 0) return;
  const error = new Error(
    'Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound',
  );
  error.name = 'ValidationException';
  throw error;
}

const shareId = (ref: ShareRef) =>
  `${ref.articleId}/${shareKeyOf({ channelId: ref.channelId, round: ref.round })}`;

/** One write the store was asked for, and whether its condition held. */
export type WriteRecord = {
  op: 'createIfAbsent' | 'replace';
  share: string;
  /** the status and version the write was conditional on (replace) */
  expected?: { status: Share['status']; version: number };
  written: { status: Share['status']; version: number };
  ok: boolean;
};

/** Runs between reading the stored share and checking the write's condition: a racing writer. */
export type ReplaceInterceptor = (previous: Share, next: Share) => void | Promise<void>;

export class InMemoryShareStore implements ShareStore {
  private readonly items = new Map<string, Share>();
  private readonly interceptors: ReplaceInterceptor[] = [];
  /** every createIfAbsent and replace, in order, with its outcome */
  readonly writes: WriteRecord[] = [];

  async createIfAbsent(share: Share): Promise<boolean> {
    const key = shareId(share);
    const ok = !this.items.has(key);
    if (ok) this.items.set(key, stored(share));
    this.writes.push({
      op: 'createIfAbsent',
      share: key,
      written: { status: share.status, version: share.version },
      ok,
    });
    return ok;
  }

  async get(ref: ShareRef): Promise<Share | undefined> {
    const item = this.items.get(shareId(ref));
    return item ? shareItemSchema.parse(stored(item)) : undefined;
  }

  /** As the Dynamo put: the condition is checked on the item at `next`'s key. */
  async replace(previous: Share, next: Share): Promise<boolean> {
    const interceptor = this.interceptors.shift();
    if (interceptor) await interceptor(stored(previous), stored(next));
    const key = shareId(next);
    const current = this.items.get(key);
    const ok =
      current !== undefined &&
      current.status === previous.status &&
      current.version === previous.version;
    if (ok) this.items.set(key, stored(next));
    this.writes.push({
      op: 'replace',
      share: key,
      expected: { status: previous.status, version: previous.version },
      written: { status: next.status, version: next.version },
      ok,
    });
    return ok;
  }

  async listForArticle(articleId: string): Promise<Share[]> {
    return [...this.items.values()]
      .filter((share) => share.articleId === articleId)
      .map((share) => ({ sk: `S#${shareKeyOf(share)}`, share }))
      .sort((a, b) => byBytes(a.sk, b.sk))
      .map(({ share }) => shareItemSchema.parse(stored(share)));
  }

  async dueBy(until: string, limitPerShard: number): Promise<ShareRef[]> {
    return this.refsBefore(
      (share) =>
        share.status === 'scheduled'
          ? dueIndex(share.articleId, share.channelId, share.dueAt, share.round)
          : undefined,
      (item) => ({ pk: item.duePK, sk: item.dueSK }),
      'DUE',
      until,
      limitPerShard,
    );
  }

  async leasesEndedBy(now: string, limitPerShard: number): Promise<ShareRef[]> {
    return this.refsBefore(
      (share) =>
        share.leaseUntil && LEASED_STATUSES.includes(share.status)
          ? leaseIndex(share.articleId, share.channelId, share.leaseUntil, share.round)
          : undefined,
      (item) => ({ pk: item.leasePK, sk: item.leaseSK }),
      'LEASE',
      now,
      limitPerShard,
    );
  }

  /** The test's own view: every share as stored, whatever its status (not a port method). */
  all(): Share[] {
    return [...this.items.values()].map((share) => stored(share));
  }

  /**
   * Runs `interceptor` inside the next `replace`, after the caller read the share and
   * before the condition is checked: the way to stage a writer that wins a race.
   */
  interceptNextReplace(interceptor: ReplaceInterceptor): void {
    this.interceptors.push(interceptor);
  }

  /** Writes a share as it is, no condition (a test's setup, or a racing writer). */
  put(share: Share): void {
    this.items.set(shareId(share), stored(share));
  }

  /** The channel timeline index: every share of the channel, by `<dueAt>#<articleId>`. */
  timelineOf(channelId: string): { sortKey: string; share: Share }[] {
    return [...this.items.values()]
      .filter((share) => share.channelId === channelId)
      .map((share) => ({
        sortKey: channelTimeline(share.articleId, share.channelId, share.dueAt).timelineSK,
        share,
      }))
      .sort((a, b) => byBytes(a.sortKey, b.sortKey));
  }

  private refsBefore<T>(
    indexOf: (share: Share) => T | undefined,
    keysOf: (item: T) => { pk: string; sk: string },
    prefix: string,
    until: string,
    limitPerShard: number,
  ): ShareRef[] {
    const rows = [...this.items.values()].flatMap((share) => {
      const item = indexOf(share);
      return item ? [keysOf(item)] : [];
    });
    const bound = upTo(until);
    return Array.from({ length: TABLE.shardCount }, (_, shard) => shard).flatMap((shard) =>
      rows
        .filter((row) => row.pk === `${prefix}#${shard}` && byBytes(row.sk, bound) <= 0)
        .sort((a, b) => byBytes(a.sk, b.sk))
        .slice(0, limitPerShard)
        .flatMap((row) => shareRefOf(row.sk) ?? []),
    );
  }
}

const articleCursorSchema = z.object({ after: z.string() });

export class InMemoryArticleStore implements ArticleStore {
  private readonly items = new Map<string, ArticleRecord>();

  /**
   * As the Dynamo update: written unless the same or a newer revision is stored; a newer
   * revision keeps the first arrival's receivedAt and composedRevision, and its updatedAt
   * is the record's receivedAt (the instant ingest stored it).
   */
  async putRevision(record: ArticleRecord): Promise<{ written: boolean; current: ArticleRecord }> {
    const current = this.items.get(record.articleId);
    if (current && current.article.revision >= record.article.revision) {
      return { written: false, current: articleItemSchema.parse(stored(current)) };
    }
    const next: ArticleRecord = {
      articleId: record.articleId,
      article: record.article,
      receivedAt: current?.receivedAt ?? record.receivedAt,
      updatedAt: record.receivedAt,
      ...(current?.composedRevision !== undefined
        ? { composedRevision: current.composedRevision }
        : {}),
      ...(current?.channelOverrides ? { channelOverrides: current.channelOverrides } : {}),
    };
    this.items.set(record.articleId, stored(next));
    return { written: true, current: articleItemSchema.parse(stored(next)) };
  }

  async get(articleId: string): Promise<ArticleRecord | undefined> {
    const item = this.items.get(articleId);
    return item ? articleItemSchema.parse(stored(item)) : undefined;
  }

  async markComposed(articleId: string, revision: number): Promise<void> {
    const item = this.items.get(articleId);
    if (!item) return;
    if (item.composedRevision !== undefined && item.composedRevision >= revision) return;
    this.items.set(articleId, { ...item, composedRevision: revision });
  }

  async setChannelOverrides(
    articleId: string,
    previous: ChannelOverrides | undefined,
    next: ChannelOverrides,
  ): Promise<boolean> {
    const item = this.items.get(articleId);
    if (!item || item.channelOverrides?.version !== previous?.version) return false;
    this.items.set(articleId, stored({ ...item, channelOverrides: next }));
    return true;
  }

  /** Newest first by `<receivedAt>#<articleId>`; `from` and `to` bound receivedAt, inclusive. */
  async list({ limit, cursor, from, to }: ArticleListOptions): Promise<ArticlePage> {
    const after = cursor ? decodeArticleCursor(cursor) : undefined;
    const rows = [...this.items.values()]
      .map((record) => ({
        sortKey: articlesByTime(record.receivedAt, record.articleId).monthSK,
        record,
      }))
      .filter(
        ({ sortKey }) =>
          (from === undefined || byBytes(sortKey, from) >= 0) &&
          (to === undefined || byBytes(sortKey, upTo(to)) <= 0) &&
          (after === undefined || byBytes(sortKey, after) < 0),
      )
      .sort((a, b) => byBytes(b.sortKey, a.sortKey))
      .slice(0, limit);
    const last = rows.at(-1);
    return {
      articles: rows.map(({ record }) => articleItemSchema.parse(stored(record))),
      cursor:
        last && rows.length >= limit
          ? Buffer.from(JSON.stringify({ after: last.sortKey }), 'utf8').toString('base64url')
          : undefined,
    };
  }
}

function decodeArticleCursor(value: string): string {
  try {
    return articleCursorSchema.parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')))
      .after;
  } catch (error) {
    throw new ValidationError(
      'Invalid cursor',
      [{ field: 'cursor', message: 'is not a cursor this API gave' }],
      { cause: error },
    );
  }
}

const timelineCursorSchema = z.object({ channel: z.string(), after: z.string() });

/** The channel timeline index over the in-memory shares, latest first. */
export class InMemoryChannelTimeline implements ChannelTimeline {
  constructor(private readonly shares: InMemoryShareStore) {}

  async list(
    channelId: string,
    options: { limit: number; cursor?: string; from?: string; to?: string },
  ): Promise<TimelinePage> {
    const after = options.cursor ? decodeTimelineCursor(options.cursor, channelId) : undefined;
    const { from, to } = options;
    // As sortKeyBounds: the cursor, or else `to`, is the upper bound of one BETWEEN.
    const upper =
      after !== undefined && (to === undefined || byBytes(after, upTo(to)) <= 0)
        ? after
        : to !== undefined
          ? upTo(to)
          : undefined;
    if (from !== undefined && upper !== undefined) checkBetween(from, upper);
    const rows = this.shares
      .timelineOf(channelId)
      .filter(
        ({ sortKey }) =>
          (from === undefined || byBytes(sortKey, from) >= 0) &&
          (to === undefined || byBytes(sortKey, upTo(to)) <= 0) &&
          (after === undefined || byBytes(sortKey, after) < 0),
      )
      .reverse()
      .slice(0, options.limit);
    const last = rows.at(-1);
    return {
      entries: rows.map(
        ({ share }): ChannelTimelineEntry => ({ articleId: share.articleId, dueAt: share.dueAt }),
      ),
      cursor:
        last && rows.length >= options.limit
          ? Buffer.from(JSON.stringify({ channel: channelId, after: last.sortKey })).toString(
              'base64url',
            )
          : undefined,
    };
  }
}

function decodeTimelineCursor(value: string, channelId: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const cursor = timelineCursorSchema.safeParse(parsed);
  if (!cursor.success || cursor.data.channel !== channelId) {
    throw new ValidationError('Invalid cursor', [
      { field: 'cursor', message: 'is not a cursor this API gave for this channel' },
    ]);
  }
  return cursor.data.after;
}

type StoredReservation = { channelId: string; instant: string; holder: string; createdAt: string };

/** Slot reservations and planning leases per channel; the timeline reads the shares. */
export class InMemorySlotStore implements SlotStore {
  private readonly slots = new Map<string, StoredReservation>();
  private readonly locks = new Map<string, { owner: string; leaseUntil: string }>();
  private readonly interceptors: ((wanted: SlotReservation) => void | Promise<void>)[] = [];

  constructor(private readonly shares: InMemoryShareStore) {}

  /**
   * Runs `interceptor` inside the next `reserve`, before its condition is checked: a
   * writer (an editor's hold, a planner whose lease ran out) taking the slot first.
   */
  interceptNextReserve(interceptor: (wanted: SlotReservation) => void | Promise<void>): void {
    this.interceptors.push(interceptor);
  }

  async lock(channelId: string, owner: string, now: string, until: string): Promise<boolean> {
    const held = this.locks.get(channelId);
    // attribute_not_exists(PK) OR leaseUntil < :now: even its own owner waits out a live lease.
    if (held && !(byBytes(held.leaseUntil, now) < 0)) return false;
    this.locks.set(channelId, { owner, leaseUntil: until });
    return true;
  }

  async unlock(channelId: string, owner: string): Promise<void> {
    if (this.locks.get(channelId)?.owner === owner) this.locks.delete(channelId);
  }

  async reserve(reservation: SlotReservation): Promise<SlotReservation> {
    await this.interceptors.shift()?.(structuredClone(reservation));
    const key = slotId(reservation.channelId, reservation.instant);
    const held = this.slots.get(key);
    if (!held || held.holder === holderOf(reservation.holder)) {
      this.slots.set(key, storedReservation(reservation));
      return reservation;
    }
    const holder = toReservation(held);
    if (!holder) throw new Error(`slot ${key} holds an unreadable holder ${held.holder}`);
    return holder;
  }

  async takeOver(stale: SlotReservation, next: SlotReservation): Promise<boolean> {
    const key = slotId(next.channelId, next.instant);
    const held = this.slots.get(key);
    if (!held || held.holder !== holderOf(stale.holder) || held.createdAt !== stale.createdAt) {
      return false;
    }
    this.slots.set(key, storedReservation(next));
    return true;
  }

  async release(channelId: string, instant: string, holder: ShareRef): Promise<void> {
    const key = slotId(channelId, instant);
    if (this.slots.get(key)?.holder === holderOf(holder)) this.slots.delete(key);
  }

  async reservations(channelId: string, from: string, to: string): Promise<SlotReservation[]> {
    const [low, high] = [`SLOT#${from}`, `SLOT#${to}`];
    checkBetween(low, high);
    return [...this.slots.values()]
      .filter((item) => item.channelId === channelId)
      .map((item) => ({ sk: `SLOT#${item.instant}`, item }))
      .filter(({ sk }) => byBytes(sk, low) >= 0 && byBytes(sk, high) <= 0)
      .sort((a, b) => byBytes(a.sk, b.sk))
      .flatMap(({ item }) => toReservation(item) ?? []);
  }

  async timeline(channelId: string, from: string, to: string): Promise<TimelineEntry[]> {
    checkBetween(from, upTo(to));
    return this.shares
      .timelineOf(channelId)
      .filter(({ sortKey }) => byBytes(sortKey, from) >= 0 && byBytes(sortKey, upTo(to)) <= 0)
      .map(({ share }) => ({
        articleId: share.articleId,
        channelId: share.channelId,
        ...(share.round ? { round: share.round } : {}),
        dueAt: share.dueAt,
        status: share.status,
      }));
  }

  /** The test's own view of a channel's planning lease (not a port method). */
  lockOf(channelId: string): { owner: string; leaseUntil: string } | undefined {
    const held = this.locks.get(channelId);
    return held ? { ...held } : undefined;
  }
}

const slotId = (channelId: string, instant: string) => `${channelId}/${instant}`;

const storedReservation = (reservation: SlotReservation): StoredReservation => ({
  channelId: reservation.channelId,
  instant: reservation.instant,
  holder: holderOf(reservation.holder),
  createdAt: reservation.createdAt,
});

function toReservation(item: StoredReservation): SlotReservation | undefined {
  const holder = shareRefOf(item.holder);
  return holder ? { ...item, holder } : undefined;
}

export class InMemoryChannelStateStore implements ChannelStateStore {
  private readonly states = new Map<string, ChannelState>();

  async get(channelId: string): Promise<ChannelState> {
    return stored(this.states.get(channelId) ?? {});
  }

  /** Only ever moves forward, as the Dynamo update's condition. */
  async rateLimitedUntil(channelId: string, until: string): Promise<void> {
    const state = this.states.get(channelId) ?? {};
    if (state.rateLimitedUntil !== undefined && byBytes(state.rateLimitedUntil, until) >= 0) return;
    this.states.set(channelId, { ...state, rateLimitedUntil: until });
  }

  async saveSession(channelId: string, session: string): Promise<void> {
    this.states.set(channelId, { ...this.states.get(channelId), session });
  }

  async saveHealth(channelId: string, health: ChannelHealth): Promise<void> {
    this.states.set(channelId, { ...this.states.get(channelId), health });
  }
}

/** The refresh lease as the Dynamo item's conditions: free, expired, or the owner's own. */
export class InMemoryRefreshLeases implements RefreshLeases {
  readonly held = new Map<string, { owner: string; until: string }>();

  async take(channelId: string, owner: string, now: string, until: string): Promise<boolean> {
    const lease = this.held.get(channelId);
    if (lease && lease.owner !== owner && byBytes(lease.until, now) >= 0) return false;
    this.held.set(channelId, { owner, until });
    return true;
  }

  async release(channelId: string, owner: string): Promise<void> {
    if (this.held.get(channelId)?.owner === owner) this.held.delete(channelId);
  }
}

/** Webhook deliveries remembered for DELIVERY_GUARD_DAYS by the clock, as the Dynamo guard. */
export class InMemoryDeliveryGuard implements DeliveryGuard {
  private readonly items = new Map<string, { articleId: string; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  async find(source: string, deliveryId: string): Promise<{ articleId: string } | undefined> {
    const item = this.items.get(`${source}#${deliveryId}`);
    if (!item || item.expiresAt * 1000 <= this.clock.now().getTime()) return undefined;
    return { articleId: item.articleId };
  }

  async remember(source: string, deliveryId: string, articleId: string): Promise<void> {
    const now = this.clock.now().getTime();
    this.items.set(`${source}#${deliveryId}`, {
      articleId,
      expiresAt: Math.floor(now / 1000) + DELIVERY_GUARD_DAYS * 86_400,
    });
  }
}

/** The revision sweep's markers, keyed as the table keys them: `<checkAt>#<articleId>`. */
export class InMemoryComposeMarkers implements ComposeMarkers {
  readonly items = new Map<string, ComposeMarker>();

  async mark(marker: ComposeMarker): Promise<void> {
    this.items.set(`${marker.checkAt}#${marker.articleId}`, { ...marker });
  }

  async endedBy(instant: string, limit: number): Promise<ComposeMarker[]> {
    return [...this.items.entries()]
      .filter(([key]) => key <= `${instant}#~`)
      .sort(([a], [b]) => a.localeCompare(b))
      .slice(0, limit)
      .map(([, marker]) => ({ ...marker }));
  }

  async clear(marker: ComposeMarker): Promise<void> {
    this.items.delete(`${marker.checkAt}#${marker.articleId}`);
  }
}
