/**
 * The metrics reads of X, Mastodon and Telegram against the networks' own machine-readable
 * API descriptions (tests/fixtures/api-descriptions/README.md): the client asks through
 * described operations and parameters, and the sandbox answers in the described shapes,
 * public metrics, link clicks and reaction-count updates included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMastodonSandbox } from '../../../infra/local/sandbox/mastodon';
import { launchTelegramSandbox } from '../../../infra/local/sandbox/telegram';
import type { RunningSandbox, SandboxContext } from '../../../infra/local/sandbox/types';
import { startXSandbox } from '../../../infra/local/sandbox/x';
import type { Platform } from '../../../shared/domain/platform';
import type { MetricsOutcome } from '../../../shared/platforms/client';
import { mastodonClient } from '../../../shared/platforms/mastodon/client';
import { telegramClient } from '../../../shared/platforms/telegram/client';
import { xClient } from '../../../shared/platforms/x/client';
import { OpenApiDescription } from '../../support/api-descriptions/openapi';
import {
  type Exchange,
  type Recorder,
  startRecorder,
} from '../../support/api-descriptions/recorder';
import { BotApiDescription } from '../../support/api-descriptions/telegram';
import { claimedShare, startHarness } from '../../support/sandbox-contract';

const fixture = (path: string) =>
  new URL(`../../fixtures/api-descriptions/${path}`, import.meta.url);
const X_API = new OpenApiDescription(fixture('x/openapi.json'));
const MASTODON_API = new OpenApiDescription(fixture('mastodon/openapi.json'));
const BOT_API = new BotApiDescription(fixture('telegram/api.json'));

type Read = { outcome: MetricsOutcome; exchanges: Exchange[] };

/** How far ahead of the real clock the Telegram sandbox runs. */
let later = 0;

const running: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  for (const r of running) await r.stop();
});

/** Publishes through the recorder, then reads the post's metrics; the read's exchanges. */
async function recordRead(
  platform: Platform,
  start: (context: SandboxContext) => Promise<RunningSandbox>,
  field: string,
): Promise<Read> {
  later = 0;
  const harness = await startHarness(start);
  const recorder: Recorder = await startRecorder(harness.sandbox.url);
  running.push(harness.sandbox, recorder);
  const client = { x: xClient, mastodon: mastodonClient, telegram: telegramClient }[
    platform as 'x' | 'mastodon' | 'telegram'
  ];
  const base = {
    account: harness.sandbox.account,
    credentials: { ...harness.sandbox.credentials, [field]: recorder.url },
    timeoutMs: 5_000,
  };
  const share = claimedShare(platform);
  const published = await client.publish({ ...base, share });
  if (published.kind !== 'published') throw new Error(JSON.stringify(published));
  // Six hours on, where the sandbox's clock can move: the post has reactions to count.
  later = 6 * 3_600_000;
  const before = recorder.exchanges.length;
  const outcome = await client.metrics?.({
    ...base,
    share: { ...share, status: 'published', remoteId: published.remoteId },
  });
  if (!outcome) throw new Error(`no ${platform} metrics`);
  return { outcome, exchanges: recorder.exchanges.slice(before) };
}

const reads = new Map<string, Read>();
const readOf = (platform: string) => {
  const read = reads.get(platform);
  if (!read) throw new Error(`no read for ${platform}`);
  return read;
};

beforeAll(async () => {
  reads.set('x', await recordRead('x', startXSandbox, 'apiBase'));
  reads.set('mastodon', await recordRead('mastodon', startMastodonSandbox, 'url'));
  const telegram = (context: SandboxContext) =>
    launchTelegramSandbox(context, { clock: () => Date.now() + later });
  reads.set('telegram', await recordRead('telegram', telegram, 'apiRoot'));
}, 60_000);

describe(`X's post lookup with metrics against the X API v2 description (${X_API.version})`, () => {
  it('reads through GET /2/tweets/{id}, asking for public and non-public metrics', () => {
    const { outcome, exchanges } = readOf('x');
    expect(outcome).toMatchObject({ kind: 'read' });
    expect(
      exchanges.map((e) => `${e.method} ${X_API.locate(e.method, e.path)?.template} ${e.status}`),
    ).toEqual(['GET /2/tweets/{id} 200']);
    expect(exchanges[0]?.query.get('tweet.fields')).toBe('public_metrics,non_public_metrics');
  });

  it('sends a request the description takes, and gets an answer that fits it', () => {
    const { exchanges } = readOf('x');
    // The description renamed the query parameter post.fields; X and twitter-api-v2 say tweet.fields.
    expect(exchanges.flatMap((e) => X_API.checkRequest(e))).toEqual([
      'GET /2/tweets/{id}: query parameter tweet.fields is not described',
    ]);
    // The description renames retweet_count too; X's docs, twitter-api-v2 and the sandbox
    // say retweet_count, and the client takes either.
    expect(exchanges.flatMap((e) => X_API.checkResponse(e))).toEqual([
      expect.stringContaining("/data/public_metrics must have required property 'repost_count'"),
    ]);
    const body = JSON.parse(exchanges[0]?.responseBody.toString('utf8') ?? '{}');
    expect(Object.keys(body.data.public_metrics).sort()).toEqual([
      'bookmark_count',
      'impression_count',
      'like_count',
      'quote_count',
      'reply_count',
      'retweet_count',
    ]);
    expect(body.data.non_public_metrics).toHaveProperty('url_link_clicks');
  });
});

describe(`Mastodon's status read against the Mastodon description (${MASTODON_API.version})`, () => {
  it('reads through GET /api/v1/statuses/{id}, and the answer fits the Status schema', () => {
    const { outcome, exchanges } = readOf('mastodon');
    expect(outcome).toMatchObject({ kind: 'read' });
    expect(
      exchanges.map(
        (e) => `${e.method} ${MASTODON_API.locate(e.method, e.path)?.template} ${e.status}`,
      ),
    ).toEqual(['GET /api/v1/statuses/{id} 200']);
    expect(exchanges.flatMap((e) => MASTODON_API.checkRequest(e))).toEqual([]);
    // Only the card's empty URLs, which Mastodon sends and the description calls uris
    // (the publisher flows' check knows them too).
    const problems = exchanges.flatMap((e) => MASTODON_API.checkResponse(e));
    expect(problems.filter((p) => !p.includes(': /card'))).toEqual([]);
  });
});

describe(`Telegram's getUpdates against the Bot API description (${BOT_API.version})`, () => {
  it('asks for message_reaction_count updates alone, and the updates fit the Update type', () => {
    const { outcome, exchanges } = readOf('telegram');
    expect(outcome).toMatchObject({ kind: 'read' });
    const methods = exchanges.map((e) => e.path.split('/').at(-1));
    expect(methods[0]).toBe('getUpdates');
    expect(exchanges[0]?.requestBody.toString('utf8')).toContain(
      '"allowed_updates":["message_reaction_count"]',
    );
    const updates = JSON.parse(exchanges[0]?.responseBody.toString('utf8') ?? '{}').result;
    expect(updates[0]).toHaveProperty('message_reaction_count.reactions');
    expect(exchanges.flatMap((e) => BOT_API.checkRequest(e))).toEqual([]);
    expect(exchanges.flatMap((e) => BOT_API.checkResponse(e))).toEqual([]);
  });
});
