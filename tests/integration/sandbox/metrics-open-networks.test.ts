/**
 * Engagement metrics of X, Bluesky, Mastodon and Telegram, each client against its sandbox
 * through its real library: the counts are the audience model's for the post (its account,
 * its article link, when it went out), each network reports only what it has, a deleted
 * post is gone, and the sandbox faults on the read routes map to retry and rate.
 */
import { Api } from 'grammy';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { type Sandboxes, startSandboxes } from '../../../infra/local/sandbox';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { type AudienceCounts, countsAt } from '../../../infra/local/sandbox/kit/audience';
import { audiencePostOf } from '../../../infra/local/sandbox/kit/engagement';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import { launchTelegramSandbox } from '../../../infra/local/sandbox/telegram';
import type { Counts } from '../../../shared/domain/metrics';
import type { Platform } from '../../../shared/domain/platform';
import type { Share } from '../../../shared/domain/share';
import type { LoginGate, MetricsOutcome, NetworkClient } from '../../../shared/platforms/client';
import { clientFor } from '../../../shared/platforms/clients';
import { telegramClient } from '../../../shared/platforms/telegram/client';
import { apiFor } from '../../../shared/platforms/x/api';
import { parseXCredentials } from '../../../shared/platforms/x/credentials';
import { claimedShare } from '../../support/sandbox-contract';

const log = createLogger({ quiet: true });
const HOUR = 3_600_000;
/** A Wednesday lunchtime, when every account's readers are around. */
const PUBLISHED_AT = Date.parse('2026-11-25T12:30:00Z');

let sandboxes: Sandboxes;

beforeAll(async () => {
  sandboxes = await startSandboxes({ log, resetSeconds: 2 });
});
afterAll(() => sandboxes?.stop());
afterEach(() => {
  sandboxes.faults.set(undefined);
  vi.useRealTimers();
});

function xCredentials(input: unknown) {
  const parsed = parseXCredentials(input);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.credentials;
}

const sandbox = (platform: Platform) => {
  const found = sandboxes.byPlatform(platform);
  if (!found) throw new Error(`no ${platform} sandbox`);
  return found;
};

async function client(
  platform: Platform,
): Promise<NetworkClient & Required<Pick<NetworkClient, 'metrics'>>> {
  const found = await clientFor(platform);
  if (!found?.metrics) throw new Error(`no ${platform} metrics`);
  return { ...found, metrics: found.metrics };
}

const callFor = (share: Share, session?: string) => ({
  share,
  account: sandbox(share.platform).account,
  credentials: sandbox(share.platform).credentials,
  timeoutMs: 5_000,
  ...(session ? { session } : {}),
});

/** A post made at `at` (the clock set back for the publish alone). */
async function publishedAt(platform: Platform, at = PUBLISHED_AT): Promise<Share> {
  const share = claimedShare(platform);
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
  let outcome: Awaited<ReturnType<NetworkClient['publish']>>;
  try {
    outcome = await (await client(platform)).publish(callFor(share));
  } finally {
    vi.useRealTimers();
  }
  if (outcome.kind !== 'published') throw new Error(`not published: ${JSON.stringify(outcome)}`);
  return {
    ...share,
    status: 'published',
    remoteId: outcome.remoteId,
    remoteUrl: outcome.remoteUrl,
  };
}

/** Reads the post's metrics, with the audience model's counts just before and after. */
async function readWithTruth(share: Share, session?: string) {
  const post = sandboxes.posts
    .list()
    .find((p) => p.platform === share.platform && p.remoteId === share.remoteId);
  if (!post) throw new Error('the sandbox has no such post');
  const model = audiencePostOf(post);
  const before = countsAt(model, Date.now());
  const outcome = await (await client(share.platform)).metrics(callFor(share, session));
  const after = countsAt(model, Date.now());
  return { outcome, before, after };
}

function readCounts(outcome: MetricsOutcome): Counts {
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ kind: 'read' });
  if (outcome.kind !== 'read') throw new Error(JSON.stringify(outcome));
  return outcome.counts;
}

function within(value: number | undefined, before: number, after: number) {
  expect(value).toBeGreaterThanOrEqual(before);
  expect(value).toBeLessThanOrEqual(after);
}

function expectModel(
  counts: Counts,
  before: AudienceCounts,
  after: AudienceCounts,
  fields: (keyof AudienceCounts & keyof Counts)[],
) {
  for (const field of fields) within(counts[field], before[field], after[field]);
}

describe('X: GET /2/tweets/:id with public and non-public metrics', () => {
  // The sandbox's ids only grow (X's carry their time): the oldest post goes out first.
  it('past 30 days X withholds the link clicks: the client asks for public metrics alone and leaves clicks out', async () => {
    const share = await publishedAt('x', Date.now() - 31 * 24 * HOUR);
    const { outcome, before, after } = await readWithTruth(share);
    const counts = readCounts(outcome);
    expect(Object.keys(counts).sort()).toEqual(['likes', 'quotes', 'replies', 'reposts', 'views']);
    expectModel(counts, before, after, ['likes', 'reposts', 'replies', 'quotes', 'views']);

    // Asked anyway, the sandbox answers as X does: the post, and a partial error for the field.
    const credentials = xCredentials(sandbox('x').credentials);
    const api = apiFor(credentials, AbortSignal.timeout(5_000));
    const answer = await api.v2.singleTweet(share.remoteId ?? '', {
      'tweet.fields': ['public_metrics', 'non_public_metrics'],
    });
    expect(answer.data.public_metrics).toBeDefined();
    expect(answer.data).not.toHaveProperty('non_public_metrics');
    expect(answer.errors).toEqual([
      expect.objectContaining({
        parameter: 'non_public_metrics',
        type: 'https://api.twitter.com/2/problems/not-authorized-for-field',
      }),
    ]);
  });

  it('reads likes, reposts, replies, quotes, impressions and link clicks as the audience model has them', async () => {
    const share = await publishedAt('x');
    const { outcome, before, after } = await readWithTruth(share);
    const counts = readCounts(outcome);
    expect(Object.keys(counts).sort()).toEqual(
      ['clicks', 'likes', 'quotes', 'replies', 'reposts', 'views'].sort(),
    );
    expect(before.views).toBeGreaterThan(0);
    expectModel(counts, before, after, [
      'likes',
      'reposts',
      'replies',
      'quotes',
      'views',
      'clicks',
    ]);
  });

  it('a deleted post is gone; a 429 on the read is rate until X says; a 503 is retry', async () => {
    const share = await publishedAt('x', Date.now() - HOUR);
    sandboxes.faults.set('x:429:1:1');
    const limited = await (await client('x')).metrics(callFor(share));
    expect(limited).toMatchObject({ kind: 'rate' });
    if (limited.kind === 'rate') expect(Date.parse(limited.until)).toBeGreaterThan(Date.now());
    sandboxes.faults.set('x:503:1:1');
    expect(await (await client('x')).metrics(callFor(share))).toMatchObject({ kind: 'retry' });

    expect(
      await (await client('x')).withdraw({ ...callFor(share), action: 'delete' }),
    ).toMatchObject({
      kind: 'withdrawn',
    });
    expect(await (await client('x')).metrics(callFor(share))).toMatchObject({
      kind: 'gone',
      message: expect.stringMatching(/no longer has the post/),
    });
  });

  it('refused credentials are auth', async () => {
    const share = await publishedAt('x', Date.now() - HOUR);
    const credentials = { ...sandbox('x').credentials, accessSecret: 'not-the-secret' };
    expect(await (await client('x')).metrics({ ...callFor(share), credentials })).toMatchObject({
      kind: 'auth',
    });
  });
});

describe('Bluesky: app.bsky.feed.getPosts', () => {
  it('reads likes, reposts, replies and quotes; no views, no clicks', async () => {
    const share = await publishedAt('bluesky');
    const { outcome, before, after } = await readWithTruth(share);
    const counts = readCounts(outcome);
    expect(Object.keys(counts).sort()).toEqual(['likes', 'quotes', 'replies', 'reposts']);
    expect(before.likes).toBeGreaterThan(0);
    expectModel(counts, before, after, ['likes', 'reposts', 'replies', 'quotes']);
  });

  it('a 503 on the read is retry, a 429 is rate; a deleted post is gone', async () => {
    const share = await publishedAt('bluesky', Date.now() - HOUR);
    sandboxes.faults.set('bluesky:503:1:1');
    expect(await (await client('bluesky')).metrics(callFor(share))).toMatchObject({
      kind: 'retry',
    });
    sandboxes.faults.set('bluesky:429:1:1');
    const limited = await (await client('bluesky')).metrics(callFor(share));
    expect(limited).toMatchObject({ kind: 'rate' });
    if (limited.kind === 'rate') expect(Date.parse(limited.until)).toBeGreaterThan(Date.now());

    await (await client('bluesky')).withdraw({ ...callFor(share), action: 'delete' });
    expect(await (await client('bluesky')).metrics(callFor(share))).toMatchObject({ kind: 'gone' });
  });
});

describe('Mastodon: GET /api/v1/statuses/:id', () => {
  it('reads favourites, boosts, replies and the quotes this server counts; no views, no clicks', async () => {
    const share = await publishedAt('mastodon');
    const { outcome, before, after } = await readWithTruth(share);
    const counts = readCounts(outcome);
    expect(Object.keys(counts).sort()).toEqual(['likes', 'quotes', 'replies', 'reposts']);
    expect(before.likes).toBeGreaterThan(0);
    expectModel(counts, before, after, ['likes', 'reposts', 'replies', 'quotes']);
  });

  it('a 429 on the read is rate until X-RateLimit-Reset; a deleted status is gone', async () => {
    const share = await publishedAt('mastodon', Date.now() - HOUR);
    sandboxes.faults.set('mastodon:429:1:1');
    const limited = await (await client('mastodon')).metrics(callFor(share));
    expect(limited).toMatchObject({ kind: 'rate' });
    if (limited.kind === 'rate') expect(Date.parse(limited.until)).toBeGreaterThan(Date.now());
    // Mastodon's throttle covers the whole API: wait it out before the delete.
    await new Promise((resolve) => setTimeout(resolve, 2_100));

    await (await client('mastodon')).withdraw({ ...callFor(share), action: 'delete' });
    expect(await (await client('mastodon')).metrics(callFor(share))).toMatchObject({
      kind: 'gone',
    });
  });
});

describe('Telegram: message_reaction_count updates through getUpdates', () => {
  it('counts the reactions as likes (reposts and replies 0, nothing else), and keeps the tally in the session', async () => {
    const share = await publishedAt('telegram');
    const { outcome, before, after } = await readWithTruth(share);
    const counts = readCounts(outcome);
    expect(Object.keys(counts).sort()).toEqual(['likes', 'replies', 'reposts']);
    expect(counts).toMatchObject({ reposts: 0, replies: 0 });
    expect(before.likes).toBeGreaterThan(0);
    within(counts.likes, before.likes, after.likes);
    const session = outcome.session;
    expect(session).toBeDefined();

    // The updates are confirmed by the next call: the tally in the session still knows.
    const again = await readWithTruth(share, session);
    within(readCounts(again.outcome).likes, before.likes, again.after.likes);
  });

  it('a wrong bot token is auth; a 429 on getUpdates is rate after retry_after', async () => {
    const share = await publishedAt('telegram', Date.now() - HOUR);
    const credentials = {
      ...sandbox('telegram').credentials,
      botToken: '123456:not-the-token-but-long-enough-000000',
    };
    expect(
      await (await client('telegram')).metrics({ ...callFor(share), credentials }),
    ).toMatchObject({ kind: 'auth' });
    sandboxes.faults.set('telegram:429:1:1');
    const limited = await (await client('telegram')).metrics(callFor(share));
    expect(limited).toMatchObject({ kind: 'rate' });
  });
});

describe('Telegram: only an administrator bot that asks gets reaction counts', () => {
  it('sends none by default, the exact totals once asked, folds through the channel gate one at a time, and a channel without the bot is rejected', async () => {
    let now = PUBLISHED_AT;
    const posts = new SandboxPosts();
    const telegram = await launchTelegramSandbox(
      { posts, faults: new FaultInjector(undefined, 1), log },
      { clock: () => now },
    );
    try {
      const base = {
        account: telegram.account,
        credentials: telegram.credentials,
        timeoutMs: 5_000,
      };
      const share = claimedShare('telegram');
      const sent = await telegramClient.publish({ ...base, share });
      if (sent.kind !== 'published') throw new Error(JSON.stringify(sent));
      const published: Share = { ...share, status: 'published', remoteId: sent.remoteId };
      now += 6 * HOUR;

      // The Bot API's default update types leave reactions out.
      const api = new Api(String(telegram.credentials.botToken), { apiRoot: telegram.url });
      expect(await api.getUpdates({ timeout: 0 })).toEqual([]);

      const post = posts.list().find((p) => p.remoteId === sent.remoteId);
      if (!post) throw new Error('no sandbox post');
      const truth = countsAt(audiencePostOf(post), now);
      expect(truth.likes).toBeGreaterThan(0);
      const read = await telegramClient.metrics?.({ ...base, share: published });
      expect(read).toMatchObject({
        kind: 'read',
        counts: { likes: truth.likes, reposts: 0, replies: 0 },
      });

      // Two readings of the channel at once, through its gate: each folds alone, from the
      // session the other stored, and the stored tally ends with both posts.
      const second = await telegramClient.publish({ ...base, share: claimedShare('telegram') });
      if (second.kind !== 'published') throw new Error(JSON.stringify(second));
      now += HOUR;
      let stored: string | undefined;
      let queue: Promise<unknown> = Promise.resolve();
      const gate: LoginGate = {
        exclusive(login) {
          const turn = queue.then(async () => {
            const result = await login(stored);
            if (result.session) stored = result.session;
            return result;
          });
          queue = turn.catch(() => undefined);
          return turn;
        },
      };
      const both = await Promise.all(
        [published, { ...published, remoteId: second.remoteId }].map((s) =>
          telegramClient.metrics?.({ ...base, share: s, loginGate: gate }),
        ),
      );
      expect(both.map((o) => o?.kind)).toEqual(['read', 'read']);
      const tallied = JSON.parse(stored ?? '{}').reactions.totals;
      expect(Object.keys(tallied).sort()).toEqual([sent.remoteId, second.remoteId].sort());

      const elsewhere: Share = { ...published, remoteId: `${telegram.channels.notMember.id}/1` };
      expect(
        await telegramClient.metrics?.({ ...base, share: elsewhere, session: read?.session }),
      ).toMatchObject({
        kind: 'rejected',
      });
    } finally {
      await telegram.stop();
    }
  });
});
