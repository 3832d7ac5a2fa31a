/**
 * The token keeper against the sandboxes' authorization servers, with tokens that live
 * three seconds: a channel connected over OAuth keeps a live token across several
 * expiries (every API call answered, no expired token ever presented), two processes
 * refreshing at once spend one refresh, and a revoked grant is unrefreshable.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstagramSandbox } from '../../../infra/local/sandbox/instagram';
import { AuthLedger } from '../../../infra/local/sandbox/kit/oauth';
import { startLinkedInSandbox } from '../../../infra/local/sandbox/linkedin';
import { startThreadsSandbox } from '../../../infra/local/sandbox/threads';
import type {
  RunningSandbox,
  SandboxApp,
  SandboxContext,
} from '../../../infra/local/sandbox/types';
import { startXSandbox } from '../../../infra/local/sandbox/x';
import { FileChannelSecrets } from '../../../shared/config/channel-secrets';
import { ChannelCredentials } from '../../../shared/config/credentials';
import type { Platform } from '../../../shared/domain/platform';
import { systemClock } from '../../../shared/domain/ports';
import { refresherFor, type StoredCredentials } from '../../../shared/platforms/refresh';
import { TokenKeeper } from '../../../shared/usecases/token-keeper';
import { InMemoryChannelStateStore, InMemoryRefreshLeases } from '../../support/in-memory';
import {
  appOf,
  connectThreads,
  graphGet,
  keptOverLives,
  metaShortLivedToken,
  secretsFolderForFile,
  startShortLived,
  TOKEN_SECONDS,
} from '../../support/kept-tokens';
import { basic, CALLBACK, consent, pkcePair, postForm } from '../../support/oauth-flow';

const ledger = new AuthLedger();
const folder = secretsFolderForFile('crier-token-keeper-');

/** The network's sandbox for the tests of one describe, with tokens short-lived: read it inside a test. */
function sandboxForSuite(factory: (context: SandboxContext) => Promise<RunningSandbox>) {
  let sandbox: RunningSandbox | undefined;
  beforeAll(async () => {
    sandbox = await startShortLived(factory, ledger);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  const running = () => {
    if (!sandbox) throw new Error('the sandbox runs only inside a test');
    return sandbox;
  };
  return {
    get sandbox() {
      return running();
    },
    get app() {
      return appOf(running());
    },
  };
}

/** A process of its own: its own credentials cache over the shared folder and lease table. */
function processes(app: SandboxApp, leases = new InMemoryRefreshLeases()) {
  const secrets = new FileChannelSecrets(folder());
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
  const channel = { id: 'x-kept', platform: 'x' as const };
  const net = sandboxForSuite(startXSandbox);

  async function connect(): Promise<StoredCredentials> {
    const pkce = pkcePair();
    const scope = 'tweet.read tweet.write users.read offline.access';
    const back = await consent(net.app.authorizeUrl, {
      response_type: 'code',
      client_id: net.app.clientId,
      redirect_uri: CALLBACK,
      scope,
      state: 'kept',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    const answer = await postForm(
      net.app.tokenUrl,
      {
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') ?? '',
        redirect_uri: CALLBACK,
        code_verifier: pkce.verifier,
        client_id: net.app.clientId,
      },
      basic(net.app.clientId, net.app.clientSecret),
    );
    expect(answer.status).toBe(200);
    const now = Date.now();
    return {
      accessToken: answer.body.access_token,
      refreshToken: answer.body.refresh_token,
      obtainedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + Number(answer.body.expires_in) * 1000).toISOString(),
      scopes: String(answer.body.scope).split(' '),
      apiBase: net.sandbox.url,
    };
  }

  const me = async (accessToken: string) =>
    (
      await fetch(`${net.sandbox.url}/2/users/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      })
    ).status;

  it('keeps a live token across several expiries, one refresh at a time, none presented expired', async () => {
    const world = processes(net.app);
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
    const world = processes(net.app);
    const a = world.make();
    const tokens = await connect();
    await a.credentials.put(channel.id, tokens);
    const revoked = await postForm(
      `${net.sandbox.url}/2/oauth2/revoke`,
      {
        token: String(tokens.refreshToken),
        token_type_hint: 'refresh_token',
        client_id: net.app.clientId,
      },
      basic(net.app.clientId, net.app.clientSecret),
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
  const channel = { id: 'threads-kept', platform: 'threads' as const };
  const net = sandboxForSuite(startThreadsSandbox);

  it('renews a long-lived token with itself before it dies, across several lives', async () => {
    const world = processes(net.app);
    const a = world.make();
    await a.credentials.put(channel.id, await connectThreads(net.sandbox));
    const counted = await keptOverLives(
      ledger,
      'threads',
      3,
      async () => token((await a.keeper.fresh(channel)).credentials),
      async (accessToken) => {
        const me = await graphGet(net.sandbox, '/v1.0/me', {
          fields: 'id,username',
          access_token: accessToken,
        });
        expect(me.status).toBe(200);
      },
    );
    expect(counted.refreshed).toBeGreaterThanOrEqual(2);
    expect(counted.expired).toBe(0);
  });

  it('calls a token whose permissions were removed unrefreshable', async () => {
    const world = processes(net.app);
    const a = world.make();
    const tokens = await connectThreads(net.sandbox);
    await a.credentials.put(channel.id, tokens);
    const removed = await fetch(
      `${net.sandbox.url}/v1.0/me/permissions?access_token=${String(tokens.accessToken)}`,
      { method: 'DELETE' },
    );
    expect(removed.status).toBe(200);
    const result = await a.keeper.fresh(channel, { force: true });
    expect(result.status).toBe('unrefreshable');
    expect((await world.channelState.get(channel.id)).health?.status).toBe('failing');
  });
});

describe('LinkedIn tokens kept alive by refresh', () => {
  const channel = { id: 'linkedin-kept', platform: 'linkedin' as const };
  const net = sandboxForSuite(startLinkedInSandbox);

  it('renews with its refresh token, which does not rotate, across several lives', async () => {
    const pkce = pkcePair();
    const back = await consent(net.app.authorizeUrl, {
      response_type: 'code',
      client_id: net.app.clientId,
      redirect_uri: CALLBACK,
      scope: 'openid profile w_member_social',
      state: 'kept',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    const answer = await postForm(net.app.tokenUrl, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: CALLBACK,
      client_id: net.app.clientId,
      client_secret: net.app.clientSecret,
      code_verifier: pkce.verifier,
    });
    expect(answer.status).toBe(200);
    const now = Date.now();
    const world = processes(net.app);
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
      apiBase: net.sandbox.url,
    });
    const counted = await keptOverLives(
      ledger,
      'linkedin',
      3,
      async () => token((await a.keeper.fresh(channel)).credentials),
      async (accessToken) => {
        const me = await fetch(`${net.sandbox.url}/v2/userinfo`, {
          headers: { authorization: `Bearer ${accessToken}` },
        });
        expect(me.status).toBe(200);
      },
    );
    expect(counted.refreshed).toBeGreaterThanOrEqual(2);
    expect(counted.expired).toBe(0);
    const stored = (await world.secrets.get(channel.id)) as StoredCredentials;
    expect(stored.refreshToken).toBe(answer.body.refresh_token);
    expect(stored.author).toBe('urn:li:person:kept');
  });
});

describe('Instagram long-lived tokens kept alive by ig_refresh_token', () => {
  const channel = { id: 'instagram-kept', platform: 'instagram' as const };
  const net = sandboxForSuite(startInstagramSandbox);

  it('renews a long-lived token with itself before it dies, across several lives', async () => {
    const issued = await metaShortLivedToken(
      net.sandbox,
      'instagram_business_basic,instagram_business_content_publish',
    );
    const [first] = issued.data as { access_token: string }[];
    const long = await graphGet(net.sandbox, '/access_token', {
      grant_type: 'ig_exchange_token',
      client_secret: net.app.clientSecret,
      access_token: String(first?.access_token),
    });
    expect(long.status).toBe(200);
    const now = Date.now();
    const world = processes(net.app);
    const a = world.make();
    await a.credentials.put(channel.id, {
      accessToken: long.body.access_token,
      userId: '17841400000000001',
      obtainedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + Number(long.body.expires_in) * 1000).toISOString(),
      apiBase: net.sandbox.url,
    });
    const counted = await keptOverLives(
      ledger,
      'instagram',
      3,
      async () => token((await a.keeper.fresh(channel)).credentials),
      async (accessToken) => {
        const me = await graphGet(net.sandbox, '/v21.0/me', {
          fields: 'id,username',
          access_token: accessToken,
        });
        expect(me.status).toBe(200);
      },
    );
    expect(counted.refreshed).toBeGreaterThanOrEqual(2);
    expect(counted.expired).toBe(0);
  });
});
