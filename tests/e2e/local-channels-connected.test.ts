/**
 * `npm start` in its own process connects its eight channels through the sandboxes'
 * sign-in with nothing done by hand; restarted with tokens that live 20 seconds, it keeps
 * publishing for minutes while the tokens are refreshed; a channel whose grant is revoked
 * shows `failing`, its shares wait for a reconnect, the editors are told at the sandbox
 * receiver, and Connect run again sends them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { PLATFORMS } from '../../shared/domain/platform';
import { consent } from '../support/oauth-flow';
import { postWebhook, sampleArticle } from '../support/webhook';

const dataDir = mkdtempSync(join(tmpdir(), 'crier-connected-'));
const running: ChildProcess[] = [];
const OAUTH = ['x', 'mastodon', 'linkedin', 'threads', 'instagram', 'facebook'];
/** the networks whose sandbox tokens expire, and so are refreshed */
const EXPIRING = ['x', 'linkedin', 'threads', 'instagram'];
const REVOKED = 'threads-newsroom';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

type Started = { child: ChildProcess; url: string; output: () => string; exited: Promise<void> };

async function npmStart(port: number, env: Record<string, string> = {}): Promise<Started> {
  const child = spawn('npm', ['start'], {
    env: { ...process.env, ...env, PORT: String(port), CRIER_DATA_DIR: dataDir },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await vi.waitFor(
    async () => {
      const response = await fetch(`${url}/healthz`);
      expect(response.status).toBe(200);
    },
    { timeout: 90_000, interval: 250 },
  );
  return { child, url, output: () => output, exited };
}

async function ctrlC(started: Started): Promise<void> {
  if (started.child.pid) process.kill(-started.child.pid, 'SIGINT');
  await started.exited;
}

afterAll(() => {
  for (const child of running) {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const secrets = () =>
  JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;

async function api(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${secrets().CRIER_EDITOR_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
  };
}

type Channel = { id: string; platform: string; health: { status: string } | null };
type Share = { channelId: string; status: string; waitingForReconnect?: string };
type Audit = { who: string; action: string; target: string };
type Counts = Record<string, { issued: number; refreshed: number; revoked: number }>;

const channels = async (url: string) =>
  (await api(url, 'GET', '/api/channels')).body.channels as Channel[];
const authCounts = async (url: string) =>
  (await (await fetch(`${url}/sandbox/auth`)).json()) as Counts;
const sharesOf = async (url: string, articleId: string) =>
  (await api(url, 'GET', `/api/articles/${articleId}`)).body.shares as Share[];

async function send(url: string, id: string, title: string): Promise<string> {
  const article = { ...sampleArticle(), id, title };
  const sent = await postWebhook(
    url,
    secrets().CRIER_WEBHOOK_SECRET ?? '',
    JSON.stringify(article),
  );
  expect(sent.status).toBe(202);
  return (sent.body as { articleId: string }).articleId;
}

async function allPublished(url: string, articleId: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const shares = await sharesOf(url, articleId);
      expect(shares).toHaveLength(PLATFORMS.length);
      expect(shares.filter((s) => s.status !== 'published')).toEqual([]);
    },
    { timeout: 60_000, interval: 500 },
  );
}

describe('local channels connected through their sandboxes', () => {
  it('connects eight channels at start, keeps 20-second tokens alive, parks a revoked channel until it is reconnected', async () => {
    // A first start with the networks' own token lifetimes: eight channels, all `ok`.
    const first = await npmStart(await freePort());
    const fresh = await channels(first.url);
    expect(fresh).toHaveLength(PLATFORMS.length);
    expect(fresh.map((c) => [c.platform, c.health?.status])).toEqual(
      fresh.map((c) => [c.platform, 'ok']),
    );
    const counts = await authCounts(first.url);
    for (const platform of OAUTH) expect(counts[platform]?.issued).toBeGreaterThan(0);
    const audit = (await api(first.url, 'GET', '/api/audit?limit=100')).body.entries as Audit[];
    const connected = audit.filter(
      (e) => e.who === 'local-stack' && e.action === 'channel.connected',
    );
    expect(connected.map((e) => e.target).sort()).toEqual(
      fresh
        .filter((c) => OAUTH.includes(c.platform))
        .map((c) => `channel:${c.id}`)
        .sort(),
    );
    // No token in what the stack printed.
    const stored = readFileSync(join(dataDir, 'channel-secrets', 'x-newsroom.json'), 'utf8');
    expect(first.output()).not.toContain(JSON.parse(stored).accessToken);
    await ctrlC(first);

    // Again on the same table, with 20-second tokens: the earlier run's sandbox tokens
    // died with it, so the channels are connected anew before the stack is ready.
    const second = await npmStart(await freePort(), {
      CRIER_SANDBOX_TOKEN_SECONDS: '20',
      CRIER_TICK_SECONDS: '2',
    });
    const { url } = second;
    for (const channel of await channels(url)) {
      // LinkedIn's year-long refresh grant lasts two minutes here: `expiring`, rightly.
      expect(['ok', 'expiring']).toContain(channel.health?.status);
      if (channel.platform !== 'linkedin') expect(channel.health?.status).toBe('ok');
    }
    const notifications = await api(url, 'PUT', '/api/sites/default/notifications', {
      slackWebhookUrl: `${url}/sandbox/slack/desk`,
    });
    expect(notifications.status).toBe(200);

    // Articles over two and a half minutes: every share goes out while the tokens expire
    // under it, and after LinkedIn's first refresh grant (122 s here) has ended.
    const began = Date.now();
    for (let n = 1; Date.now() - began < 150_000; n += 1) {
      const articleId = await send(url, `kept-${n}`, `Tide tables, edition ${n}`);
      await allPublished(url, articleId);
      const next = began + n * 25_000;
      if (Date.now() < next) await new Promise((resolve) => setTimeout(resolve, next - Date.now()));
    }
    const kept = await authCounts(url);
    for (const platform of EXPIRING) expect(kept[platform]?.refreshed).toBeGreaterThan(0);
    // LinkedIn was connected again before its grant ended, as a person would: three
    // consents in all (the first start, the second, the renewal).
    const linkedin = (
      (await api(url, 'GET', '/api/audit?limit=100')).body.entries as Audit[]
    ).filter((e) => e.who === 'local-stack' && e.target === 'channel:linkedin-newsroom');
    expect(linkedin.length).toBeGreaterThanOrEqual(3);

    // The Threads grant revoked as a user removing the app does.
    const threads = JSON.parse(
      readFileSync(join(dataDir, 'channel-secrets', `${REVOKED}.json`), 'utf8'),
    ) as { accessToken: string; apiBase: string };
    const revoke = await fetch(`${threads.apiBase}/me/permissions`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${threads.accessToken}` },
    });
    expect(revoke.status).toBe(200);
    const check = await api(url, 'POST', `/api/channels/${REVOKED}/check`);
    expect(check.body).toMatchObject({ health: { status: 'failing' } });
    expect((await channels(url)).find((c) => c.id === REVOKED)?.health?.status).toBe('failing');

    const title = 'Ferry timetable changes';
    const parked = await send(url, 'revoked-1', title);
    await vi.waitFor(
      async () => {
        const shares = await sharesOf(url, parked);
        expect(shares).toHaveLength(PLATFORMS.length);
        const others = shares.filter((s) => s.channelId !== REVOKED);
        expect(others.filter((s) => s.status !== 'published')).toEqual([]);
        expect(shares.find((s) => s.channelId === REVOKED)).toMatchObject({
          status: 'scheduled',
          waitingForReconnect: expect.any(String),
        });
      },
      { timeout: 60_000, interval: 500 },
    );
    await vi.waitFor(
      async () => {
        const response = await fetch(`${url}/sandbox/notifications`);
        const body = JSON.stringify(await response.json());
        expect(body).toContain(title);
        expect(body).toContain(REVOKED);
        expect(body).not.toContain(threads.accessToken);
      },
      { timeout: 30_000, interval: 500 },
    );

    // Connect again, as an admin would: the waiting share goes out.
    const started = await api(url, 'GET', `/api/channels/${REVOKED}/connect`);
    expect(started.status).toBe(200);
    const back = await consent(String(started.body.authorizeUrl), {});
    const landed = await fetch(back, { redirect: 'manual' });
    expect(landed.status).toBe(302);
    expect(landed.headers.get('location')).toContain(`connected=${REVOKED}`);
    await allPublished(url, parked);
    expect((await channels(url)).find((c) => c.id === REVOKED)?.health?.status).toBe('ok');

    await ctrlC(second);
  }, 300_000);
});
