/**
 * The pieces of the local runtime's auto-connect that need no stack: the consent form
 * read off a sandbox's own consent page, and which stored credentials an earlier run's
 * sandboxes issued.
 */
import { describe, expect, it } from 'vitest';
import { consentForm, namesLoopback } from '../../../infra/local/auto-connect';
import { AuthLedger, AuthorizationServer } from '../../../infra/local/sandbox/kit/oauth';

describe('auto-connect', () => {
  it('reads the action and every hidden field of a sandbox consent page, unescaped', () => {
    const auth = new AuthorizationServer({
      platform: 'x',
      ledger: new AuthLedger(),
      accessSeconds: 7200,
      refreshTokens: 'always',
      rotateRefresh: true,
      pkce: 'required',
      codeSeconds: 30,
      networkName: 'Test',
    });
    const redirect = 'http://127.0.0.1:3000/oauth/callback/x';
    const app = auth.register({
      clientId: 'client',
      clientSecret: 'secret',
      name: 'Crier (sandbox)',
      redirectUris: new Set([redirect]),
    });
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: redirect,
      scope: 'tweet.write offline.access',
      state: 'a"b&c<d>',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    });
    const checked = auth.checkAuthorize(params);
    if (!checked.ok) throw new Error('the request was refused');
    const page = auth.consentPage(checked.request, '/i/oauth2/authorize?x=1&y=2', '@newsroom');
    const { action, fields } = consentForm(page);
    expect(action).toBe('/i/oauth2/authorize?x=1&y=2');
    expect(Object.fromEntries(fields)).toMatchObject(Object.fromEntries(params));
    expect(() => consentForm('<html>no form</html>')).toThrow(/no form/);
  });

  it('tells credentials pointing at a loopback sandbox from a real network’s', () => {
    expect(namesLoopback({ accessToken: 't', apiBase: 'http://127.0.0.1:41234' })).toBe(true);
    expect(namesLoopback({ url: 'http://localhost:5000', accessToken: 't' })).toBe(true);
    expect(namesLoopback({ service: 'http://[::1]:8080/', identifier: 'a' })).toBe(true);
    expect(namesLoopback({ botToken: 'b', chatId: '@c', apiRoot: 'http://127.0.0.1:9' })).toBe(
      true,
    );
    expect(namesLoopback({ url: 'https://mastodon.social', accessToken: 't' })).toBe(false);
    expect(namesLoopback({ accessToken: 't', userId: '1' })).toBe(false);
    expect(namesLoopback({ apiBase: 'not a url' })).toBe(false);
    expect(namesLoopback(undefined)).toBe(false);
  });
});
