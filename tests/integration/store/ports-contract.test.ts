/**
 * The store ports' contracts, asserted alike against the in-memory adapters the unit
 * tests use (tests/support/in-memory) and the DynamoDB adapters on dynalite, so the fakes
 * cannot drift from what the table does: conditional writes, what a read hands back,
 * the sparse indexes' order and limits, slot reservations and the planning lease.
 * Each test gets a table of its own, so every count is exact.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, type LocalDynamo, startDynamo } from '../../../infra/local/dynamo';
import { createLogger } from '../../../infra/local/logger';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { channelSchema } from '../../../shared/domain/channel';
import type { ChannelDirectory } from '../../../shared/domain/channel-directory';
import { ConflictError, NotFoundError, ValidationError } from '../../../shared/domain/errors';
import { articleIdFor } from '../../../shared/domain/ids';
import type {
  ArticleRecord,
  ArticleStore,
  ChannelStateStore,
  ChannelTimeline,
  DeliveryGuard,
  RefreshLeases,
  ShareRef,
  ShareStore,
  SlotReservation,
  SlotStore,
} from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import { SHARE_STATUSES, type ShareStatus } from '../../../shared/domain/share-state';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { DynamoChannelDirectory } from '../../../shared/store/channel-directory';
import { DynamoChannelStateStore } from '../../../shared/store/channel-state-store';
import { DynamoChannelTimeline } from '../../../shared/store/channel-timeline';
import { DynamoDeliveryGuard } from '../../../shared/store/delivery-guard';
import { shardOf } from '../../../shared/store/keys';
import { DynamoRefreshLeases } from '../../../shared/store/refresh-leases';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { DynamoSlotStore } from '../../../shared/store/slot-store';
import { newShare } from '../../../shared/usecases/compose-article';
import { checkProperty, fuzzTimeout } from '../../support/fuzz';
import { InMemoryRefreshLeases, inMemoryWorld, ManualClock } from '../../support/in-memory/index';

const log = createLogger({ quiet: true });
let dataDir: string;
let dynamo: LocalDynamo;
let db: DynamoDBDocumentClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'crier-contract-'));
  dynamo = await startDynamo({ dataDir, log });
  db = DynamoDBDocumentClient.from(dynamo.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
});

afterAll(async () => {
  await dynamo?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

type Ports = {
  shares: ShareStore;
  articles: ArticleStore;
  slots: SlotStore;
  timeline: ChannelTimeline;
  channelState: ChannelStateStore;
  deliveries: DeliveryGuard;
  directory: ChannelDirectory;
  refreshLeases: RefreshLeases;
  clock: ManualClock;
};

const START = '2026-02-10T09:00:00.000Z';
let tables = 0;

const variants: [string, () => Promise<Ports>][] = [
  [
    'in memory',
    async () => {
      const world = inMemoryWorld(START);
      return { ...world, refreshLeases: new InMemoryRefreshLeases() };
    },
  ],
  [
    'DynamoDB (dynalite)',
    async () => {
      tables += 1;
      const table = `contract-${tables}`;
      await ensureTable(dynamo.client, log, dataDir, table);
      const clock = new ManualClock(START);
      return {
        shares: new DynamoShareStore(db, table),
        articles: new DynamoArticleStore(db, table, clock),
        slots: new DynamoSlotStore(db, table),
        timeline: new DynamoChannelTimeline(db, table),
        channelState: new DynamoChannelStateStore(db, table),
        deliveries: new DynamoDeliveryGuard(db, table, clock),
        directory: new DynamoChannelDirectory(db, table, clock),
        refreshLeases: new DynamoRefreshLeases(db, table),
        clock,
      };
    },
  ],
];

const channel = channelSchema.parse({
  id: 'masto-desk',
  platform: 'mastodon',
  account: '@desk@social.example',
  template: '{title} {url}',
});

function record(sourceId: string, receivedAt = START, patch: Record<string, unknown> = {}) {
  const article = parseGenericArticle({
    id: sourceId,
    url: `https://news.example.org/${sourceId}`,
    title: `Story ${sourceId}`,
    publishedAt: '2026-02-01T08:00:00Z',
    ...patch,
  });
  return {
    articleId: articleIdFor('generic', sourceId),
    article,
    receivedAt,
    updatedAt: receivedAt,
  } satisfies ArticleRecord;
}

/** A share as compose makes it, then in `status` with `patch`. */
function share(
  sourceId: string,
  status: ShareStatus = 'scheduled',
  patch: Partial<Share> = {},
): Share {
  return {
    ...newShare(record(sourceId), channel, new Date(START)),
    status,
    ...patch,
  };
}

const ref = (s: Share): ShareRef =>
  s.round
    ? { articleId: s.articleId, channelId: s.channelId, round: s.round }
    : { articleId: s.articleId, channelId: s.channelId };

const at = (offsetMinutes: number) =>
  new Date(Date.parse(START) + offsetMinutes * 60_000).toISOString();

describe.each(variants)('%s', (_name, make) => {
  describe('ShareStore', () => {
    it('creates a share once per article, channel and round, and reads back what it wrote', async () => {
      const { shares } = await make();
      const first = share('s1');
      expect(await shares.createIfAbsent(first)).toBe(true);
      expect(await shares.createIfAbsent({ ...first, text: 'a second write', version: 9 })).toBe(
        false,
      );
      expect(await shares.get(ref(first))).toEqual(first);
      const round = { ...first, round: 2, text: 'again, from the archive' };
      expect(await shares.createIfAbsent(round)).toBe(true);
      expect(await shares.get(ref(round))).toEqual(round);
      expect(await shares.get(ref(first))).toEqual(first);
      expect(await shares.get({ articleId: first.articleId, channelId: 'other' })).toBeUndefined();
    });

    it('hands back a copy without undefined fields, which no caller can change in the store', async () => {
      const { shares } = await make();
      const written = share('s2', 'scheduled', { lastError: undefined, remoteId: undefined });
      await shares.createIfAbsent(written);
      const read = await shares.get(ref(written));
      expect(read && 'lastError' in read).toBe(false);
      expect(read && 'remoteId' in read).toBe(false);
      if (!read) throw new Error('not read');
      read.text = 'changed by the caller';
      read.history.push({ at: START, event: 'edit', to: 'scheduled', by: 'nobody' });
      written.text = 'changed after the write';
      expect(await shares.get(ref(written))).toMatchObject({
        text: share('s2').text,
        history: share('s2').history,
      });
    });

    it('replaces only while the stored share has the same status and version', async () => {
      const { shares } = await make();
      const v1 = share('s3');
      await shares.createIfAbsent(v1);
      const v2 = { ...v1, status: 'queued' as const, version: 2, leaseUntil: at(5) };
      expect(await shares.replace(v1, v2)).toBe(true);
      expect(await shares.get(ref(v1))).toEqual(v2);

      // A stale writer: right status once, right version once, never both.
      expect(await shares.replace(v1, { ...v1, version: 2, text: 'stale' })).toBe(false);
      expect(await shares.replace({ ...v1, version: 2 }, { ...v2, version: 3 })).toBe(false);
      expect(await shares.replace({ ...v2, version: 1 }, { ...v2, version: 3 })).toBe(false);
      expect(await shares.get(ref(v1))).toEqual(v2);

      // Same status, next version: a flag or a thread's progress.
      const v3 = { ...v2, version: 3, cancelRequested: true };
      expect(await shares.replace(v2, v3)).toBe(true);
      expect(await shares.get(ref(v1))).toEqual(v3);

      // Nothing stored there: the condition cannot hold.
      const absent = share('s3-absent');
      expect(await shares.replace(absent, { ...absent, version: 2 })).toBe(false);
      expect(await shares.get(ref(absent))).toBeUndefined();
    });

    it("lists an article's shares, and only its, in key order", async () => {
      const { shares } = await make();
      const base = share('s4');
      const b = { ...base, channelId: 'b-desk' };
      const a = { ...base, channelId: 'a-desk' };
      const a2 = { ...base, channelId: 'a-desk', round: 2 };
      const aDash = { ...base, channelId: 'a-desk-2' };
      for (const s of [b, a2, aDash, a, share('s4-other')]) await shares.createIfAbsent(s);
      expect(
        (await shares.listForArticle(base.articleId)).map((s) => [s.channelId, s.round]),
      ).toEqual([
        ['a-desk', undefined],
        ['a-desk-2', undefined],
        ['a-desk', 2],
        ['b-desk', undefined],
      ]);
      expect(await shares.listForArticle(articleIdFor('generic', 'nothing'))).toEqual([]);
    });

    it('finds scheduled shares due by an instant, earliest first in each shard, limitPerShard each', async () => {
      const { shares } = await make();
      const due = Array.from({ length: 12 }, (_, i) =>
        share(`due-${i}`, 'scheduled', { dueAt: at(i) }),
      );
      const others = [
        share('due-queued', 'queued', { dueAt: at(0), leaseUntil: at(2) }),
        share('due-draft', 'draft', { dueAt: at(0) }),
        share('due-failed', 'failed', { dueAt: at(0) }),
        share('due-later', 'scheduled', { dueAt: at(60) }),
      ];
      // Written out of order: the index orders them.
      for (const s of [...due].reverse().concat(others)) await shares.createIfAbsent(s);

      const all = await shares.dueBy(at(11), 100);
      expect(new Set(all.map((r) => r.articleId))).toEqual(new Set(due.map((s) => s.articleId)));
      expect(all).toHaveLength(12);
      // `until` is inclusive to the millisecond.
      expect(
        (await shares.dueBy(at(11), 100)).some((r) => r.articleId === due[11]?.articleId),
      ).toBe(true);
      expect(
        (await shares.dueBy(new Date(Date.parse(at(11)) - 1).toISOString(), 100)).some(
          (r) => r.articleId === due[11]?.articleId,
        ),
      ).toBe(false);

      // Shard by shard, each earliest first, at most the limit from each.
      const byShard = new Map<number, Share[]>();
      for (const s of due) {
        const shard = shardOf(s.articleId, s.channelId);
        byShard.set(shard, [...(byShard.get(shard) ?? []), s]);
      }
      const expected = (limit: number) =>
        [...byShard.entries()]
          .sort(([x], [y]) => x - y)
          .flatMap(([, list]) => list.slice(0, limit).map(ref));
      expect(all).toEqual(expected(100));
      expect(await shares.dueBy(at(11), 1)).toEqual(expected(1));
      expect(await shares.dueBy(at(11), 2)).toEqual(expected(2));

      // Out of the index once it leaves scheduled.
      const first = due[0] as Share;
      await shares.replace(first, { ...first, status: 'queued', version: 2, leaseUntil: at(5) });
      expect((await shares.dueBy(at(11), 100)).map((r) => r.articleId)).not.toContain(
        first.articleId,
      );
    });

    it('finds queued, publishing and unknown shares whose lease ended by an instant', async () => {
      const { shares } = await make();
      const inFlight = [
        share('lease-queued', 'queued', { leaseUntil: at(1) }),
        share('lease-publishing', 'publishing', { leaseUntil: at(2) }),
        share('lease-unknown', 'unknown', { leaseUntil: at(3) }),
      ];
      const others = [
        share('lease-later', 'publishing', { leaseUntil: at(4) }),
        share('lease-unknown-parked', 'unknown'),
        share('lease-scheduled', 'scheduled', { leaseUntil: at(1) }),
        share('lease-published', 'published', { leaseUntil: at(1) }),
      ];
      for (const s of [...others, ...inFlight]) await shares.createIfAbsent(s);

      const ended = await shares.leasesEndedBy(at(3), 100);
      expect(new Set(ended.map((r) => r.articleId))).toEqual(
        new Set(inFlight.map((s) => s.articleId)),
      );
      expect(ended).toHaveLength(3);
      expect(await shares.leasesEndedBy(at(0), 100)).toEqual([]);
      const round = { ...share('lease-round', 'queued', { leaseUntil: at(1) }), round: 3 };
      await shares.createIfAbsent(round);
      expect(await shares.leasesEndedBy(at(1), 100)).toContainEqual(ref(round));
    });
  });

  describe('ArticleStore', () => {
    it('keeps the newest revision, the first arrival and what was composed', async () => {
      const { articles } = await make();
      const r1 = record('a1', at(0));
      expect(await articles.putRevision(r1)).toEqual({ written: true, current: r1 });

      const again = record('a1', at(5), { title: 'Same revision, other words' });
      expect(await articles.putRevision(again)).toEqual({ written: false, current: r1 });

      await articles.markComposed(r1.articleId, 1);
      const r2 = record('a1', at(10), { revision: 2, title: 'Revision two' });
      const written = await articles.putRevision(r2);
      const expected = {
        articleId: r1.articleId,
        article: r2.article,
        receivedAt: at(0),
        updatedAt: at(10),
        composedRevision: 1,
      };
      expect(written).toEqual({ written: true, current: expected });
      expect(await articles.get(r1.articleId)).toEqual(expected);

      const old = record('a1', at(20), { revision: 1, title: 'Late revision one' });
      expect(await articles.putRevision(old)).toEqual({ written: false, current: expected });
      expect(await articles.get(articleIdFor('generic', 'nothing'))).toBeUndefined();
    });

    it('marks the composed revision only forward, and never an article it does not hold', async () => {
      const { articles } = await make();
      const r = record('a2', at(0), { revision: 3 });
      await articles.putRevision(r);
      await articles.markComposed(r.articleId, 2);
      await articles.markComposed(r.articleId, 1);
      expect((await articles.get(r.articleId))?.composedRevision).toBe(2);
      await articles.markComposed(r.articleId, 3);
      expect((await articles.get(r.articleId))?.composedRevision).toBe(3);

      const missing = articleIdFor('generic', 'never-stored');
      await articles.markComposed(missing, 1);
      expect(await articles.get(missing)).toBeUndefined();
    });

    it("lists what was received by the clock's time, in a month the system's has not reached", async () => {
      const { articles, clock } = await make();
      clock.set('2031-05-02T08:00:00.000Z');
      const later = record('list-later', '2031-05-02T07:59:00.000Z');
      await articles.putRevision(later);
      expect((await articles.list({ limit: 10 })).articles.map((a) => a.articleId)).toContain(
        later.articleId,
      );
    });

    it('lists newest first across months, in pages, within from and to', async () => {
      const { articles } = await make();
      const instants = [
        '2026-01-05T10:00:00.000Z',
        '2026-01-20T10:00:00.000Z',
        '2026-01-31T23:59:59.999Z',
        '2026-02-01T00:00:00.000Z',
        '2026-02-03T12:00:00.000Z',
      ];
      const records = instants.map((instant, i) => record(`list-${i}`, instant));
      for (const r of records) await articles.putRevision(r);
      const newestFirst = [...records].reverse().map((r) => r.articleId);

      const all = await articles.list({ limit: 10 });
      expect(all.articles.map((a) => a.articleId)).toEqual(newestFirst);
      expect(all.cursor).toBeUndefined();

      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await articles.list({ limit: 2, cursor });
        expect(page.articles.length).toBeLessThanOrEqual(2);
        pages.push(page.articles.map((a) => a.articleId));
        cursor = page.cursor;
      } while (cursor);
      expect(pages.flat()).toEqual(newestFirst);
      expect(pages[0]).toEqual(newestFirst.slice(0, 2));

      const bounded = await articles.list({
        limit: 10,
        from: '2026-01-20T10:00:00.000Z',
        to: '2026-02-01T00:00:00.000Z',
      });
      expect(bounded.articles.map((a) => a.articleId)).toEqual(newestFirst.slice(1, 4));

      await expect(articles.list({ limit: 2, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
        ValidationError,
      );
    });
  });

  describe('SlotStore', () => {
    const holderA = { articleId: 'a'.repeat(32), channelId: 'masto-desk' };
    const holderB = { articleId: 'b'.repeat(32), channelId: 'masto-desk' };
    const slot = (holder: ShareRef, instant = at(60), createdAt = at(0)): SlotReservation => ({
      channelId: 'masto-desk',
      instant,
      holder,
      createdAt,
    });

    it('gives a slot to the first share that reserves it, and to it again', async () => {
      const { slots } = await make();
      expect(await slots.reserve(slot(holderA))).toEqual(slot(holderA));
      expect(await slots.reserve(slot(holderB, at(60), at(1)))).toEqual(slot(holderA));
      const renewed = slot(holderA, at(60), at(2));
      expect(await slots.reserve(renewed)).toEqual(renewed);
      expect(await slots.reservations('masto-desk', at(0), at(120))).toEqual([renewed]);
      // A round of the same article is another holder.
      const round = { ...holderA, round: 2 };
      expect(await slots.reserve(slot(round, at(60), at(3)))).toEqual(renewed);
    });

    it('takes over a reservation only while it is exactly the stale one', async () => {
      const { slots } = await make();
      const stale = slot(holderA);
      await slots.reserve(stale);
      expect(await slots.takeOver({ ...stale, createdAt: at(1) }, slot(holderB))).toBe(false);
      expect(await slots.takeOver({ ...stale, holder: holderB }, slot(holderB))).toBe(false);
      expect(await slots.takeOver(stale, slot(holderB, at(60), at(5)))).toBe(true);
      expect(await slots.takeOver(stale, slot(holderB, at(60), at(6)))).toBe(false);
      expect(await slots.reservations('masto-desk', at(60), at(60))).toEqual([
        slot(holderB, at(60), at(5)),
      ]);
      expect(await slots.takeOver(slot(holderA, at(90)), slot(holderB, at(90)))).toBe(false);
    });

    it("frees a slot only for its holder, and lists a channel's reservations in order", async () => {
      const { slots } = await make();
      await slots.reserve(slot(holderA, at(60)));
      await slots.reserve(slot(holderB, at(30)));
      await slots.reserve(slot(holderA, at(90)));
      await slots.reserve({ ...slot(holderA, at(45)), channelId: 'other-desk' });
      await slots.release('masto-desk', at(60), holderB);
      expect(
        (await slots.reservations('masto-desk', at(30), at(90))).map((r) => r.instant),
      ).toEqual([at(30), at(60), at(90)]);
      await slots.release('masto-desk', at(60), holderA);
      await slots.release('masto-desk', at(60), holderA);
      expect(
        (await slots.reservations('masto-desk', at(0), at(1000))).map((r) => r.instant),
      ).toEqual([at(30), at(90)]);
      expect(
        (await slots.reservations('masto-desk', at(31), at(89))).map((r) => r.instant),
      ).toEqual([]);
      expect(await slots.reserve(slot(holderB, at(60)))).toEqual(slot(holderB, at(60)));
      // A range that ends before it starts is refused, as DynamoDB refuses its BETWEEN.
      await expect(slots.reservations('masto-desk', at(90), at(30))).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(slots.timeline('masto-desk', at(90), at(30))).rejects.toMatchObject({
        name: 'ValidationException',
      });
    });

    it('lends the planning lease to one owner at a time', async () => {
      const { slots } = await make();
      expect(await slots.lock('masto-desk', 'one', at(0), at(1))).toBe(true);
      expect(await slots.lock('masto-desk', 'two', at(0), at(1))).toBe(false);
      // Even its owner waits while the lease lasts; at its very end it is still held.
      expect(await slots.lock('masto-desk', 'one', at(0), at(2))).toBe(false);
      expect(await slots.lock('masto-desk', 'two', at(1), at(2))).toBe(false);
      expect(await slots.lock('other-desk', 'two', at(0), at(1))).toBe(true);
      await slots.unlock('masto-desk', 'two');
      expect(await slots.lock('masto-desk', 'three', at(0), at(1))).toBe(false);
      await slots.unlock('masto-desk', 'one');
      expect(await slots.lock('masto-desk', 'three', at(0), at(1))).toBe(true);
      // Past its end, another owner takes it.
      expect(await slots.lock('masto-desk', 'four', at(1.5), at(3))).toBe(true);
    });

    it("reads the channel's timeline: its shares due in a range, earliest first, whatever their status", async () => {
      const { shares, slots } = await make();
      const entries = [
        share('tl-1', 'published', { dueAt: at(10) }),
        share('tl-2', 'scheduled', { dueAt: at(30) }),
        { ...share('tl-3', 'queued', { dueAt: at(20), leaseUntil: at(25) }), round: 2 },
        share('tl-4', 'cancelled', { dueAt: at(40) }),
        { ...share('tl-5', 'scheduled', { dueAt: at(20) }), channelId: 'other-desk' },
      ];
      for (const s of entries) await shares.createIfAbsent(s);
      const got = await slots.timeline('masto-desk', at(10), at(30));
      expect(got).toEqual(
        [entries[0], entries[2], entries[1]].map((s) => ({
          articleId: s?.articleId,
          channelId: 'masto-desk',
          ...(s?.round ? { round: s.round } : {}),
          dueAt: s?.dueAt,
          status: s?.status,
        })),
      );
      expect(await slots.timeline('masto-desk', at(11), at(19))).toEqual([]);
    });
  });

  describe('RefreshLeases', () => {
    it("lends a channel's refresh lease to one owner at a time, until it runs out", async () => {
      const { refreshLeases: leases } = await make();
      expect(await leases.take('x-desk', 'one', at(0), at(1))).toBe(true);
      expect(await leases.take('x-desk', 'two', at(0), at(1))).toBe(false);
      // Its owner may take it again (a retry of the same refresh); another channel is apart.
      expect(await leases.take('x-desk', 'one', at(0.5), at(1))).toBe(true);
      expect(await leases.take('other-desk', 'two', at(0), at(1))).toBe(true);
      await leases.release('x-desk', 'two');
      expect(await leases.take('x-desk', 'three', at(0.5), at(1))).toBe(false);
      await leases.release('x-desk', 'one');
      expect(await leases.take('x-desk', 'three', at(0.5), at(1))).toBe(true);
      // Past its end, another owner takes it.
      expect(await leases.take('x-desk', 'four', at(1.5), at(3))).toBe(true);
    });
  });

  describe('ChannelTimeline', () => {
    it('lists a channel latest first, in pages, within from and to', async () => {
      const { shares, timeline } = await make();
      const list = [0, 10, 20, 30, 40].map((m, i) =>
        share(`ct-${i}`, 'scheduled', { dueAt: at(m) }),
      );
      for (const s of list) await shares.createIfAbsent(s);
      await shares.createIfAbsent({ ...share('ct-other'), channelId: 'other-desk' });
      const latestFirst = [...list]
        .reverse()
        .map((s) => ({ articleId: s.articleId, dueAt: s.dueAt }));

      const page1 = await timeline.list('masto-desk', { limit: 3 });
      expect(page1.entries).toEqual(latestFirst.slice(0, 3));
      const page2 = await timeline.list('masto-desk', { limit: 3, cursor: page1.cursor });
      expect(page2.entries).toEqual(latestFirst.slice(3));
      expect(page2.cursor).toBeUndefined();

      expect(
        (await timeline.list('masto-desk', { limit: 10, from: at(10), to: at(30) })).entries,
      ).toEqual(latestFirst.slice(1, 4));
      await expect(
        timeline.list('other-desk', { limit: 3, cursor: page1.cursor }),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(
        timeline.list('masto-desk', { limit: 3, from: at(30), to: at(10) }),
      ).rejects.toMatchObject({ name: 'ValidationException' });
    });
  });

  describe('ChannelStateStore', () => {
    it('moves a rate limit only forward, and keeps the session beside it', async () => {
      const { channelState } = await make();
      expect(await channelState.get('masto-desk')).toEqual({});
      await channelState.rateLimitedUntil('masto-desk', at(10));
      await channelState.rateLimitedUntil('masto-desk', at(5));
      expect(await channelState.get('masto-desk')).toEqual({ rateLimitedUntil: at(10) });
      await channelState.saveSession('masto-desk', 'session-1');
      await channelState.rateLimitedUntil('masto-desk', at(15));
      await channelState.saveSession('masto-desk', 'session-2');
      expect(await channelState.get('masto-desk')).toEqual({
        rateLimitedUntil: at(15),
        session: 'session-2',
      });
      expect(await channelState.get('other-desk')).toEqual({});
    });

    it('keeps the last health check beside the rest, replacing the one before', async () => {
      const { channelState } = await make();
      await channelState.saveSession('masto-desk', 'session-1');
      await channelState.saveHealth('masto-desk', {
        status: 'failing',
        reason: 'Mastodon answered 401: The access token is invalid',
        checkedAt: at(1),
      });
      const healthy = { status: 'ok' as const, reason: null, checkedAt: at(2) };
      await channelState.saveHealth('masto-desk', healthy);
      expect(await channelState.get('masto-desk')).toEqual({
        session: 'session-1',
        health: healthy,
      });
    });
  });

  describe('DeliveryGuard', () => {
    it('remembers a delivery for a week by its clock', async () => {
      const { deliveries, clock } = await make();
      expect(await deliveries.find('generic', 'msg_1')).toBeUndefined();
      await deliveries.remember('generic', 'msg_1', 'a'.repeat(32));
      expect(await deliveries.find('generic', 'msg_1')).toEqual({ articleId: 'a'.repeat(32) });
      expect(await deliveries.find('ghost', 'msg_1')).toBeUndefined();
      clock.advance(7 * 86_400_000 - 1000);
      expect(await deliveries.find('generic', 'msg_1')).toEqual({ articleId: 'a'.repeat(32) });
      clock.advance(1000);
      expect(await deliveries.find('generic', 'msg_1')).toBeUndefined();
    });
  });
  describe('ChannelDirectory', () => {
    const who = 'editor ada';
    const site = { id: 'daily', name: 'The Daily' };
    const mastodon = {
      siteId: 'daily',
      id: 'masto-desk',
      platform: 'mastodon' as const,
      account: '@desk@mastodon.example',
      template: '{title} {url}',
    };

    it('creates a site and its channels at version 1, each change audited, newest first', async () => {
      const { directory, clock } = await make();
      const created = await directory.putSite(site, { who });
      expect(created).toMatchObject({ id: 'daily', status: 'active', version: 1, changedBy: who });
      clock.advance(1000);
      const channel = await directory.putChannel(mastodon, { who });
      expect(channel).toMatchObject({
        id: 'masto-desk',
        siteId: 'daily',
        status: 'active',
        version: 1,
      });
      expect(channel.hashtags.max).toBe(2);
      expect(await directory.getChannel('masto-desk')).toEqual(channel);
      expect(await directory.getSite('daily')).toEqual(created);
      const { entries, cursor } = await directory.listAudit({ limit: 10 });
      expect(cursor).toBeUndefined();
      expect(entries.map((e) => [e.action, e.target, e.version])).toEqual([
        ['create', 'channel:masto-desk', 1],
        ['create', 'site:daily', 1],
      ]);
      expect(entries[0]).toMatchObject({ who, siteId: 'daily', at: clock.iso() });
      expect(entries[0]?.before).toBeUndefined();
      expect(entries[0]?.after).toMatchObject({ id: 'masto-desk', status: 'active' });
    });

    it('refuses a stale version with a ConflictError, and a second create too', async () => {
      const { directory, clock } = await make();
      await directory.putSite(site, { who });
      await directory.putChannel(mastodon, { who });
      clock.advance(1000);
      await expect(directory.putChannel(mastodon, { who })).resolves.toMatchObject({ version: 1 });
      const changed = { ...mastodon, template: '{title}' };
      await expect(directory.putChannel(changed, { who })).rejects.toBeInstanceOf(ConflictError);
      const v2 = await directory.putChannel(changed, { who, expectedVersion: 1 });
      expect(v2).toMatchObject({ version: 2, template: '{title}' });
      await expect(
        directory.putChannel({ ...mastodon, template: '{url}' }, { who, expectedVersion: 1 }),
      ).rejects.toBeInstanceOf(ConflictError);
      await expect(
        directory.pauseChannel('masto-desk', { who, expectedVersion: 1 }),
      ).rejects.toBeInstanceOf(ConflictError);
      const { entries } = await directory.listAudit({ limit: 10 });
      expect(entries[0]).toMatchObject({
        action: 'update',
        version: 2,
        before: { template: '{title} {url}' },
        after: { template: '{title}' },
      });
    });

    it('writes nothing, and audits nothing, when the content is the same', async () => {
      const { directory, clock } = await make();
      await directory.putSite(site, { who });
      await directory.putChannel(mastodon, { who });
      clock.advance(1000);
      expect(await directory.putSite(site, { who, expectedVersion: 1 })).toMatchObject({
        version: 1,
      });
      expect(await directory.putChannel(mastodon, { who, expectedVersion: 1 })).toMatchObject({
        version: 1,
      });
      expect((await directory.listAudit({ limit: 10 })).entries).toHaveLength(2);
    });

    it('checks a channel as the channels file is checked, and needs its site', async () => {
      const { directory } = await make();
      await expect(directory.putChannel(mastodon, { who })).rejects.toMatchObject({
        issues: [{ field: 'siteId', message: 'no site daily' }],
      });
      await directory.putSite(site, { who });
      const bad = directory.putChannel(
        { ...mastodon, platform: 'linkedin', thread: { enabled: true }, template: '{nope}' },
        { who },
      );
      await expect(bad).rejects.toBeInstanceOf(ValidationError);
      await expect(
        directory.putChannel(
          { ...mastodon, platform: 'linkedin', thread: { enabled: true } },
          { who },
        ),
      ).rejects.toMatchObject({ issues: [{ field: 'thread.enabled' }] });
      await expect(directory.putSite({ id: 'Bad Id', name: '' }, { who })).rejects.toBeInstanceOf(
        ValidationError,
      );
      expect(await directory.listChannels()).toEqual([]);
    });

    it('pauses, resumes and archives a channel; lists by site with or without the archived', async () => {
      const { directory, clock } = await make();
      await directory.putSite(site, { who });
      await directory.putSite({ id: 'weekly', name: 'The Weekly' }, { who });
      await directory.putChannel(mastodon, { who });
      await directory.putChannel(
        { ...mastodon, id: 'x-desk', platform: 'x', account: 'desk' },
        { who },
      );
      await directory.putChannel(
        { ...mastodon, id: 'weekly-bsky', siteId: 'weekly', platform: 'bluesky', account: 'w' },
        { who },
      );
      expect((await directory.pauseChannel('masto-desk', { who })).status).toBe('paused');
      // pausing again is no change
      expect((await directory.pauseChannel('masto-desk', { who })).version).toBe(2);
      expect(
        (await directory.resumeChannel('masto-desk', { who, expectedVersion: 2 })).status,
      ).toBe('active');
      await directory.archiveChannel('x-desk', { who });
      await expect(directory.resumeChannel('x-desk', { who })).rejects.toBeInstanceOf(
        ConflictError,
      );
      await expect(directory.pauseChannel('nope', { who })).rejects.toBeInstanceOf(NotFoundError);
      const ids = (list: { id: string }[]) => list.map((c) => c.id);
      expect(ids(await directory.listChannels({ siteId: 'daily' }))).toEqual(['masto-desk']);
      expect(ids(await directory.listChannels({ siteId: 'daily', includeArchived: true }))).toEqual(
        ['masto-desk', 'x-desk'],
      );
      expect(ids(await directory.listChannels())).toEqual(['masto-desk', 'weekly-bsky']);
      // putting an archived channel again restores it, active
      clock.advance(1000);
      const restored = await directory.putChannel(
        { ...mastodon, id: 'x-desk', platform: 'x', account: 'desk' },
        { who, expectedVersion: 2 },
      );
      expect(restored).toMatchObject({ status: 'active', version: 3 });
      expect((await directory.listAudit({ limit: 1 })).entries[0]?.action).toBe('restore');
      expect(ids(await directory.listSites())).toEqual(['daily', 'weekly']);
    });

    it('pauses and resumes a whole site, keeping its channels as they are', async () => {
      const { directory } = await make();
      await directory.putSite(site, { who });
      await directory.putChannel(mastodon, { who });
      expect((await directory.pauseSite('daily', { who })).status).toBe('paused');
      expect((await directory.getChannel('masto-desk'))?.status).toBe('active');
      expect((await directory.resumeSite('daily', { who, expectedVersion: 2 })).status).toBe(
        'active',
      );
      await expect(directory.pauseSite('nope', { who })).rejects.toBeInstanceOf(NotFoundError);
      const { entries } = await directory.listAudit({ limit: 10 });
      expect(entries.map((e) => e.action)).toEqual(['resume', 'pause', 'create', 'create']);
    });

    it('pages the audit newest first, and by site', async () => {
      const { directory, clock } = await make();
      await directory.putSite(site, { who });
      await directory.putSite({ id: 'weekly', name: 'The Weekly' }, { who });
      for (let n = 0; n < 5; n += 1) {
        clock.advance(1000);
        await directory.pauseSite(n % 2 ? 'weekly' : 'daily', { who });
        clock.advance(1000);
        await directory.resumeSite(n % 2 ? 'weekly' : 'daily', { who });
      }
      const all: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await directory.listAudit({ limit: 3, cursor });
        expect(page.entries.length).toBeLessThanOrEqual(3);
        all.push(...page.entries.map((e) => e.at));
        cursor = page.cursor;
      } while (cursor);
      expect(all).toHaveLength(12);
      expect([...all].sort().reverse()).toEqual(all);
      const daily: string[] = [];
      do {
        const page = await directory.listAudit({ siteId: 'daily', limit: 2, cursor });
        expect(page.entries.every((e) => e.siteId === 'daily')).toBe(true);
        daily.push(...page.entries.map((e) => e.target));
        cursor = page.cursor;
      } while (cursor);
      expect(daily).toEqual(Array(7).fill('site:daily'));
    });

    it('records a change kept elsewhere in the same audit, stamped with the clock', async () => {
      const { directory, clock } = await make();
      await directory.putSite(site, { who });
      clock.advance(1000);
      const entry = await directory.recordAudit({
        who,
        action: 'site.key-rotated',
        target: 'site:daily',
        siteId: 'daily',
        version: 1,
        before: { kind: 'ghost' },
        after: { kind: 'ghost' },
      });
      expect(entry.at).toBe(clock.iso());
      clock.advance(1000);
      await directory.recordAudit({
        who,
        action: 'editor.created',
        target: 'editor:ed-1',
        siteId: '*',
        version: 1,
        after: { name: 'ana', role: 'editor', sites: ['daily'] },
      });
      const { entries } = await directory.listAudit({ limit: 10 });
      expect(entries.map((e) => [e.action, e.target, e.siteId])).toEqual([
        ['editor.created', 'editor:ed-1', '*'],
        ['site.key-rotated', 'site:daily', 'daily'],
        ['create', 'site:daily', 'daily'],
      ]);
      expect(entries[1]).toEqual(entry);
      const daily = await directory.listAudit({ siteId: 'daily', limit: 10 });
      expect(daily.entries.map((e) => e.action)).toEqual(['site.key-rotated', 'create']);
    });
  });
});

/**
 * Beyond the cases above: random sequences of writes and reads, run on a fresh in-memory
 * world and a fresh table side by side, must answer alike step by step. Few articles,
 * channels, versions and instants, so writes collide and the indexes hold ties.
 */
describe('in memory and DynamoDB, operation by operation', () => {
  const instants = [0, 1, 2, 3].map(at);
  const key = fc.record({
    article: fc.integer({ min: 0, max: 2 }),
    channel: fc.constantFrom('a-desk', 'b-desk'),
    round: fc.constantFrom(undefined, 2),
  });
  const state = fc.record({
    // Mostly the statuses the indexes hold, so dueBy and leasesEndedBy have work to do.
    status: fc.oneof(
      {
        arbitrary: fc.constantFrom<ShareStatus>('scheduled', 'queued', 'publishing', 'unknown'),
        weight: 3,
      },
      { arbitrary: fc.constantFrom(...SHARE_STATUSES), weight: 1 },
    ),
    version: fc.integer({ min: 1, max: 3 }),
    dueAt: fc.constantFrom(...instants),
    leaseUntil: fc.option(fc.constantFrom(...instants), { nil: undefined }),
    text: fc.constantFrom('first words', 'second words'),
  });
  const articleOp = fc.record({
    article: fc.integer({ min: 0, max: 2 }),
    revision: fc.integer({ min: 1, max: 3 }),
    minute: fc.integer({ min: 0, max: 3 }),
  });
  const operation = fc.oneof(
    { arbitrary: fc.record({ op: fc.constant('create' as const), key, state }), weight: 4 },
    {
      arbitrary: fc.record({
        op: fc.constant('replace' as const),
        key,
        expected: state,
        next: state,
      }),
      weight: 3,
    },
    { arbitrary: fc.record({ op: fc.constant('get' as const), key }), weight: 1 },
    {
      arbitrary: fc.record({
        op: fc.constant('list' as const),
        article: fc.integer({ min: 0, max: 2 }),
      }),
      weight: 1,
    },
    {
      arbitrary: fc.record({
        op: fc.constantFrom('dueBy' as const, 'leasesEndedBy' as const),
        until: fc.constantFrom(...instants),
        limit: fc.integer({ min: 1, max: 2 }),
      }),
      weight: 3,
    },
    {
      arbitrary: fc.record({ op: fc.constant('putRevision' as const), revision: articleOp }),
      weight: 1,
    },
    {
      arbitrary: fc.record({
        op: fc.constant('markComposed' as const),
        article: fc.integer({ min: 0, max: 2 }),
        revision: fc.integer({ min: 1, max: 3 }),
      }),
      weight: 1,
    },
  );
  type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

  const build = (
    k: { article: number; channel: string; round?: number },
    st: {
      status: ShareStatus;
      version: number;
      dueAt: string;
      leaseUntil?: string;
      text: string;
    },
  ): Share => {
    const { leaseUntil, ...rest } = st;
    return {
      ...share(`diff-${k.article}`),
      channelId: k.channel,
      // Both sides must build the same share: newShare draws a fresh key each time.
      idempotencyKey: `key-${k.article}`,
      ...(k.round ? { round: k.round } : {}),
      ...rest,
      ...(leaseUntil ? { leaseUntil } : {}),
    };
  };

  async function apply(ports: Ports, o: Operation): Promise<unknown> {
    switch (o.op) {
      case 'create':
        return ports.shares.createIfAbsent(build(o.key, o.state));
      case 'replace':
        return ports.shares.replace(build(o.key, o.expected), build(o.key, o.next));
      case 'get':
        return ports.shares.get(
          build(o.key, { ...o.key, status: 'draft', version: 1, dueAt: START, text: '' }),
        );
      case 'list':
        return ports.shares.listForArticle(record(`diff-${o.article}`).articleId);
      case 'dueBy':
        return ports.shares.dueBy(o.until, o.limit);
      case 'leasesEndedBy':
        return ports.shares.leasesEndedBy(o.until, o.limit);
      case 'putRevision': {
        const { article, revision, minute } = o.revision;
        return ports.articles.putRevision(
          record(`diff-${article}`, at(minute), { revision, title: `Revision ${revision}` }),
        );
      }
      case 'markComposed': {
        const articleId = record(`diff-${o.article}`).articleId;
        await ports.articles.markComposed(articleId, o.revision);
        return ports.articles.get(articleId);
      }
    }
  }

  it(
    'answers every step alike',
    async () => {
      await checkProperty(
        fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 40 }), async (ops) => {
          const [memory, dynamoPorts] = await Promise.all(variants.map(([, make]) => make()));
          if (!memory || !dynamoPorts) throw new Error('no ports');
          for (const [step, o] of ops.entries()) {
            const expected = await apply(dynamoPorts, o);
            const actual = await apply(memory, o);
            expect({ step, op: o.op, answer: actual }).toEqual({
              step,
              op: o.op,
              answer: expected,
            });
          }
        }),
        20,
      );
    },
    fuzzTimeout(120_000),
  );

  const slotOp = (() => {
    const holder = fc.constantFrom<ShareRef>(
      { articleId: 'a'.repeat(32), channelId: 'masto-desk' },
      { articleId: 'a'.repeat(32), channelId: 'masto-desk', round: 2 },
      { articleId: 'b'.repeat(32), channelId: 'masto-desk' },
    );
    const instant = fc.constantFrom(...instants.slice(0, 3));
    const reservation = fc.record({
      channelId: fc.constantFrom('masto-desk', 'other-desk'),
      instant,
      holder,
      createdAt: instant,
    });
    return fc.oneof(
      fc.record({ op: fc.constant('reserve' as const), reservation }),
      fc.record({ op: fc.constant('takeOver' as const), stale: reservation, next: reservation }),
      fc.record({ op: fc.constant('release' as const), reservation }),
      fc.record({ op: fc.constant('reservations' as const), from: instant, to: instant }),
      fc.record({
        op: fc.constant('lock' as const),
        owner: fc.constantFrom('one', 'two'),
        now: instant,
        until: instant,
      }),
      fc.record({ op: fc.constant('unlock' as const), owner: fc.constantFrom('one', 'two') }),
    );
  })();
  type SlotOperation = typeof slotOp extends fc.Arbitrary<infer T> ? T : never;

  async function applySlot({ slots }: Ports, o: SlotOperation): Promise<unknown> {
    switch (o.op) {
      case 'reserve':
        return slots.reserve(o.reservation);
      case 'takeOver':
        return slots.takeOver(o.stale, { ...o.next, channelId: o.stale.channelId });
      case 'release':
        return slots.release(o.reservation.channelId, o.reservation.instant, o.reservation.holder);
      case 'reservations':
        return slots.reservations('masto-desk', o.from, o.to);
      case 'lock':
        return slots.lock('masto-desk', o.owner, o.now, o.until);
      case 'unlock':
        return slots.unlock('masto-desk', o.owner);
    }
  }

  it(
    'answers every slot operation alike',
    async () => {
      await checkProperty(
        fc.asyncProperty(fc.array(slotOp, { minLength: 1, maxLength: 30 }), async (ops) => {
          const [memory, dynamoPorts] = await Promise.all(variants.map(([, make]) => make()));
          if (!memory || !dynamoPorts) throw new Error('no ports');
          // A refused query answers with its error's name, on both sides.
          const answer = (ports: Ports, o: SlotOperation) =>
            applySlot(ports, o).catch((error: Error) => ({ error: error.name }));
          for (const [step, o] of ops.entries()) {
            const expected = await answer(dynamoPorts, o);
            const actual = await answer(memory, o);
            expect({ step, op: o.op, answer: actual }).toEqual({
              step,
              op: o.op,
              answer: expected,
            });
          }
        }),
        15,
      );
    },
    fuzzTimeout(120_000),
  );
});
