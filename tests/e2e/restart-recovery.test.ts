/**
 * The local stack killed (SIGKILL, no clean stop) and started again on the same data
 * folder loses nothing: its queues live in memory, so what was on them is gone, and the
 * table-driven sweeps find it again from what the items say. Every share goes out, once,
 * with the images stored before the kill (the media bucket is kept in the data folder).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CHANNEL_COUNT } from '../support/channels';
import { getJson, postWebhook, sampleArticle } from '../support/webhook';

type Share = { channelId: string; status: string; remoteId: string | null };

const dataDir = mkdtempSync(join(tmpdir(), 'crier-restart-'));
const running: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A stack in a process of its own (tests/support/stack-process.ts), ready to take requests. */
async function startStack(port: number, paused: string[] = []): Promise<ChildProcess> {
  // node itself, no npx or tsx process between: the test reaps it when it is killed, so
  // its pid is free again for the data folder's lock (an unreaped one still looks alive).
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/stack-process.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      CRIER_DATA_DIR: dataDir,
      CRIER_TEST_PAUSED: paused.join(','),
      CRIER_TICK_SECONDS: '1',
      CRIER_COMPOSE_GRACE_SECONDS: '1',
      CRIER_DELIVERY_MARGIN_SECONDS: '2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  const collect = (chunk: unknown) => {
    output += String(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await vi.waitFor(
    async () => {
      expect(child.exitCode, output).toBeNull();
      const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      expect(response?.status, output.slice(-2000)).toBe(200);
    },
    { timeout: 60_000, interval: 250 },
  );
  return child;
}

/** kill -9: nothing runs a clean stop. */
async function kill9(child: ChildProcess): Promise<void> {
  const closed = new Promise((resolve) => child.on('close', resolve));
  child.kill('SIGKILL');
  await closed;
}

afterAll(() => {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * An article sent to a stack whose publish queue nothing consumes, so every share is
 * queued with its message on the queue, and the stack then killed with SIGKILL.
 */
async function queuedThenKilled(id: string) {
  const port = await freePort();
  const first = await startStack(port, ['publish-share']);
  const url = `http://127.0.0.1:${port}`;
  const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<
    string,
    string
  >;
  const token = secrets.CRIER_EDITOR_TOKEN ?? '';
  const article = { ...sampleArticle(), id, title: `${String(sampleArticle().title)} (${id})` };
  const response = await postWebhook(
    url,
    secrets.CRIER_WEBHOOK_SECRET ?? '',
    JSON.stringify(article),
  );
  expect(response.status).toBe(202);
  const { articleId } = response.body as { articleId: string };
  await vi.waitFor(
    async () => {
      const { body } = await getJson(url, `/api/articles/${articleId}`, token);
      const found = (body as { shares?: Share[] }).shares ?? [];
      expect(found).toHaveLength(CHANNEL_COUNT);
      for (const share of found) expect(share.status).toBe('queued');
    },
    { timeout: 30_000, interval: 250 },
  );
  await kill9(first);
  return { port, url, token, articleId };
}

describe('kill -9 and a restart on the same data folder', () => {
  it('composes and posts a revision whose compose message died with the queue', async () => {
    const port = await freePort();
    // Nothing consumes the compose queue: the message is still on it at the kill.
    const first = await startStack(port, ['compose-article']);
    const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<
      string,
      string
    >;
    const article = { ...sampleArticle(), id: 'restart-lost-compose' };
    const response = await postWebhook(
      `http://127.0.0.1:${port}`,
      secrets.CRIER_WEBHOOK_SECRET ?? '',
      JSON.stringify(article),
    );
    expect(response.status).toBe(202);
    const { articleId } = response.body as { articleId: string };
    await kill9(first);

    const second = await startStack(port);
    const url = `http://127.0.0.1:${port}`;
    const token = secrets.CRIER_EDITOR_TOKEN ?? '';
    const shares = await vi.waitFor(
      async () => {
        const { body } = await getJson(url, `/api/articles/${articleId}`, token);
        const found = (body as { shares?: Share[] }).shares ?? [];
        expect(found).toHaveLength(CHANNEL_COUNT);
        for (const share of found) expect(share.status).toBe('published');
        return found;
      },
      { timeout: 60_000, interval: 250 },
    );
    const posts = (await (await fetch(new URL('/sandbox/posts', url))).json()) as {
      remoteId: string;
    }[];
    const ids = new Set(shares.map((s) => s.remoteId));
    expect(posts.filter((p) => ids.has(p.remoteId))).toHaveLength(CHANNEL_COUNT);
    await kill9(second);
  }, 150_000);

  it('sends again the queued shares whose publish messages died with the queue', async () => {
    const { port, url, token, articleId } = await queuedThenKilled('restart-lost-publish');

    const second = await startStack(port);
    // Each share is sent again from the table, claimed and posted, with the images stored
    // before the kill: the local media bucket is kept in the data folder.
    expect(readdirSync(join(dataDir, 'media')).filter((name) => !name.startsWith('.'))).not.toEqual(
      [],
    );
    await vi.waitFor(
      async () => {
        const { body } = await getJson(url, `/api/articles/${articleId}`, token);
        const found =
          (
            body as {
              shares?: (Share & { history: { event: string }[]; warnings: string[] | null })[];
            }
          ).shares ?? [];
        expect(found).toHaveLength(CHANNEL_COUNT);
        for (const share of found) {
          const events = share.history.map((h) => h.event);
          expect(events.slice(events.indexOf('requeue')), share.channelId).toContain('start');
          expect(share.status, share.channelId).toBe('published');
          expect(share.warnings ?? [], share.channelId).not.toContainEqual(
            expect.stringContaining('no longer in the media bucket'),
          );
        }
      },
      { timeout: 60_000, interval: 250 },
    );
    // And nothing went out twice.
    const posts = (await (await fetch(new URL('/sandbox/posts', url))).json()) as {
      platform: string;
      text: string;
    }[];
    const ours = posts.filter((p) => p.text.includes('restart-lost-publish'));
    expect(new Set(ours.map((p) => p.platform)).size).toBe(ours.length);
    await kill9(second);
  }, 150_000);
  it('makes again, at publish, the images the restart could not bring back', async () => {
    const { port, url, token, articleId } = await queuedThenKilled('restart-lost-media');
    // The bucket's copies are gone too, as S3's lifecycle rule deletes an image.
    rmSync(join(dataDir, 'media'), { recursive: true, force: true });

    const second = await startStack(port);
    await vi.waitFor(
      async () => {
        const { body } = await getJson(url, `/api/articles/${articleId}`, token);
        const found = (body as { shares?: (Share & { warnings: string[] | null })[] }).shares ?? [];
        expect(found).toHaveLength(CHANNEL_COUNT);
        for (const share of found) {
          expect(share.status, share.channelId).toBe('published');
          expect(share.warnings ?? [], share.channelId).not.toContainEqual(
            expect.stringContaining('no longer in the media bucket'),
          );
        }
      },
      { timeout: 60_000, interval: 250 },
    );
    // Made again and stored anew: the data folder holds them once more.
    expect(readdirSync(join(dataDir, 'media')).filter((name) => !name.startsWith('.'))).not.toEqual(
      [],
    );
    await kill9(second);
  }, 150_000);
});
