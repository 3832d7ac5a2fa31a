/**
 * The token keeper against the sandboxes' authorization servers, with tokens that live
 * three seconds: a channel connected over OAuth keeps a live token across several
 * expiries (every API call answered, no expired token ever presented), two processes
 * refreshing at once spend one refresh, and a revoked grant is unrefreshable.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { startInstagramSandbox } from '../../../infra/local/sandbox/instagram';
import { AuthLedger } from '../../../infra/local/sandbox/kit/oauth';
import { startLinkedInSandbox } from '../../../infra/local/sandbox/linkedin';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import { startThreadsSandbox } from '../../../infra/local/sandbox/threads';
import type { RunningSandbox, SandboxApp } from '../../../infra/local/sandbox/types';
import { startXSandbox } from '../../../infra/local/sandbox/x';
import { FileChannelSecrets } from '../../../shared/config/channel-secrets';
import { ChannelCredentials } from '../../../shared/config/credentials';
import type { Platform } from '../../../shared/domain/platform';
import { systemClock } from '../../../shared/domain/ports';
import { refresherFor, type StoredCredentials } from '../../../shared/platforms/refresh';
import { TokenKeeper } from '../../../shared/usecases/token-keeper';
import { InMemoryChannelStateStore, InMemoryRefreshLeases } from '../../support/in-memory';
import { basic, CALLBACK, consent, pkcePair, postForm } from '../../support/oauth-flow';

const TOKEN_SECONDS = 3;
const ledger = new AuthLedger();
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'crier-token-keeper-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function start(
  factory: typeof startXSandbox,
): Promise<{ sandbox: RunningSandbox; app: SandboxApp }> {
  const sandbox = await factory({
    posts: new SandboxPosts(),
    faults: new FaultInjector(undefined, 1),
    log: createLogger({ quiet: true }),
    auth: { ledger, tokenSeconds: TOKEN_SECONDS },
  });
  if (!sandbox.app) throw new Error('the sandbox has no OAuth app');
  sandbox.app.addRedirectUri(CALLBACK);
  return { sandbox, app: sandbox.app };
}

/** A process of its own: its own credentials cache over the shared folder and lease table. */
function processes(app: SandboxApp, leases = new InMemoryRefreshLeases()) {
  const secrets = new FileChannelSecrets(folder);
  const channelState = new InMemoryChannelStateStore();
  const apps = {
    get: async () => ({
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      tokenUrl: app.tokenUrl,
    }),
  };
  const make = () => {
    const credentials = new ChannelCredentials({}, secrets);
    const keeper = new TokenKeeper({
      credentials,
      leases,
      refresherFor: (platform: Platform) => refresherFor(platform, { apps }),
      clock: systemClock,
      channelState,
      pollMs: 20,
    });
    return { credentials, keeper };
  };
  return { make, channelState, secrets };
}

const token = (value: unknown) => String((value as StoredCredentials).accessToken);

describe('X tokens kept alive by refresh', () => {
  let sandbox: RunningSandbox;
  let app: SandboxApp;
  const channel = { id: 'x-kept', platform: 'x' as const };

  beforeAll(async () => {
    ({ sandbox, app } = await start(startXSandbox));
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  async function connect(): Promise<StoredCredentials> {
    const pkce = pkcePair();
    const scope = 'tweet.read tweet.write users.read offline.access';
    const back = await consent(app.authorizeUrl, {
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: CALLBACK,
      scope,
      state: 'kept',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    const answer = await postForm(
      app.tokenUrl,
      {
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') ?? '',
        redirect_uri: CALLBACK,
        code_verifier: pkce.verifier,
        client_id: app.clientId,
      },
      basic(app.clientId, app.clientSecret),
    );
    expect(answer.status).toBe(200);
    const now = Date.now();
    return {
      accessToken: answer.body.access_token,
      refreshToken: answer.body.refresh_token,
      obtainedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + Number(answer.body.expires_in) * 1000).toISOString(),
      scopes: String(answer.body.scope).split(' '),
      apiBase: sandbox.url,
    };
  }

  const me = async (accessToken: string) =>
    (
      await fetch(`${sandbox.url}/2/users/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      })
    ).status;

  it('keeps a live token across several expiries, one refresh at a time, none presented expired', async () => {
    const world = processes(app);
    const a = world.make();
    const b = world.make();
    await a.credentials.put(channel.id, await connect());
    const before = ledger.snapshot().x ?? { refreshed: 0, expired: 0 };
    const seen = new Set<string>();
    // Four token lives; each "post" asks the keeper first, as the publisher does.
    const until = Date.now() + 4 * TOKEN_SECONDS * 1000;
    while (Date.now() < until) {
      // Two processes at once: they share one refresh and one answer.
      const [one, two] = await Promise.all([a.keeper.fresh(channel), b.keeper.fresh(channel)]);
      expect(token(one.credentials)).toBe(token(two.credentials));
      expect(await me(token(one.credentials))).toBe(200);
      seen.add(token(one.credentials));
      await sleep(250);
    }
    const after = ledger.snapshot().x;
    const refreshed = (after?.refreshed ?? 0) - before.refreshed;
    // At least one refresh per life, never two for one token (the refresh token rotates:
    // a second spend of it would have been refused and parked the channel).
    expect(refreshed).toBeGreaterThanOrEqual(3);
    expect(seen.size).toBe(refreshed + 1);
    expect(after?.expired ?? 0).toBe(before.expired);
    const stored = (await world.secrets.get(channel.id)) as StoredCredentials;
    expect(stored.scopes).toEqual(['tweet.read', 'tweet.write', 'users.read', 'offline.access']);
    expect((await world.channelState.get(channel.id)).health).toBeUndefined();
  });

  it('calls a revoked grant unrefreshable and marks the channel failing', async () => {
    const world = processes(app);
    const a = world.make();
    const tokens = await connect();
    await a.credentials.put(channel.id, tokens);
    const revoked = await postForm(
      `${sandbox.url}/2/oauth2/revoke`,
      {
        token: String(tokens.refreshToken),
        token_type_hint: 'refresh_token',
        client_id: app.clientId,
      },
      basic(app.clientId, app.clientSecret),
    );
    expect(revoked.status).toBe(200);
    const result = await a.keeper.fresh(channel, { force: true });
    expect(result.status).toBe('unrefreshable');
    const { health } = await world.channelState.get(channel.id);
    expect(health).toMatchObject({ status: 'failing' });
    expect(health?.reason).toMatch(/invalid_grant.*reconnect the channel/);
    expect(health?.reason).not.toContain(String(tokens.refreshToken));
  });
});

describe('Threads long-lived tokens kept alive by th_refresh_token', () => {
  let sandbox: RunningSandbox;
  let app: SandboxApp;
  const channel = { id: 'threads-kept', platform: 'threads' as const };

  beforeAll(async () => {
    ({ sandbox, app } = await start(startThreadsSandbox));
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  async function graphGet(path: string, params: Record<string, string>) {
    const url = new URL(`${sandbox.url}${path}`);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    const response = await fetch(url);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function connect(): Promise<StoredCredentials> {
    const scope = 'threads_basic,threads_content_publish';
    const back = await consent(app.authorizeUrl, {
      client_id: app.clientId,
      redirect_uri: CALLBACK,
      scope,
      response_type: 'code',
      state: 'kept',
    });
    const issued = await postForm(`${sandbox.url}/oauth/access_token`, {
      client_id: app.clientId,
      client_secret: app.clientSecret,
      grant_type: 'authorization_code',
      redirect_uri: CALLBACK,
      code: back.searchParams.get('code') ?? '',
    });
    expect(issued.status).toBe(200);
    const long = await graphGet('/access_token', {
      grant_type: 'th_exchange_token',
      client_secret: app.clientSecret,
      access_token: String(issued.body.access_token),
    });
    expect(long.status).toBe(200);
    const now = Date.now();
    return {
      accessToken: long.body.access_token,
      obtainedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + Number(long.body.expires_in) * 1000).toISOString(),
      apiBase: sandbox.url,
    };
  }

  it('renews a long-lived token with itself before it dies, across several lives', async () => {
    const world = processes(app);
    const a = world.make();
    await a.credentials.put(channel.id, await connect());
    const before = ledger.snapshot().threads ?? { refreshed: 0, expired: 0 };
    const until = Date.now() + 3 * TOKEN_SECONDS * 1000;
    while (Date.now() < until) {
      const kept = await a.keeper.fresh(channel);
      const me = await graphGet('/v1.0/me', {
        fields: 'id,username',
        access_token: token(kept.credentials),
      });
      expect(me.status).toBe(200);
      await sleep(250);
    }
    const after = ledger.snapshot().threads;
    expect((after?.refreshed ?? 0) - before.refreshed).toBeGreaterThanOrEqual(2);
    expect(after?.expired ?? 0).toBe(before.expired);
  });

  it('calls a token whose permissions were removed unrefreshable', async () => {
    const world = processes(app);
    const a = world.make();
    const tokens = await connect();
    await a.credentials.put(channel.id, tokens);
    const removed = await fetch(
      `${sandbox.url}/v1.0/me/permissions?access_token=${String(tokens.accessToken)}`,
      { method: 'DELETE' },
    );
    expect(removed.status).toBe(200);
    const result = await a.keeper.fresh(channel, { force: true });
    expect(result.status).toBe('unrefreshable');
    expect((await world.channelState.get(channel.id)).health?.status).toBe('failing');
  });
});

describe('LinkedIn tokens kept alive by refresh', () => {
  let sandbox: RunningSandbox;
  let app: SandboxApp;
  const channel = { id: 'linkedin-kept', platform: 'linkedin' as const };

  beforeAll(async () => {
    ({ sandbox, app } = await start(startLinkedInSandbox));
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('renews with its refresh token, which does not rotate, across several lives', async () => {
    const pkce = pkcePair();
    const back = await consent(app.authorizeUrl, {
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: CALLBACK,
      scope: 'openid profile w_member_social',
      state: 'kept',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    const answer = await postForm(app.tokenUrl, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: CALLBACK,
      client_id: app.clientId,
      client_secret: app.clientSecret,
      code_verifier: pkce.verifier,
    });
    expect(answer.status).toBe(200);
    const now = Date.now();
    const world = processes(app);
    const a = world.make();
    await a.credentials.put(channel.id, {
      accessToken: answer.body.access_token,
      refreshToken: answer.body.refresh_token,
      obtainedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + Number(answer.body.expires_in) * 1000).toISOString(),
      refreshExpiresAt: new Date(
        now + Number(answer.body.refresh_token_expires_in) * 1000,
      ).toISOString(),
      author: 'urn:li:person:kept',
      apiBase: sandbox.url,
    });
    const before = ledger.snapshot().linkedin ?? { refreshed: 0, expired: 0 };
    const until = Date.now() + 3 * TOKEN_SECONDS * 1000;
    while (Date.now() < until) {
      const kept = await a.keeper.fresh(channel);
      const me = await fetch(`${sandbox.url}/v2/userinfo`, {
        headers: { authorization: `Bearer ${token(kept.credentials)}` },
      });
      expect(me.status).toBe(200);
      await sleep(250);
    }
    const after = ledger.snapshot().linkedin;
    expect((after?.refreshed ?? 0) - before.refreshed).toBeGreaterThanOrEqual(2);
    expect(after?.expired ?? 0).toBe(before.expired);
    const stored = (await world.secrets.get(channel.id)) as StoredCredentials;
    expect(stored.refreshToken).toBe(answer.body.refresh_token);
    expect(stored.author).toBe('urn:li:person:kept');
  });
});

describe('Instagram long-lived tokens kept alive by ig_refresh_token', () => {
  let sandbox: RunningSandbox;
  let app: SandboxApp;
  const channel = { id: 'instagram-kept', platform: 'instagram' as const };

  beforeAll(async () => {
    ({ sandbox, app } = await start(startInstagramSandbox));
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  async function graphGet(path: string, params: Record<string, string>) {
    const url = new URL(`${sandbox.url}${path}`);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    const response = await fetch(url);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('renews a long-lived token with itself before it dies, across several lives', async () => {
    const back = await consent(app.authorizeUrl, {
      client_id: app.clientId,
      redirect_uri: CALLBACK,
      scope: 'instagram_business_basic,instagram_business_content_publish',
      response_type: 'code',
      state: 'kept',
    });
    const issued = await postForm(`${sandbox.url}/oauth/access_token`, {
      client_id: app.clientId,
      client_secret: app.clientSecret,
      grant_type: 'authorization_code',
      redirect_uri: CALLBACK,
      code: back.searchParams.get('code') ?? '',
    });
    expect(issued.status).toBe(200);
    const [first] = issued.body.data as { access_token: string }[];
    const long = await graphGet('/access_token', {
      grant_type: 'ig_exchange_token',
      client_secret: app.clientSecret,
      access_token: String(first?.access_token),
    });
    expect(long.status).toBe(200);
    const now = Date.now();
    const world = processes(app);
    const a = world.make();
    await a.credentials.put(channel.id, {
      accessToken: long.body.access_token,
      userId: '17841400000000001',
      obtainedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + Number(long.body.expires_in) * 1000).toISOString(),
      apiBase: sandbox.url,
    });
    const before = ledger.snapshot().instagram ?? { refreshed: 0, expired: 0 };
    const until = Date.now() + 3 * TOKEN_SECONDS * 1000;
    while (Date.now() < until) {
      const kept = await a.keeper.fresh(channel);
      const me = await graphGet('/v21.0/me', {
        fields: 'id,username',
        access_token: token(kept.credentials),
      });
      expect(me.status).toBe(200);
      await sleep(250);
    }
    const after = ledger.snapshot().instagram;
    expect((after?.refreshed ?? 0) - before.refreshed).toBeGreaterThanOrEqual(2);
    expect(after?.expired ?? 0).toBe(before.expired);
  });
});
