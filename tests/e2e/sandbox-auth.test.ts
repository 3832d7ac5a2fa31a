/**
 * The local runtime's side of the sandbox sign-in flows: `CRIER_SANDBOX_TOKEN_SECONDS`
 * reaches the sandboxes, each app has `<PORT's URL>/oauth/callback/<platform>` as its
 * redirect URI, and `GET /sandbox/auth` counts what the authorization servers did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, consent, pkcePair, postForm } from '../support/oauth-flow';
import { startTestStack, type TestStack } from '../support/stack';

const previous = process.env.CRIER_SANDBOX_TOKEN_SECONDS;
let stack: TestStack;

beforeAll(async () => {
  process.env.CRIER_SANDBOX_TOKEN_SECONDS = '7';
  stack = await startTestStack();
}, 120_000);

afterAll(async () => {
  await stack?.dispose();
  if (previous === undefined) delete process.env.CRIER_SANDBOX_TOKEN_SECONDS;
  else process.env.CRIER_SANDBOX_TOKEN_SECONDS = previous;
});

const authCounts = async () =>
  (await (await fetch(`${stack.url}/sandbox/auth`)).json()) as Record<string, unknown>;

describe('GET /sandbox/auth on the local runtime', () => {
  it('counts the tokens a sandbox issued through the callback the runtime registered', async () => {
    expect(await authCounts()).not.toHaveProperty('x');
    const x = stack.sandboxes?.byPlatform('x');
    if (!x?.app) throw new Error('the X sandbox has no OAuth app');
    const redirectUri = `${stack.url}/oauth/callback/x`;
    const pkce = pkcePair();
    const back = await consent(x.app.authorizeUrl, {
      response_type: 'code',
      client_id: x.app.clientId,
      redirect_uri: redirectUri,
      scope: 'tweet.read tweet.write users.read offline.access',
      state: 'stack',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    const token = await postForm(
      x.app.tokenUrl,
      {
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') ?? '',
        redirect_uri: redirectUri,
        code_verifier: pkce.verifier,
      },
      basic(x.app.clientId, x.app.clientSecret),
    );
    expect(token).toMatchObject({ status: 200, body: { expires_in: 7 } });
    expect(await authCounts()).toMatchObject({
      x: { issued: 1, refreshed: 0, revoked: 0, expired: 0 },
    });
    for (const platform of ['mastodon', 'linkedin', 'threads', 'instagram', 'facebook'] as const) {
      expect(stack.sandboxes?.byPlatform(platform)?.app).toBeDefined();
    }
  });
});
