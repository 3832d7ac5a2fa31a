/**
 * The feed poller against the local table and queue, fetching from a loopback feed server
 * through the safe fetcher's test seams (a public-looking name, dialled on loopback).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../infra/local/local-aws';
import type { Feed } from '../../../shared/domain/feed';
import { articleIdFor } from '../../../shared/domain/ids';
import type { Clock } from '../../../shared/domain/ports';
import { createSafeFetch, type SafeFetcher } from '../../../shared/preview/fetch';
import { SqsComposeQueue } from '../../../shared/queue/compose-queue';
import { FUNCTIONS } from '../../../shared/resources';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { DynamoComposeMarkers } from '../../../shared/store/compose-markers';
import { DynamoDeliveryGuard } from '../../../shared/store/delivery-guard';
import { DynamoFeedStore } from '../../../shared/store/feed-store';
import { type PollFeedsDeps, pollFeed } from '../../../shared/usecases/poll-feeds';
import { drainQueue, INGEST_FUNCTIONS } from '../../support/handler-stack';
import { startTestStack, type TestStack } from '../../support/stack';

/** A feed server: serves `documents[path]` with an ETag, and answers 304 to a match. */
type FeedServer = {
  server: Server;
  port: number;
  documents: Map<string, { body: string; type: string; status?: number }>;
  requests: { path: string; ifNoneMatch?: string }[];
};

async function startFeedServer(): Promise<FeedServer> {
  const state: FeedServer = {
    server: createServer(),
    port: 0,
    documents: new Map(),
    requests: [],
  };
  state.server.on('request', (req: IncomingMessage, res) => {
    const path = req.url ?? '/';
    const ifNoneMatch = req.headers['if-none-match'];
    state.requests.push({ path, ifNoneMatch });
    const doc = state.documents.get(path);
    if (!doc) {
      res.writeHead(404).end();
      return;
    }
    if (doc.status) {
      res.writeHead(doc.status).end('unavailable');
      return;
    }
    const etag = `"${createHash('sha256').update(doc.body).digest('hex').slice(0, 16)}"`;
    if (ifNoneMatch === etag) {
      res.writeHead(304, { ETag: etag }).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': doc.type, ETag: etag }).end(doc.body);
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.port = (state.server.address() as AddressInfo).port;
  return state;
}

let stack: TestStack;
let feeds: FeedServer;
let fetcher: SafeFetcher;
let now = new Date('2019-11-12T16:00:00.000Z');
const clock: Clock = { now: () => now };
const advance = (minutes: number) => {
  now = new Date(now.getTime() + minutes * 60_000);
};

beforeAll(async () => {
  // No compose consumer: what the poller queues stays on the queue for the test to see.
  stack = await startTestStack({
    functions: INGEST_FUNCTIONS,
  });
  feeds = await startFeedServer();
  fetcher = createSafeFetch({
    resolve: async () => ['93.184.216.34'],
    connectTo: () => ({ host: '127.0.0.1', port: feeds.port }),
  });
});

afterAll(async () => {
  await fetcher?.close();
  feeds?.server.closeAllConnections();
  await new Promise((resolve) => feeds?.server.close(resolve));
  await stack?.dispose();
});

function deps(): PollFeedsDeps {
  // As the functions' own client is set up (shared/store/client.ts).
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  return {
    feeds: [],
    feedStore: new DynamoFeedStore(db, stack.tableName, clock.now),
    fetch: fetcher,
    articles: new DynamoArticleStore(db, stack.tableName),
    deliveries: new DynamoDeliveryGuard(db, stack.tableName, clock),
    composeQueue: new SqsComposeQueue(stack.sqs, stack.queueUrls.compose),
    markers: new DynamoComposeMarkers(db, stack.tableName),
    composeGraceSeconds: 300,
    clock,
  };
}

const feed = (id: string, patch: Partial<Feed> = {}): Feed => ({
  id,
  url: `http://feeds.news.example/${id}`,
  everyMinutes: 5,
  backlogHours: 0,
  ...patch,
});

const rss = readFileSync('tests/fixtures/feeds/wordpress-rss2.xml', 'utf8');

/** The sample RSS with one more item on top, as WordPress adds a new post. */
function withNewItem(base: string, item: { guid: string; title: string; pubDate: string }): string {
  return base.replace(
    '<item>',
    `<item>
		<title>${item.title}</title>
		<link>https://www.leftvoice.org/${item.guid}/</link>
		<dc:creator><![CDATA[Ana Rivera]]></dc:creator>
		<pubDate>${item.pubDate}</pubDate>
		<category><![CDATA[Latin America]]></category>
		<guid isPermaLink="false">https://www.leftvoice.org/?p=${item.guid}</guid>
		<description><![CDATA[<p>What happened next.</p>]]></description>
		</item>
		<item>`,
  );
}

/** Takes what ingest queued for compose off the queue. */
const drainCompose = () => drainQueue<{ articleId: string; revision: number }>(stack, 'compose');

const articleOf = async (sourceId: string) =>
  (await stack.items()).find(
    (item) => item.PK === `ART#${articleIdFor('feed', sourceId)}` && item.SK === 'A',
  );

describe('polling a feed', () => {
  it('takes only what appears after the first poll, asks conditionally, and waits its period', async () => {
    const desk = feed('desk');
    feeds.documents.set('/desk', { body: rss, type: 'application/rss+xml; charset=UTF-8' });

    // First poll: both items were published before it, so they are the backlog.
    const first = await pollFeed(deps(), desk);
    expect(first).toMatchObject({ outcome: 'polled', taken: 0, skipped: 2 });
    expect(await articleOf('https://www.leftvoice.org/?p=41872')).toBeUndefined();
    expect(await drainCompose()).toEqual([]);

    // Too soon for the next poll: nothing is fetched.
    advance(2);
    const requests = feeds.requests.length;
    expect(await pollFeed(deps(), desk)).toMatchObject({ outcome: 'not-due' });
    expect(feeds.requests.length).toBe(requests);

    // Unchanged: a conditional GET, answered 304.
    advance(3);
    expect(await pollFeed(deps(), desk)).toMatchObject({ outcome: 'not-modified', taken: 0 });
    expect(feeds.requests.at(-1)?.ifNoneMatch).toMatch(/^"[0-9a-f]{16}"$/);

    // A new post: taken as a feed article and queued for composing.
    feeds.documents.set('/desk', {
      body: withNewItem(rss, {
        guid: '41900',
        title: 'Bolivia&#8217;s Senate Meets Without a Quorum',
        pubDate: 'Tue, 12 Nov 2019 16:03:00 +0000',
      }),
      type: 'application/rss+xml; charset=UTF-8',
    });
    advance(5);
    expect(await pollFeed(deps(), desk)).toMatchObject({ outcome: 'polled', taken: 1, skipped: 0 });
    const stored = await articleOf('https://www.leftvoice.org/?p=41900');
    expect(stored).toMatchObject({
      article: {
        source: 'feed',
        title: 'Bolivia’s Senate Meets Without a Quorum',
        url: 'https://www.leftvoice.org/41900/',
        section: 'Latin America',
        authors: [{ name: 'Ana Rivera' }],
      },
      revision: Date.parse('2019-11-12T16:03:00Z'),
    });
    expect(await drainCompose()).toEqual([
      {
        articleId: articleIdFor('feed', 'https://www.leftvoice.org/?p=41900'),
        revision: Date.parse('2019-11-12T16:03:00Z'),
      },
    ]);

    // The same document again, without the validators (as after a lost state): the items
    // are remembered, so nothing is taken twice.
    const item = (await stack.items()).find((i) => i.PK === 'FEED#desk' && i.SK === 'STATE');
    expect(item).toMatchObject({ firstPolledAt: '2019-11-12T16:00:00.000Z' });
    await deps().feedStore.saveState('desk', {
      firstPolledAt: '2019-11-12T16:00:00.000Z',
      lastPolledAt: '2019-11-12T16:00:00.000Z',
    });
    advance(5);
    expect(await pollFeed(deps(), desk)).toMatchObject({ outcome: 'polled', taken: 0, skipped: 0 });
    expect(await drainCompose()).toEqual([]);
  });

  it('takes an item again when the feed dates a later update of it', async () => {
    const atom = readFileSync('tests/fixtures/feeds/atom.xml', 'utf8');
    const wire = feed('wire', { backlogHours: 24 });
    feeds.documents.set('/wire', { body: atom, type: 'application/atom+xml' });
    // backlogHours: on the first poll, what was published in the day before is taken.
    expect(await pollFeed(deps(), wire)).toMatchObject({ outcome: 'polled', taken: 2 });
    const id = 'tag:news.example.org,2019-11-12:/world/bolivia-interim-government';
    expect(await articleOf(id)).toMatchObject({ revision: Date.parse('2019-11-12T21:02:09Z') });
    await drainCompose();

    feeds.documents.set('/wire', {
      body: atom
        .replace('2019-11-12T16:02:09-05:00', '2019-11-12T17:30:00-05:00')
        .replace('takes office', 'takes office amid protests'),
      type: 'application/atom+xml',
    });
    advance(5);
    expect(await pollFeed(deps(), wire)).toMatchObject({ outcome: 'polled', taken: 1 });
    expect(await articleOf(id)).toMatchObject({
      revision: Date.parse('2019-11-12T22:30:00Z'),
      article: { title: 'Bolivia’s “interim” government takes office amid protests' },
    });
    expect((await drainCompose()).map((m) => m.revision)).toEqual([
      Date.parse('2019-11-12T22:30:00Z'),
    ]);
  });

  it("makes a site's feed items that site's articles, apart from the same items elsewhere", async () => {
    const atom = readFileSync('tests/fixtures/feeds/atom.xml', 'utf8');
    feeds.documents.set('/sport-wire', { body: atom, type: 'application/atom+xml' });
    const sport = feed('sport-wire', { backlogHours: 24, siteId: 'sport' });
    expect(await pollFeed(deps(), sport)).toMatchObject({ outcome: 'polled', taken: 2 });
    const id = 'tag:news.example.org,2019-11-12:/world/bolivia-interim-government';
    const item = (await stack.items()).find(
      (i) => i.PK === `ART#${articleIdFor('feed', id, 'sport')}` && i.SK === 'A',
    );
    expect(item).toMatchObject({ article: { siteId: 'sport', sourceId: id } });
    // The default site's record of the same item (the test above) is another article.
    expect(await articleOf(id)).not.toHaveProperty('article.siteId');
    await drainCompose();
  });

  it('remembers an item that cannot be an article instead of trying it every poll', async () => {
    const notes = feed('notes', { backlogHours: 24 * 30 });
    feeds.documents.set('/notes', {
      body: readFileSync('tests/fixtures/feeds/feed.json', 'utf8'),
      type: 'application/feed+json',
    });
    const first = await pollFeed(deps(), notes);
    expect(first).toMatchObject({ outcome: 'polled', taken: 2, skipped: 1 });
    expect(first.errors).toEqual([expect.stringMatching(/^note-1: .*title/)]);
    await drainCompose();
    feeds.documents.set('/notes', {
      body: `${readFileSync('tests/fixtures/feeds/feed.json', 'utf8')}\n`,
      type: 'application/feed+json',
    });
    advance(5);
    expect(await pollFeed(deps(), notes)).toMatchObject({ taken: 0, skipped: 0, errors: [] });
  });

  it('records why a feed could not be read, writes no article, and tries again when due', async () => {
    const down = feed('down', { everyMinutes: 1 });
    feeds.documents.set('/down', { body: '', type: 'text/plain', status: 503 });
    const before = (await stack.items()).filter((i) => String(i.PK).startsWith('ART#')).length;
    const report = await pollFeed(deps(), down);
    expect(report).toMatchObject({
      outcome: 'failed',
      errors: [expect.stringContaining('HTTP 503')],
    });
    const state = await deps().feedStore.getState('down');
    expect(state?.lastError).toContain('HTTP 503');

    feeds.documents.set('/down', {
      body: '<html><body>Maintenance</body></html>',
      type: 'text/html',
    });
    advance(1);
    expect(await pollFeed(deps(), down)).toMatchObject({
      outcome: 'failed',
      errors: [expect.stringContaining('Not a feed')],
    });
    expect((await stack.items()).filter((i) => String(i.PK).startsWith('ART#')).length).toBe(
      before,
    );
  });
});

describe('the scheduled poll-feeds function', () => {
  it('fetches a configured feed only through the safe fetcher: a loopback feed is refused and recorded', async () => {
    // Its own stack, with a channels file that lists a feed on this machine's loopback.
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'crier-feeds-'));
    const config = join(dir, 'channels.json');
    writeFileSync(
      config,
      JSON.stringify({
        channels: [{ id: 'x-desk', platform: 'x', account: 'desk', template: '{title} {url}' }],
        feeds: [{ id: 'local', url: `http://127.0.0.1:${feeds.port}/desk` }],
      }),
    );
    const previous = process.env.CRIER_CONFIG;
    process.env.CRIER_CONFIG = config;
    const own = await startTestStack({
      sandboxes: false,
      functions: { 'poll-feeds': FUNCTIONS['poll-feeds'] },
    });
    try {
      const requests = feeds.requests.length;
      await own.invoke('poll-feeds', {});
      const state = (await own.items()).find((i) => i.PK === 'FEED#local' && i.SK === 'STATE');
      expect(state).toMatchObject({ lastError: expect.stringContaining('not a public address') });
      expect(feeds.requests.length).toBe(requests);
    } finally {
      await own.dispose();
      if (previous === undefined) delete process.env.CRIER_CONFIG;
      else process.env.CRIER_CONFIG = previous;
    }
  });
});
