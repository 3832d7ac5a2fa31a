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
  CHOICE_TTL_MS,
  CONNECT_SCOPES,
  type ConnectState,
  type PendingChoice,
  STATE_TTL_MS,
} from '../../../shared/domain/oauth-connect';
import { challengeOf, newState, pkcePair } from '../../../shared/domain/pkce';
import type { ChannelSecrets } from '../../../shared/domain/ports';
import type { Verification } from '../../../shared/platforms/verify';
import {
  type ConnectDeps,
  type ConnectStore,
  chooseConnectCandidate,
  finishConnect,
  getConnectChoice,
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
  readonly choices = new Map<string, PendingChoice>();
  async putChoice(choice: PendingChoice) {
    this.choices.set(choice.id, structuredClone(choice));
  }
  async getChoice(id: string) {
    return structuredClone(this.choices.get(id));
  }
  async useChoice(id: string, at: string) {
    const choice = this.choices.get(id);
    if (!choice || choice.usedAt) return false;
    choice.usedAt = at;
    return true;
  }
}

const APP = {
  clientId: 'crier-client',
  clientSecret: 'crier-client-secret',
  authorizeUrl: 'https://x.example/i/oauth2/authorize',
  tokenUrl: 'https://api.x.example/2/oauth2/token',
};

let world: ReturnType<typeof inMemoryWorld>;
let secrets: MapSecrets;
let pending: MapSecrets;
let store: MapConnectStore;
let deps: ConnectDeps;
let tokenRequests: { headers: Headers; form: URLSearchParams }[];

const verify = async (_platform: string, credentials: unknown): Promise<Verification> => {
  const fields = credentials as { accessToken?: string; pageAccessToken?: string; pageId?: string };
  if (fields.accessToken === 'user-access-token') {
    return { ok: true, account: '@newsroom', credentials };
  }
  if (fields.pageAccessToken === `page-token-${fields.pageId}`) {
    return { ok: true, account: `Page ${fields.pageId}`, credentials };
  }
  return { ok: false, kind: 'refused', reason: 'X answered 401: Unauthorized' };
};

beforeEach(async () => {
  world = inMemoryWorld('2026-03-01T12:00:00Z');
  secrets = new MapSecrets();
  pending = new MapSecrets();
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
    pending,
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

describe('the pick step', () => {
  const FACEBOOK_APP = {
    clientId: 'fb-client',
    clientSecret: 'fb-secret',
    authorizeUrl: 'https://www.facebook.example/v25.0/dialog/oauth',
    tokenUrl: 'https://graph.facebook.example/v25.0/oauth/access_token',
  };
  const PAGES = [
    { id: '101', name: 'Newsroom' },
    { id: '202', name: 'Newsroom Sports' },
  ];

  beforeEach(async () => {
    deps.apps = {
      get: async (platform) => (platform === 'facebook' ? FACEBOOK_APP : undefined),
    };
    deps.fetch = (async (input: string | URL) => {
      const url = new URL(String(input));
      const json = (body: unknown) =>
        new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
      if (url.pathname.endsWith('/oauth/access_token')) {
        const long = url.searchParams.get('grant_type') === 'fb_exchange_token';
        return json({ access_token: long ? 'long-user-token' : 'short-user-token' });
      }
      if (url.pathname.endsWith('/me/accounts')) {
        return json({
          data: PAGES.map((p) => ({ ...p, access_token: `page-token-${p.id}` })),
        });
      }
      return new Response('{}', { status: 404 });
    }) as typeof fetch;
    await world.directory.putChannel(
      {
        id: 'news-fb',
        platform: 'facebook',
        account: 'Newsroom',
        siteId: 'default',
        template: '{title} {url}',
      } as never,
      { who: 'test' },
    );
    world.clock.advance(1000);
  });

  async function consented(who = 'Ada') {
    const { authorizeUrl } = await startConnect(deps, 'news-fb', who);
    const state = new URL(authorizeUrl).searchParams.get('state') ?? '';
    const outcome = await finishConnect(deps, 'facebook', { state, code: 'the-code' });
    if (outcome.kind !== 'redirect') throw new Error('no redirect');
    return outcome;
  }

  const choiceIdOf = (location: string) =>
    /#\/channels\/news-fb\/connect\/([\w-]+)$/.exec(location)?.[1] ?? '';

  it('keeps several Pages for the admin to pick: names in the store, tokens only in the pending secret', async () => {
    const outcome = await consented();
    expect(outcome.outcome).toBe('choose');
    const choiceId = choiceIdOf(outcome.location);
    expect(choiceId).toMatch(/^[\w-]{24}$/);
    expect(outcome.location).not.toContain('token');
    expect(secrets.values.has('news-fb')).toBe(false);

    const { choice } = await getConnectChoice(deps, 'news-fb', choiceId, 'Ada');
    expect(choice.candidates).toEqual(PAGES);
    expect(choice.expiresAt).toBe(
      new Date(world.clock.now().getTime() + CHOICE_TTL_MS).toISOString(),
    );
    expect(JSON.stringify(choice)).not.toContain('page-token');
    expect(JSON.stringify([...store.choices.values()])).not.toContain('page-token');
    expect(JSON.stringify(pending.values.get('news-fb'))).toContain('page-token-202');

    await chooseConnectCandidate(deps, 'news-fb', { choice: choiceId, candidate: '202' }, 'Ada');
    expect(secrets.values.get('news-fb')).toMatchObject({
      pageId: '202',
      pageAccessToken: 'page-token-202',
    });
    expect(pending.values.get('news-fb')).toEqual({});
    const audit = await world.directory.listAudit({ limit: 10 });
    expect(audit.entries.find((e) => e.action === 'channel.connected')).toMatchObject({
      who: 'Ada',
      target: 'channel:news-fb',
      after: { account: 'Page 202' },
    });
  });

  it('refuses a used, expired, unknown, other admin’s or other channel’s choice, and a stranger candidate', async () => {
    const choiceId = choiceIdOf((await consented()).location);
    const pick = (body: { choice: string; candidate: string }, channel = 'news-fb', who = 'Ada') =>
      chooseConnectCandidate(deps, channel, body, who);
    await expect(pick({ choice: 'no-such-choice-id-00', candidate: '101' })).rejects.toMatchObject({
      kind: 'not-found',
    });
    await expect(pick({ choice: choiceId, candidate: '101' }, 'news-x')).rejects.toMatchObject({
      kind: 'not-found',
    });
    await expect(pick({ choice: choiceId, candidate: '101' }, 'news-fb', 'Bob')).rejects.toThrow(
      /admin who started/,
    );
    await expect(pick({ choice: choiceId, candidate: '999' })).rejects.toMatchObject({
      kind: 'invalid',
      issues: [{ field: 'candidate' }],
    });
    await pick({ choice: choiceId, candidate: '101' });
    await expect(pick({ choice: choiceId, candidate: '202' })).rejects.toThrow(/already used/);
    expect(secrets.values.get('news-fb')).toMatchObject({ pageId: '101' });

    // Stored credentials naming a candidate would pick it by themselves: start afresh.
    secrets.values.delete('news-fb');
    (deps.health.credentials as ChannelCredentials).forget('news-fb');
    const late = choiceIdOf((await consented()).location);
    world.clock.advance(CHOICE_TTL_MS + 1);
    await expect(pick({ choice: late, candidate: '202' })).rejects.toThrow(/expired/);
    await expect(getConnectChoice(deps, 'news-fb', late, 'Ada')).rejects.toMatchObject({
      kind: 'conflict',
    });
  });

  it('refuses an older choice once a newer Connect replaced its tokens', async () => {
    const older = choiceIdOf((await consented()).location);
    await consented();
    await expect(
      chooseConnectCandidate(deps, 'news-fb', { choice: older, candidate: '101' }, 'Ada'),
    ).rejects.toThrow(/newer Connect/);
    expect(secrets.values.has('news-fb')).toBe(false);
  });

  it('picks by itself the Page the channel’s stored credentials already name', async () => {
    await secrets.put('news-fb', { pageId: '202', pageAccessToken: 'old', apiVersion: 'v25.0' });
    const outcome = await consented();
    expect(outcome.outcome).toBe('connected');
    expect(secrets.values.get('news-fb')).toMatchObject({
      pageId: '202',
      pageAccessToken: 'page-token-202',
    });
    expect(store.choices.size).toBe(0);
  });

  it('asks Instagram with Facebook login for the Facebook app’s consent and its scopes', async () => {
    await world.directory.putChannel(
      {
        id: 'news-ig',
        platform: 'instagram',
        account: 'newsroom',
        siteId: 'default',
        template: '{title} {url}',
      } as never,
      { who: 'test' },
    );
    const { authorizeUrl } = await startConnect(deps, 'news-ig', 'Ada', { via: 'facebook' });
    const url = new URL(authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe(FACEBOOK_APP.authorizeUrl);
    expect(url.searchParams.get('client_id')).toBe('fb-client');
    expect(url.searchParams.get('redirect_uri')).toBe(
      'https://api.crier.example/oauth/callback/instagram',
    );
    expect(url.searchParams.get('scope')?.split(',')).toEqual(
      expect.arrayContaining(['instagram_basic', 'instagram_content_publish', 'pages_show_list']),
    );
    await expect(startConnect(deps, 'news-fb', 'Ada', { via: 'facebook' })).rejects.toMatchObject({
      issues: [{ field: 'via' }],
    });
  });
});
