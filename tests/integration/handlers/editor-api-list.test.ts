/**
 * The article list's filters against the local stack: share status, channel (the channel
 * timeline index, by dueAt) and dates, with cursors that neither skip nor repeat.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelConfigForFile } from '../../support/channel-config';
import { callEditorApi } from '../../support/editor-api';
import { EDITOR_API_FUNCTIONS, ingestAndCompose } from '../../support/handler-stack';
import { startTestStack, type TestStack } from '../../support/stack';
import { getJson } from '../../support/webhook';

const CONFIG = fileURLToPath(new URL('../../fixtures/channels/editor-api.json', import.meta.url));

type Page = { articles: { id: string; receivedAt: string }[]; cursor: string | null };

let stack: TestStack;
let token: string;
/** oldest first: ids[0] arrived first */
const ids: string[] = [];
const received: string[] = [];
const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
const dueX: Record<number, string> = {};

const call = (method: string, path: string, body?: unknown) =>
  callEditorApi(stack.url, { method, path, token, body });

channelConfigForFile(CONFIG);

beforeAll(async () => {
  stack = await startTestStack({
    sandboxes: false,
    functions: EDITOR_API_FUNCTIONS,
  });
  token = stack.secrets.editorToken.value;
  for (const n of [1, 2, 3, 4]) {
    const articleId = await ingestAndCompose(stack, {
      id: `list-${n}`,
      title: `Story number ${n}`,
    });
    ids.push(articleId);
    const { body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
    received.push((body as { article: { receivedAt: string } }).article.receivedAt);
  }
  // Articles 2 and 4 have their X share cancelled; 1 and 3 move it hours ahead.
  for (const n of [1, 3]) {
    dueX[n] = inHours(n + 2);
    const moved = await call('PATCH', `/api/articles/${ids[n - 1]}/shares/x-newsroom`, {
      dueAt: dueX[n],
    });
    expect(moved.status).toBe(200);
  }
  for (const n of [2, 4]) {
    expect(
      (await call('POST', `/api/articles/${ids[n - 1]}/shares/x-newsroom/cancel`)).status,
    ).toBe(200);
  }
});

afterAll(async () => {
  await stack?.dispose();
});

const byNumber = (...numbers: number[]) => numbers.map((n) => ids[n - 1]);

async function list(query: string): Promise<Page> {
  const answer = await getJson(stack.url, `/api/articles?${query}`, token);
  expect(answer.status, query).toBe(200);
  return answer.body as Page;
}

/** Every page of a list, following the cursor to its end: the ids in order. */
async function walk(query: string): Promise<{ ids: string[]; pages: number }> {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await list(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...page.articles.map((a) => a.id));
    cursor = page.cursor;
    pages += 1;
  } while (cursor && pages < 20);
  return { ids: seen, pages };
}

describe('filtering the article list', () => {
  it('keeps articles with a share in one of the statuses', async () => {
    expect((await list('status=cancelled')).articles.map((a) => a.id)).toEqual(byNumber(4, 2));
    // Every article has a Threads draft awaiting approval.
    expect((await list('status=cancelled,draft')).articles.map((a) => a.id)).toEqual(
      byNumber(4, 3, 2, 1),
    );
  });

  it('pages a status filter one article at a time without skipping or repeating', async () => {
    const walked = await walk('status=cancelled&limit=1');
    expect(walked.ids).toEqual(byNumber(4, 2));
  });

  it('bounds receivedAt with from and to, both inclusive', async () => {
    const from = received[2] ?? '';
    const to = received[1] ?? '';
    expect((await list(`from=${from}`)).articles.map((a) => a.id)).toEqual(byNumber(4, 3));
    expect((await list(`to=${to}`)).articles.map((a) => a.id)).toEqual(byNumber(2, 1));
    expect((await list(`from=${received[1]}&to=${to}`)).articles.map((a) => a.id)).toEqual(
      byNumber(2),
    );
    expect(await list('from=2020-01-01&to=2020-12-31')).toEqual({ articles: [], cursor: null });
  });

  it('lists a channel’s shares by dueAt, latest first, bounded by from and to', async () => {
    const all = await list('channel=x-newsroom');
    expect(all.articles.map((a) => a.id).slice(0, 2)).toEqual(byNumber(3, 1));
    expect(all.articles).toHaveLength(4);
    const later = await list(`channel=x-newsroom&from=${inHours(2)}`);
    expect(later.articles.map((a) => a.id)).toEqual(byNumber(3, 1));
    const window = await list(`channel=x-newsroom&from=${inHours(2)}&to=${inHours(4)}`);
    expect(window.articles.map((a) => a.id)).toEqual(byNumber(1));
  });

  it('combines a channel and a status: the status of that channel’s share', async () => {
    expect((await list('channel=x-newsroom&status=cancelled')).articles.map((a) => a.id)).toEqual(
      byNumber(4, 2),
    );
    expect((await list('channel=telegram-newsroom&status=cancelled')).articles).toEqual([]);
    expect(
      (await list('channel=telegram-newsroom&status=queued')).articles.map((a) => a.id).sort(),
    ).toEqual([...ids].sort());
  });

  it('pages a channel’s timeline with its own cursor', async () => {
    const walked = await walk('channel=x-newsroom&limit=3');
    expect(walked.ids).toHaveLength(4);
    expect(new Set(walked.ids)).toEqual(new Set(ids));
    expect(walked.pages).toBe(2);
  });

  it('answers 400 naming the field for a bad status, date, range or cursor', async () => {
    const cases: [string, string][] = [
      ['status=sent', 'status.0'],
      ['from=yesterday', 'from'],
      [`from=${inHours(1)}&to=${inHours(-1)}`, 'to'],
      ['channel=X_News', 'channel'],
    ];
    for (const [query, field] of cases) {
      const answer = await getJson(stack.url, `/api/articles?${query}`, token);
      expect(answer, query).toMatchObject({ status: 400, body: { fields: [{ field }] } });
    }
    const page = await list('channel=x-newsroom&limit=1');
    const other = await getJson(
      stack.url,
      `/api/articles?channel=bluesky-newsroom&cursor=${page.cursor}`,
      token,
    );
    expect(other).toMatchObject({ status: 400, body: { fields: [{ field: 'cursor' }] } });
  });
});
