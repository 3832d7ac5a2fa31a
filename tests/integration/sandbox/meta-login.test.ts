/**
 * Threads and Instagram (with Instagram login) sign-in against their sandboxes, over
 * HTTP: consent, the code for a short-lived token, the long-lived exchange, refresh once
 * the token is old enough (24 hours scaled by the token lifetime), Graph's code 190 for
 * an expired (subcode 463) or revoked (458) token, and a reused code or wrong redirect.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { startInstagramSandbox } from '../../../infra/local/sandbox/instagram';
import { AuthLedger } from '../../../infra/local/sandbox/kit/oauth';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import { startThreadsSandbox } from '../../../infra/local/sandbox/threads';
import type { RunningSandbox, SandboxFactory } from '../../../infra/local/sandbox/types';
import { CALLBACK, consent, postForm } from '../../support/oauth-flow';

type Flavour = {
  platform: 'threads' | 'instagram';
  start: SandboxFactory;
  prefix: 'th' | 'ig';
  version: string;
  scopes: string;
  shortToken(body: Record<string, unknown>): string;
};

const FLAVOURS: Flavour[] = [
  {
    platform: 'threads',
    start: startThreadsSandbox,
    prefix: 'th',
    version: '/v1.0',
    scopes: 'threads_basic,threads_content_publish,threads_manage_insights',
    shortToken: (body) => String(body.access_token),
  },
  {
    platform: 'instagram',
    start: startInstagramSandbox,
    prefix: 'ig',
    version: '/v21.0',
    scopes: 'instagram_business_basic,instagram_business_content_publish',
    shortToken: (body) => {
      const [first] = body.data as { access_token: string }[];
      return String(first?.access_token);
    },
  },
];

describe.each(FLAVOURS)('$platform login in the sandbox', (flavour) => {
  const ledger = new AuthLedger();
  // Tokens live 1.5 s: refreshable once 25 ms old (24 hours against 60 days).
  const tokenSeconds = 1.5;
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await flavour.start({
      posts: new SandboxPosts(),
      faults: new FaultInjector(undefined, 1),
      log: createLogger({ quiet: true }),
      auth: { ledger, tokenSeconds },
    });
    sandbox.app?.addRedirectUri(CALLBACK);
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  const app = () => {
    if (!sandbox.app) throw new Error('no OAuth app');
    return sandbox.app;
  };

  async function code(): Promise<string> {
    const back = await consent(
      app().authorizeUrl,
      {
        client_id: app().clientId,
        redirect_uri: CALLBACK,
        scope: flavour.scopes,
        response_type: 'code',
        state: 'meta-state',
      },
      'allow',
      flavour.scopes.split(','),
    );
    expect(back.searchParams.get('state')).toBe('meta-state');
    expect(back.hash).toBe('#_');
    return back.searchParams.get('code') ?? '';
  }

  const exchangeCode = (value: string, redirect = CALLBACK) =>
    postForm(`${sandbox.url}/oauth/access_token`, {
      client_id: app().clientId,
      client_secret: app().clientSecret,
      grant_type: 'authorization_code',
      redirect_uri: redirect,
      code: value,
    });

  async function graphGet(path: string, params: Record<string, string>) {
    const url = new URL(`${sandbox.url}${path}`);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    const response = await fetch(url);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const me = (token: string) =>
    graphGet(`${flavour.version}/me`, { fields: 'id,username', access_token: token });

  async function longLived(): Promise<string> {
    const issued = await exchangeCode(await code());
    expect(issued.status).toBe(200);
    const short = flavour.shortToken(issued.body);
    expect((await me(short)).status).toBe(200);
    const long = await graphGet('/access_token', {
      grant_type: `${flavour.prefix}_exchange_token`,
      client_secret: app().clientSecret,
      access_token: short,
    });
    expect(long).toMatchObject({ status: 200, body: { token_type: 'bearer', expires_in: 1.5 } });
    return String(long.body.access_token);
  }

  it('exchanges, refreshes, expires with code 190/463 and cannot refresh once expired', async () => {
    const long = await longLived();
    await sleep(100);
    const refreshed = await graphGet('/refresh_access_token', {
      grant_type: `${flavour.prefix}_refresh_token`,
      access_token: long,
    });
    expect(refreshed.status).toBe(200);
    const next = String(refreshed.body.access_token);
    expect(await me(next)).toMatchObject({ status: 200, body: { username: 'newsroom' } });

    await sleep(1_600);
    const expired = await me(next);
    expect(expired.status).toBe(400);
    expect(expired.body.error).toMatchObject({
      type: 'OAuthException',
      code: 190,
      error_subcode: 463,
    });
    const late = await graphGet('/refresh_access_token', {
      grant_type: `${flavour.prefix}_refresh_token`,
      access_token: next,
    });
    expect(late.body.error).toMatchObject({ code: 190, error_subcode: 463 });
    expect(ledger.snapshot()[flavour.platform]).toMatchObject({ refreshed: 1 });
    expect(ledger.snapshot()[flavour.platform]?.expired).toBeGreaterThanOrEqual(2);
  });

  it('refuses to refresh a short-lived token and to exchange without the app secret', async () => {
    const issued = await exchangeCode(await code());
    const short = flavour.shortToken(issued.body);
    const refresh = await graphGet('/refresh_access_token', {
      grant_type: `${flavour.prefix}_refresh_token`,
      access_token: short,
    });
    expect(refresh.body.error).toMatchObject({ code: 190 });
    const noSecret = await graphGet('/access_token', {
      grant_type: `${flavour.prefix}_exchange_token`,
      client_secret: 'wrong',
      access_token: short,
    });
    expect(noSecret.body.error).toMatchObject({ type: 'OAuthException', code: 1 });
  });

  it('revokes every token of the grant with DELETE /me/permissions (code 190/458)', async () => {
    const long = await longLived();
    const removed = await fetch(
      `${sandbox.url}${flavour.version}/me/permissions?access_token=${long}`,
      {
        method: 'DELETE',
      },
    );
    expect(await removed.json()).toEqual({ success: true });
    const refused = await me(long);
    expect(refused.body.error).toMatchObject({ code: 190, error_subcode: 458 });
  });

  it('refuses a reused code and a redirect_uri that differs', async () => {
    const first = await code();
    expect((await exchangeCode(first)).status).toBe(200);
    const reused = await exchangeCode(first);
    expect(reused.status).toBe(400);
    expect(reused.body.error).toMatchObject({ type: 'OAuthException', code: 100 });
    const other = await exchangeCode(await code(), 'http://127.0.0.1:9/other');
    expect(other.body.error).toMatchObject({ code: 100 });
  });

  it('keeps the configured sandbox token working', async () => {
    expect((await me(String(sandbox.credentials.accessToken))).status).toBe(200);
  });
});
