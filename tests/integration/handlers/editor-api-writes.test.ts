/**
 * The editor API's writes against the local stack: PATCH text and dueAt, and the actions
 * approve, cancel, publish-now and retry, through the HTTP gateway as a browser sends them.
 * Shares wait (a 60-minute delay, an approval), and nothing publishes here.
 */
import { fileURLToPath } from 'node:url';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
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
import { sqsEvent, startTestStack, type TestStack } from '../../support/stack';

const CONFIG = fileURLToPath(new URL('../../fixtures/channels/editor-api.json', import.meta.url));

type ShareBody = {
  key: string;
  channelId: string;
  status: string;
  text: string;
  dueAt: string;
  attempt: number;
  version: number;
  lastError: string | null;
  cancelRequested: boolean;
  length: { used: number; limit: number; unit: string } | null;
  facets: { index: { byteStart: number; byteEnd: number }; features: { $type: string }[] }[] | null;
  edited: { text?: string; dueAt?: string } | null;
  history: { event: string; from?: string; to: string; by: string; reason?: string }[];
};

let stack: TestStack;
let token: string;
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
  token = stack.secrets.editorToken.value;
  const db = stackDocumentClient(stack);
  store = new DynamoShareStore(db, stack.tableName);
});

afterAll(async () => {
  await stack?.dispose();
});

let articles = 0;

/** A new article through the signed webhook, composed into its shares; its id. */
async function newArticle(patch: Record<string, unknown> = {}): Promise<string> {
  articles += 1;
  return ingestAndCompose(stack, {
    id: `writes-${articles}`,
    title: `Story number ${articles}`,
    ...patch,
  });
}

/** The answer's status and body, the whole of what the tests compare. */
async function call(
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) {
  const answer = await callEditorApi(stack.url, { method, path, token, headers, body });
  return { status: answer.status, body: answer.body };
}

const patch = (articleId: string, key: string, body: unknown) =>
  call('PATCH', `/api/articles/${articleId}/shares/${key}`, body);
const act = (articleId: string, key: string, action: string) =>
  call('POST', `/api/articles/${articleId}/shares/${key}/${action}`);
const shareOf = (answer: { body: Record<string, unknown> }) => answer.body.share as ShareBody;

async function stored(articleId: string, channelId: string): Promise<Share> {
  const share = await store.get({ articleId, channelId });
  if (!share) throw new Error(`no share ${articleId}/${channelId}`);
  return share;
}

/** Puts a share in a state only the publisher reaches (failed, publishing, unknown...). */
async function force(articleId: string, channelId: string, change: Partial<Share>): Promise<Share> {
  const share = await stored(articleId, channelId);
  const next = { ...share, ...change, version: share.version + 1 };
  expect(await store.replace(share, next)).toBe(true);
  return next;
}

/** The publish messages waiting for an article's shares (nothing consumes them here). */
async function publishMessagesFor(articleId: string): Promise<unknown[]> {
  const found: unknown[] = [];
  for (let round = 0; round < 5; round++) {
    const { Messages = [] } = await stack.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.queueUrls.publish,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
      }),
    );
    for (const message of Messages) {
      const body: unknown = JSON.parse(message.Body ?? 'null');
      if ((body as { articleId?: string } | null)?.articleId === articleId) found.push(body);
    }
    if (Messages.length === 0) break;
  }
  return found;
}

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

describe('PATCH a share’s text', () => {
  it('sets an X text, counted as twitter-text weighs it, and records who edited it', async () => {
    const id = await newArticle();
    const text =
      'Bolivia: what the coup means 東京 https://www.leftvoice.org/a-very-long-path/that-counts-as-23';
    const answer = await patch(id, 'x-newsroom', { text });
    expect(answer.status).toBe(200);
    const share = shareOf(answer);
    // 29 Latin characters and spaces, two CJK characters at 2, a space, and the URL at 23.
    expect(share).toMatchObject({
      text,
      status: 'scheduled',
      length: { used: 29 + 4 + 1 + 23, limit: 280, unit: 'weighted' },
      edited: { text: expect.any(String) },
    });
    expect(share.history.at(-1)).toMatchObject({
      event: 'edit',
      from: 'scheduled',
      to: 'scheduled',
      by: 'editor',
      reason: 'text edited',
    });
    const again = await call('GET', `/api/articles/${id}`);
    const shares = again.body.shares as ShareBody[];
    expect(shares.find((s) => s.channelId === 'x-newsroom')?.text).toBe(text);
  });

  it('answers 400 with the weighted count for an X text over 280, and writes nothing', async () => {
    const id = await newArticle();
    const before = await stored(id, 'x-newsroom');
    // 141 CJK characters weigh 282.
    const answer = await patch(id, 'x-newsroom', { text: '東'.repeat(141) });
    expect(answer).toMatchObject({
      status: 400,
      body: {
        error: 'invalid_request',
        fields: [{ field: 'text', message: expect.stringContaining('282') }],
        length: { used: 282, limit: 280, unit: 'weighted' },
      },
    });
    expect(await stored(id, 'x-newsroom')).toEqual(before);
  });

  it('answers 400 with the grapheme count for a Bluesky text over 300', async () => {
    const id = await newArticle();
    // One grapheme each, however many code points: 301 of them.
    const answer = await patch(id, 'bluesky-newsroom', { text: 'é'.normalize('NFD').repeat(301) });
    expect(answer).toMatchObject({
      status: 400,
      body: { fields: [{ field: 'text' }], length: { used: 301, limit: 300, unit: 'graphemes' } },
    });
  });

  it('answers 400 for a Bluesky text within 300 graphemes but over 3,000 bytes', async () => {
    const id = await newArticle();
    // A family emoji is one grapheme of 25 UTF-8 bytes: 200 of them are 5,000 bytes.
    const answer = await patch(id, 'bluesky-newsroom', { text: '👨‍👩‍👧‍👦'.repeat(200) });
    expect(answer).toMatchObject({
      status: 400,
      body: {
        fields: [{ field: 'text', message: expect.stringContaining('5000 bytes') }],
        length: { used: 200, limit: 300 },
      },
    });
  });

  it('recomputes Bluesky’s link and tag facets for the new text, its URL kept as the label', async () => {
    const id = await newArticle();
    const url = 'https://example.org/2026/a-story?utm_source=desk';
    const text = `Read “this” ${url} #Bolivia`;
    const share = shareOf(await patch(id, 'bluesky-newsroom', { text }));
    const kept = 'Read “this” example.org/2026/a-story... #Bolivia';
    expect(share.text).toBe(kept);
    expect(share.length).toMatchObject({ used: 12 + 27 + 9 });
    const bytes = Buffer.from(kept);
    const link = bytes.indexOf('example.org');
    const tag = bytes.indexOf('#Bolivia');
    expect(share.facets).toEqual([
      {
        index: { byteStart: link, byteEnd: link + 'example.org/2026/a-story...'.length },
        features: [{ $type: 'app.bsky.richtext.facet#link', uri: url }],
      },
      {
        index: { byteStart: tag, byteEnd: tag + '#Bolivia'.length },
        features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'Bolivia' }],
      },
    ]);
  });

  it('counts against the channel’s Mastodon limit, with a URL as 23', async () => {
    const id = await newArticle();
    const url = `https://www.leftvoice.org/${'long-path/'.repeat(30)}`;
    const fits = shareOf(
      await patch(id, 'mastodon-newsroom', { text: `${'a'.repeat(476)} ${url}` }),
    );
    expect(fits.length).toEqual({ used: 500, limit: 500, unit: 'graphemes' });
    const over = await patch(id, 'mastodon-newsroom', { text: `${'a'.repeat(477)} ${url}` });
    expect(over).toMatchObject({ status: 400, body: { length: { used: 501, limit: 500 } } });
  });

  it('drops the editor’s text with null: the composed text is back and edited.text gone', async () => {
    const id = await newArticle();
    const composed = (await stored(id, 'x-newsroom')).text;
    await patch(id, 'x-newsroom', { text: 'An editor’s own words' });
    const answer = await patch(id, 'x-newsroom', { text: null });
    expect(answer.status).toBe(200);
    const share = shareOf(answer);
    expect(share.text).toBe(composed);
    expect(share.edited).toBeNull();
    expect(share.history.at(-1)).toMatchObject({
      event: 'edit',
      reason: 'text back to the composed text',
    });
  });

  it('answers 400 naming the field for an empty text, a bad body or an unknown field', async () => {
    const id = await newArticle();
    const path = `/api/articles/${id}/shares/x-newsroom`;
    expect(await call('PATCH', path, { text: '   ' })).toMatchObject({
      status: 400,
      body: { fields: [{ field: 'text', message: 'must not be empty' }] },
    });
    expect(await call('PATCH', path, '{not json')).toMatchObject({
      status: 400,
      body: { fields: [{ field: '(body)' }] },
    });
    expect(await call('PATCH', path, {})).toMatchObject({ status: 400 });
    expect(await call('PATCH', path, { text: 'ok', status: 'published' })).toMatchObject({
      status: 400,
    });
    expect(await call('PATCH', path, { dueAt: 'tomorrow' })).toMatchObject({
      status: 400,
      body: { fields: [{ field: 'dueAt' }] },
    });
  });
});

describe('PATCH a share’s dueAt', () => {
  it('moves a scheduled share, stamps edited.dueAt, and keeps it scheduled when not due soon', async () => {
    const id = await newArticle();
    const dueAt = inMinutes(120);
    const share = shareOf(await patch(id, 'bluesky-newsroom', { dueAt }));
    expect(share).toMatchObject({
      status: 'scheduled',
      dueAt,
      edited: { dueAt: expect.any(String) },
    });
    expect(share.history.at(-1)?.reason).toContain(`-> ${dueAt}`);
  });

  it('sends a share at once when its new dueAt falls within the look-ahead', async () => {
    const id = await newArticle();
    const share = shareOf(await patch(id, 'bluesky-newsroom', { dueAt: inMinutes(0.5) }));
    expect(share.status).toBe('queued');
  });

  it('puts a queued share whose dueAt moves back to scheduled', async () => {
    const id = await newArticle();
    expect((await stored(id, 'telegram-newsroom')).status).toBe('queued');
    const share = shareOf(await patch(id, 'telegram-newsroom', { dueAt: inMinutes(90) }));
    expect(share.status).toBe('scheduled');
    expect(share.history.map((h) => h.event).slice(-2)).toEqual(['reschedule', 'edit']);
    expect(share.history.at(-2)).toMatchObject({ from: 'queued', to: 'scheduled', by: 'editor' });
  });

  it('answers 400 for a dueAt in the past or before the article’s embargo', async () => {
    const id = await newArticle({ shareAt: inMinutes(180) });
    expect(await patch(id, 'x-newsroom', { dueAt: inMinutes(-10) })).toMatchObject({
      status: 400,
      body: { fields: [{ field: 'dueAt', message: expect.stringContaining('past') }] },
    });
    expect(await patch(id, 'x-newsroom', { dueAt: inMinutes(170) })).toMatchObject({
      status: 400,
      body: { fields: [{ field: 'dueAt', message: expect.stringContaining('embargo') }] },
    });
    expect((await patch(id, 'x-newsroom', { dueAt: inMinutes(190) })).status).toBe(200);
  });

  it.each([
    ['published', { status: 'published' as const, remoteId: '1' }],
    ['failed', { status: 'failed' as const }],
    ['publishing', { status: 'publishing' as const, leaseUntil: inMinutes(1) }],
  ])('answers 409 for a %s share, and writes nothing', async (_, change) => {
    const id = await newArticle();
    const forced = await force(id, 'x-newsroom', change);
    const answer = await patch(id, 'x-newsroom', { text: 'Too late' });
    expect(answer).toMatchObject({ status: 409, body: { error: 'conflict' } });
    expect(await stored(id, 'x-newsroom')).toEqual(forced);
  });
});

describe('share actions', () => {
  it('approves a draft: scheduled, by the editor', async () => {
    const id = await newArticle();
    expect((await stored(id, 'threads-newsroom')).status).toBe('draft');
    const answer = await act(id, 'threads-newsroom', 'approve');
    expect(answer.status).toBe(200);
    expect(shareOf(answer)).toMatchObject({ status: 'scheduled' });
    expect(shareOf(answer).history.at(-1)).toMatchObject({
      event: 'approve',
      from: 'draft',
      to: 'scheduled',
      by: 'editor',
    });
    expect(await act(id, 'threads-newsroom', 'approve')).toMatchObject({ status: 409 });
  });

  it('cancels a scheduled share, and answers 409 to cancel it again', async () => {
    const id = await newArticle();
    const answer = await act(id, 'x-newsroom', 'cancel');
    expect(answer.status).toBe(200);
    expect(shareOf(answer).status).toBe('cancelled');
    expect(await act(id, 'x-newsroom', 'cancel')).toMatchObject({
      status: 409,
      body: { error: 'conflict', message: expect.stringContaining('cancelled') },
    });
  });

  it('records a cancel request on a publishing share and answers 202', async () => {
    const id = await newArticle();
    await force(id, 'x-newsroom', { status: 'publishing', leaseUntil: inMinutes(1) });
    const answer = await act(id, 'x-newsroom', 'cancel');
    expect(answer.status).toBe(202);
    expect(shareOf(answer)).toMatchObject({ status: 'publishing', cancelRequested: true });
    expect(shareOf(answer).history.at(-1)).toMatchObject({ event: 'cancel', by: 'editor' });
  });

  it('keeps a share whose cancel was requested while publishing from a later attempt', async () => {
    const id = await newArticle();
    await force(id, 'x-newsroom', { status: 'publishing', leaseUntil: inMinutes(1) });
    expect((await act(id, 'x-newsroom', 'cancel')).status).toBe(202);
    // That attempt failed and was deferred; the dispatcher claimed the share again.
    await force(id, 'x-newsroom', {
      status: 'queued',
      dueAt: new Date().toISOString(),
      leaseUntil: inMinutes(2),
    });
    await stack.invoke(
      'publish-share',
      sqsEvent([JSON.stringify({ articleId: id, channelId: 'x-newsroom' })]),
    );
    const share = await stored(id, 'x-newsroom');
    expect(share.status).toBe('cancelled');
    expect(share.history.at(-1)).toMatchObject({ event: 'cancel', by: 'publisher' });
  });

  it('publishes a scheduled share now: due now and sent at once', async () => {
    const id = await newArticle();
    const before = Date.now();
    const share = shareOf(await act(id, 'x-newsroom', 'publish-now'));
    expect(share.status).toBe('queued');
    expect(new Date(share.dueAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(new Date(share.dueAt).getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('sends a past-due queued share again when asked to publish it now (its message was lost)', async () => {
    const id = await newArticle();
    // Queued, due minutes ago, its lease not yet run out: the sweep would not take it
    // yet, and its message is gone (a restarted local queue, a send that failed).
    await force(id, 'x-newsroom', {
      status: 'queued',
      dueAt: inMinutes(-5),
      leaseUntil: inMinutes(5),
    });
    const answer = await act(id, 'x-newsroom', 'publish-now');
    expect(answer.status).toBe(200);
    const share = shareOf(answer);
    expect(share.status).toBe('queued');
    expect(share.history.map((h) => h.event)).toContain('requeue');
    expect(share.history.at(-2)).toMatchObject({ from: 'queued', to: 'scheduled', by: 'editor' });
    // Telegram's share is due at once and went out on compose; X's is the one sent again.
    const messages = await publishMessagesFor(id);
    expect(messages.filter((m) => (m as { channelId: string }).channelId === 'x-newsroom')).toEqual(
      [{ articleId: id, channelId: 'x-newsroom' }],
    );
  });

  it('approves a draft when asked to publish it now', async () => {
    const id = await newArticle();
    const share = shareOf(await act(id, 'threads-newsroom', 'publish-now'));
    expect(share.status).toBe('queued');
    expect(share.history.map((h) => h.event)).toContain('approve');
  });

  it('answers 409 to publish now an embargoed article’s share', async () => {
    const id = await newArticle({ shareAt: inMinutes(180) });
    expect(await act(id, 'x-newsroom', 'publish-now')).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('embargoed') },
    });
  });

  it('retries a failed share: attempts reset, due now, sent at once', async () => {
    const id = await newArticle();
    await force(id, 'x-newsroom', {
      status: 'failed',
      attempt: 5,
      lastError: 'rejected: duplicate',
    });
    const share = shareOf(await act(id, 'x-newsroom', 'retry'));
    expect(share).toMatchObject({ status: 'queued', attempt: 0, lastError: null });
    expect(share.history.map((h) => h.event)).toContain('retry');
    expect(await act(id, 'x-newsroom', 'retry')).toMatchObject({ status: 409 });
  });

  it('retries a parked unknown share as not posted, keeping its idempotency key', async () => {
    const id = await newArticle();
    const parked = await force(id, 'bluesky-newsroom', {
      status: 'unknown',
      remoteKey: '3l4qhc2tlxs2a',
      lastError: 'parked for an editor: cannot tell',
      leaseUntil: undefined,
    });
    const share = shareOf(await act(id, 'bluesky-newsroom', 'retry'));
    expect(share).toMatchObject({ status: 'queued', attempt: 0 });
    expect(share.history.find((h) => h.event === 'reconcile-absent')).toMatchObject({
      from: 'unknown',
      to: 'scheduled',
      by: 'editor',
    });
    const after = await stored(id, 'bluesky-newsroom');
    expect(after.idempotencyKey).toBe(parked.idempotencyKey);
    expect(after.remoteKey).toBe(parked.remoteKey);
  });

  it('answers 409 to retry an unknown share Crier is still reconciling', async () => {
    const id = await newArticle();
    await force(id, 'bluesky-newsroom', { status: 'unknown', leaseUntil: inMinutes(1) });
    expect(await act(id, 'bluesky-newsroom', 'retry')).toMatchObject({ status: 409 });
  });

  it.each([
    ['publish now', 'publish-now', { status: 'failed' as const }],
    ['approve', 'approve', { status: 'published' as const }],
    ['cancel', 'cancel', { status: 'published' as const }],
    ['retry', 'retry', { status: 'scheduled' as const }],
  ])('answers 409 to %s where the state machine forbids it', async (_, action, change) => {
    const id = await newArticle();
    const forced = await force(id, 'x-newsroom', change);
    expect(await act(id, 'x-newsroom', action)).toMatchObject({ status: 409 });
    expect(await stored(id, 'x-newsroom')).toEqual(forced);
  });

  it('answers 400 for an unknown action or share key, 404 for an unknown article or share', async () => {
    const id = await newArticle();
    expect(await act(id, 'x-newsroom', 'delete')).toMatchObject({
      status: 400,
      body: { fields: [{ field: 'action' }] },
    });
    expect(await act(id, 'X_Newsroom', 'cancel')).toMatchObject({
      status: 400,
      body: { fields: [{ field: 'channelId' }] },
    });
    expect(await act('0'.repeat(32), 'x-newsroom', 'cancel')).toMatchObject({ status: 404 });
    expect(await act(id, 'linkedin-newsroom', 'cancel')).toMatchObject({ status: 404 });
    expect(await act(id, 'x-newsroom~2', 'cancel')).toMatchObject({ status: 404 });
    expect(await patch(id, 'linkedin-newsroom', { text: 'x' })).toMatchObject({ status: 404 });
  });
});

describe('who may write', () => {
  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token-at-all' }],
  ])('answers 401 with %s on every new route', async (_, headers) => {
    const id = await newArticle();
    for (const [method, path, body] of [
      ['PATCH', `/api/articles/${id}/shares/x-newsroom`, { text: 'Sneaky' }],
      ['POST', `/api/articles/${id}/shares/x-newsroom/cancel`, undefined],
      ['GET', '/api/openapi.json', undefined],
    ] as const) {
      const answer = await call(method, path, body, headers);
      expect(answer, `${method} ${path}`).toEqual({
        status: 401,
        body: { error: 'unauthorized', message: 'Unauthorized' },
      });
    }
    expect((await stored(id, 'x-newsroom')).status).toBe('scheduled');
  });
});
