/**
 * The local stack as `npm start` runs it (`autoConnect`): channels without credentials
 * are connected through their sandbox's sign-in before the stack is ready, a channel added
 * through the API at once, one written by `crier channels import` by the next sweep; a
 * channel whose credentials come from the environment is never sent to a sandbox.
 * One stack in this file: auto-connect runs the functions' composition in this process.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { credentialsEnvName } from '../../../shared/config/credentials';
import { PLATFORMS } from '../../../shared/domain/platform';
import { runCrier } from '../../support/cli';
import { startTestStack, type TestStack } from '../../support/stack';

const FROM_ENV = 'x-newsroom';
const envName = credentialsEnvName(FROM_ENV);
// X's OAuth 1.0a shape, which the X sandbox does not know: no sandbox may replace it.
const envCredentials = { appKey: 'k', appSecret: 's', accessToken: 't', accessSecret: 'a' };
let stack: TestStack;
let token: string;

beforeAll(async () => {
  process.env[envName] = JSON.stringify(envCredentials);
  stack = await startTestStack({ autoConnect: true, tickSeconds: 2 });
  token = stack.secrets.editorToken.value;
}, 120_000);

afterAll(async () => {
  await stack?.dispose();
  delete process.env[envName];
});

const secretPath = (id: string) => join(stack.dataDir, 'channel-secrets', `${id}.json`);

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(new URL(path, stack.url), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

type Channel = { id: string; platform: string; health: { status: string } | null };
const healthOf = async (id: string) =>
  ((await api('GET', '/api/channels')).body.channels as Channel[]).find((c) => c.id === id)?.health
    ?.status;
const auditOf = async () =>
  (await api('GET', '/api/audit?limit=100')).body.entries as {
    who: string;
    action: string;
    target: string;
  }[];

describe('channels connected by the local stack', () => {
  it('connects every channel without credentials before it is ready, and leaves the environment’s alone', async () => {
    const channels = (await api('GET', '/api/channels')).body.channels as Channel[];
    expect(channels).toHaveLength(PLATFORMS.length);
    for (const channel of channels.filter((c) => c.id !== FROM_ENV)) {
      expect(channel.health?.status, channel.id).toBe('ok');
      expect(existsSync(secretPath(channel.id)), channel.id).toBe(true);
    }
    // The Mastodon channel holds a token the sandbox issued, not its fixed account's.
    const mastodon = stack.sandboxes?.byPlatform('mastodon');
    const stored = JSON.parse(readFileSync(secretPath('mastodon-newsroom'), 'utf8'));
    expect(stored).toMatchObject({ url: mastodon?.url, accessToken: expect.any(String) });
    expect(stored.accessToken).not.toBe(mastodon?.credentials.accessToken);

    // Nothing of the environment's channel went to a sandbox.
    expect(existsSync(secretPath(FROM_ENV))).toBe(false);
    expect(stack.sandboxes?.auth.snapshot().x).toBeUndefined();
    const audit = await auditOf();
    expect(audit.filter((e) => e.target === `channel:${FROM_ENV}`)).toEqual([
      expect.objectContaining({ who: 'crier (first start)' }),
    ]);
    expect(audit.filter((e) => e.who === 'local-stack').map((e) => [e.action, e.target])).toEqual(
      expect.arrayContaining([
        ['channel.connected', 'channel:mastodon-newsroom'],
        ['channel.credentials-set', 'channel:bluesky-newsroom'],
        ['channel.credentials-set', 'channel:telegram-newsroom'],
      ]),
    );
  });

  it('connects a channel added through the API at once', async () => {
    const created = await api('POST', '/api/channels', {
      id: 'threads-sport',
      platform: 'threads',
      account: '@sport',
      template: 'SPORT {title} {url}',
    });
    expect(created.status).toBe(201);
    await vi.waitFor(async () => expect(await healthOf('threads-sport')).toBe('ok'), {
      timeout: 5_000,
      interval: 100,
    });
    expect(JSON.parse(readFileSync(secretPath('threads-sport'), 'utf8'))).toMatchObject({
      accessToken: expect.any(String),
      expiresAt: expect.any(String),
      apiBase: stack.sandboxes?.byPlatform('threads')?.url,
    });
  });

  it('connects a channel `crier channels import` wrote into the table by the next sweep', async () => {
    const file = join(stack.dataDir, 'desk.json');
    writeFileSync(
      file,
      JSON.stringify({
        site: { name: 'Desk' },
        channels: [
          { id: 'linkedin-desk', platform: 'linkedin', account: 'desk', template: '{title} {url}' },
        ],
      }),
    );
    const imported = await runCrier(
      stack.dataDir,
      'channels',
      'import',
      file,
      '--site',
      'desk',
      '--yes',
    );
    expect(imported.code, imported.stderr).toBe(0);
    await vi.waitFor(async () => expect(await healthOf('linkedin-desk')).toBe('ok'), {
      timeout: 30_000,
      interval: 250,
    });
    expect(
      (await auditOf()).find(
        (e) => e.target === 'channel:linkedin-desk' && e.who === 'local-stack',
      ),
    ).toMatchObject({ action: 'channel.connected' });
  });
});
