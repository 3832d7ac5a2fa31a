/**
 * The publisher posting threads: the publish-share use case with its DynamoDB stores on
 * dynalite and the real clients against the four sandboxes. Each part's id is in the
 * table as soon as its post is made, so whatever stops a claim (an unknown outcome, a
 * spent claim, a crash the sweeper finds), the thread resumes after the last recorded
 * post and ends with one post per part.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startDynamo } from '../../../infra/local/dynamo';
import { createLogger } from '../../../infra/local/logger';
import { type Sandboxes, startSandboxes } from '../../../infra/local/sandbox';
import { readPublishingConfig } from '../../../shared/config/publishing';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Platform, THREAD_PLATFORMS } from '../../../shared/domain/platform';
import type { ArticleRecord, Clock, PublishMessage, ShareRef } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import type { NetworkClient, ReplyCall } from '../../../shared/platforms/client';
import { clientFor } from '../../../shared/platforms/clients';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { DynamoChannelStateStore } from '../../../shared/store/channel-state-store';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { newShare } from '../../../shared/usecases/compose-article';
import { dispatchDue, enqueueIfDue } from '../../../shared/usecases/dispatch';
import {
  handlePublishMessage,
  type PublishResult,
  type PublishShareDeps,
} from '../../../shared/usecases/publish-share';
import { longStandfirst, threadChannel } from '../../support/thread';
import { sampleArticle } from '../../support/webhook';

const log = createLogger({ quiet: true });
const channels = THREAD_PLATFORMS.map((platform) => threadChannel(platform));
let dataDir: string;
let dynamo: LocalDynamo;
let sandboxes: Sandboxes;
let db: DynamoDBDocumentClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'crier-threads-'));
  dynamo = await startDynamo({ dataDir, log });
  db = DynamoDBDocumentClient.from(dynamo.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  sandboxes = await startSandboxes({ log });
});

afterAll(async () => {
  await sandboxes?.stop();
  await dynamo?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

afterEach(() => sandboxes.faults.set(undefined));

/** The publish queue as transport only: what was sent, which the test delivers itself. */
type Sent = { message: PublishMessage; delaySeconds: number };

/** The real clock, which a test may move ahead (a claim that spent its time). */
class MovableClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

type Harness = {
  deps: PublishShareDeps;
  sent: Sent[];
  clock: MovableClock;
  shares: DynamoShareStore;
};

function harness(
  options: {
    env?: Record<string, string>;
    /** wraps a platform's real client, to act between its calls */
    wrap?: (platform: Platform, client: NetworkClient) => NetworkClient;
  } = {},
): Harness {
  const sent: Sent[] = [];
  const clock = new MovableClock();
  const shares = new DynamoShareStore(db, dynamo.tableName);
  const deps: PublishShareDeps = {
    shares,
    articles: new DynamoArticleStore(db, dynamo.tableName),
    channelState: new DynamoChannelStateStore(db, dynamo.tableName),
    credentials: {
      get: async ({ platform }) => sandboxes.byPlatform(platform)?.credentials,
    },
    publishQueue: {
      send: async (message, delaySeconds) => {
        sent.push({ message, delaySeconds });
      },
    },
    channels,
    clientFor: async (platform) => {
      const client = await clientFor(platform);
      return client && options.wrap ? options.wrap(platform, client) : client;
    },
    clock,
    config: readPublishingConfig({
      CRIER_NETWORK_TIMEOUT_SECONDS: '10',
      CRIER_BACKOFF_BASE_SECONDS: '0.05',
      CRIER_BACKOFF_MAX_SECONDS: '0.2',
      ...options.env,
    }),
    random: () => 0.5,
  };
  return { deps, sent, clock, shares };
}

/** Wraps a client's reply call: `act` runs before part `index` is posted, once. */
function beforePart(
  index: number,
  act: (platform: Platform, call: ReplyCall) => void,
): (platform: Platform, client: NetworkClient) => NetworkClient {
  const done = new Set<Platform>();
  return (platform, client) => {
    const { replies } = client;
    if (!replies) return client;
    return {
      ...client,
      replies: {
        reconcile: (call) => replies.reconcile(call),
        publish: (call) => {
          if (call.index === index && !done.has(platform)) {
            done.add(platform);
            act(platform, call);
          }
          return replies.publish(call);
        },
      },
    };
  };
}

let serial = 0;

/** A new article with the long standfirst, stored, and its share for `platform` queued. */
async function queuedShare(h: Harness, platform: Platform): Promise<ShareRef> {
  return (await queuedShareOf(h, platform)).ref;
}

async function queuedShareOf(
  h: Harness,
  platform: Platform,
): Promise<{ ref: ShareRef; record: ArticleRecord }> {
  serial += 1;
  const tag = `${Date.now().toString(36)}-${serial}`;
  const payload = sampleArticle();
  const article = parseGenericArticle({
    ...payload,
    id: `${String(payload.id)}-${tag}`,
    url: String(payload.url).replace(/\/$/, `-${tag}/`),
    title: `${String(payload.title)} (${tag})`,
    summary: longStandfirst(`Take ${serial}`),
  });
  const now = new Date();
  const record = {
    articleId: `threads-${tag}`,
    article,
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await h.deps.articles.putRevision(record);
  const channel = channels.find((c) => c.platform === platform);
  if (!channel) throw new Error(`no ${platform} channel`);
  const share = newShare(record, channel, now);
  expect(share.status).toBe('scheduled');
  expect(share.thread).toHaveLength(2);
  expect(await h.shares.createIfAbsent(share)).toBe(true);
  expect((await enqueueIfDue(h.deps, share)).status).toBe('queued');
  return { ref: { articleId: share.articleId, channelId: share.channelId }, record };
}

/** Delivers what the publisher sent, after its delay, until nothing is left. */
async function deliver(h: Harness): Promise<PublishResult[]> {
  const results: PublishResult[] = [];
  for (let rounds = 0; rounds < 40; rounds++) {
    const next = h.sent.shift();
    if (!next) return results;
    if (next.delaySeconds > 0) await sleep(next.delaySeconds * 1000);
    results.push(await handlePublishMessage(h.deps, next.message));
  }
  throw new Error('the publisher kept sending messages');
}

async function stored(h: Harness, ref: ShareRef): Promise<Share> {
  const share = await h.shares.get(ref);
  if (!share) throw new Error('the share is gone');
  return share;
}

/** The sandbox holds exactly the share's posts, once each, each answering the one before. */
function expectOnePostPerPart(share: Share): void {
  const ids = [share.remoteId, ...(share.threadIds ?? [])];
  const mine = sandboxes.posts
    .list()
    .filter((p) => p.platform === share.platform && ids.includes(p.remoteId));
  expect(mine.map((p) => p.remoteId)).toEqual(ids);
  expect(mine.map((p) => p.inReplyToId)).toEqual([null, ...ids.slice(0, -1)]);
  expect(mine.map((p) => p.text)).toEqual([share.text, ...(share.thread ?? [])]);
  // Nothing else answers any of them: no part went out twice.
  const answers = sandboxes.posts
    .list()
    .filter((p) => p.platform === share.platform && ids.includes(p.inReplyToId ?? undefined));
  expect(answers.map((p) => p.remoteId)).toEqual(share.threadIds);
}

const events = (share: Share) => share.history.map((h) => h.event);

describe('the publisher and threads of posts', () => {
  it.each(THREAD_PLATFORMS)(
    '%s: posts the first post and both parts in one claim, and records each',
    async (platform) => {
      const h = harness();
      const ref = await queuedShare(h, platform);
      const [result] = await deliver(h);
      expect(result?.outcome).toBe('published');
      const share = await stored(h, ref);
      expect(share).toMatchObject({ status: 'published', attempt: 0 });
      expect(share.lastError).toBeUndefined();
      expect(share.threadIds).toHaveLength(2);
      expect(events(share)).toEqual(['compose', 'enqueue', 'start', 'succeed']);
      if (platform === 'bluesky') expect(share.threadKeys).toHaveLength(2);
      expectOnePostPerPart(share);
    },
  );

  it.each([
    ['x', 'crash-after-post'],
    ['bluesky', 'crash-after-post'],
    ['mastodon', '503'],
    ['threads', '500-after-post'],
  ] as const)(
    '%s: after a %s on the second part, reconcile finds or resends it, the third goes on, one post each',
    async (platform, fault) => {
      const h = harness({
        wrap: beforePart(0, (p) => sandboxes.faults.set(`${p}:${fault}:1:1`)),
      });
      const ref = await queuedShare(h, platform);
      const results = await deliver(h);
      expect(results.map((r) => r.outcome)).toEqual(['deferred', 'published']);
      const share = await stored(h, ref);
      expect(share.status).toBe('published');
      expect(share.attempt).toBe(0);
      expect(events(share)).toEqual([
        'compose',
        'enqueue',
        'start',
        'lose',
        'reconcile-absent',
        'enqueue',
        'start',
        'succeed',
      ]);
      expect(share.history[4]?.reason).toBe(
        'reconcile found post 2 of 3; the rest of the thread is not posted yet',
      );
      expectOnePostPerPart(share);
    },
  );

  it('leaves a share published, naming the posts it lacks, when the network refuses a part', async () => {
    const h = harness({
      wrap: (platform, client) =>
        platform !== 'x' || !client.replies
          ? client
          : {
              ...client,
              replies: {
                ...client.replies,
                // A part X counts as too long: what X refuses for good.
                publish: (call) =>
                  client.replies?.publish({
                    ...call,
                    share: { ...call.share, thread: ['x'.repeat(300), 'y'] },
                  }) ?? Promise.reject(new Error('no replies')),
              },
            },
    });
    const ref = await queuedShare(h, 'x');
    expect((await deliver(h)).map((r) => r.outcome)).toEqual(['published']);
    const share = await stored(h, ref);
    expect(share.status).toBe('published');
    expect(share.threadIds ?? []).toEqual([]);
    expect(share.lastError).toMatch(
      /^posts 2-3 of 3 not posted: post 2 of 3 rejected: X answered 400/,
    );
    expect(share.history.at(-1)).toMatchObject({ event: 'succeed', reason: share.lastError });
    const posts = sandboxes.posts.list().filter((p) => p.platform === 'x');
    expect(posts.filter((p) => p.remoteId === share.remoteId)).toHaveLength(1);
    expect(posts.filter((p) => p.inReplyToId === share.remoteId)).toEqual([]);
  });

  it('resumes at the next part in a new claim, without counting an attempt, when a claim spent its time', async () => {
    let clock: MovableClock | undefined;
    const h = harness({
      wrap: (_platform, client) => ({
        ...client,
        publish: async (call) => {
          const outcome = await client.publish(call);
          // As far as the claim can tell, the first post took nearly all its time.
          if (clock) clock.offsetMs += 9_000;
          return outcome;
        },
      }),
    });
    clock = h.clock;
    const ref = await queuedShare(h, 'mastodon');
    const results = await deliver(h);
    expect(results.map((r) => r.outcome)).toEqual(['deferred', 'published']);
    const share = await stored(h, ref);
    expect(share).toMatchObject({ status: 'published', attempt: 0 });
    expect(events(share)).toEqual([
      'compose',
      'enqueue',
      'start',
      'defer',
      'enqueue',
      'start',
      'succeed',
    ]);
    expect(share.history[3]?.reason).toBe("this claim's time ran out before post 2 of 3");
    expectOnePostPerPart(share);
  });

  it('ends published, naming the posts it lacks, when a part fails until the attempts are spent', async () => {
    const h = harness({
      env: { CRIER_MAX_ATTEMPTS: '2' },
      wrap: beforePart(1, (p) => sandboxes.faults.set(`${p}:503:1:2`)),
    });
    const ref = await queuedShare(h, 'threads');
    const results = await deliver(h);
    expect(results.at(-1)?.outcome).toBe('published');
    const share = await stored(h, ref);
    expect(share.status).toBe('published');
    expect(share.threadIds).toHaveLength(1);
    expect(share.lastError).toMatch(
      /^post 3 of 3 not posted: post 3 of 3 retry: .*\(gave up after 2 attempts\)$/,
    );
    const posts = sandboxes.posts.list().filter((p) => p.platform === 'threads');
    expect(posts.filter((p) => p.inReplyToId === share.threadIds?.[0])).toEqual([]);
  });

  it('after a claim died between parts, the sweeper reconciles the part it may have posted and the thread ends once', async () => {
    let killed = false;
    const h = harness({
      wrap: (_platform, client) => {
        const { replies } = client;
        if (!replies) return client;
        return {
          ...client,
          replies: {
            reconcile: replies.reconcile,
            publish: async (call) => {
              const outcome = await replies.publish(call);
              if (killed) return outcome;
              // The function is killed right after the second part is out: its claim
              // never answers and never records it.
              killed = true;
              return new Promise<never>(() => {});
            },
          },
        };
      },
    });
    const ref = await queuedShare(h, 'bluesky');
    const first = h.sent.shift();
    if (!first) throw new Error('nothing was sent');
    void handlePublishMessage(h.deps, first.message);

    let dying: Share | undefined;
    for (let polls = 0; polls < 200 && !dying; polls++) {
      const share = await stored(h, ref);
      const answered = sandboxes.posts.list().some((p) => p.inReplyToId === share.remoteId);
      if (share.remoteId && answered) dying = share;
      else await sleep(25);
    }
    expect(dying).toMatchObject({ status: 'publishing' });
    expect(dying?.threadIds).toBeUndefined();

    // The lease runs out; the tick's sweeper finds the share and has it reconciled.
    h.clock.offsetMs = (h.deps.config.leaseSeconds + 1) * 1000;
    const report = await dispatchDue(h.deps);
    expect(report.expired).toBeGreaterThanOrEqual(1);
    await deliver(h);
    const share = await stored(h, ref);
    expect(share.status).toBe('published');
    expect(events(share)).toEqual([
      'compose',
      'enqueue',
      'start',
      'expire',
      'reconcile-absent',
      'enqueue',
      'start',
      'succeed',
    ]);
    expect(share.history[4]?.reason).toBe(
      'reconcile found post 2 of 3; the rest of the thread is not posted yet',
    );
    expectOnePostPerPart(share);
  });

  it('ends a thread whose article is withdrawn after its first post as published, the rest unposted', async () => {
    const h = harness({
      // The second part meets a transient error: the share waits for its next attempt.
      wrap: (_platform, client) =>
        client.replies
          ? {
              ...client,
              replies: {
                ...client.replies,
                publish: async () => ({ kind: 'retry', message: 'try again shortly' }),
              },
            }
          : client,
    });
    const { ref, record } = await queuedShareOf(h, 'mastodon');
    const first = h.sent.shift();
    if (!first) throw new Error('nothing was sent');
    expect((await handlePublishMessage(h.deps, first.message)).outcome).toBe('deferred');
    const waiting = await stored(h, ref);
    expect(waiting).toMatchObject({ status: 'queued', attempt: 1 });

    await h.deps.articles.putRevision({
      ...record,
      article: { ...record.article, revision: 2, status: 'unpublished' },
      updatedAt: new Date().toISOString(),
    });
    await deliver(h);
    const share = await stored(h, ref);
    expect(share.status).toBe('published');
    expect(share.lastError).toBe('posts 2-3 of 3 not posted: the article is unpublished');
    expect(share.history.at(-1)).toMatchObject({ event: 'succeed', reason: share.lastError });
    const posts = sandboxes.posts.list().filter((p) => p.platform === 'mastodon');
    expect(posts.filter((p) => p.remoteId === share.remoteId)).toHaveLength(1);
    expect(posts.filter((p) => p.inReplyToId === share.remoteId)).toEqual([]);
  });
});
