/**
 * An editor at work on the running local stack: shares wait an hour (a delay schedule)
 * or for approval; the editor rewrites the X post and publishes it now, moves Bluesky a
 * few seconds ahead, cancels Mastodon and approves Facebook, and the rest go out as
 * scheduled, each on its sandbox network, once.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson, postWebhook, sampleArticle } from '../support/webhook';

const CONFIG = fileURLToPath(new URL('../fixtures/channels/editor-e2e.json', import.meta.url));

type Share = {
  channelId: string;
  platform: string;
  status: string;
  text: string;
  dueAt: string;
  remoteId: string | null;
  history: { event: string; by: string }[];
};
type SandboxPost = { platform: string; remoteId: string; text: string; receivedAt: string };

let stack: TestStack;
let token: string;
const savedConfig = process.env.CRIER_CONFIG;

beforeAll(async () => {
  process.env.CRIER_CONFIG = CONFIG;
  stack = await startTestStack({ tickSeconds: 1 });
  token = stack.secrets.editorToken.value;
});

afterAll(async () => {
  await stack?.dispose();
  if (savedConfig === undefined) delete process.env.CRIER_CONFIG;
  else process.env.CRIER_CONFIG = savedConfig;
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(new URL(path, stack.url), {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { share: Share } };
}

async function sharesOf(articleId: string): Promise<Share[]> {
  const { body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
  return (body as { shares: Share[] }).shares;
}

describe('an editor’s day', () => {
  it('edits X, reschedules Bluesky, cancels Mastodon, approves Facebook; the rest publish', async () => {
    const title = 'Editors at work on the coup in Bolivia';
    const sent = await postWebhook(
      stack.url,
      stack.secrets.webhookSecret.value,
      JSON.stringify({ ...sampleArticle(), id: 'editor-e2e', title }),
    );
    expect(sent.status).toBe(202);
    const { articleId } = sent.body as { articleId: string };
    const composed = await vi.waitFor(
      async () => {
        const shares = await sharesOf(articleId);
        expect(shares).toHaveLength(6);
        return shares;
      },
      { timeout: 20_000, interval: 200 },
    );
    const status = (channel: string) => composed.find((s) => s.channelId === channel)?.status;
    expect(status('x-newsroom')).toBe('scheduled');
    expect(status('bluesky-newsroom')).toBe('scheduled');
    expect(status('mastodon-newsroom')).toBe('scheduled');
    expect(status('facebook-newsroom')).toBe('draft');

    const shares = `/api/articles/${articleId}/shares`;
    const xText = `${title}: what the editors chose to say #Bolivia`;
    expect((await call('PATCH', `${shares}/x-newsroom`, { text: xText })).status).toBe(200);
    expect((await call('POST', `${shares}/x-newsroom/publish-now`)).status).toBe(200);
    const blueskyDue = new Date(Date.now() + 4000).toISOString();
    const moved = await call('PATCH', `${shares}/bluesky-newsroom`, { dueAt: blueskyDue });
    expect(moved.body.share.status).toBe('queued');
    expect((await call('POST', `${shares}/mastodon-newsroom/cancel`)).status).toBe(200);
    expect((await call('POST', `${shares}/facebook-newsroom/approve`)).status).toBe(200);

    const final = await vi.waitFor(
      async () => {
        const now = await sharesOf(articleId);
        for (const share of now) expect(['published', 'cancelled']).toContain(share.status);
        return now;
      },
      { timeout: 40_000, interval: 250 },
    );
    const byChannel = new Map(final.map((s) => [s.channelId, s]));
    expect(byChannel.get('mastodon-newsroom')?.status).toBe('cancelled');
    for (const channel of ['x', 'bluesky', 'threads', 'telegram', 'facebook']) {
      expect(byChannel.get(`${channel}-newsroom`)?.status, channel).toBe('published');
    }

    const posts = (await (
      await fetch(new URL('/sandbox/posts', stack.url))
    ).json()) as SandboxPost[];
    const postOf = (channel: string) => {
      const share = byChannel.get(channel);
      return posts.filter((p) => p.platform === share?.platform && p.remoteId === share.remoteId);
    };
    // The X post is the editor's text, posted once.
    expect(postOf('x-newsroom').map((p) => p.text)).toEqual([xText]);
    // Bluesky went out at its new time, not before it (the worker may start a second early).
    const [bluesky] = postOf('bluesky-newsroom');
    expect(Date.parse(bluesky?.receivedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(blueskyDue) - 1000,
    );
    expect(posts.filter((p) => p.platform === 'mastodon' && p.text.includes(title))).toEqual([]);
    for (const channel of ['threads-newsroom', 'telegram-newsroom', 'facebook-newsroom']) {
      expect(postOf(channel), channel).toHaveLength(1);
      expect(postOf(channel)[0]?.text, channel).toContain(title);
    }
    const x = byChannel.get('x-newsroom');
    expect(x?.history.filter((h) => h.by === 'editor').map((h) => h.event)).toEqual([
      'edit',
      'edit',
    ]);
  });
});
