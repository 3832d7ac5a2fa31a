/**
 * The metrics collector against the table (dynalite): a share recorded published enters
 * the metrics index in that same write; each run reads only the readings due, stores
 * each, advances the share and tells the subscribers; a channel whose token is dead or
 * whose network rate limited it waits; X's reads stop at the month's budget.
 *
 * The network clients here are test doubles passed through the collector's deps
 * (`clientFor`), each answering as the contract in shared/platforms/client.ts says: the
 * networks' own `metrics` calls and their sandboxes' counts are built apart, and the
 * end-to-end run of the local stack exercises them once they are in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureTable, type LocalDynamo, startDynamo } from '../../../infra/local/dynamo';
import { createLogger } from '../../../infra/local/logger';
import { readPublishingConfig } from '../../../shared/config/publishing';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Channel, channelSchema } from '../../../shared/domain/channel';
import type { Counts, ReadingEvent } from '../../../shared/domain/metrics';
import { parseMetricsAfter } from '../../../shared/domain/metrics';
import type { ArticleRecord } from '../../../shared/domain/ports';
import { readingMonth } from '../../../shared/domain/readings';
import type { Share } from '../../../shared/domain/share';
import type { MetricsCall, MetricsOutcome, NetworkClient } from '../../../shared/platforms/client';
import { TABLE } from '../../../shared/resources';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { DynamoChannelStateStore } from '../../../shared/store/channel-state-store';
import { DynamoMetricsStore } from '../../../shared/store/metrics-store';
import { DynamoReadingState } from '../../../shared/store/reading-state';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { type CollectMetricsDeps, collectMetrics } from '../../../shared/usecases/collect-metrics';
import { newShare } from '../../../shared/usecases/compose-article';
import { settle } from '../../../shared/usecases/publish-share/settle';
import type { PublishShareDeps } from '../../../shared/usecases/publish-share/types';
import { ManualClock } from '../../support/in-memory/index';

const log = createLogger({ quiet: true });
const OFFSETS = parseMetricsAfter('5s,20s');
let dataDir: string;
let dynamo: LocalDynamo;
let db: DynamoDBDocumentClient;
const commands: string[] = [];

let shares: DynamoShareStore;
let articles: DynamoArticleStore;
let channelState: DynamoChannelStateStore;
let readingState: DynamoReadingState;
let readings: DynamoMetricsStore;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'crier-collect-metrics-'));
  dynamo = await startDynamo({ dataDir, log });
  db = DynamoDBDocumentClient.from(dynamo.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  db.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(context.commandName ?? '');
      return next(args);
    },
    { step: 'initialize' },
  );
});

let tables = 0;
/** Each test on a table of its own: no other test's posts are due in it. */
beforeEach(async () => {
  tables += 1;
  const table = `collect-metrics-${tables}`;
  await ensureTable(dynamo.client, log, dataDir, table);
  shares = new DynamoShareStore(db, table);
  articles = new DynamoArticleStore(db, table);
  channelState = new DynamoChannelStateStore(db, table);
  readingState = new DynamoReadingState(db, table);
  readings = new DynamoMetricsStore(db, table);
  commands.length = 0;
});

afterAll(async () => {
  await dynamo?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const channel = (id: string, platform: string, extra: object = {}): Channel =>
  channelSchema.parse({ id, platform, account: 'newsroom', template: '{title} {url}', ...extra });

/** A test double of a network's client: `answer` decides each metrics call. */
function client(answer: (call: MetricsCall) => MetricsOutcome | Promise<MetricsOutcome>) {
  const calls: MetricsCall[] = [];
  const double: NetworkClient = {
    publish: async () => ({ kind: 'rejected', message: 'not in this test' }),
    reconcile: async () => ({ kind: 'absent' }),
    withdraw: async () => ({ kind: 'rejected', message: 'not in this test' }),
    metrics: async (call) => {
      calls.push(call);
      return answer(call);
    },
  };
  return { double, calls };
}

const COUNTS: Counts = { likes: 12, reposts: 3, replies: 2, views: 400 };

let serial = 0;
/** An article and its share on `ch`, recorded published now through the publish step's write. */
async function published(
  ch: Channel,
  clock: ManualClock,
  articleStatus: 'published' | 'unpublished' = 'published',
): Promise<Share> {
  serial += 1;
  const sourceId = `metrics-${serial}`;
  const now = clock.now();
  const record: ArticleRecord = {
    articleId: serial.toString(16).padStart(32, '0'),
    article: parseGenericArticle({
      id: sourceId,
      url: `https://news.example.org/${sourceId}`,
      title: `Story ${serial}`,
      section: 'Climate',
      publishedAt: now.toISOString(),
      status: articleStatus,
    }),
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await articles.putRevision(record);
  const composed: Share = {
    ...newShare(record, ch, now),
    status: 'publishing',
    leaseUntil: new Date(now.getTime() + 90_000).toISOString(),
  };
  await shares.createIfAbsent(composed);
  const deps = {
    shares,
    clock,
    channels: [ch],
    config: readPublishingConfig({ CRIER_METRICS_AFTER: '5s,20s' }),
  } as Pick<PublishShareDeps, 'shares' | 'clock' | 'channels' | 'config'> as PublishShareDeps;
  const result = await settle(
    deps,
    composed,
    'succeed',
    { patch: { remoteId: `post-${serial}`, remoteUrl: `https://example.social/${serial}` } },
    'published',
  );
  if (!('share' in result)) throw new Error('not recorded');
  return result.share;
}

function depsFor(
  clock: ManualClock,
  channels: Channel[],
  clients: Partial<Record<Share['platform'], NetworkClient>>,
  extra: Partial<CollectMetricsDeps> = {},
): CollectMetricsDeps {
  return {
    shares,
    index: { dueBy: (...args) => shares.readingsDueBy(...args) },
    readingState,
    readings,
    articles,
    channelState,
    credentials: { get: async () => ({ token: 'not-a-real-token' }) },
    channels,
    clientFor: (platform) => clients[platform],
    clock,
    offsetsMs: OFFSETS,
    networkTimeoutMs: 5_000,
    shardCount: TABLE.shardCount,
    ...extra,
  };
}

/** Everything the metrics index lists now, due or not. */
async function indexed(): Promise<string[]> {
  const keys: string[] = [];
  for (let shard = 0; shard < TABLE.shardCount; shard += 1) {
    const page = await shares.readingsDueBy(shard, '9999', 1000);
    keys.push(...page.due.map((d) => `${d.articleId}/${d.channelId}`));
  }
  return keys;
}

const keyOf = (share: Share) => `${share.articleId}/${share.channelId}`;

describe('a share recorded published', () => {
  it('takes its first reading in the same write, and the metrics index lists it', async () => {
    const clock = new ManualClock('2026-04-01T10:00:00.000Z');
    const share = await published(channel('masto-first', 'mastodon'), clock);
    expect(share.metricsDueAt).toBe('2026-04-01T10:00:05.000Z');
    expect(share.metricsRound).toBe(0);
    expect(await indexed()).toContain(keyOf(share));
  });

  it('on X with readings off, says why and stays out of the index', async () => {
    const clock = new ManualClock('2026-04-01T10:00:00.000Z');
    const share = await published(channel('x-off', 'x'), clock);
    expect(share.metricsDueAt).toBeUndefined();
    expect(share.metricsSkipped).toMatch(/X charges for reads/);
    expect(await indexed()).not.toContain(keyOf(share));
  });
});

describe('a run of the collector', () => {
  it('reads each due post at each age, stores the series, and tells the subscribers', async () => {
    const clock = new ManualClock('2026-04-02T10:00:00.000Z');
    const ch = channel('masto-series', 'mastodon');
    const share = await published(ch, clock);
    const network = client(() => ({ kind: 'read', counts: COUNTS }));
    const events: ReadingEvent[] = [];
    const deps = depsFor(
      clock,
      [ch],
      { mastodon: network.double },
      {
        onReading: (event) => void events.push(event),
      },
    );

    clock.advanceSeconds(3);
    expect(await collectMetrics(deps)).toMatchObject({ read: 0 });
    expect(network.calls).toHaveLength(0);

    clock.advanceSeconds(3);
    expect(await collectMetrics(deps)).toMatchObject({ read: 1, failed: 0 });
    expect(network.calls[0]?.share.remoteId).toBe(share.remoteId);
    const once = await shares.get(share);
    expect(once?.metrics).toEqual({ ...COUNTS, collectedAt: '2026-04-02T10:00:06.000Z' });
    expect(once).toMatchObject({ metricsRound: 1, metricsDueAt: '2026-04-02T10:00:20.000Z' });
    expect(events[0]).toMatchObject({
      articleId: share.articleId,
      channelId: 'masto-series',
      platform: 'mastodon',
      section: 'Climate',
      publishedAt: '2026-04-02T10:00:00.000Z',
      offsetIndex: 0,
      final: false,
    });

    clock.advanceSeconds(15);
    expect(await collectMetrics(deps)).toMatchObject({ read: 1 });
    const twice = await shares.get(share);
    expect(twice?.metricsDueAt).toBeUndefined();
    expect(events[1]).toMatchObject({ offsetIndex: 1, final: true });
    expect((await readings.readingsOf(share)).map((r) => r.collectedAt)).toEqual([
      '2026-04-02T10:00:06.000Z',
      '2026-04-02T10:00:21.000Z',
    ]);
    expect(await indexed()).not.toContain(keyOf(share));

    // Nothing left to read: the next run calls no network.
    clock.advanceSeconds(60);
    await collectMetrics(deps);
    expect(network.calls).toHaveLength(2);
  });

  it('keeps a reading whose subscriber throws', async () => {
    const clock = new ManualClock('2026-04-03T10:00:00.000Z');
    const ch = channel('masto-subscriber', 'mastodon');
    const share = await published(ch, clock);
    const network = client(() => ({ kind: 'read', counts: COUNTS }));
    const deps = depsFor(
      clock,
      [ch],
      { mastodon: network.double },
      {
        onReading: () => {
          throw new Error('the rollup is down');
        },
      },
    );
    clock.advanceSeconds(6);
    expect(await collectMetrics(deps)).toMatchObject({ read: 1, failed: 0 });
    expect((await shares.get(share))?.metricsRound).toBe(1);
  });

  it('stops reading, and says why, a post gone from its network or one its network gives no counts for', async () => {
    const clock = new ManualClock('2026-04-04T10:00:00.000Z');
    const masto = channel('masto-gone', 'mastodon');
    const tg = channel('tg-nocounts', 'telegram');
    const gone = await published(masto, clock);
    const silent = await published(tg, clock);
    const network = client(() => ({ kind: 'gone', message: 'deleted on the network' }));
    const { metrics: _none, ...withoutMetrics } = client(() => ({
      kind: 'read',
      counts: COUNTS,
    })).double;
    clock.advanceSeconds(6);
    const report = await collectMetrics(
      depsFor(clock, [masto, tg], { mastodon: network.double, telegram: withoutMetrics }),
    );
    expect(report).toMatchObject({ stopped: 2, read: 0 });
    expect((await shares.get(gone))?.metricsSkipped).toMatch(/gone from mastodon/);
    expect((await shares.get(silent))?.metricsSkipped).toMatch(/telegram gives Crier no counts/);
    const keys = await indexed();
    expect(keys).not.toContain(keyOf(gone));
    expect(keys).not.toContain(keyOf(silent));
  });

  it('stops reading the post of a withdrawn article', async () => {
    const clock = new ManualClock('2026-04-05T10:00:00.000Z');
    const ch = channel('masto-withdrawn', 'mastodon');
    const share = await published(ch, clock, 'unpublished');
    const network = client(() => ({ kind: 'read', counts: COUNTS }));
    clock.advanceSeconds(6);
    expect(await collectMetrics(depsFor(clock, [ch], { mastodon: network.double }))).toMatchObject({
      stopped: 1,
    });
    expect(network.calls).toHaveLength(0);
    expect((await shares.get(share))?.metricsDueAt).toBeUndefined();
  });

  it('leaves a rate-limited channel due until the limit ends, without asking again meanwhile', async () => {
    const clock = new ManualClock('2026-04-06T10:00:00.000Z');
    const ch = channel('masto-rate', 'mastodon');
    const share = await published(ch, clock);
    let limited = true;
    const network = client(() =>
      limited
        ? { kind: 'rate', until: '2026-04-06T10:05:00.000Z', message: '429' }
        : { kind: 'read', counts: COUNTS },
    );
    const deps = depsFor(clock, [ch], { mastodon: network.double });
    clock.advanceSeconds(6);
    expect(await collectMetrics(deps)).toMatchObject({ read: 0, postponed: 1 });
    expect((await shares.get(share))?.metricsDueAt).toBe(share.metricsDueAt);
    expect(await readingState.pausedUntil(ch.id)).toBe('2026-04-06T10:05:00.000Z');

    clock.advanceSeconds(60);
    await collectMetrics(deps);
    expect(network.calls).toHaveLength(1);

    limited = false;
    clock.set('2026-04-06T10:05:01.000Z');
    expect(await collectMetrics(deps)).toMatchObject({ read: 1 });
    // Late past both ages: the reading counts as the last, and ends the series.
    expect((await shares.get(share))?.metricsDueAt).toBeUndefined();
  });

  it("waits while the channel's token is dead, without calling its network", async () => {
    const clock = new ManualClock('2026-04-07T10:00:00.000Z');
    const ch = channel('masto-dead', 'mastodon');
    const share = await published(ch, clock);
    await channelState.saveHealth(ch.id, {
      status: 'failing',
      reason: 'the token expired and cannot be refreshed',
      checkedAt: clock.iso(),
    });
    const network = client(() => ({ kind: 'read', counts: COUNTS }));
    clock.advanceSeconds(6);
    expect(await collectMetrics(depsFor(clock, [ch], { mastodon: network.double }))).toMatchObject({
      read: 0,
      postponed: 1,
    });
    expect(network.calls).toHaveLength(0);
    expect((await shares.get(share))?.metricsDueAt).toBe(share.metricsDueAt);
  });

  it('refreshes a token the network calls dead, and reads with the new one', async () => {
    const clock = new ManualClock('2026-04-08T10:00:00.000Z');
    const ch = channel('masto-refresh', 'mastodon');
    const share = await published(ch, clock);
    const network = client((call) =>
      (call.credentials as { token: string }).token === 'renewed'
        ? { kind: 'read', counts: COUNTS }
        : { kind: 'auth', message: 'The access token expired' },
    );
    const forced: boolean[] = [];
    const tokens = {
      fresh: async (_channel: unknown, options: { force?: boolean } = {}) => {
        forced.push(options.force ?? false);
        return options.force
          ? { status: 'refreshed' as const, credentials: { token: 'renewed' } }
          : { status: 'fresh' as const, credentials: { token: 'stale' } };
      },
    };
    clock.advanceSeconds(6);
    const report = await collectMetrics(
      depsFor(clock, [ch], { mastodon: network.double }, { tokens }),
    );
    expect(report).toMatchObject({ read: 1 });
    expect(forced).toEqual([false, true]);
    expect((await shares.get(share))?.metrics?.likes).toBe(COUNTS.likes);
  });

  it("counts X's reads against the month's budget and notes the reading the budget refused", async () => {
    const clock = new ManualClock('2026-04-09T10:00:00.000Z');
    const ch = channel('x-budget', 'x', { metrics: { enabled: true, monthlyReads: 2 } });
    const posts = [
      await published(ch, clock),
      await published(ch, clock),
      await published(ch, clock),
    ];
    const network = client(() => ({ kind: 'read', counts: COUNTS }));
    clock.advanceSeconds(6);
    const report = await collectMetrics(depsFor(clock, [ch], { x: network.double }));
    expect(report).toMatchObject({ read: 2, skipped: 1 });
    expect(network.calls).toHaveLength(2);
    expect(await readingState.readsIn(ch.id, readingMonth(clock.now()))).toBe(2);
    const after = await Promise.all(posts.map((p) => shares.get(p)));
    const refused = after.filter((s) => s?.metricsSkipped);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.metricsSkipped).toBe('not read: the monthly budget of 2 reads is spent');
    // The refused age is given up; the next one is still scheduled.
    expect(refused[0]?.metricsRound).toBe(1);
  });

  it("takes at most the channel's share of a run, the rest left due for the next", async () => {
    const clock = new ManualClock('2026-04-10T10:00:00.000Z');
    const ch = channel('masto-capped', 'mastodon');
    for (let n = 0; n < 5; n += 1) await published(ch, clock);
    const network = client(() => ({ kind: 'read', counts: COUNTS }));
    const deps = depsFor(
      clock,
      [ch],
      { mastodon: network.double },
      {
        limits: { perChannel: () => 3 },
      },
    );
    clock.advanceSeconds(6);
    expect(await collectMetrics(deps)).toMatchObject({ read: 3, postponed: 2 });
    expect(await collectMetrics(deps)).toMatchObject({ read: 2, postponed: 0 });
  });

  it('reads only what is due: its requests do not grow with the published posts not due', async () => {
    const clock = new ManualClock('2026-04-11T10:00:00.000Z');
    const ch = channel('masto-many', 'mastodon');
    const network = client(() => ({ kind: 'read', counts: COUNTS }));
    // 3 posts due now, and 200 whose first reading is a minute away.
    const due = [
      await published(ch, clock),
      await published(ch, clock),
      await published(ch, clock),
    ];
    clock.advanceSeconds(60);
    for (let n = 0; n < 200; n += 1) await published(ch, clock);
    clock.set('2026-04-11T10:00:06.000Z');
    commands.length = 0;
    const report = await collectMetrics(depsFor(clock, [ch], { mastodon: network.double }));
    expect(report.read).toBe(3);
    const count = (name: string) => commands.filter((c) => c === name).length;
    expect(count('ScanCommand')).toBe(0);
    // One page of keys per shard; per reading a get of its share and of its article, a put
    // of the reading and of the share; per channel its two state items.
    expect(count('QueryCommand')).toBe(TABLE.shardCount);
    expect(count('GetItemCommand')).toBe(2 * 3 + 2);
    expect(count('PutItemCommand')).toBe(2 * 3);
    for (const share of due) expect((await shares.get(share))?.metricsRound).toBe(1);
  });
});
