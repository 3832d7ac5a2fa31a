/**
 * POST /api/shares/bulk against the local stack (dynalite): each action on many shares,
 * each share answered as its own route would have answered it, another site's share
 * refused as absent, and a bad body refused whole with nothing written. Shares wait (a
 * 60-minute delay, an approval), and nothing publishes here.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Share } from '../../../shared/domain/share';
import { FUNCTIONS } from '../../../shared/resources';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { channelConfigForFile } from '../../support/channel-config';
import { callEditorApi } from '../../support/editor-api';
import {
  EDITOR_API_FUNCTIONS,
  ingestAndCompose,
  stackDocumentClient,
} from '../../support/handler-stack';
import { startTestStack, type TestStack } from '../../support/stack';

const CONFIG = fileURLToPath(new URL('../../fixtures/channels/editor-api.json', import.meta.url));

type Result = {
  articleId: string;
  channelId: string;
  ok: boolean;
  status: number;
  error?: string;
  message?: string;
  fields?: { field: string; message: string }[];
  share?: { status: string; dueAt: string; history: { event: string; by: string }[] };
};

let stack: TestStack;
let admin: string;
/** an editor of the default site only */
let editor: string;
/** an editor of another site, who may not see the default site's articles */
let northEditor: string;
let store: DynamoShareStore;

channelConfigForFile(CONFIG);

beforeAll(async () => {
  stack = await startTestStack({
    sandboxes: false,
    functions: {
      ...EDITOR_API_FUNCTIONS,
      'publish-share': { ...FUNCTIONS['publish-share'], sqs: undefined },
    },
  });
  admin = stack.secrets.editorToken.value;
  store = new DynamoShareStore(stackDocumentClient(stack), stack.tableName);
  expect((await call('POST', '/api/sites', { id: 'north', name: 'North' })).status).toBe(201);
  const made = async (name: string, sites: string[]) => {
    const answer = await call('POST', '/api/editors', { name, role: 'editor', sites });
    expect(answer.status).toBe(201);
    return String(answer.body.token);
  };
  editor = await made('eve', ['default']);
  northEditor = await made('nora', ['north']);
});

afterAll(async () => {
  await stack?.dispose();
});

let articles = 0;

async function newArticle(): Promise<string> {
  articles += 1;
  return ingestAndCompose(stack, { id: `bulk-${articles}`, title: `Bulk story ${articles}` });
}

async function call(method: string, path: string, body?: unknown, token = admin) {
  const answer = await callEditorApi(stack.url, { method, path, token, body });
  return { status: answer.status, body: answer.body as Record<string, unknown> };
}

async function bulk(body: unknown, token = admin): Promise<{ status: number; results: Result[] }> {
  const answer = await call('POST', '/api/shares/bulk', body, token);
  return { status: answer.status, results: (answer.body.results ?? []) as Result[] };
}

async function stored(articleId: string, channelId: string): Promise<Share> {
  const share = await store.get({ articleId, channelId });
  if (!share) throw new Error(`no share ${articleId}/${channelId}`);
  return share;
}

/** Puts a share in a state only the publisher reaches (failed, unknown...). */
async function force(articleId: string, channelId: string, change: Partial<Share>): Promise<void> {
  const share = await stored(articleId, channelId);
  expect(await store.replace(share, { ...share, ...change, version: share.version + 1 })).toBe(
    true,
  );
}

const minutes = (iso: string) => Date.parse(iso) / 60_000;

describe('POST /api/shares/bulk', () => {
  it('approves drafts, each answered in the order named, a share that is no draft with its own 409', async () => {
    const [a, b] = [await newArticle(), await newArticle()];
    const answer = await bulk({
      action: 'approve',
      shares: [
        { articleId: a, channelId: 'threads-newsroom' },
        { articleId: a, channelId: 'x-newsroom' },
        { articleId: b, channelId: 'threads-newsroom' },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.results).toMatchObject([
      { articleId: a, channelId: 'threads-newsroom', ok: true, status: 200 },
      {
        articleId: a,
        channelId: 'x-newsroom',
        ok: false,
        status: 409,
        error: 'conflict',
        message: 'A scheduled share cannot be approved: only a draft can',
      },
      { articleId: b, channelId: 'threads-newsroom', ok: true, status: 200 },
    ]);
    expect(answer.results[0]?.share?.status).toBe('scheduled');
    expect(answer.results[0]?.share?.history.at(-1)).toMatchObject({
      event: 'approve',
      by: 'editor',
    });
    expect(answer.results[1]?.share).toBeUndefined();
    expect((await stored(a, 'threads-newsroom')).status).toBe('scheduled');
    expect((await stored(b, 'threads-newsroom')).status).toBe('scheduled');
    expect((await stored(a, 'x-newsroom')).status).toBe('scheduled');
  });

  it('cancels what can be cancelled; a published share, an unknown share and an unknown article each say why', async () => {
    const a = await newArticle();
    await force(a, 'mastodon-newsroom', { status: 'published', remoteId: '1' });
    const answer = await bulk({
      action: 'cancel',
      shares: [
        { articleId: a, channelId: 'x-newsroom' },
        { articleId: a, channelId: 'mastodon-newsroom' },
        { articleId: a, channelId: 'linkedin-newsroom' },
        { articleId: 'no-such-article', channelId: 'x-newsroom' },
        { articleId: a, channelId: 'threads-newsroom' },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.results.map((r) => [r.channelId, r.status, r.error])).toEqual([
      ['x-newsroom', 200, undefined],
      ['mastodon-newsroom', 409, 'conflict'],
      ['linkedin-newsroom', 404, 'not_found'],
      ['x-newsroom', 404, 'not_found'],
      ['threads-newsroom', 200, undefined],
    ]);
    expect(answer.results[1]?.message).toContain('A published share cannot be cancelled');
    expect((await stored(a, 'x-newsroom')).status).toBe('cancelled');
    expect((await stored(a, 'threads-newsroom')).status).toBe('cancelled');
    expect((await stored(a, 'mastodon-newsroom')).status).toBe('published');
  });

  it('answers a cancel of a share being published with 202, as the single route does', async () => {
    const a = await newArticle();
    await force(a, 'bluesky-newsroom', { status: 'publishing' });
    const answer = await bulk({
      action: 'cancel',
      shares: [{ articleId: a, channelId: 'bluesky-newsroom' }],
    });
    expect(answer.results).toMatchObject([{ ok: true, status: 202 }]);
    expect((await stored(a, 'bluesky-newsroom')).cancelRequested).toBe(true);
  });

  it('retries failed shares; an unknown outcome needs an admin, and a scheduled share is a 409', async () => {
    const a = await newArticle();
    await force(a, 'x-newsroom', { status: 'failed', lastError: 'rejected', attempt: 5 });
    await force(a, 'bluesky-newsroom', { status: 'unknown', lastError: 'timed out' });
    await force(a, 'mastodon-newsroom', { status: 'unknown', lastError: 'timed out' });
    const shares = [
      { articleId: a, channelId: 'x-newsroom' },
      { articleId: a, channelId: 'bluesky-newsroom' },
      { articleId: a, channelId: 'linkedin-newsroom' },
    ];
    const byEditor = await bulk({ action: 'retry', shares }, editor);
    expect(byEditor.results.map((r) => [r.status, r.error])).toEqual([
      [200, undefined],
      [403, 'forbidden'],
      [404, 'not_found'],
    ]);
    // Due now: claimed and sent at once.
    expect(byEditor.results[0]?.share).toMatchObject({ status: 'queued' });
    expect((await stored(a, 'x-newsroom')).attempt).toBe(0);
    expect((await stored(a, 'bluesky-newsroom')).status).toBe('unknown');

    const byAdmin = await bulk({
      action: 'retry',
      shares: [
        { articleId: a, channelId: 'mastodon-newsroom' },
        { articleId: a, channelId: 'x-newsroom' },
      ],
    });
    expect(byAdmin.results.map((r) => [r.status, r.ok])).toEqual([
      [200, true],
      [409, false],
    ]);
    expect((await stored(a, 'mastodon-newsroom')).status).toBe('queued');
  });

  it('moves each share by the offset, from its own dueAt, and refuses one it would move into the past', async () => {
    const a = await newArticle();
    const x = await stored(a, 'x-newsroom');
    const bluesky = await stored(a, 'bluesky-newsroom');
    const later = await bulk({
      action: 'reschedule',
      offsetMinutes: 90,
      shares: [
        { articleId: a, channelId: 'x-newsroom' },
        { articleId: a, channelId: 'bluesky-newsroom' },
      ],
    });
    expect(later.results.map((r) => r.status)).toEqual([200, 200]);
    expect((await stored(a, 'x-newsroom')).dueAt).toBe(
      new Date(Date.parse(x.dueAt) + 90 * 60_000).toISOString(),
    );
    expect((await stored(a, 'bluesky-newsroom')).dueAt).toBe(
      new Date(Date.parse(bluesky.dueAt) + 90 * 60_000).toISOString(),
    );
    expect((await stored(a, 'x-newsroom')).edited?.dueAt).toBeDefined();

    // Back 3 hours: X would be due in the past (400, as its PATCH would be), and a
    // cancelled share is a 409.
    await bulk({ action: 'cancel', shares: [{ articleId: a, channelId: 'mastodon-newsroom' }] });
    const earlier = await bulk({
      action: 'reschedule',
      offsetMinutes: -180,
      shares: [
        { articleId: a, channelId: 'x-newsroom' },
        { articleId: a, channelId: 'mastodon-newsroom' },
      ],
    });
    expect(earlier.results).toMatchObject([
      { ok: false, status: 400, error: 'invalid_request', fields: [{ field: 'dueAt' }] },
      { ok: false, status: 409, error: 'conflict' },
    ]);
    expect(earlier.results[0]?.message).toContain('is in the past');
    expect((await stored(a, 'x-newsroom')).dueAt).toBe(
      new Date(Date.parse(x.dueAt) + 90 * 60_000).toISOString(),
    );
  });

  it("moves shares to their channel's next free time, as compose plans it", async () => {
    const a = await newArticle();
    const { body } = await call('GET', `/api/articles/${a}`);
    const receivedAt = (body.article as { receivedAt: string }).receivedAt;
    await bulk({
      action: 'reschedule',
      offsetMinutes: 240,
      shares: [{ articleId: a, channelId: 'x-newsroom' }],
    });
    expect(minutes((await stored(a, 'x-newsroom')).dueAt)).toBeGreaterThan(
      minutes(receivedAt) + 200,
    );
    // X waits 60 minutes after an article arrives, with nothing else in its way.
    const answer = await bulk({
      action: 'reschedule',
      toNextSlots: true,
      shares: [
        { articleId: a, channelId: 'x-newsroom' },
        { articleId: a, channelId: 'telegram-newsroom' },
      ],
    });
    expect(answer.results[0]).toMatchObject({ ok: true, status: 200 });
    expect((await stored(a, 'x-newsroom')).dueAt).toBe(
      new Date(Date.parse(receivedAt) + 60 * 60_000).toISOString(),
    );
    // Telegram posts at once: its share was queued, and is still waiting to be claimed.
    expect(answer.results[1]?.status).toBe(200);
  });

  it("answers another site's share as absent (404) in its own result, and acts on the rest", async () => {
    const a = await newArticle();
    const answer = await bulk(
      {
        action: 'cancel',
        shares: [{ articleId: a, channelId: 'x-newsroom' }],
      },
      northEditor,
    );
    expect(answer).toEqual({
      status: 200,
      results: [
        {
          articleId: a,
          channelId: 'x-newsroom',
          ok: false,
          status: 404,
          error: 'not_found',
          message: `No article ${a}`,
        },
      ],
    });
    expect((await stored(a, 'x-newsroom')).status).toBe('scheduled');
    // The site's own editor may.
    const own = await bulk(
      { action: 'cancel', shares: [{ articleId: a, channelId: 'x-newsroom' }] },
      editor,
    );
    expect(own.results[0]).toMatchObject({ ok: true, status: 200 });
  });

  it('refuses a bad body whole, naming the field, and writes nothing', async () => {
    const a = await newArticle();
    const before = await stored(a, 'x-newsroom');
    const one = { articleId: a, channelId: 'x-newsroom' };
    const many = Array.from({ length: 101 }, (_, i) => ({ articleId: `a-${i}`, channelId: 'x' }));
    const cases: [unknown, string][] = [
      [{ action: 'publish-now', shares: [one] }, 'action'],
      [{ action: 'cancel', shares: [] }, 'shares'],
      [{ action: 'cancel', shares: many }, 'shares'],
      [{ action: 'cancel', shares: [one, { ...one }] }, 'shares.1'],
      [{ action: 'reschedule', shares: [one] }, 'offsetMinutes'],
      [
        { action: 'reschedule', shares: [one], offsetMinutes: 15, toNextSlots: true },
        'toNextSlots',
      ],
      [{ action: 'reschedule', shares: [one], offsetMinutes: 7 * 24 * 60 + 1 }, 'offsetMinutes'],
      [{ action: 'reschedule', shares: [one], offsetMinutes: 1.5 }, 'offsetMinutes'],
      [{ action: 'cancel', shares: [one], offsetMinutes: 15 }, 'offsetMinutes'],
      [{ action: 'cancel', shares: [{ articleId: a, channelId: 'X News' }] }, 'shares.0.channelId'],
      [{ action: 'cancel', shares: [one], extra: true }, ''],
    ];
    for (const [body, field] of cases) {
      const answer = await call('POST', '/api/shares/bulk', body);
      expect(answer.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(answer.body.error).toBe('invalid_request');
      const fields = (answer.body.fields ?? []) as { field: string }[];
      if (field) expect(fields.map((f) => f.field)).toContain(field);
    }
    expect(await stored(a, 'x-newsroom')).toEqual(before);
  });
});
