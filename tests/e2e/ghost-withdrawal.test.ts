/**
 * A Ghost post published, then unpublished before its shares fall due, through the
 * running local stack: nothing goes out, and every pending share ends `cancelled`.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { channelConfigForFile, laterChannels } from '../support/channel-config';
import { ghostBody } from '../support/cms-payloads';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson, postGhostWebhook } from '../support/webhook';

// Two channels that wait a minute after the article arrives: long enough to withdraw it.
const config = { channels: laterChannels(1) };

type Share = { channelId: string; status: string; history: { event: string; reason?: string }[] };
type Article = { status: string; source: string; title: string };

let stack: TestStack;
let token: string;

channelConfigForFile(config);

beforeAll(async () => {
  stack = await startTestStack({ tickSeconds: 5 });
  token = stack.secrets.editorToken.value;
});

afterAll(async () => {
  await stack?.dispose();
});

async function articleOf(articleId: string): Promise<{ article: Article; shares: Share[] }> {
  const { status, body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
  expect(status).toBe(200);
  return body as { article: Article; shares: Share[] };
}

describe('a Ghost post withdrawn before its shares are due', () => {
  it('is published, then unpublished, and every pending share ends cancelled with nothing posted', async () => {
    const secret = stack.secrets.ghostSecret.value;
    const title = 'Withdrawn Before Its Time: A Ghost Post';
    const id = '5dcaf3e1c7a8d20001a4c001';
    const published = await postGhostWebhook(
      stack.url,
      secret,
      ghostBody({ id, title, updated_at: new Date(Date.now() - 60_000).toISOString() }),
    );
    expect(published.status).toBe(202);
    const { articleId } = published.body as { articleId: string };

    // Composed: one pending share per channel, due in a minute.
    await vi.waitFor(
      async () => {
        const { shares } = await articleOf(articleId);
        expect(shares).toHaveLength(2);
        for (const share of shares) expect(share.status).toMatch(/^(scheduled|queued)$/);
      },
      { timeout: 20_000, interval: 250 },
    );

    const unpublished = await postGhostWebhook(
      stack.url,
      secret,
      ghostBody({ id, title, status: 'draft', updated_at: new Date().toISOString() }),
    );
    expect(unpublished).toEqual({ status: 202, body: { articleId } });
    const withdrawn = await articleOf(articleId);
    expect(withdrawn.article).toMatchObject({ source: 'ghost', status: 'unpublished', title });
    // At once, none is published: each is still pending or, if the withdrawn revision
    // was already composed, cancelled.
    for (const share of withdrawn.shares) {
      expect(share.status).toMatch(/^(scheduled|queued|cancelled)$/);
    }

    // Composing the withdrawn revision cancels every pending share at once (and, had a
    // message been on its way, the publish worker would find the article withdrawn).
    const final = await vi.waitFor(
      async () => {
        const { shares } = await articleOf(articleId);
        expect(shares.map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
        return shares;
      },
      { timeout: 100_000, interval: 1_000 },
    );
    for (const share of final) {
      expect(share.history.at(-1)).toMatchObject({
        event: 'withdraw',
        reason: expect.stringMatching(/^the article (is|was) unpublished/),
      });
    }
    const posts = (await (await fetch(new URL('/sandbox/posts', stack.url))).json()) as {
      text: string;
    }[];
    expect(posts.filter((post) => post.text.includes(title))).toEqual([]);
  }, 150_000);
});
