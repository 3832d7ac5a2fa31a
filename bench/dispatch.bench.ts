/**
 * What one dispatcher tick (shared/usecases/dispatch.ts, dispatchDue) costs with 100,000
 * shares scheduled far ahead, against the same tick with 1,000, in the same run: the
 * same due shares each time, so the ratio shows whether the cost follows the table
 * (it should not: the due index is read up to the look-ahead only). Measures the
 * tick's time, its DynamoDB requests and the read units they would be billed.
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
import { SqsPublishQueue } from '../shared/queue/publish-queue';
import { TABLE } from '../shared/resources';
import { DynamoShareStore, shareItem } from '../shared/store/share-store';
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
    return { ...far, history: [], warnings: [] };
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

  const setupStarted = performance.now();
  await writeShares(farShares(SMALL - DUE, LARGE - DUE));
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  const large = summary(await measureTicks());

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
  ];
  report(rows);
} finally {
  meteredClient.destroy();
  client.destroy();
  await proxy.stop();
  await sqs.stop();
  server.close();
}
