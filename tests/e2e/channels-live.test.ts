/**
 * A channel an admin adds through the editor API while the stack runs: it takes the next
 * article its routing matches, within the directory's TTL and without a restart, and,
 * having no credentials of its own, posts to its network's sandbox; an article its routing
 * does not match gets no share on it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson, postWebhook, sampleArticle } from '../support/webhook';

let stack: TestStack;
let token: string;
const previousTtl = process.env.CRIER_DIRECTORY_TTL_SECONDS;

beforeAll(async () => {
  process.env.CRIER_DIRECTORY_TTL_SECONDS = '1';
  stack = await startTestStack({ tickSeconds: 1 });
  token = stack.secrets.editorToken.value;
});

afterAll(async () => {
  await stack?.dispose();
  if (previousTtl === undefined) delete process.env.CRIER_DIRECTORY_TTL_SECONDS;
  else process.env.CRIER_DIRECTORY_TTL_SECONDS = previousTtl;
});

type ShareView = { channelId: string; status: string; remoteId: string | null; text: string };

async function send(id: string, section: string): Promise<string> {
  const body = JSON.stringify({ ...sampleArticle(), id, title: `Story ${id}`, section });
  const response = await postWebhook(stack.url, stack.secrets.webhookSecret.value, body);
  expect(response.status).toBe(202);
  return (response.body as { articleId: string }).articleId;
}

async function sharesOf(articleId: string): Promise<ShareView[]> {
  const { body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
  return (body as { shares: ShareView[] }).shares;
}

describe('a channel added through the API', () => {
  it('takes the next article its routing matches, and posts it to its sandbox', async () => {
    const response = await fetch(new URL('/api/channels', stack.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'masto-sport',
        platform: 'mastodon',
        account: '@sport@mastodon.example',
        template: 'SPORT {title} {url}',
        routing: { sections: ['sport'] },
      }),
    });
    expect(response.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 1_200));

    const sport = await send('live-sport', 'Sport');
    const other = await send('live-politics', 'Politics');

    const posted = await vi.waitFor(
      async () => {
        const share = (await sharesOf(sport)).find((s) => s.channelId === 'masto-sport');
        expect(share?.status).toBe('published');
        return share;
      },
      { timeout: 30_000, interval: 250 },
    );
    expect(posted?.text).toMatch(/^SPORT Story live-sport /);
    const sandbox = (await (await fetch(new URL('/sandbox/posts', stack.url))).json()) as {
      platform: string;
      remoteId: string;
      text: string;
    }[];
    expect(sandbox).toContainEqual(
      expect.objectContaining({ platform: 'mastodon', remoteId: posted?.remoteId }),
    );

    const otherShares = await vi.waitFor(
      async () => {
        const shares = await sharesOf(other);
        expect(shares.length).toBeGreaterThan(0);
        return shares;
      },
      { timeout: 30_000, interval: 250 },
    );
    expect(otherShares.map((s) => s.channelId)).not.toContain('masto-sport');
  }, 90_000);
});
