/**
 * LinkedIn's 3-legged OAuth against the LinkedIn sandbox, over HTTP: consent, code, token,
 * userinfo and the organizations the member administers, LinkedIn's expired and revoked
 * 401s with tokens that live a second, refresh with a refresh token that does not rotate,
 * and the refusals of a wrong redirect, secret, verifier or reused code.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { AuthLedger } from '../../../infra/local/sandbox/kit/oauth';
import { type LinkedInSandbox, launchLinkedInSandbox } from '../../../infra/local/sandbox/linkedin';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import type { SandboxApp } from '../../../infra/local/sandbox/types';
import { CALLBACK, consent, pkcePair, postForm } from '../../support/oauth-flow';

const ledger = new AuthLedger();
let sandbox: LinkedInSandbox;
let app: SandboxApp;

const SCOPES = 'openid profile email w_member_social w_organization_social rw_organization_admin';

beforeAll(async () => {
  sandbox = await launchLinkedInSandbox({
    posts: new SandboxPosts(),
    faults: new FaultInjector(undefined, 1),
    log: createLogger({ quiet: true }),
    auth: { ledger, tokenSeconds: 1 },
  });
  if (!sandbox.app) throw new Error('the LinkedIn sandbox has no OAuth app');
  app = sandbox.app;
  app.addRedirectUri(CALLBACK);
});

afterAll(async () => {
  await sandbox?.stop();
});

async function authorize(pkce?: { challenge: string }, account?: string) {
  const back = await consent(
    app.authorizeUrl,
    {
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: CALLBACK,
      scope: SCOPES,
      state: 'li-state',
      ...(pkce ? { code_challenge: pkce.challenge, code_challenge_method: 'S256' } : {}),
    },
    'allow',
    SCOPES.split(' '),
    account,
  );
  expect(back.searchParams.get('state')).toBe('li-state');
  return back.searchParams.get('code') ?? '';
}

const exchange = (code: string, patch: Record<string, string> = {}) =>
  postForm(app.tokenUrl, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: CALLBACK,
    client_id: app.clientId,
    client_secret: app.clientSecret,
    ...patch,
  });

async function get(path: string, accessToken: string) {
  const response = await fetch(`${sandbox.url}${path}`, {
    headers: {
      authorization: `Bearer ${accessToken}`,
      'linkedin-version': sandbox.credentials.version,
      'x-restli-protocol-version': '2.0.0',
    },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('LinkedIn OAuth in the sandbox', () => {
  it('signs a member in, lists their organizations, expires, refreshes and revokes', async () => {
    const issued = await exchange(await authorize());
    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({ expires_in: 1, scope: SCOPES.split(' ').join(',') });
    // 365 days against 60, scaled as the access token is.
    expect(issued.body.refresh_token_expires_in).toBeCloseTo((365 / 60) * 1, 3);
    const tokens = issued.body as { access_token: string; refresh_token: string };

    expect(await get('/v2/userinfo', tokens.access_token)).toMatchObject({
      status: 200,
      body: { name: 'Sam Editor', email_verified: true },
    });
    const acls = await get(
      '/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED',
      tokens.access_token,
    );
    expect(acls.status).toBe(200);
    expect(acls.body.elements).toEqual([
      expect.objectContaining({
        role: 'ADMINISTRATOR',
        state: 'APPROVED',
        organization: sandbox.credentials.author,
      }),
    ]);

    await sleep(1_100);
    expect(await get('/v2/userinfo', tokens.access_token)).toMatchObject({
      status: 401,
      body: { status: 401, code: 'EXPIRED_ACCESS_TOKEN' },
    });

    const refreshed = await postForm(app.tokenUrl, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: app.clientId,
      client_secret: app.clientSecret,
    });
    expect(refreshed.status).toBe(200);
    // LinkedIn's refresh token stays the same, its life counted from the first grant.
    expect(refreshed.body.refresh_token).toBe(tokens.refresh_token);
    expect(Number(refreshed.body.refresh_token_expires_in)).toBeLessThan(7);
    const next = String(refreshed.body.access_token);
    expect((await get('/v2/userinfo', next)).status).toBe(200);

    const revoked = await fetch(`${sandbox.url}/oauth/v2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: app.clientId,
        client_secret: app.clientSecret,
        token: next,
      }).toString(),
    });
    expect(revoked.status).toBe(200);
    expect(await get('/v2/userinfo', next)).toMatchObject({
      status: 401,
      body: { serviceErrorCode: 65601, code: 'REVOKED_ACCESS_TOKEN' },
    });
    expect(ledger.snapshot().linkedin).toMatchObject({
      issued: 2,
      refreshed: 1,
      revoked: 1,
      expired: 1,
    });
  });

  it('refuses a wrong redirect_uri, a wrong secret, a wrong verifier and a reused code', async () => {
    const badCode = { status: 400, body: { error: 'invalid_request' } };
    expect(
      await exchange(await authorize(), { redirect_uri: 'http://127.0.0.1:9/other' }),
    ).toMatchObject(badCode);
    expect(await exchange(await authorize(), { client_secret: 'not-the-secret' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    const pkce = pkcePair();
    expect(
      await exchange(await authorize(pkce), { code_verifier: pkcePair().verifier }),
    ).toMatchObject(badCode);
    const code = await authorize();
    expect((await exchange(code)).status).toBe(200);
    expect(await exchange(code)).toMatchObject(badCode);
  });

  it('keeps the configured sandbox token working', async () => {
    const answer = await get('/v2/userinfo', sandbox.credentials.accessToken);
    expect(answer.status).toBe(200);
  });

  it('offers a second sign-in who administers three organizations, each named by /rest/organizations', async () => {
    const issued = await exchange(await authorize(undefined, 'several'));
    const token = String(issued.body.access_token);
    const acls = await get(
      '/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED',
      token,
    );
    const organizations = (acls.body.elements as { organization: string }[]).map(
      (e) => e.organization,
    );
    expect(organizations).toHaveLength(3);
    expect(organizations[0]).toBe(sandbox.credentials.author);
    const names = await Promise.all(
      organizations.map(
        async (urn) =>
          (await get(`/rest/organizations/${urn.split(':').pop()}`, token)).body.localizedName,
      ),
    );
    expect(names).toEqual(['Newsroom', 'Newsroom Sports', 'Newsroom Culture']);
    expect((await get('/rest/organizations/1', token)).status).toBe(404);

    const single = await exchange(await authorize());
    const one = await get(
      '/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED',
      String(single.body.access_token),
    );
    expect(one.body.elements).toHaveLength(1);
  });
});
