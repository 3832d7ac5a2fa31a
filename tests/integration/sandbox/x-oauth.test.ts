/**
 * X's OAuth 2.0 user context with PKCE against the X sandbox, over HTTP: consent, code,
 * token, the API with the Bearer token, expiry with tokens that live a second, rotating
 * refresh, revocation, and the refusals of a wrong verifier, redirect or reused code.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { AuthLedger } from '../../../infra/local/sandbox/kit/oauth';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import type { RunningSandbox, SandboxApp } from '../../../infra/local/sandbox/types';
import { startXSandbox } from '../../../infra/local/sandbox/x';
import { basic, CALLBACK, consent, pkcePair, postForm } from '../../support/oauth-flow';

const ledger = new AuthLedger();
let sandbox: RunningSandbox;
let app: SandboxApp;

beforeAll(async () => {
  sandbox = await startXSandbox({
    posts: new SandboxPosts(),
    faults: new FaultInjector(undefined, 1),
    log: createLogger({ quiet: true }),
    auth: { ledger, tokenSeconds: 1 },
  });
  if (!sandbox.app) throw new Error('the X sandbox has no OAuth app');
  app = sandbox.app;
  app.addRedirectUri(CALLBACK);
});

afterAll(async () => {
  await sandbox?.stop();
});

const SCOPES = 'tweet.read tweet.write users.read media.write offline.access';

async function authorize(pkce = pkcePair(), scope = SCOPES) {
  const state = `state-${Math.random().toString(36).slice(2)}`;
  const back = await consent(
    app.authorizeUrl,
    {
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: CALLBACK,
      scope,
      state,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    },
    'allow',
    scope.split(' '),
  );
  expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
  expect(back.searchParams.get('state')).toBe(state);
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code in ${back}`);
  return { code, verifier: pkce.verifier };
}

const token = (form: Record<string, string>) =>
  postForm(app.tokenUrl, form, basic(app.clientId, app.clientSecret));

async function me(accessToken: string) {
  const response = await fetch(`${sandbox.url}/2/users/me`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

async function connect() {
  const { code, verifier } = await authorize();
  const answer = await token({
    grant_type: 'authorization_code',
    code,
    redirect_uri: CALLBACK,
    code_verifier: verifier,
    client_id: app.clientId,
  });
  expect(answer.status).toBe(200);
  return answer.body as { access_token: string; refresh_token: string; expires_in: number };
}

describe('X OAuth 2.0 in the sandbox', () => {
  it('issues a user token that posts, expires with X 401, refreshes with rotation and revokes', async () => {
    const tokens = await connect();
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 1, scope: SCOPES });
    expect(tokens.refresh_token).toEqual(expect.any(String));

    expect(await me(tokens.access_token)).toMatchObject({
      status: 200,
      body: { data: { username: 'newsroom' } },
    });
    const tweet = await fetch(`${sandbox.url}/2/tweets`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens.access_token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ text: `Posted with an OAuth 2.0 user token ${Date.now()}` }),
    });
    expect(tweet.status).toBe(201);

    await sleep(1_100);
    const expired = await me(tokens.access_token);
    expect(expired).toEqual({
      status: 401,
      type: 'application/problem+json',
      body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' },
    });
    expect(ledger.snapshot().x?.expired).toBeGreaterThanOrEqual(1);

    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: app.clientId,
    });
    expect(refreshed.status).toBe(200);
    const next = refreshed.body as { access_token: string; refresh_token: string };
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect((await me(next.access_token)).status).toBe(200);

    // X's refresh tokens rotate: the one just used is spent.
    const again = await token({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: app.clientId,
    });
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const revoked = await postForm(
      `${sandbox.url}/2/oauth2/revoke`,
      { token: next.access_token, token_type_hint: 'access_token', client_id: app.clientId },
      basic(app.clientId, app.clientSecret),
    );
    expect(revoked).toEqual({ status: 200, body: { revoked: true } });
    expect((await me(next.access_token)).status).toBe(401);
    expect(ledger.snapshot().x).toMatchObject({ refreshed: 1, revoked: 1 });
    expect(ledger.snapshot().x?.issued).toBeGreaterThanOrEqual(2);
  });

  it('gives no refresh token without offline.access', async () => {
    const { code, verifier } = await authorize(pkcePair(), 'tweet.read users.read');
    const answer = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.refresh_token).toBeUndefined();
  });

  it('refuses a wrong code_verifier, a wrong redirect_uri and a reused code', async () => {
    const first = await authorize();
    const wrongVerifier = await token({
      grant_type: 'authorization_code',
      code: first.code,
      redirect_uri: CALLBACK,
      code_verifier: pkcePair().verifier,
    });
    expect(wrongVerifier).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const second = await authorize();
    const wrongRedirect = await token({
      grant_type: 'authorization_code',
      code: second.code,
      redirect_uri: 'http://127.0.0.1:9/elsewhere',
      code_verifier: second.verifier,
    });
    expect(wrongRedirect).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const third = await authorize();
    const form = {
      grant_type: 'authorization_code',
      code: third.code,
      redirect_uri: CALLBACK,
      code_verifier: third.verifier,
    };
    const used = await token(form);
    expect(used.status).toBe(200);
    expect(await token(form)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // A code used twice revokes what it gave (RFC 6749 4.1.2).
    expect((await me(String(used.body.access_token))).status).toBe(401);
  });

  it('refuses a wrong client secret and a confidential client without Basic auth', async () => {
    const { code, verifier } = await authorize();
    const form = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
      client_id: app.clientId,
    };
    const wrong = await postForm(app.tokenUrl, form, basic(app.clientId, 'not-the-secret'));
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const none = await postForm(app.tokenUrl, form);
    expect(none).toMatchObject({ status: 401, body: { error: 'unauthorized_client' } });
  });

  it('sends a denial, a plain PKCE challenge and a missing challenge back as errors with state', async () => {
    const params = {
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: CALLBACK,
      scope: SCOPES,
      state: 'kept',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    };
    const denied = await consent(app.authorizeUrl, params, 'deny');
    expect(Object.fromEntries(denied.searchParams)).toMatchObject({
      error: 'access_denied',
      state: 'kept',
    });

    for (const patch of [
      { code_challenge: 'abc', code_challenge_method: 'plain' },
      { code_challenge: '', code_challenge_method: '' },
    ]) {
      const url = new URL(app.authorizeUrl);
      for (const [key, value] of Object.entries({ ...params, ...patch })) {
        if (value) url.searchParams.set(key, value);
      }
      const answer = await fetch(url, { redirect: 'manual' });
      expect(answer.status).toBe(302);
      const back = new URL(answer.headers.get('location') ?? '');
      expect(Object.fromEntries(back.searchParams)).toMatchObject({
        error: 'invalid_request',
        state: 'kept',
      });
    }
  });

  it('shows an error page, never a redirect, for an unregistered redirect_uri', async () => {
    const url = new URL(app.authorizeUrl);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: 'https://attacker.example/callback',
      scope: SCOPES,
      state: 's',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    }).toString();
    const answer = await fetch(url, { redirect: 'manual' });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('location')).toBeNull();
    expect(await answer.text()).toContain('redirect_uri');
  });

  it('still refuses an unknown Bearer token with X 401', async () => {
    expect((await me('not-a-token')).status).toBe(401);
  });
});
