import { describe, expect, it } from 'vitest';
import { cannotRefresh, refresherFor } from '../../../shared/platforms/refresh';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const app = {
  clientId: 'crier-app',
  clientSecret: 'app-secret',
  tokenUrl: 'http://127.0.0.1:9/token',
};

/** A fetch that answers `answer` and keeps the request it was given. */
function network(status: number, answer: unknown) {
  const seen: { url: string; init: RequestInit | undefined }[] = [];
  const fetch = (async (url: string | URL, init?: RequestInit) => {
    seen.push({ url: String(url), init });
    return new Response(JSON.stringify(answer), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof globalThis.fetch;
  return { seen, fetch };
}

describe('refresherFor', () => {
  it('X: a refresh_token grant with Basic client auth, the rotated pair stored with its times', async () => {
    const net = network(200, {
      token_type: 'bearer',
      access_token: 'access-2',
      refresh_token: 'refresh-2',
      expires_in: 7200,
      scope: 'tweet.write offline.access',
    });
    const refresh = refresherFor('x', { apps: { get: async () => app }, fetch: net.fetch });
    const old = {
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      apiBase: 'http://127.0.0.1:9',
    };
    const outcome = await refresh?.(old, NOW);
    expect(outcome).toEqual({
      ok: true,
      credentials: {
        accessToken: 'access-2',
        refreshToken: 'refresh-2',
        apiBase: 'http://127.0.0.1:9',
        obtainedAt: NOW.toISOString(),
        expiresAt: '2026-03-02T11:00:00.000Z',
        scopes: ['tweet.write', 'offline.access'],
      },
    });
    const [request] = net.seen;
    expect(request?.url).toBe(app.tokenUrl);
    const headers = request?.init?.headers as Record<string, string>;
    expect(headers.authorization).toBe(
      `Basic ${Buffer.from('crier-app:app-secret').toString('base64')}`,
    );
    expect(Object.fromEntries(new URLSearchParams(String(request?.init?.body)))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-1',
    });
  });

  it("LinkedIn: the client's id and secret in the form; a refresh token that does not rotate is kept", async () => {
    const net = network(200, { access_token: 'li-2', expires_in: 5_184_000 });
    const refresh = refresherFor('linkedin', { apps: { get: async () => app }, fetch: net.fetch });
    const outcome = await refresh?.({ accessToken: 'li-1', refreshToken: 'li-refresh' }, NOW);
    expect(outcome).toMatchObject({
      ok: true,
      credentials: { accessToken: 'li-2', refreshToken: 'li-refresh' },
    });
    expect(Object.fromEntries(new URLSearchParams(String(net.seen[0]?.init?.body)))).toMatchObject({
      grant_type: 'refresh_token',
      client_id: 'crier-app',
      client_secret: 'app-secret',
    });
  });

  it("names the network's refusal, never a token, and calls a 4xx permanent, a 5xx not", async () => {
    const refused = network(400, {
      error: 'invalid_grant',
      error_description: 'The refresh token was revoked',
    });
    const refresh = refresherFor('x', { apps: { get: async () => app }, fetch: refused.fetch });
    const outcome = await refresh?.({ accessToken: 'access-1', refreshToken: 'refresh-1' }, NOW);
    expect(outcome).toEqual({
      ok: false,
      permanent: true,
      reason: 'X refused the refresh (invalid_grant: The refresh token was revoked)',
    });
    const down = network(503, {});
    const again = refresherFor('x', { apps: { get: async () => app }, fetch: down.fetch });
    expect(await again?.({ refreshToken: 'refresh-1' }, NOW)).toMatchObject({
      ok: false,
      permanent: false,
    });
  });

  it('Threads: th_refresh_token on the Graph host; too young a token is not a reason to reconnect', async () => {
    const net = network(200, { access_token: 'th-2', token_type: 'bearer', expires_in: 5_184_000 });
    const refresh = refresherFor('threads', {
      apps: { get: async () => undefined },
      fetch: net.fetch,
    });
    const outcome = await refresh?.({ accessToken: 'th-1', userId: '1' }, NOW);
    expect(outcome).toMatchObject({ ok: true, credentials: { accessToken: 'th-2', userId: '1' } });
    const url = new URL(net.seen[0]?.url ?? '');
    expect(`${url.origin}${url.pathname}`).toBe('https://graph.threads.net/refresh_access_token');
    expect(url.searchParams.get('grant_type')).toBe('th_refresh_token');

    const young = network(400, {
      error: {
        message: 'The access token must be at least 24 hours old to be refreshed',
        code: 190,
      },
    });
    const early = refresherFor('instagram', {
      apps: { get: async () => undefined },
      fetch: young.fetch,
    });
    expect(await early?.({ accessToken: 'ig-1' }, NOW)).toMatchObject({
      ok: false,
      permanent: false,
    });
    const dead = network(400, { error: { message: 'Error validating access token', code: 190 } });
    const gone = refresherFor('instagram', {
      apps: { get: async () => undefined },
      fetch: dead.fetch,
    });
    expect(await gone?.({ accessToken: 'ig-1' }, NOW)).toMatchObject({
      ok: false,
      permanent: true,
    });
  });

  it('has nothing to do for Facebook, Mastodon, Telegram and Bluesky', () => {
    for (const platform of ['facebook', 'mastodon', 'telegram', 'bluesky'] as const) {
      expect(refresherFor(platform, { apps: { get: async () => undefined } })).toBeUndefined();
    }
  });
});

describe('cannotRefresh', () => {
  it('needs a refresh token whose grant lives (X, LinkedIn), or a Meta token still alive', () => {
    expect(cannotRefresh('x', { refreshToken: 'r' }, NOW)).toBeUndefined();
    expect(cannotRefresh('x', {}, NOW)).toBe('the token has no refresh token');
    expect(
      cannotRefresh('linkedin', { refreshToken: 'r', refreshExpiresAt: NOW.toISOString() }, NOW),
    ).toBe('its refresh grant has ended');
    expect(
      cannotRefresh('threads', { accessToken: 't', expiresAt: '2026-03-01T00:00:00Z' }, NOW),
    ).toBe('the token has expired');
    expect(
      cannotRefresh('instagram', { accessToken: 't', expiresAt: '2026-04-01T00:00:00Z' }, NOW),
    ).toBeUndefined();
  });

  it('leaves the Page token of Instagram with Facebook login alone: it has no ig_refresh_token', () => {
    expect(
      cannotRefresh('instagram', { accessToken: 'EAAG', userId: '1', login: 'facebook' }, NOW),
    ).toBe('a Facebook-login Page token is not refreshed');
    expect(
      cannotRefresh('instagram', { accessToken: 'IGAA', userId: '1', login: 'instagram' }, NOW),
    ).toBeUndefined();
  });
});
