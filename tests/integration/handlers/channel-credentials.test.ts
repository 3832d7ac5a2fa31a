/**
 * Credentials and health through the HTTP gateway, on dynalite, against the eight
 * sandboxes: credentials the network accepts are stored (204) in the data folder and the
 * channel is healthy; a bad token is refused with the network's reason and stores
 * nothing; a channel whose credentials come from the environment answers 409; nothing
 * answers a credential back.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduledEvent } from '../../../infra/local/scheduler';
import { credentialsEnvName } from '../../../shared/config/credentials';
import { PLATFORMS, type Platform } from '../../../shared/domain/platform';
import { FUNCTIONS } from '../../../shared/resources';
import { DEFAULT_CHANNELS } from '../../support/channels';
import { callEditorApi } from '../../support/editor-api';
import { CALLBACK, consent, postForm } from '../../support/oauth-flow';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
let admin: string;
const ENV_CHANNEL = 'telegram-newsroom';
const channelOf = (platform: Platform) => {
  const channel = DEFAULT_CHANNELS.find((c) => c.platform === platform);
  if (!channel) throw new Error(`No default ${platform} channel`);
  return channel.id;
};
const sandboxCredentials = (platform: Platform) => {
  const sandbox = stack.sandboxes?.byPlatform(platform);
  if (!sandbox) throw new Error(`No ${platform} sandbox`);
  return sandbox.credentials;
};

/** The field that holds each network's secret, and a wrong value for it. */
const WRONG: Record<Platform, [string, string]> = {
  x: ['accessToken', 'wrong-access-token'],
  bluesky: ['password', 'wrong-app-password'],
  mastodon: ['accessToken', 'wrong-access-token'],
  threads: ['accessToken', 'wrong-access-token'],
  instagram: ['accessToken', 'wrong-access-token'],
  facebook: ['pageAccessToken', 'wrong-page-token'],
  linkedin: ['accessToken', 'wrong-access-token'],
  telegram: ['botToken', `7000000000:AA${'w'.repeat(33)}`],
};

beforeAll(async () => {
  // Set before the stack starts, as an operator would: this channel's credentials are fixed.
  process.env[credentialsEnvName(ENV_CHANNEL)] = JSON.stringify({ botToken: 'x', chatId: '@x' });
  stack = await startTestStack({
    functions: {
      'editor-api': FUNCTIONS['editor-api'],
      'check-channels': FUNCTIONS['check-channels'],
    },
    sandboxes: true,
  });
  admin = stack.secrets.editorToken.value;
}, 60_000);

afterAll(async () => {
  delete process.env[credentialsEnvName(ENV_CHANNEL)];
  await stack?.dispose();
});

const call = (method: string, path: string, body?: unknown) =>
  callEditorApi(stack.url, { method, path, token: admin, body });

const secretFile = (channelId: string) =>
  join(stack.dataDir, 'channel-secrets', `${channelId}.json`);

describe('PUT /api/channels/{id}/credentials', () => {
  it.each(PLATFORMS.filter((p) => p !== 'telegram'))(
    '%s: stores what the sandbox accepts, owner-only, and the channel is healthy',
    async (platform) => {
      const id = channelOf(platform);
      const credentials = sandboxCredentials(platform);
      const answer = await call('PUT', `/api/channels/${id}/credentials`, credentials);
      expect(answer.status, answer.text).toBe(204);
      expect(answer.text).toBe('');
      expect(JSON.parse(readFileSync(secretFile(id), 'utf8'))).toEqual(credentials);
      expect(statSync(secretFile(id)).mode & 0o777).toBe(0o600);
      const listed = await call('GET', '/api/channels');
      const channel = (listed.body.channels as Record<string, unknown>[]).find((c) => c.id === id);
      expect(channel).toMatchObject({ health: { status: 'ok', reason: null }, statusReason: null });
      expect(listed.text).not.toContain(String(credentials[WRONG[platform][0]]));
    },
  );

  it.each(PLATFORMS.filter((p) => p !== 'telegram'))(
    '%s: refuses a wrong token with the network’s reason, storing nothing new',
    async (platform) => {
      const id = channelOf(platform);
      const before = readFileSync(secretFile(id), 'utf8');
      const [field, wrong] = WRONG[platform];
      const answer = await call('PUT', `/api/channels/${id}/credentials`, {
        ...sandboxCredentials(platform),
        [field]: wrong,
      });
      expect(answer.status, answer.text).toBe(400);
      expect(String(answer.body.message)).toMatch(/answered|refused|not /);
      expect(answer.text).not.toContain(wrong);
      expect(readFileSync(secretFile(id), 'utf8')).toBe(before);
    },
  );

  it('telegram: stores a bot allowed to post in the channel, refuses one that may not post', async () => {
    const template = DEFAULT_CHANNELS.find((c) => c.platform === 'telegram');
    const made = await call('POST', '/api/channels', {
      ...template,
      id: 'telegram-desk',
      siteId: 'default',
    });
    expect(made.status, made.text).toBe(201);
    const credentials = sandboxCredentials('telegram');
    const archive = await call('PUT', '/api/channels/telegram-desk/credentials', {
      ...credentials,
      chatId: '@newsroom_archive',
    });
    expect(archive.status).toBe(400);
    expect(String(archive.body.message)).toMatch(/not an administrator allowed to post/);
    expect(archive.text).not.toContain(String(credentials.botToken));
    expect(existsSync(secretFile('telegram-desk'))).toBe(false);

    const [, wrong] = WRONG.telegram;
    const refused = await call('PUT', '/api/channels/telegram-desk/credentials', {
      ...credentials,
      botToken: wrong,
    });
    expect(refused.status).toBe(400);
    expect(String(refused.body.message)).toMatch(/Unauthorized/);
    expect(refused.text).not.toContain(wrong.split(':')[1]);

    const stored = await call('PUT', '/api/channels/telegram-desk/credentials', credentials);
    expect(stored.status, stored.text).toBe(204);
    expect(JSON.parse(readFileSync(secretFile('telegram-desk'), 'utf8'))).toEqual(credentials);
  });

  it('names the wrong fields without calling the network', async () => {
    const answer = await call('PUT', `/api/channels/${channelOf('bluesky')}/credentials`, {
      service: 'http://127.0.0.1:1',
    });
    expect(answer.status).toBe(400);
    expect(String(answer.body.message)).toMatch(/identifier/);
  });

  it('answers 409 where the environment sets the channel’s credentials, and writes nothing', async () => {
    const answer = await call(
      'PUT',
      `/api/channels/${ENV_CHANNEL}/credentials`,
      sandboxCredentials('telegram'),
    );
    expect(answer.status).toBe(409);
    expect(existsSync(secretFile(ENV_CHANNEL))).toBe(false);
  });

  it('records each change in the audit, with field names and no value', async () => {
    const audit = await call('GET', '/api/audit?limit=100');
    const entries = (audit.body.entries as { action: string; target: string }[]).filter(
      (e) => e.action === 'channel.credentials-set',
    );
    expect(entries).toHaveLength(PLATFORMS.length);
    for (const platform of PLATFORMS.filter((p) => p !== 'telegram')) {
      expect(audit.text).not.toContain(String(sandboxCredentials(platform)[WRONG[platform][0]]));
    }
  });
});

describe('channel health', () => {
  it('checks a channel on demand: failing with the network’s reason for credentials it refuses', async () => {
    const checked = await call('POST', `/api/channels/${ENV_CHANNEL}/check`);
    expect(checked.status).toBe(200);
    expect(checked.body.health).toMatchObject({ status: 'failing' });
    const listed = await call('GET', '/api/channels');
    const channel = (listed.body.channels as Record<string, unknown>[]).find(
      (c) => c.id === ENV_CHANNEL,
    );
    expect(channel?.status).toBe('active');
    expect(channel?.statusReason).toBe((checked.body.health as { reason: string }).reason);
  });

  it('the scheduled check finds every other channel healthy, and counts the failing one', async () => {
    const result = (await stack.invoke(
      'check-channels',
      scheduledEvent('check-channels', new Date()),
    )) as { checked: number; failing: number };
    // All were checked within the day (by the PUTs and the check above): none is due yet.
    expect(result).toEqual({ refreshed: 0, checked: 0, failing: 1 });
  });

  it("runs only the task its rule's event names: the token pass, or the health pass", async () => {
    expect(await stack.invoke('check-channels', { task: 'tokens' })).toEqual({ refreshed: 0 });
    expect(await stack.invoke('check-channels', { task: 'health' })).toEqual({
      checked: 0,
      failing: 1,
    });
  });

  it("tells the channel's site when the scheduled check finds it failing, once", async () => {
    // The failing channel's last check forgotten: it is due again.
    await stack.db.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: { PK: `CH#${ENV_CHANNEL}`, SK: 'STATE' },
        UpdateExpression: 'REMOVE health',
      }),
    );
    const run = () =>
      stack.invoke('check-channels', scheduledEvent('check-channels', new Date())) as Promise<{
        checked: number;
        failing: number;
      }>;
    expect(await run()).toEqual({ refreshed: 0, checked: 1, failing: 1 });
    const outbox = async () =>
      (await stack.items()).filter(
        (item) => item.PK === 'NOTIFY#default' && String(item.SK).startsWith('EVENT#'),
      );
    const events = await outbox();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'channel-failing', channelId: ENV_CHANNEL });
  });

  it('answers 404 for a channel that does not exist', async () => {
    expect((await call('POST', '/api/channels/nobody-here/check')).status).toBe(404);
  });
});

describe('the scheduled token pass', () => {
  it('renews a stored LinkedIn token inside its margin with the sandbox app, keeping its refresh token', async () => {
    const sandbox = stack.sandboxes?.byPlatform('linkedin');
    const app = sandbox?.app;
    if (!sandbox || !app) throw new Error('no LinkedIn sandbox app');
    app.addRedirectUri(CALLBACK);
    const back = await consent(app.authorizeUrl, {
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: CALLBACK,
      scope: 'openid profile w_member_social',
      state: 'pass',
    });
    const issued = await postForm(app.tokenUrl, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: CALLBACK,
      client_id: app.clientId,
      client_secret: app.clientSecret,
    });
    expect(issued.status).toBe(200);
    const id = channelOf('linkedin');
    const now = Date.now();
    // Obtained 59 days ago, ending in an hour: well inside a tenth of its life.
    const stored: Record<string, unknown> & { expiresAt: string } = {
      ...sandboxCredentials('linkedin'),
      accessToken: issued.body.access_token,
      refreshToken: issued.body.refresh_token,
      obtainedAt: new Date(now - 59 * 86_400_000).toISOString(),
      expiresAt: new Date(now + 3_600_000).toISOString(),
    };
    // Set as a connect sets them (the network is asked first), so every process sees them.
    const put = await call('PUT', `/api/channels/${id}/credentials`, stored);
    expect(put.status, put.text).toBe(204);
    const result = (await stack.invoke(
      'check-channels',
      scheduledEvent('check-channels', new Date()),
    )) as { refreshed: number };
    expect(result.refreshed).toBe(1);
    const after = JSON.parse(readFileSync(secretFile(id), 'utf8')) as Record<string, unknown>;
    expect(after.accessToken).not.toBe(stored.accessToken);
    expect(after.refreshToken).toBe(stored.refreshToken);
    expect(after.author).toBe(stored.author);
    expect(Date.parse(String(after.expiresAt))).toBeGreaterThan(Date.parse(stored.expiresAt));
    // Renewed: outside its margin now, so the next pass leaves it alone.
    const again = (await stack.invoke(
      'check-channels',
      scheduledEvent('check-channels', new Date()),
    )) as { refreshed: number };
    expect(again.refreshed).toBe(0);
  });
});
