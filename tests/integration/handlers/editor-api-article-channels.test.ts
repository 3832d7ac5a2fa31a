/**
 * POST /api/articles/{articleId}/channels against the local stack (dynalite): an editor
 * adds a channel to an article and drops another, the answers say what became of each,
 * a refused request writes nothing, and a later revision from the CMS keeps the choice.
 * Shares wait (a 60-minute delay, an approval), and nothing publishes here.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Share } from '../../../shared/domain/share';
import { DynamoArticleStore } from '../../../shared/store/article-store';
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

type Change = { channelId: string; outcome: string; share: { status: string } | null };
type Answer = {
  article: { channelOverrides: { added: string[]; dropped: string[] } };
  changes: Change[];
  shares: { channelId: string; status: string }[];
};

/** The answer, or the error body of a refusal. */
type Reply = Answer & { error?: string; message?: string; fields?: unknown };

let stack: TestStack;
let token: string;
let shares: DynamoShareStore;
let articleStore: DynamoArticleStore;

channelConfigForFile(CONFIG);

beforeAll(async () => {
  stack = await startTestStack({
    sandboxes: false,
    functions: EDITOR_API_FUNCTIONS,
  });
  token = stack.secrets.editorToken.value;
  const db = stackDocumentClient(stack);
  shares = new DynamoShareStore(db, stack.tableName);
  articleStore = new DynamoArticleStore(db, stack.tableName);
});

afterAll(async () => {
  await stack?.dispose();
});

let serial = 0;

/** Sends a revision of the article through the signed webhook and composes it. */
async function send(id: string, revision: number, patch: Record<string, unknown> = {}) {
  return ingestAndCompose(stack, { id, revision, title: `Story ${id}`, ...patch }, revision);
}

/** A new article that skips Threads: shares on the four other channels. */
async function newArticle(): Promise<string> {
  serial += 1;
  return send(`channels-${serial}`, 1, { channels: { skip: ['threads-newsroom'] } });
}

const change = (articleId: string, body: unknown, bearer = token) =>
  callEditorApi<Reply>(stack.url, {
    method: 'POST',
    path: `/api/articles/${articleId}/channels`,
    token: bearer,
    body,
  });

const statuses = async (articleId: string) =>
  Object.fromEntries((await shares.listForArticle(articleId)).map((s) => [s.channelId, s.status]));

async function stored(articleId: string, channelId: string): Promise<Share> {
  const share = await shares.get({ articleId, channelId });
  if (!share) throw new Error(`no share ${articleId}/${channelId}`);
  return share;
}

/** What the table holds of the article and its shares, to prove a refusal wrote nothing. */
async function snapshot(articleId: string): Promise<string> {
  return JSON.stringify({
    article: await articleStore.get(articleId),
    shares: await shares.listForArticle(articleId),
  });
}

describe('POST /api/articles/{articleId}/channels', () => {
  it('adds a channel routing left out and drops another, and says what became of each', async () => {
    const id = await newArticle();
    expect(await statuses(id)).toEqual({
      'x-newsroom': 'scheduled',
      'bluesky-newsroom': 'scheduled',
      'mastodon-newsroom': 'scheduled',
      'telegram-newsroom': expect.any(String),
    });

    const answer = await change(id, { add: ['threads-newsroom'], drop: ['x-newsroom'] });

    expect(answer.status).toBe(200);
    expect(answer.body.changes).toEqual([
      expect.objectContaining({ channelId: 'threads-newsroom', outcome: 'added' }),
      expect.objectContaining({ channelId: 'x-newsroom', outcome: 'dropped' }),
    ]);
    // Threads needs approval: its share waits as a draft, as compose would have made it.
    expect(answer.body.changes[0]?.share?.status).toBe('draft');
    expect(answer.body.article.channelOverrides).toEqual({
      added: ['threads-newsroom'],
      dropped: ['x-newsroom'],
    });
    const x = await stored(id, 'x-newsroom');
    expect(x.status).toBe('cancelled');
    expect(x.history.at(-1)).toMatchObject({
      event: 'cancel',
      reason: 'dropped from this article by editor',
    });
    const threads = await stored(id, 'threads-newsroom');
    expect(threads.text).toContain(`Story channels-${serial}`);
    expect(answer.body.shares).toHaveLength(5);
  });

  it('answers the same request again with no-ops, and writes nothing', async () => {
    const id = await newArticle();
    await change(id, { add: ['threads-newsroom'], drop: ['x-newsroom'] });
    const before = await snapshot(id);
    const again = await change(id, { add: ['threads-newsroom'], drop: ['x-newsroom'] });
    expect(again.status).toBe(200);
    expect(again.body.changes.map((c) => c.outcome)).toEqual(['already-live', 'already-dropped']);
    expect(await snapshot(id)).toBe(before);
  });

  it('revives a dropped channel as a new pending share', async () => {
    const id = await newArticle();
    await change(id, { drop: ['bluesky-newsroom'] });
    const answer = await change(id, { add: ['bluesky-newsroom'] });
    expect(answer.body.changes[0]).toMatchObject({
      outcome: 'revived',
      share: { status: 'scheduled' },
    });
    expect(answer.body.article.channelOverrides).toEqual({
      added: ['bluesky-newsroom'],
      dropped: [],
    });
  });

  it("keeps the editor's choice over a later revision from the CMS", async () => {
    const id = await newArticle();
    await change(id, { add: ['threads-newsroom'], drop: ['x-newsroom'] });

    // The CMS sends the article again without its skip: routing alone would take every channel.
    await send(`channels-${serial}`, 2, { title: 'A new headline' });

    const after = await shares.listForArticle(id);
    const byChannel = Object.fromEntries(after.map((s) => [s.channelId, s]));
    expect(byChannel['x-newsroom']).toMatchObject({ status: 'cancelled', articleRevision: 1 });
    expect(byChannel['threads-newsroom']).toMatchObject({ status: 'draft', articleRevision: 2 });
    expect(byChannel['threads-newsroom']?.text).toContain('A new headline');
    expect((await articleStore.get(id))?.channelOverrides).toMatchObject({
      added: ['threads-newsroom'],
      dropped: ['x-newsroom'],
    });
  });

  it('refuses bad input with 400 naming the fields, and writes nothing', async () => {
    const id = await newArticle();
    const before = await snapshot(id);
    const unknown = await change(id, { add: ['threads-newsroom', 'no-such-channel'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.fields).toEqual([
      { field: 'add.1', message: expect.stringContaining('is not a channel') },
    ]);
    const both = await change(id, { add: ['x-newsroom'], drop: ['x-newsroom'] });
    expect(both.status).toBe(400);
    expect(both.body.fields).toEqual([{ field: 'drop.0', message: expect.any(String) }]);
    const empty = await change(id, {});
    expect(empty.status).toBe(400);
    const unexpected = await change(id, { add: ['x-newsroom'], extra: true });
    expect(unexpected.status).toBe(400);
    const badId = await change(id, { drop: ['Not An Id'] });
    expect(badId.status).toBe(400);
    expect(await snapshot(id)).toBe(before);
  });

  it('refuses to drop a published share with 409, saying to withdraw it instead', async () => {
    const id = await newArticle();
    const share = await stored(id, 'mastodon-newsroom');
    expect(
      await shares.replace(share, { ...share, status: 'published', version: share.version + 1 }),
    ).toBe(true);
    const before = await snapshot(id);
    const refused = await change(id, { drop: ['x-newsroom', 'mastodon-newsroom'] });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/withdraw its post instead/);
    expect(await snapshot(id)).toBe(before);
  });

  it("answers 404 for an unknown article and for another site's article", async () => {
    const id = await newArticle();
    expect((await change('no-such-article', { add: ['x-newsroom'] })).status).toBe(404);
    const site = await callEditorApi(stack.url, {
      method: 'POST',
      path: '/api/sites',
      token,
      body: { id: 'gazette', name: 'The Gazette' },
    });
    expect(site.status).toBe(201);
    const made = await callEditorApi<{ token: string }>(stack.url, {
      method: 'POST',
      path: '/api/editors',
      token,
      body: { name: 'gil', role: 'editor', sites: ['gazette'] },
    });
    expect(made.status).toBe(201);
    const gazetteToken = made.body.token;
    const before = await snapshot(id);
    const refused = await change(id, { drop: ['x-newsroom'] }, gazetteToken);
    expect(refused.status).toBe(404);
    expect(await snapshot(id)).toBe(before);
  });
});
