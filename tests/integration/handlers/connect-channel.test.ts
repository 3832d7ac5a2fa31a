/**
 * Connect through the HTTP gateway, on dynalite, against the sandboxes' authorization
 * servers: the admin asks for the consent URL, the sandbox's consent page is answered,
 * the callback exchanges the code and stores credentials the network then accepts; a
 * state used twice, an expired one or an unknown one gets an error page; a declined
 * consent lands back on the channels page with the reason; no answer carries a token.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECT_SCOPES } from '../../../shared/domain/oauth-connect';
import type { Platform } from '../../../shared/domain/platform';
import { FUNCTIONS } from '../../../shared/resources';
import { DynamoConnectStore } from '../../../shared/store/connect-store';
import { DEFAULT_CHANNELS } from '../../support/channels';
import { consentForm } from '../../support/oauth-flow';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
let admin: string;

const channelOf = (platform: Platform) => {
  const channel = DEFAULT_CHANNELS.find((c) => c.platform === platform);
  if (!channel) throw new Error(`No default ${platform} channel`);
  return channel.id;
};

beforeAll(async () => {
  stack = await startTestStack({
    functions: {
      'editor-api': FUNCTIONS['editor-api'],
      'oauth-callback': FUNCTIONS['oauth-callback'],
    },
    sandboxes: true,
  });
  admin = stack.secrets.editorToken.value;
}, 60_000);

afterAll(async () => {
  await stack?.dispose();
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(new URL(path, stack.url), {
    method,
    headers: {
      authorization: `Bearer ${admin}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
  };
}

/** The admin's browser on the consent page: allow or deny, and where the network sends it. */
async function consent(
  authorizeUrl: string,
  decision: 'allow' | 'deny' = 'allow',
  /** the consent page's second sign-in, who manages several Pages or organizations */
  account?: string,
): Promise<URL> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  expect(page.status, html).toBe(200);
  const { action, fields } = consentForm(html);
  fields.set('decision', decision);
  if (account) fields.set('account', account);
  const answer = await fetch(new URL(action, authorizeUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
    redirect: 'manual',
  });
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get('location') ?? '');
}

async function callback(url: URL) {
  const answer = await fetch(url, { redirect: 'manual' });
  return {
    status: answer.status,
    location: answer.headers.get('location'),
    text: await answer.text(),
  };
}

const stored = (channelId: string) =>
  JSON.parse(
    readFileSync(join(stack.dataDir, 'channel-secrets', `${channelId}.json`), 'utf8'),
  ) as Record<string, unknown>;

async function connect(platform: Platform, query = '', account?: string, id = channelOf(platform)) {
  const started = await call('GET', `/api/channels/${id}/connect${query}`);
  expect(started.status, started.text).toBe(200);
  const authorizeUrl = String(started.body.authorizeUrl);
  const params = new URL(authorizeUrl).searchParams;
  expect(params.get('code_challenge_method')).toBe('S256');
  expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
  expect(params.get('redirect_uri')).toBe(`${stack.url}/oauth/callback/${platform}`);
  const back = await consent(authorizeUrl, 'allow', account);
  expect(`${back.origin}${back.pathname}`).toBe(`${stack.url}/oauth/callback/${platform}`);
  return { id, back };
}

describe('GET /api/channels/{id}/connect and the callback', () => {
  it('x: connects with an OAuth 2.0 user token that X then accepts', async () => {
    const { id, back } = await connect('x');
    const landed = await callback(back);
    expect(landed.status, landed.text).toBe(302);
    expect(landed.location).toBe(`${stack.url}/#/channels?connected=${id}`);

    const credentials = stored(id);
    expect(credentials).toMatchObject({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresAt: expect.any(String),
      obtainedAt: expect.any(String),
      scopes: expect.arrayContaining([...CONNECT_SCOPES.x]),
      apiBase: stack.sandboxes?.byPlatform('x')?.url,
    });
    expect(credentials).not.toHaveProperty('accessSecret');
    expect(Date.parse(String(credentials.expiresAt))).toBeGreaterThan(Date.now());

    const check = await call('POST', `/api/channels/${id}/check`);
    expect(check.body).toMatchObject({ health: { status: 'ok' } });
    const audit = await call('GET', '/api/audit');
    const entry = (audit.body.entries as Record<string, unknown>[]).find(
      (e) => e.action === 'channel.connected',
    );
    expect(entry).toMatchObject({ target: `channel:${id}`, after: { account: '@newsroom' } });
    expect(audit.text).not.toContain(String(credentials.accessToken));
    expect(audit.text).not.toContain(String(credentials.refreshToken));

    // The same consent's return, again: the state was spent.
    const again = await callback(back);
    expect(again.status).toBe(400);
    expect(again.location).toBeNull();
    expect(again.text).toContain('already used');
  });

  it('mastodon: registers Crier on the instance once, then connects with a token it accepts', async () => {
    const instance = stack.sandboxes?.byPlatform('mastodon')?.url ?? '';
    const query = `?instance=${encodeURIComponent(instance)}`;
    const { id, back } = await connect('mastodon', query);
    expect((await callback(back)).location).toBe(`${stack.url}/#/channels?connected=${id}`);
    expect(stored(id)).toMatchObject({
      url: instance,
      accessToken: expect.any(String),
      obtainedAt: expect.any(String),
      scopes: ['read', 'write'],
    });
    expect((await call('POST', `/api/channels/${id}/check`)).body).toMatchObject({
      health: { status: 'ok' },
    });

    const second = await connect('mastodon', query);
    expect((await callback(second.back)).location).toContain('connected=');
    const apps = (await stack.items()).filter((item) =>
      String(item.PK).startsWith('MASTODON-APP#'),
    );
    expect(apps).toHaveLength(1);
    const started = await call('GET', `/api/channels/${id}/connect${query}`);
    expect(started.text).not.toContain(String(apps[0]?.clientSecret));
  });

  it.each(['threads', 'instagram'] as const)(
    '%s: connects with a long-lived token and its user id, which the network then accepts',
    async (platform) => {
      const { id, back } = await connect(platform);
      const landed = await callback(back);
      expect(landed.location, landed.text).toBe(`${stack.url}/#/channels?connected=${id}`);
      const credentials = stored(id);
      expect(credentials).toMatchObject({
        accessToken: expect.any(String),
        userId: expect.any(String),
        expiresAt: expect.any(String),
        obtainedAt: expect.any(String),
        apiBase: stack.sandboxes?.byPlatform(platform)?.url,
      });
      // Long-lived: about 60 days, not the code's hour.
      expect(Date.parse(String(credentials.expiresAt)) - Date.now()).toBeGreaterThan(86_400_000);
      expect((await call('POST', `/api/channels/${id}/check`)).body).toMatchObject({
        health: { status: 'ok' },
      });
    },
  );

  it('facebook: connects the Page with its Page token, which then posts', async () => {
    const { id, back } = await connect('facebook');
    const landed = await callback(back);
    expect(landed.location, landed.text).toBe(`${stack.url}/#/channels?connected=${id}`);
    const sandbox = stack.sandboxes?.byPlatform('facebook');
    const credentials = stored(id);
    expect(credentials).toMatchObject({
      pageId: (sandbox?.credentials as { pageId?: string } | undefined)?.pageId,
      pageAccessToken: expect.any(String),
      apiVersion: expect.stringMatching(/^v\d+\.\d+$/),
      obtainedAt: expect.any(String),
    });
    expect((await call('POST', `/api/channels/${id}/check`)).body).toMatchObject({
      health: { status: 'ok' },
    });
  });

  it('linkedin: connects the Page the member administers, with a token LinkedIn then accepts', async () => {
    const { id, back } = await connect('linkedin');
    const landed = await callback(back);
    expect(landed.location, landed.text).toBe(`${stack.url}/#/channels?connected=${id}`);
    const credentials = stored(id);
    expect(credentials).toMatchObject({
      accessToken: expect.any(String),
      author: (stack.sandboxes?.byPlatform('linkedin')?.credentials as { author?: string })?.author,
      expiresAt: expect.any(String),
      obtainedAt: expect.any(String),
    });
    expect((await call('POST', `/api/channels/${id}/check`)).body).toMatchObject({
      health: { status: 'ok' },
    });
  });

  it('mastodon: asks for the instance', async () => {
    const answer = await call('GET', `/api/channels/${channelOf('mastodon')}/connect`);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('instance');
  });

  it('mastodon: refuses an instance at a private, link-local or loopback address with 400, storing nothing, and so does PUT credentials', async () => {
    // An internal service on loopback that is not the sandbox: it must never be called.
    let reached = 0;
    const internal = createServer((_req, res) => {
      reached += 1;
      res.end('{"client_id":"x","client_secret":"y"}');
    });
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    const { port } = internal.address() as AddressInfo;
    try {
      const before = (await stack.items()).length;
      for (const instance of [
        '169.254.169.254',
        'https://10.20.30.40',
        'https://[::ffff:a9fe:a9fe]',
        `localhost:${port}`,
        `http://localhost:${port}`,
        `http://127.0.0.1:${port}`,
      ]) {
        const answer = await call(
          'GET',
          `/api/channels/${channelOf('mastodon')}/connect?instance=${encodeURIComponent(instance)}`,
        );
        expect(answer.status, instance).toBe(400);
        expect(answer.text, instance).toContain('instance');
        expect(answer.text, instance).toMatch(/not a public address/);
      }
      // Credentials typed by hand are checked the same way before anything is stored.
      for (const url of ['http://169.254.169.254', `http://localhost:${port}`]) {
        const put = await fetch(
          new URL(`/api/channels/${channelOf('mastodon')}/credentials`, stack.url),
          {
            method: 'PUT',
            headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
            body: JSON.stringify({ url, accessToken: 'a-token-typed-by-hand' }),
          },
        );
        const text = await put.text();
        expect(put.status, url).toBe(400);
        expect(text, url).toMatch(/not a public address/);
        expect(text, url).not.toContain('a-token-typed-by-hand');
      }
      expect(reached).toBe(0);
      // No registered app, no state, no credentials: the table is as it was.
      expect((await stack.items()).length).toBe(before);
    } finally {
      await new Promise((resolve) => internal.close(resolve));
    }
  });

  it('bluesky and telegram: refused with 400, pointing at PUT credentials', async () => {
    for (const platform of ['bluesky', 'telegram'] as const) {
      const answer = await call('GET', `/api/channels/${channelOf(platform)}/connect`);
      expect(answer.status).toBe(400);
      expect(answer.text).toContain('/credentials');
    }
  });

  it('a declined consent lands back on the channels page with the reason, storing nothing', async () => {
    const id = channelOf('x');
    const before = readFileSync(join(stack.dataDir, 'channel-secrets', `${id}.json`), 'utf8');
    const started = await call('GET', `/api/channels/${id}/connect`);
    const back = await consent(String(started.body.authorizeUrl), 'deny');
    const landed = await callback(back);
    expect(landed.status).toBe(302);
    const location = new URL(String(landed.location).replace('#/channels', 'channels'));
    expect(location.searchParams.get('connectError')).toMatch(/declined/);
    expect(location.searchParams.get('channel')).toBe(id);
    expect(readFileSync(join(stack.dataDir, 'channel-secrets', `${id}.json`), 'utf8')).toBe(before);
  });

  it('refuses an unknown state and an expired one with an error page', async () => {
    const unknown = await callback(new URL(`${stack.url}/oauth/callback/x?code=c&state=made-up`));
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('unknown or was already used');

    const store = new DynamoConnectStore(stack.db, stack.tableName);
    await store.put({
      state: 'expired-state',
      channelId: channelOf('x'),
      platform: 'x',
      who: 'admin',
      verifier: 'v'.repeat(64),
      createdAt: new Date(Date.now() - 11 * 60_000).toISOString(),
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const expired = await callback(
      new URL(`${stack.url}/oauth/callback/x?code=c&state=expired-state`),
    );
    expect(expired.status).toBe(400);
    expect(expired.text).toContain('expired');
  });
});

describe('the pick step: a consent that reaches several accounts', () => {
  /** A new channel on the network: nothing stored yet, so nothing is picked by itself. */
  async function freshChannel(platform: Platform): Promise<string> {
    const template = DEFAULT_CHANNELS.find((c) => c.platform === platform);
    const id = `${platform}-pick`;
    const created = await call('POST', '/api/channels', { ...template, id });
    expect(created.status, created.text).toBe(201);
    return id;
  }

  const choiceOf = (location: string | null, id: string) => {
    const match = new RegExp(`^${stack.url}/#/channels/${id}/connect/([\\w-]+)$`).exec(
      location ?? '',
    );
    if (!match?.[1]) throw new Error(`not the pick page: ${location}`);
    return match[1];
  };

  it('facebook: lists the three Pages by name, connects the one picked, and spends the choice', async () => {
    const { id, back } = await connect('facebook', '', 'several', await freshChannel('facebook'));
    const landed = await callback(back);
    expect(landed.status, landed.text).toBe(302);
    const choice = choiceOf(landed.location, id);

    const listed = await call('GET', `/api/channels/${id}/connect/choices/${choice}`);
    expect(listed.status, listed.text).toBe(200);
    const candidates = (listed.body.choice as { candidates: { id: string; name: string }[] })
      .candidates;
    expect(candidates.map((c) => c.name)).toEqual([
      'Newsroom',
      'Newsroom Sports',
      'Newsroom Culture',
    ]);
    expect(Object.keys(candidates[0] ?? {}).sort()).toEqual(['id', 'name']);
    expect(listed.text).not.toMatch(/EAAG|token/i);
    // The table holds ids and names only; the tokens wait beside the channel's secret.
    const items = JSON.stringify(await stack.items());
    expect(items).not.toMatch(/EAAG/);
    const waiting = readFileSync(
      join(stack.dataDir, 'channel-secrets', 'pending', `${id}.json`),
      'utf8',
    );
    expect(waiting).toContain('EAAG');

    const sports = candidates[1]?.id ?? '';
    const picked = await call('POST', `/api/channels/${id}/connect/choose`, {
      choice,
      candidate: sports,
    });
    expect(picked.status, picked.text).toBe(204);
    expect(stored(id)).toMatchObject({ pageId: sports, pageAccessToken: expect.any(String) });
    expect(
      readFileSync(join(stack.dataDir, 'channel-secrets', 'pending', `${id}.json`), 'utf8'),
    ).toBe('{}');
    expect((await call('POST', `/api/channels/${id}/check`)).body).toMatchObject({
      health: { status: 'ok' },
    });
    const audit = await call('GET', '/api/audit');
    const entry = (audit.body.entries as Record<string, unknown>[]).find(
      (e) => e.action === 'channel.connected' && e.target === `channel:${id}`,
    );
    expect(entry).toMatchObject({ after: { account: 'Newsroom Sports' } });

    const again = await call('POST', `/api/channels/${id}/connect/choose`, {
      choice,
      candidate: sports,
    });
    expect(again.status).toBe(409);
    expect(again.text).toContain('already used');
    expect((await call('GET', `/api/channels/${id}/connect/choices/${choice}`)).status).toBe(409);

    // Connecting again: the stored credentials name a Page among those reached, so no question.
    const reconnect = await connect('facebook', '', 'several', id);
    const direct = await callback(reconnect.back);
    expect(direct.location).toBe(`${stack.url}/#/channels?connected=${id}`);
    expect(stored(id)).toMatchObject({ pageId: sports });
  });

  it('linkedin: lists each organization by name and the member, and connects the one picked', async () => {
    const { id, back } = await connect('linkedin', '', 'several', await freshChannel('linkedin'));
    const choice = choiceOf((await callback(back)).location, id);
    const listed = await call('GET', `/api/channels/${id}/connect/choices/${choice}`);
    const candidates = (listed.body.choice as { candidates: { id: string; name: string }[] })
      .candidates;
    expect(candidates.map((c) => c.name)).toEqual([
      'Newsroom',
      'Newsroom Sports',
      'Newsroom Culture',
      'Sam Editor (member)',
    ]);
    expect(candidates[3]?.id).toMatch(/^urn:li:person:/);
    const author = (stack.sandboxes?.byPlatform('linkedin')?.credentials ?? {}) as {
      author?: string;
    };
    expect(candidates[0]?.id).toBe(author.author);
    const picked = await call('POST', `/api/channels/${id}/connect/choose`, {
      choice,
      candidate: author.author,
    });
    expect(picked.status, picked.text).toBe(204);
    expect(stored(id)).toMatchObject({ author: author.author, refreshToken: expect.any(String) });
  });

  it('refuses a malformed body, an unknown, other channel’s, other admin’s or expired choice, and a stranger candidate', async () => {
    const id = channelOf('facebook');
    const store = new DynamoConnectStore(stack.db, stack.tableName);
    const base = {
      channelId: id,
      platform: 'facebook' as const,
      candidates: [{ id: '1', name: 'A Page' }],
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    };
    await store.putChoice({ ...base, id: 'someone-elses-choice-0001', who: 'someone-else' });
    await store.putChoice({
      ...base,
      id: 'expired-choice-000000001',
      who: await whoAmI(),
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    await store.putChoice({ ...base, id: 'stranger-choice-00000001', who: await whoAmI() });
    const choose = (body: unknown, channel = id) =>
      call('POST', `/api/channels/${channel}/connect/choose`, body);

    const malformed = await choose({ candidate: '1' });
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('choice');
    const unknown = await choose({ choice: 'no-such-choice-00000001', candidate: '1' });
    expect(unknown.status).toBe(404);
    const otherChannel = await choose(
      { choice: 'stranger-choice-00000001', candidate: '1' },
      channelOf('x'),
    );
    expect(otherChannel.status).toBe(404);
    const otherAdmin = await choose({ choice: 'someone-elses-choice-0001', candidate: '1' });
    expect(otherAdmin.status).toBe(404);
    expect(otherAdmin.text).toContain('admin who started');
    const expired = await choose({ choice: 'expired-choice-000000001', candidate: '1' });
    expect(expired.status).toBe(409);
    expect(expired.text).toContain('expired');
    const stranger = await choose({ choice: 'stranger-choice-00000001', candidate: '2' });
    expect(stranger.status).toBe(400);
    expect(stranger.text).toContain('candidate');
    // No tokens were kept for that one: refused, and nothing stored.
    const file = join(stack.dataDir, 'channel-secrets', `${id}.json`);
    const before = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    const orphan = await choose({ choice: 'stranger-choice-00000001', candidate: '1' });
    expect(orphan.status).toBe(409);
    expect(orphan.text).toContain('newer Connect');
    expect(existsSync(file) ? readFileSync(file, 'utf8') : undefined).toBe(before);
  });

  it('instagram with Facebook login: the Facebook dialog, then the Page’s Instagram account with its Page token', async () => {
    const id = channelOf('instagram');
    const started = await call('GET', `/api/channels/${id}/connect?via=facebook`);
    expect(started.status, started.text).toBe(200);
    const authorizeUrl = new URL(String(started.body.authorizeUrl));
    const facebook = stack.sandboxes?.byPlatform('facebook');
    expect(authorizeUrl.origin).toBe(new URL(facebook?.url ?? '').origin);
    expect(authorizeUrl.searchParams.get('scope')).toContain('instagram_content_publish');
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(
      `${stack.url}/oauth/callback/instagram`,
    );
    const back = await consent(authorizeUrl.toString());
    const landed = await callback(back);
    expect(landed.location, landed.text).toBe(`${stack.url}/#/channels?connected=${id}`);
    const credentials = stored(id);
    expect(credentials).toMatchObject({
      accessToken: expect.stringMatching(/^EAAG/),
      userId: (stack.sandboxes?.byPlatform('instagram')?.credentials as { userId?: string })
        ?.userId,
      login: 'facebook',
      apiBase: stack.sandboxes?.byPlatform('instagram')?.url,
    });
    // A Page token does not expire: nothing for the token keeper to renew.
    expect(credentials).not.toHaveProperty('expiresAt');
    expect((await call('POST', `/api/channels/${id}/check`)).body).toMatchObject({
      health: { status: 'ok' },
    });

    const wrong = await call('GET', `/api/channels/${channelOf('x')}/connect?via=facebook`);
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('via');
  });
});

/** Who the API says the test's admin is (what a choice records). */
async function whoAmI(): Promise<string> {
  const me = await call('GET', '/api/me');
  return String((me.body as { editor?: { name?: string } }).editor?.name ?? '');
}
