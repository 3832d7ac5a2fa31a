/**
 * The first foundation end to end, as a newsroom would see it: the signed sample
 * article through the real handlers, queues and table of the local stack.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { allPublished, CHANNEL_COUNT, DEFAULT_PLATFORMS } from '../support/channels';
import { startTestStack, type TestStack } from '../support/stack';
import { expectValidPost } from '../support/validity';
import { getJson, postWebhook, sampleArticle } from '../support/webhook';

type Share = {
  channelId: string;
  platform: string;
  status: string;
  text: string;
  url: string;
  dueAt: string;
  version: number;
  facets?:
    | { index: { byteStart: number; byteEnd: number }; features: Record<string, unknown>[] }[]
    | null;
};

let stack: TestStack;
let secret: string;
let token: string;

beforeAll(async () => {
  stack = await startTestStack();
  secret = stack.secrets.webhookSecret.value;
  token = stack.secrets.editorToken.value;
});

afterAll(async () => {
  await stack?.dispose();
});

const sample = () => JSON.stringify(sampleArticle());

async function sharesOf(articleId: string): Promise<Share[]> {
  const { status, body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
  expect(status).toBe(200);
  return (body as { shares: Share[] }).shares;
}

describe('from webhook to composed shares', () => {
  it('leaves the article list unchanged after unsigned, stale, malformed and oversized requests', async () => {
    const before = await getJson(stack.url, '/api/articles', token);
    const unsigned = await fetch(new URL('/webhooks/generic', stack.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: sample(),
    });
    const stale = await postWebhook(stack.url, secret, sample(), {
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    const malformed = await postWebhook(stack.url, secret, '{"title": "no id"');
    const oversized = await postWebhook(
      stack.url,
      secret,
      JSON.stringify({ ...sampleArticle(), summary: 'word '.repeat(60_000) }),
    );
    expect([unsigned.status, stale.status, malformed.status, oversized.status]).toEqual([
      401, 401, 400, 413,
    ]);
    expect(await getJson(stack.url, '/api/articles', token)).toEqual(before);
  });

  it('turns the signed sample article into one valid share per channel', async () => {
    const response = await postWebhook(stack.url, secret, sample());
    expect(response.status).toBe(202);
    const { articleId } = response.body as { articleId: string };

    const shares = await vi.waitFor(
      async () => {
        const found = await sharesOf(articleId);
        expect(found).toHaveLength(CHANNEL_COUNT);
        return found;
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(shares.map((s) => s.platform).sort()).toEqual([...DEFAULT_PLATFORMS].sort());
    for (const share of shares) {
      expectValidPost(share.platform, share);
      expect(share.text).toContain('Trump Declares Support for Coup in Bolivia');
      expect(share.url).toMatch(
        /^https:\/\/www\.leftvoice\.org\/trump-declares-support-for-coup-in-bolivia\/\?utm_source=/,
      );
    }

    const list = await getJson(stack.url, '/api/articles', token);
    expect((list.body as { articles: { id: string }[] }).articles.map((a) => a.id)).toContain(
      articleId,
    );
  });

  it('adds nothing when the same article is sent again under a new webhook-id', async () => {
    const first = await postWebhook(stack.url, secret, sample());
    const { articleId } = first.body as { articleId: string };
    const before = await vi.waitFor(
      async () => {
        const found = await sharesOf(articleId);
        expect(found).toHaveLength(CHANNEL_COUNT);
        // Settled first (published on the sandboxes), so only a new write could change them.
        expect(found.map((s) => s.status)).toEqual(allPublished());
        return found;
      },
      { timeout: 15_000, interval: 200 },
    );
    const listBefore = await getJson(stack.url, '/api/articles', token);

    const again = await postWebhook(stack.url, secret, sample());
    expect(again).toEqual({ status: 202, body: { articleId } });
    // Give a stray compose message time to land before looking.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // The answer shows stored images through links signed per request: the objects they
    // name must be the same, not the signatures.
    expect(unsigned(await sharesOf(articleId))).toEqual(unsigned(before));
    expect(await getJson(stack.url, '/api/articles', token)).toEqual(listBefore);
  });
});

/** The shares with each presigned link cut to the object it names. */
function unsigned<T>(shares: T): T {
  return JSON.parse(JSON.stringify(shares).replace(/\?X-Amz-Algorithm=[^"]*/g, '')) as T;
}
