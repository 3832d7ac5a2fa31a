/**
 * The second foundation end to end: shares go out on the sandbox networks through the
 * real client libraries, once each, whatever the networks and the queues do.
 */
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MULTI_STEP_PLATFORMS, type Platform } from '../../shared/domain/platform';
import { CHANNEL_COUNT } from '../support/channels';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson, postWebhook, sampleArticle } from '../support/webhook';

type SandboxPost = {
  card?: { url: string; thumb?: string };
  platform: string;
  remoteId: string;
  inReplyToId: string | null;
  text: string;
  receivedAt: string;
};
type HistoryEntry = { at: string; event: string; to: string; reason?: string };
type Share = {
  channelId: string;
  platform: Platform;
  status: string;
  text: string;
  remoteId: string | null;
  remoteUrl: string | null;
  lastError: string | null;
  preparedId: string | null;
  history: HistoryEntry[];
};

const settings: Record<string, string> = {
  CRIER_NETWORK_TIMEOUT_SECONDS: '2',
  CRIER_BACKOFF_BASE_SECONDS: '0.2',
  CRIER_DELIVERY_MARGIN_SECONDS: '2',
  CRIER_SANDBOX_RESET_SECONDS: '2',
};
const saved = Object.fromEntries(Object.keys(settings).map((k) => [k, process.env[k]]));

let stack: TestStack;
let secret: string;
let token: string;

beforeAll(async () => {
  Object.assign(process.env, settings);
  stack = await startTestStack({ tickSeconds: 1 });
  secret = stack.secrets.webhookSecret.value;
  token = stack.secrets.editorToken.value;
});

afterAll(async () => {
  await stack?.dispose();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function setFaults(spec: string): Promise<void> {
  const response = await fetch(new URL('/sandbox/faults', stack.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ faults: spec }),
  });
  expect(response.status).toBe(200);
}

async function sandboxPosts(): Promise<SandboxPost[]> {
  return (await (await fetch(new URL('/sandbox/posts', stack.url))).json()) as SandboxPost[];
}

/** Each test's article has its own id and headline: X refuses a text it already has. */
async function send(
  patch: { id: string } & Record<string, unknown>,
  deliveryId?: string,
): Promise<string> {
  const article = {
    ...sampleArticle(),
    title: `${String(sampleArticle().title)} (${patch.id})`,
    ...patch,
  };
  const response = await postWebhook(stack.url, secret, JSON.stringify(article), {
    deliveryId,
  });
  expect(response.status).toBe(202);
  return (response.body as { articleId: string }).articleId;
}

async function finalShares(articleId: string, timeout = 25_000): Promise<Share[]> {
  return vi.waitFor(
    async () => {
      const { body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
      const shares = (body as { shares: Share[] }).shares;
      expect(shares).toHaveLength(CHANNEL_COUNT);
      for (const share of shares)
        expect(['published', 'failed', 'cancelled']).toContain(share.status);
      return shares;
    },
    { timeout, interval: 200 },
  );
}

/** The sandbox posts that belong to these shares, by remote id. */
async function postsOf(shares: Share[]): Promise<SandboxPost[]> {
  const ids = new Set(shares.map((s) => s.remoteId));
  return (await sandboxPosts()).filter((p) => ids.has(p.remoteId));
}

describe('publishing exactly once', () => {
  it('publishes the sample article on every network, one root post per share', async () => {
    await setFaults('');
    const articleId = await send({ id: 'publish-sample' });
    const shares = await finalShares(articleId);
    for (const share of shares) {
      expect(share).toMatchObject({
        status: 'published',
        remoteId: expect.any(String),
        remoteUrl: expect.any(String),
      });
    }
    const posts = await sandboxPosts();
    for (const share of shares) {
      const matching = posts.filter(
        (p) => p.platform === share.platform && p.remoteId === share.remoteId,
      );
      expect(matching).toHaveLength(1);
      expect(matching[0]?.inReplyToId).toBeNull();
      expect(matching[0]?.text).toContain('Trump Declares Support for Coup in Bolivia');
    }
    // The cards Crier builds itself carry the thumbnail it sized and stored (a share card
    // here: the article's own image cannot be fetched offline).
    for (const platform of ['bluesky', 'linkedin']) {
      const share = shares.find((s) => s.platform === platform);
      const post = posts.find((p) => p.platform === platform && p.remoteId === share?.remoteId);
      expect(post?.card?.thumb).toEqual(expect.any(String));
    }
  });

  it('posts once per channel when the same delivery arrives three times', async () => {
    const before = (await sandboxPosts()).length;
    const articleId = await send({ id: 'publish-thrice' }, 'msg_thrice');
    await send({ id: 'publish-thrice' }, 'msg_thrice');
    await send({ id: 'publish-thrice' }, 'msg_thrice');
    const shares = await finalShares(articleId);
    expect(shares.every((s) => s.status === 'published')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await sandboxPosts()).length - before).toBe(CHANNEL_COUNT);
    expect(await postsOf(shares)).toHaveLength(CHANNEL_COUNT);
  });

  it('ends with one Mastodon post after two 503s on create: the Idempotency-Key holds', async () => {
    await setFaults('mastodon:503:1:2');
    const articleId = await send({ id: 'publish-mastodon-503' });
    const shares = await finalShares(articleId);
    const mastodon = shares.find((s) => s.platform === 'mastodon');
    expect(mastodon?.status).toBe('published');
    expect(
      mastodon?.history.filter((h) => h.event === 'lose' || h.event === 'defer').length,
    ).toBeGreaterThanOrEqual(1);
    const posts = (await sandboxPosts()).filter(
      (p) => p.platform === 'mastodon' && p.text.includes('Trump'),
    );
    expect(posts.filter((p) => p.remoteId === mastodon?.remoteId)).toHaveLength(1);
    expect(await postsOf(shares)).toHaveLength(CHANNEL_COUNT);
  });

  it('retries a 429 after its reset time, not before', async () => {
    await setFaults('x:429:1:1');
    const articleId = await send({ id: 'publish-x-429' });
    const shares = await finalShares(articleId);
    const x = shares.find((s) => s.platform === 'x');
    expect(x?.status).toBe('published');
    const deferral = x?.history.find((h) => h.event === 'defer');
    const until = /rate limited until (\S+):/.exec(deferral?.reason ?? '')?.[1];
    expect(until).toBeDefined();
    const starts = x?.history.filter((h) => h.event === 'start') ?? [];
    expect(starts).toHaveLength(2);
    expect(Date.parse(starts[1]?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(until ?? ''));
    const [post] = (await sandboxPosts()).filter((p) => p.remoteId === x?.remoteId);
    expect(Date.parse(post?.receivedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(until ?? ''));
  });

  it('ends published through reconcile, with one post, when Bluesky accepted the post and then timed out', async () => {
    await setFaults('bluesky:timeout:1:1');
    const articleId = await send({ id: 'publish-bluesky-timeout' });
    const shares = await finalShares(articleId);
    const bluesky = shares.find((s) => s.platform === 'bluesky');
    expect(bluesky?.status).toBe('published');
    expect(bluesky?.history.map((h) => h.event)).toEqual(
      expect.arrayContaining(['lose', 'reconcile-found']),
    );
    expect((await sandboxPosts()).filter((p) => p.remoteId === bluesky?.remoteId)).toHaveLength(1);
    expect(await postsOf(shares)).toHaveLength(CHANNEL_COUNT);
  });

  it('picks up a share whose message was lost when the local queue restarted', async () => {
    await setFaults('');
    // Due in a few seconds: claimed and sent with a delay, then the queue loses it.
    const shareAt = new Date(Date.now() + 8000).toISOString();
    const articleId = await send({ id: 'publish-lost-message', shareAt });
    await vi.waitFor(
      async () => {
        const { body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
        const shares = (body as { shares: Share[] }).shares;
        expect(shares.length).toBe(CHANNEL_COUNT);
        expect(shares.every((s) => s.status === 'queued')).toBe(true);
        // Multi-step networks first prepare their container, then wait: lose that wait.
        for (const share of shares.filter((s) => MULTI_STEP_PLATFORMS.includes(s.platform))) {
          expect(share.preparedId).toEqual(expect.any(String));
        }
      },
      { timeout: 10_000, interval: 100 },
    );
    await stack.sqs.send(new PurgeQueueCommand({ QueueUrl: stack.queueUrls.publish }));
    const shares = await finalShares(articleId, 30_000);
    for (const share of shares) {
      expect(share.status).toBe('published');
      expect(share.history.map((h) => h.event)).toContain('requeue');
    }
    expect(await postsOf(shares)).toHaveLength(CHANNEL_COUNT);
  });
});
