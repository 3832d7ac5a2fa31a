/**
 * Mastodon's app registration and OAuth against the Mastodon sandbox, over HTTP: an app
 * registered with `POST /api/v1/apps`, consent, code with PKCE, a token that does not
 * expire, revocation, and the refusals of a wrong verifier, redirect, secret or reused code.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { AuthLedger } from '../../../infra/local/sandbox/kit/oauth';
import { startMastodonSandbox } from '../../../infra/local/sandbox/mastodon';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import type { RunningSandbox } from '../../../infra/local/sandbox/types';
import { CALLBACK, consent, pkcePair, postForm } from '../../support/oauth-flow';

const ledger = new AuthLedger();
let sandbox: RunningSandbox;
let app: { client_id: string; client_secret: string };

const SCOPES = 'read write:statuses write:media';

beforeAll(async () => {
  sandbox = await startMastodonSandbox({
    posts: new SandboxPosts(),
    faults: new FaultInjector(undefined, 1),
    log: createLogger({ quiet: true }),
    // Mastodon's tokens do not expire, whatever the override says.
    auth: { ledger, tokenSeconds: 1 },
  });
  const registered = await postForm(`${sandbox.url}/api/v1/apps`, {
    client_name: 'Crier (sandbox)',
    redirect_uris: CALLBACK,
    scopes: SCOPES,
    website: 'https://crier.example',
  });
  expect(registered.status).toBe(200);
  expect(registered.body).toMatchObject({
    name: 'Crier (sandbox)',
    redirect_uris: [CALLBACK],
    scopes: SCOPES.split(' '),
    client_secret_expires_at: 0,
  });
  app = registered.body as typeof app;
});

afterAll(async () => {
  await sandbox?.stop();
});

async function authorize(pkce = pkcePair()) {
  const back = await consent(
    `${sandbox.url}/oauth/authorize`,
    {
      response_type: 'code',
      client_id: app.client_id,
      redirect_uri: CALLBACK,
      scope: SCOPES,
      state: 'mastodon-state',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    },
    'allow',
    SCOPES.split(' '),
  );
  expect(back.searchParams.get('state')).toBe('mastodon-state');
  return { code: back.searchParams.get('code') ?? '', verifier: pkce.verifier };
}

const exchange = (code: string, verifier: string, patch: Record<string, string> = {}) =>
  postForm(`${sandbox.url}/oauth/token`, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: CALLBACK,
    client_id: app.client_id,
    client_secret: app.client_secret,
    code_verifier: verifier,
    ...patch,
  });

async function verify(accessToken: string) {
  const response = await fetch(`${sandbox.url}/api/v1/accounts/verify_credentials`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('Mastodon OAuth in the sandbox', () => {
  it('refuses an app without a name or redirect URI with 422', async () => {
    const answer = await postForm(`${sandbox.url}/api/v1/apps`, { scopes: 'read' });
    expect(answer.status).toBe(422);
    expect(String(answer.body.error)).toMatch(/^Validation failed: /);
  });

  it('issues a token that does not expire, posts with it, and revokes it', async () => {
    const { code, verifier } = await authorize();
    const answer = await exchange(code, verifier);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: 'Bearer', scope: SCOPES });
    expect(answer.body.expires_in).toBeUndefined();
    const accessToken = String(answer.body.access_token);

    await sleep(1_100);
    expect(await verify(accessToken)).toMatchObject({
      status: 200,
      body: { username: 'newsroom' },
    });
    const status = await fetch(`${sandbox.url}/api/v1/statuses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: `Posted with an OAuth token ${Date.now()}` }),
    });
    expect(status.status).toBe(200);

    const revoked = await postForm(`${sandbox.url}/oauth/revoke`, {
      token: accessToken,
      client_id: app.client_id,
      client_secret: app.client_secret,
    });
    expect(revoked).toEqual({ status: 200, body: {} });
    expect(await verify(accessToken)).toEqual({
      status: 401,
      body: { error: 'The access token is invalid' },
    });
    expect(ledger.snapshot().mastodon).toMatchObject({ revoked: 1, expired: 0 });
  });

  it('refuses a wrong code_verifier, a wrong redirect_uri, a wrong secret and a reused code', async () => {
    const first = await authorize();
    expect(await exchange(first.code, pkcePair().verifier)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    const second = await authorize();
    expect(
      await exchange(second.code, second.verifier, { redirect_uri: 'http://127.0.0.1:9/other' }),
    ).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const third = await authorize();
    expect(
      await exchange(third.code, third.verifier, { client_secret: 'not-the-secret' }),
    ).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const fourth = await authorize();
    expect((await exchange(fourth.code, fourth.verifier)).status).toBe(200);
    expect(await exchange(fourth.code, fourth.verifier)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
  });

  it('keeps the configured sandbox token working', async () => {
    expect((await verify(String(sandbox.credentials.accessToken))).status).toBe(200);
  });
});
