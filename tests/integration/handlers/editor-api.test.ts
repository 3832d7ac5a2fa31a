import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_COUNT, DEFAULT_PLATFORMS } from '../../support/channels';
import { EDITOR_API_FUNCTIONS, ingestAndCompose } from '../../support/handler-stack';
import { startTestStack, type TestStack } from '../../support/stack';
import { getJson } from '../../support/webhook';

let stack: TestStack;
let token: string;
const ids: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({ functions: EDITOR_API_FUNCTIONS });
  token = stack.secrets.editorToken.value;
  for (const n of [1, 2, 3]) {
    ids.push(await ingestAndCompose(stack, { id: `editor-${n}`, title: `Story number ${n}` }));
  }
});

afterAll(async () => {
  await stack?.dispose();
});

describe('editor API', () => {
  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token-at-all' }],
    ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
  ])('answers 401 with %s', async (_, headers) => {
    for (const path of ['/api/articles', `/api/articles/${ids[0]}`]) {
      const response = await fetch(new URL(path, stack.url), { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toEqual({ error: 'unauthorized', message: 'Unauthorized' });
    }
  });

  it('lists articles newest first with their shares’ statuses', async () => {
    const { status, body } = await getJson(stack.url, '/api/articles', token);
    expect(status).toBe(200);
    const { articles } = body as {
      articles: { id: string; title: string; url: string; shares: unknown[] }[];
    };
    expect(articles.map((a) => a.id)).toEqual([...ids].reverse());
    expect(articles[0]).toMatchObject({
      title: 'Story number 3',
      url: 'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/',
      shares: expect.arrayContaining([
        expect.objectContaining({ channelId: 'x-newsroom', platform: 'x', status: 'queued' }),
      ]),
    });
    expect(articles[0]?.shares).toHaveLength(CHANNEL_COUNT);
  });

  it('shows each stored image through a link the browser can load for an hour', async () => {
    const { status, body } = await getJson(stack.url, `/api/articles/${ids[0]}`, token);
    expect(status).toBe(200);
    const { shares } = body as {
      shares: {
        platform: string;
        media: { url: string }[] | null;
        card: { imageUrl?: string } | null;
      }[];
    };
    const links = [
      shares.find((s) => s.platform === 'instagram')?.media?.[0]?.url,
      shares.find((s) => s.platform === 'bluesky')?.card?.imageUrl,
    ];
    for (const link of links) {
      // Stored as s3://, shown as a presigned GET of the local bucket.
      expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/crier-media\/media\/[0-9a-f]{64}\.jpg\?/);
      const url = new URL(link ?? '');
      expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
      const image = await fetch(url);
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/jpeg');
    }
  });

  it('pages with a cursor, without repeating or skipping', async () => {
    const first = await getJson(stack.url, '/api/articles?limit=2', token);
    const page1 = first.body as { articles: { id: string }[]; cursor: string };
    expect(page1.articles.map((a) => a.id)).toEqual([ids[2], ids[1]]);
    expect(page1.cursor).toEqual(expect.any(String));
    const second = await getJson(stack.url, `/api/articles?limit=2&cursor=${page1.cursor}`, token);
    const page2 = second.body as { articles: { id: string }[]; cursor: string | null };
    expect(page2.articles.map((a) => a.id)).toEqual([ids[0]]);
    expect(page2.cursor).toBeNull();
  });

  it('answers 400 for a bad limit or cursor', async () => {
    expect((await getJson(stack.url, '/api/articles?limit=0', token)).status).toBe(400);
    const bad = await getJson(stack.url, '/api/articles?cursor=nonsense', token);
    expect(bad).toMatchObject({ status: 400, body: { fields: [{ field: 'cursor' }] } });
  });

  it('shows one article with every share’s text, schedule and remote fields', async () => {
    const { status, body } = await getJson(stack.url, `/api/articles/${ids[0]}`, token);
    expect(status).toBe(200);
    const { article, shares } = body as {
      article: Record<string, unknown>;
      shares: Record<string, unknown>[];
    };
    expect(article).toMatchObject({
      id: ids[0],
      title: 'Story number 1',
      revision: 1,
      status: 'published',
    });
    expect(shares.map((s) => s.platform).sort()).toEqual([...DEFAULT_PLATFORMS].sort());
    for (const share of shares) {
      expect(share).toMatchObject({
        channelId: expect.any(String),
        // Claimed on the direct path; nothing publishes in this test.
        status: 'queued',
        text: expect.stringContaining('Story number 1'),
        dueAt: expect.any(String),
        remoteId: null,
        remoteUrl: null,
      });
    }
  });

  it('answers 404 for an unknown article', async () => {
    const { status, body } = await getJson(stack.url, `/api/articles/${'0'.repeat(32)}`, token);
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: 'not_found' });
  });
});
