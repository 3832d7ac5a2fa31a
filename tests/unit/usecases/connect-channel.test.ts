/**
 * Connect over in-memory ports: PKCE S256 and the state's randomness, the consent URL's
 * parameters, a state that works once and only within its ten minutes, a network with no
 * app or no consent refused naming what to do, and X's code exchanged with the verifier
 * and Basic client auth into credentials stored with their lifetimes.
 */
import { webcrypto } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { ChannelCredentials } from '../../../shared/config/credentials';
import { ValidationError } from '../../../shared/domain/errors';
import {
  CONNECT_SCOPES,
  type ConnectState,
  STATE_TTL_MS,
} from '../../../shared/domain/oauth-connect';
import { challengeOf, newState, pkcePair } from '../../../shared/domain/pkce';
import type { ChannelSecrets } from '../../../shared/domain/ports';
import type { Verification } from '../../../shared/platforms/verify';
import {
  type ConnectDeps,
  type ConnectStore,
  finishConnect,
  startConnect,
} from '../../../shared/usecases/connect-channel';
import { inMemoryWorld } from '../../support/in-memory';

class MapSecrets implements ChannelSecrets {
  readonly values = new Map<string, unknown>();
  async get(channelId: string) {
    return this.values.get(channelId);
  }
  async put(channelId: string, value: unknown) {
    this.values.set(channelId, structuredClone(value));
  }
}

class MapConnectStore implements ConnectStore {
  readonly states = new Map<string, ConnectState>();
  async put(state: ConnectState) {
    this.states.set(state.state, state);
  }
  async take(state: string) {
    const found = this.states.get(state);
    this.states.delete(state);
    return found;
  }
  async mastodonApp() {
    return undefined;
  }
  async saveMastodonApp() {}
}

const APP = {
  clientId: 'crier-client',
  clientSecret: 'crier-client-secret',
  authorizeUrl: 'https://x.example/i/oauth2/authorize',
  tokenUrl: 'https://api.x.example/2/oauth2/token',
};

let world: ReturnType<typeof inMemoryWorld>;
let secrets: MapSecrets;
let store: MapConnectStore;
let deps: ConnectDeps;
let tokenRequests: { headers: Headers; form: URLSearchParams }[];

const verify = async (_platform: string, credentials: unknown): Promise<Verification> =>
  (credentials as { accessToken?: string }).accessToken === 'user-access-token'
    ? { ok: true, account: '@newsroom', credentials }
    : { ok: false, kind: 'refused', reason: 'X answered 401: Unauthorized' };

beforeEach(async () => {
  world = inMemoryWorld('2026-03-01T12:00:00Z');
  secrets = new MapSecrets();
  store = new MapConnectStore();
  tokenRequests = [];
  const fakeFetch = (async (_url: string, init: RequestInit) => {
    tokenRequests.push({
      headers: new Headers(init.headers),
      form: new URLSearchParams(String(init.body)),
    });
    return new Response(
      JSON.stringify({
        token_type: 'bearer',
        access_token: 'user-access-token',
        refresh_token: 'user-refresh-token',
        expires_in: 7200,
        scope: CONNECT_SCOPES.x.join(' '),
      }),
      { status: 200, headers: { 'content-type': 'application/json' } },
    );
  }) as typeof fetch;
  deps = {
    health: {
      directory: world.directory,
      credentials: new ChannelCredentials({}, secrets),
      verify,
      channelState: world.channelState,
      clock: world.clock,
    },
    apps: { get: async (platform) => (platform === 'x' ? APP : undefined) },
    store,
    apiUrl: 'https://api.crier.example/',
    editorUrl: 'https://editor.crier.example',
    fetch: fakeFetch,
    appSetting: (platform) => `CRIER_APP_${platform.toUpperCase()}`,
  };
  await world.directory.putSite({ id: 'default', name: 'Default' } as never, { who: 'test' });
  for (const [id, platform] of [
    ['news-x', 'x'],
    ['news-li', 'linkedin'],
    ['news-bsky', 'bluesky'],
  ] as const) {
    await world.directory.putChannel(
      { id, platform, account: 'newsroom', siteId: 'default', template: '{title} {url}' } as never,
      { who: 'test' },
    );
    // An audit entry's key holds its instant: one per millisecond.
    world.clock.advance(1000);
  }
});

describe('PKCE and state', () => {
  it('makes an S256 challenge of a 64-character verifier, fresh each time', async () => {
    const { verifier, challenge } = pkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const digest = await webcrypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
    expect(challenge).toBe(Buffer.from(digest).toString('base64url'));
    expect(challengeOf(verifier)).toBe(challenge);
    expect(pkcePair().verifier).not.toBe(verifier);
    expect(newState()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newState()).not.toBe(newState());
  });
});

describe('startConnect', () => {
  it('answers the consent URL and keeps the state bound to the channel, admin and verifier', async () => {
    const { authorizeUrl } = await startConnect(deps, 'news-x', 'Ada');
    const url = new URL(authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe(APP.authorizeUrl);
    const state = url.searchParams.get('state') ?? '';
    const kept = store.states.get(state);
    expect(kept).toMatchObject({ channelId: 'news-x', platform: 'x', who: 'Ada' });
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: APP.clientId,
      redirect_uri: 'https://api.crier.example/oauth/callback/x',
      scope: 'tweet.read tweet.write users.read offline.access media.write',
      state,
      code_challenge: challengeOf(kept?.verifier ?? ''),
      code_challenge_method: 'S256',
    });
    expect(Date.parse(kept?.expiresAt ?? '') - Date.parse(kept?.createdAt ?? '')).toBe(
      STATE_TTL_MS,
    );
    expect(authorizeUrl).not.toContain(APP.clientSecret);
  });

  it('refuses a network with no app, naming its setting, and Bluesky, pointing at PUT credentials', async () => {
    const noApp = startConnect(deps, 'news-li', 'Ada');
    await expect(noApp).rejects.toThrow(ValidationError);
    await expect(startConnect(deps, 'news-li', 'Ada')).rejects.toThrow(/CRIER_APP_LINKEDIN/);
    await expect(startConnect(deps, 'news-bsky', 'Ada')).rejects.toThrow(/\/credentials/);
    expect(store.states.size).toBe(0);
  });
});

describe('finishConnect', () => {
  async function started() {
    const { authorizeUrl } = await startConnect(deps, 'news-x', 'Ada');
    return new URL(authorizeUrl).searchParams.get('state') ?? '';
  }

  it('exchanges the code with the verifier and Basic auth, stores the token with its lifetimes', async () => {
    const state = await started();
    const verifier = store.states.get(state)?.verifier;
    const outcome = await finishConnect(deps, 'x', { state, code: 'the-code' });
    expect(outcome).toEqual({
      kind: 'redirect',
      location: 'https://editor.crier.example/#/channels?connected=news-x',
      channelId: 'news-x',
      outcome: 'connected',
    });
    const [request] = tokenRequests;
    expect(request?.headers.get('authorization')).toBe(
      `Basic ${Buffer.from('crier-client:crier-client-secret').toString('base64')}`,
    );
    expect(Object.fromEntries(request?.form ?? [])).toMatchObject({
      grant_type: 'authorization_code',
      code: 'the-code',
      code_verifier: verifier,
      redirect_uri: 'https://api.crier.example/oauth/callback/x',
    });
    const now = world.clock.now().getTime();
    expect(secrets.values.get('news-x')).toEqual({
      accessToken: 'user-access-token',
      refreshToken: 'user-refresh-token',
      expiresAt: new Date(now + 7_200_000).toISOString(),
      obtainedAt: new Date(now).toISOString(),
      scopes: [...CONNECT_SCOPES.x],
    });
    const audit = await world.directory.listAudit({ limit: 10 });
    const entry = audit.entries.find((e) => e.action === 'channel.connected');
    expect(entry).toMatchObject({ who: 'Ada', target: 'channel:news-x' });
    expect(JSON.stringify(audit)).not.toContain('user-access-token');
  });

  it('takes a state once: the second return is refused with a page', async () => {
    const state = await started();
    await finishConnect(deps, 'x', { state, code: 'the-code' });
    const again = await finishConnect(deps, 'x', { state, code: 'the-code' });
    expect(again).toMatchObject({ kind: 'page', status: 400 });
    expect(tokenRequests).toHaveLength(1);
  });

  it('refuses a state past its ten minutes, and one made for another network', async () => {
    const late = await started();
    world.clock.advance(STATE_TTL_MS + 1);
    const expired = await finishConnect(deps, 'x', { state: late, code: 'c' });
    expect(expired).toMatchObject({ kind: 'page', message: expect.stringContaining('expired') });
    const other = await started();
    expect(await finishConnect(deps, 'mastodon', { state: other, code: 'c' })).toMatchObject({
      kind: 'page',
    });
    expect(tokenRequests).toHaveLength(0);
    expect(secrets.values.size).toBe(0);
  });

  it('sends a declined consent back to the channels page with the reason', async () => {
    const state = await started();
    const outcome = await finishConnect(deps, 'x', { state, error: 'access_denied' });
    expect(outcome).toMatchObject({ kind: 'redirect', outcome: 'failed' });
    if (outcome.kind !== 'redirect') throw new Error('no redirect');
    expect(outcome.location).toContain('connectError=X+consent+was+declined');
  });
});
