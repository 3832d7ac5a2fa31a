/**
 * Threads of posts end to end: channels with `thread` on, a webhook with a standfirst
 * too long for one post, and on X, Bluesky, Mastodon and Threads the first post and then
 * every part as a reply to the one before, each once, with each reply's id in the share.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { THREAD_PLATFORMS } from '../../shared/domain/platform';
import { startTestStack, type TestStack } from '../support/stack';
import { longStandfirst } from '../support/thread';
import { getJson, postWebhook, sampleArticle } from '../support/webhook';

type SandboxPost = {
  platform: string;
  remoteId: string;
  inReplyToId: string | null;
  text: string;
};
type Share = {
  channelId: string;
  platform: string;
  status: string;
  text: string;
  thread: string[] | null;
  threadIds: string[];
  remoteId: string | null;
  lastError: string | null;
  history: { event: string }[];
};

const ACCOUNTS: Record<string, string> = {
  x: 'desk',
  bluesky: 'desk.bsky.social',
  mastodon: '@desk@mastodon.example',
  threads: 'desk',
};

const config = {
  channels: THREAD_PLATFORMS.map((platform) => ({
    id: `${platform}-desk`,
    platform,
    account: ACCOUNTS[platform],
    template: '{title}\n\n{summary}\n\n{url}\n\n{hashtags}',
    hashtags: { max: 1 },
    thread: { enabled: true, max: 4 },
  })),
};

const settings: Record<string, string> = {
  CRIER_NETWORK_TIMEOUT_SECONDS: '5',
  CRIER_BACKOFF_BASE_SECONDS: '0.2',
  CRIER_DELIVERY_MARGIN_SECONDS: '2',
};
const saved = Object.fromEntries(
  ['CRIER_CONFIG', ...Object.keys(settings)].map((k) => [k, process.env[k]]),
);

let stack: TestStack;
let secret: string;
let token: string;

beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'crier-config-')), 'channels.json');
  writeFileSync(file, JSON.stringify(config));
  Object.assign(process.env, settings, { CRIER_CONFIG: file });
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

async function sandboxPosts(): Promise<SandboxPost[]> {
  const response = await fetch(new URL('/sandbox/posts', stack.url));
  return (await response.json()) as SandboxPost[];
}

async function setFaults(spec: string): Promise<void> {
  const response = await fetch(new URL('/sandbox/faults', stack.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ faults: spec }),
  });
  expect(response.status).toBe(200);
}

async function send(id: string): Promise<string> {
  const article = {
    ...sampleArticle(),
    id,
    title: `${String(sampleArticle().title)} (${id})`,
    summary: longStandfirst(id),
  };
  const response = await postWebhook(stack.url, secret, JSON.stringify(article));
  expect(response.status).toBe(202);
  return (response.body as { articleId: string }).articleId;
}

async function finalShares(articleId: string): Promise<Share[]> {
  return vi.waitFor(
    async () => {
      const { body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
      const shares = (body as { shares: Share[] }).shares;
      expect(shares).toHaveLength(THREAD_PLATFORMS.length);
      for (const share of shares) expect(share.status).toBe('published');
      return shares;
    },
    { timeout: 40_000, interval: 250 },
  );
}

/** Every share went out as its thread: one post per part, each replying to the one before. */
async function expectThreads(shares: Share[]): Promise<void> {
  const posts = await sandboxPosts();
  for (const share of shares) {
    expect(share.thread?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(share.lastError).toBeNull();
    const ids = [share.remoteId, ...share.threadIds];
    expect(share.threadIds).toHaveLength(share.thread?.length ?? 0);
    const own = posts.filter((p) => p.platform === share.platform && ids.includes(p.remoteId));
    expect(own.map((p) => p.remoteId)).toEqual(ids);
    expect(own.map((p) => p.inReplyToId)).toEqual([null, ...ids.slice(0, -1)]);
    expect(own.map((p) => p.text)).toEqual([share.text, ...(share.thread ?? [])]);
    const answers = posts.filter((p) => p.inReplyToId !== null && ids.includes(p.inReplyToId));
    expect(answers.map((p) => p.remoteId)).toEqual(share.threadIds);
  }
}

describe('threads of posts', () => {
  it('sends a long standfirst out as a numbered thread on X, Bluesky, Mastodon and Threads', async () => {
    await setFaults('');
    const shares = await finalShares(await send('thread-sample'));
    expect(shares.map((s) => s.platform).sort()).toEqual([...THREAD_PLATFORMS].sort());
    for (const share of shares) {
      const total = 1 + (share.thread?.length ?? 0);
      expect(share.text).toContain(` 1/${total}`);
      expect(share.thread?.at(-1)).toContain(` ${total}/${total}`);
    }
    await expectThreads(shares);
  });

  it('ends with one post per part on every network when each answer after a post is lost once', async () => {
    // Each network's first create after this drops the connection once the post is made:
    // for the thread's first post here, which reconcile finds before the parts go on.
    await setFaults(
      THREAD_PLATFORMS.map((platform) => `${platform}:crash-after-post:1:1`).join(','),
    );
    const shares = await finalShares(await send('thread-crash'));
    for (const share of shares) {
      expect(share.history.map((h) => h.event)).toEqual(expect.arrayContaining(['lose']));
    }
    await expectThreads(shares);
  });
});
