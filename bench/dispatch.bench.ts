/**
 * What one dispatcher tick (shared/usecases/dispatch.ts, dispatchDue) costs with 100,000
 * shares far ahead, against the same tick with 1,000, in the same run: the same due
 * shares each time, so the ratio shows whether the cost follows the table (it should
 * not: the due index is read up to the look-ahead only). Measures the tick's time, its
 * DynamoDB requests and the read units they would be billed. Half the far shares are
 * scheduled far ahead, half published with their next engagement reading far ahead, and
 * one run of the metrics collector (shared/usecases/collect-metrics.ts) is measured the
 * same way, with the same readings due each time: its client is a stand-in that answers
 * counts at once, since only the table's side is measured here.
 * The shares are written straight into an in-memory dynalite with BatchWriteItem.
 * Run: npx tsx bench/dispatch.bench.ts [--quick]
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createDynamoClient, ensureTable } from '../infra/local/dynamo';
import { createLogger } from '../infra/local/logger';
import { startSqs } from '../infra/local/sqs';
import { loadChannelsConfig } from '../shared/config/channels';
import { readPublishingConfig } from '../shared/config/publishing';
import { parseGenericArticle } from '../shared/domain/article-payload';
import type { ArticleRecord } from '../shared/domain/ports';
import type { Share } from '../shared/domain/share';
import type { NetworkClient } from '../shared/platforms/client';
import { SqsPublishQueue } from '../shared/queue/publish-queue';
import { TABLE } from '../shared/resources';
import { DynamoArticleStore } from '../shared/store/article-store';
import { DynamoChannelStateStore } from '../shared/store/channel-state-store';
import { DynamoMetricsStore } from '../shared/store/metrics-store';
import { DynamoReadingState } from '../shared/store/reading-state';
import { DynamoShareStore, shareItem } from '../shared/store/share-store';
import { collectMetrics } from '../shared/usecases/collect-metrics';
import { newShare } from '../shared/usecases/compose-article';
import { dispatchDue } from '../shared/usecases/dispatch';
import { startMeteringProxy } from './support/aws-proxy';
import { DynamoMeter } from './support/dynamo-meter';
import { type BenchRow, count, median, ms, QUICK, report } from './support/report';

const SMALL = 1_000;
const LARGE = QUICK ? 10_000 : 100_000;
const DUE = QUICK ? 20 : 50;
const TICKS = QUICK ? 3 : 7;
/** BatchWriteItem's most items, and how many batches are in flight at once. */
const BATCH = 25;
const PARALLEL = 4;

const log = createLogger({ quiet: true });
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const sqs = await startSqs({ log });

const client = createDynamoClient(endpoint);
await ensureTable(client, log, '(in memory)');
const meter = new DynamoMeter();
// The dispatcher's client goes through the meter; the benchmark's own writes do not.
const proxy = await startMeteringProxy({ target: endpoint, meter });
const meteredClient = createDynamoClient(proxy.endpoint);
const marshall = { marshallOptions: { removeUndefinedValues: true } };
const seedDb = DynamoDBDocumentClient.from(client, marshall);
const db = DynamoDBDocumentClient.from(meteredClient, marshall);

const config = readPublishingConfig({});
const publishQueueUrl = sqs.queues.publish?.url;
if (!publishQueueUrl) throw new Error('no publish queue');
const deps = {
  shares: new DynamoShareStore(db, TABLE.localName),
  publishQueue: new SqsPublishQueue(sqs.client, publishQueueUrl),
  clock: { now: () => new Date() },
  config,
};

// Real shares: the sample article composed for every default channel, then spread out.
const { channels, site, authors } = loadChannelsConfig(undefined);
const sample = parseGenericArticle(
  JSON.parse(
    readFileSync(
      new URL('../tests/fixtures/webhooks/generic-article.json', import.meta.url),
      'utf8',
    ),
  ),
);
const record: ArticleRecord = {
  articleId: '0'.repeat(32),
  article: sample,
  receivedAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
};
const templates = channels.map((channel) =>
  newShare(record, channel, new Date(), { site, authors }),
);

function share(n: number, dueAt: string): Share {
  const template = templates[n % templates.length] as Share;
  return { ...template, articleId: n.toString(16).padStart(32, '0'), dueAt, status: 'scheduled' };
}

async function writeShares(shares: Share[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < shares.length) {
      const batch = shares.slice(next, next + BATCH);
      next += BATCH;
      let requests: { PutRequest: { Item: Record<string, unknown> } }[] = batch.map((s) => ({
        PutRequest: { Item: shareItem(s) },
      }));
      // dynalite writes every item; DynamoDB may hand some back to retry.
      while (requests.length) {
        const { UnprocessedItems } = await seedDb.send(
          new BatchWriteCommand({ RequestItems: { [TABLE.localName]: requests } }),
        );
        requests = (UnprocessedItems?.[TABLE.localName] ?? []).flatMap((r) =>
          r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
        );
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}

/** Where the readable shares' ids start, apart from the due and the far ones. */
const READABLE = 2_000_000;

/** Published an hour ago, with its first reading due a second ago. */
function readable(n: number): Share {
  const at = new Date(Date.now() - 3_600_000).toISOString();
  return {
    ...share(READABLE + n, at),
    status: 'published',
    remoteId: `post-${n}`,
    metricsDueAt: new Date(Date.now() - 1000).toISOString(),
    metricsRound: 0,
    history: [{ at, event: 'succeed', from: 'publishing', to: 'published', by: 'publisher' }],
  };
}

/**
 * Far ahead: spread over the year after next, never within any look-ahead. They keep
 * their text and keys but not their card, media and history: the tick never reads them,
 * so their size changes nothing it measures, and smaller items write faster here.
 */
function farShares(from: number, to: number): Share[] {
  const start = Date.UTC(new Date().getUTCFullYear() + 2, 0, 1);
  return Array.from({ length: to - from }, (_, i) => {
    const {
      card: _card,
      media: _media,
      facets: _facets,
      ...far
    } = share(
      1_000_000 + from + i,
      new Date(start + (((from + i) * 7_919_000) % 31_536_000_000)).toISOString(),
    );
    // Every other one published, its next reading as far ahead.
    return (from + i) % 2
      ? { ...far, history: [], warnings: [] }
      : {
          ...far,
          history: [],
          warnings: [],
          status: 'published' as const,
          remoteId: `far-${from + i}`,
          metricsDueAt: far.dueAt,
          metricsRound: 0,
        };
  });
}

/** The same due shares before every tick, back in `scheduled` (the previous tick queued them). */
const dueShares = () =>
  Array.from({ length: DUE }, (_, i) => share(i, new Date(Date.now() - 1000).toISOString()));

type Tick = { ms: number; requests: number; readUnits: number; enqueued: number };

async function measureTicks(count = TICKS): Promise<Tick[]> {
  const ticks: Tick[] = [];
  for (let i = 0; i < count; i++) {
    await writeShares(dueShares());
    const before = { ...meter.totals, requests: { ...meter.totals.requests } };
    const started = performance.now();
    const result = await dispatchDue(deps);
    const elapsed = performance.now() - started;
    const requests =
      Object.values(meter.totals.requests).reduce((a, b) => a + b, 0) -
      Object.values(before.requests).reduce((a, b) => a + b, 0);
    if (result.enqueued !== DUE)
      throw new Error(`the tick enqueued ${result.enqueued}, not ${DUE}`);
    ticks.push({
      ms: elapsed,
      requests,
      readUnits: meter.totals.readUnits - before.readUnits,
      enqueued: result.enqueued,
    });
  }
  return ticks;
}

/** The metrics collector's deps, over the metered client; its network a stand-in. */
const counts: NetworkClient = {
  publish: async () => ({ kind: 'rejected', message: 'not measured' }),
  reconcile: async () => ({ kind: 'absent' }),
  withdraw: async () => ({ kind: 'rejected', message: 'not measured' }),
  metrics: async () => ({ kind: 'read', counts: { likes: 3, reposts: 1, replies: 0 } }),
};
const metricsDeps = {
  shares: deps.shares,
  index: {
    dueBy: (shard: number, until: string, limit: number, after?: string) =>
      deps.shares.readingsDueBy(shard, until, limit, after),
  },
  readingState: new DynamoReadingState(db, TABLE.localName),
  readings: new DynamoMetricsStore(db, TABLE.localName),
  articles: new DynamoArticleStore(db, TABLE.localName),
  channelState: new DynamoChannelStateStore(db, TABLE.localName),
  credentials: { get: async () => ({}) },
  channels,
  clientFor: () => counts,
  clock: deps.clock,
  offsetsMs: config.metricsAfterMs,
  networkTimeoutMs: config.networkTimeoutMs,
  shardCount: TABLE.shardCount,
};

/** The same readings due before every run, back at their first age. */
async function measureReadings(count = TICKS): Promise<Tick[]> {
  const runs: Tick[] = [];
  for (let i = 0; i < count; i++) {
    await writeShares(Array.from({ length: DUE }, (_, n) => readable(n)));
    const before = { ...meter.totals, requests: { ...meter.totals.requests } };
    const started = performance.now();
    const result = await collectMetrics(metricsDeps);
    const elapsed = performance.now() - started;
    if (result.read !== DUE) throw new Error(`the run read ${result.read}, not ${DUE}`);
    runs.push({
      ms: elapsed,
      requests:
        Object.values(meter.totals.requests).reduce((a, b) => a + b, 0) -
        Object.values(before.requests).reduce((a, b) => a + b, 0),
      readUnits: meter.totals.readUnits - before.readUnits,
      enqueued: result.read,
    });
  }
  return runs;
}

const summary = (ticks: Tick[]) => ({
  ms: median(ticks.map((t) => t.ms)),
  requests: median(ticks.map((t) => t.requests)),
  readUnits: median(ticks.map((t) => t.readUnits)),
});

try {
  await writeShares(farShares(0, SMALL - DUE));
  // One untimed tick first: the first ones pay for module loading and JIT, not the table.
  await measureTicks(1);
  const small = summary(await measureTicks());
  // The due readings' articles, once: the collector reads each for its reading's event.
  const seedArticles = new DynamoArticleStore(seedDb, TABLE.localName);
  for (let n = 0; n < DUE; n++) {
    await seedArticles.putRevision({ ...record, articleId: readable(n).articleId });
  }
  await measureReadings(1);
  const smallReadings = summary(await measureReadings());

  const setupStarted = performance.now();
  await writeShares(farShares(SMALL - DUE, LARGE - DUE));
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  const large = summary(await measureTicks());
  const largeReadings = summary(await measureReadings());

  const label = `${count(LARGE)} vs ${count(SMALL)} shares, ${DUE} due`;
  const rows: BenchRow[] = [
    {
      benchmark: 'dispatcher',
      measure: `tick time, ${label}`,
      crier: ms(large.ms),
      baseline: ms(small.ms),
      ratio: large.ms / small.ms,
      note: `the same tick with ${count(SMALL)} shares; median of ${TICKS}`,
    },
    {
      benchmark: 'dispatcher',
      measure: `DynamoDB requests a tick, ${label}`,
      crier: count(large.requests),
      baseline: count(small.requests),
      ratio: large.requests / small.requests,
      note: `${TABLE.shardCount} shards x 2 index queries, then a get and a claim per due share`,
    },
    {
      benchmark: 'dispatcher',
      measure: `read units a tick, ${label}`,
      crier: count(large.readUnits, 1),
      baseline: count(small.readUnits, 1),
      ratio: large.readUnits / small.readUnits,
      note: `setup: ${count(LARGE - SMALL)} shares written in ${setupSeconds.toFixed(0)} s (${count((LARGE - SMALL) / setupSeconds)}/s, BatchWriteItem of ${BATCH}, ${PARALLEL} in flight)`,
    },
    {
      benchmark: 'dispatcher',
      measure: `metrics run time, ${label}`,
      crier: ms(largeReadings.ms),
      baseline: ms(smallReadings.ms),
      ratio: largeReadings.ms / smallReadings.ms,
      note: `the collector with ${DUE} readings due, half the shares published with their next reading far ahead; median of ${TICKS}`,
    },
    {
      benchmark: 'dispatcher',
      measure: `DynamoDB requests a metrics run, ${label}`,
      crier: count(largeReadings.requests),
      baseline: count(smallReadings.requests),
      ratio: largeReadings.requests / smallReadings.requests,
      note: `${TABLE.shardCount} index queries and each channel's two state items, then per reading a get of its share and of its article, and two puts`,
    },
    {
      benchmark: 'dispatcher',
      measure: `read units a metrics run, ${label}`,
      crier: count(largeReadings.readUnits, 1),
      baseline: count(smallReadings.readUnits, 1),
      ratio: largeReadings.readUnits / smallReadings.readUnits,
      note: 'keys only from the index; the shares read are the due ones',
    },
  ];
  report(rows);
} finally {
  meteredClient.destroy();
  client.destroy();
  await proxy.stop();
  await sqs.stop();
  server.close();
}
