/**
 * The sandboxes' authorization server kit on a clock of its own: codes that die after
 * their network's lifetime, `CRIER_SANDBOX_TOKEN_SECONDS` scaling the other age rules,
 * tokens that never expire, rotation, the client's Basic credentials, and the consent
 * page's second sign-in carried to every token of its grant.
 */
import { describe, expect, it } from 'vitest';
import {
  AuthLedger,
  AuthorizationServer,
  type AuthorizationServerOptions,
  basicCredentials,
  isOAuthError,
  s256,
  type TokenAnswer,
} from '../../../infra/local/sandbox/kit/oauth';

const REDIRECT = 'https://crier.example/oauth/callback/test';

function server(patch: Partial<AuthorizationServerOptions> = {}) {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const ledger = new AuthLedger();
  const auth = new AuthorizationServer({
    platform: 'x',
    ledger,
    accessSeconds: 7200,
    refreshSeconds: 30 * 24 * 3600,
    refreshTokens: 'always',
    rotateRefresh: true,
    pkce: 'required',
    codeSeconds: 30,
    networkName: 'Test',
    now: () => now,
    ...patch,
  });
  const app = auth.register({
    clientId: 'client',
    clientSecret: 'secret',
    name: 'Crier (sandbox)',
    redirectUris: new Set([REDIRECT]),
  });
  const advance = (seconds: number) => {
    now += seconds * 1000;
  };
  const code = (verifier = 'v'.repeat(43), account?: string) => {
    const decided = auth.decide(
      new URLSearchParams({
        ...(account ? { account } : {}),
        response_type: 'code',
        client_id: 'client',
        redirect_uri: REDIRECT,
        scope: 'a b',
        state: 's',
        code_challenge: s256(verifier),
        code_challenge_method: 'S256',
        decision: 'allow',
      }),
    );
    if (!('redirect' in decided) || !decided.ok) throw new Error('no code');
    return new URL(decided.redirect).searchParams.get('code') ?? '';
  };
  const exchange = (value: string, verifier = 'v'.repeat(43)) =>
    auth.exchangeCode(app, { code: value, redirectUri: REDIRECT, verifier });
  return { auth, app, ledger, advance, code, exchange };
}

const tokens = (answer: ReturnType<AuthorizationServer['exchangeCode']>): TokenAnswer => {
  if (isOAuthError(answer)) throw new Error(answer.description);
  return answer;
};

describe('the sandbox authorization server', () => {
  it('refuses a code once its network lifetime has passed', () => {
    const s = server();
    const late = s.code();
    s.advance(31);
    expect(s.exchange(late)).toMatchObject({ error: 'invalid_grant' });
    expect(isOAuthError(s.exchange(s.code()))).toBe(false);
  });

  it("keeps the network's lifetimes without an override", () => {
    const s = server();
    const answer = tokens(s.exchange(s.code()));
    expect(answer.expiresIn).toBe(7200);
    expect(answer.refreshExpiresIn).toBe(30 * 24 * 3600);
    s.advance(7199);
    expect(s.auth.check(answer.access.token).ok).toBe(true);
    s.advance(1);
    expect(s.auth.check(answer.access.token)).toMatchObject({ ok: false, reason: 'expired' });
    expect(s.ledger.snapshot().x).toEqual({ issued: 1, refreshed: 0, revoked: 0, expired: 1 });
  });

  it('sets the access lifetime and scales every other age rule with the override', () => {
    const s = server({ tokenSeconds: 20 });
    const answer = tokens(s.exchange(s.code()));
    expect(answer.expiresIn).toBe(20);
    // 30 days against 2 hours, at 20 seconds: 20 x 360 = 7,200 seconds.
    expect(answer.refreshExpiresIn).toBe(7200);
    expect(s.auth.scaled(24 * 3600)).toBe(240);
    s.advance(7200);
    expect(s.auth.refresh(s.app, answer.refresh?.token)).toMatchObject({ error: 'invalid_grant' });
  });

  it('rotates refresh tokens where the network does, and keeps them where it does not', () => {
    const rotating = server();
    const first = tokens(rotating.exchange(rotating.code()));
    const next = tokens(rotating.auth.refresh(rotating.app, first.refresh?.token));
    expect(next.refresh?.token).not.toBe(first.refresh?.token);
    expect(rotating.auth.refresh(rotating.app, first.refresh?.token)).toMatchObject({
      error: 'invalid_grant',
    });

    const fixed = server({ rotateRefresh: false });
    const kept = tokens(fixed.exchange(fixed.code()));
    fixed.advance(100);
    const again = tokens(fixed.auth.refresh(fixed.app, kept.refresh?.token));
    expect(again.refresh?.token).toBe(kept.refresh?.token);
    expect(again.refreshExpiresIn).toBe(30 * 24 * 3600 - 100);
  });

  it('offers the sign-ins on the consent page and carries the one chosen to every token of its grant', () => {
    const s = server();
    const checked = s.auth.checkAuthorize(
      new URLSearchParams({
        response_type: 'code',
        client_id: 'client',
        redirect_uri: REDIRECT,
        scope: 'a',
        state: 's',
        code_challenge: s256('v'.repeat(43)),
        code_challenge_method: 'S256',
      }),
    );
    if (!checked.ok || !('request' in checked)) throw new Error('refused');
    const page = s.auth.consentPage(checked.request, '/authorize', 'Sam', [
      { value: '', label: 'Sam, one Page' },
      { value: 'several', label: 'Sam, three Pages' },
    ]);
    expect(page).toContain('<input type="radio" name="account" value="" checked> Sam, one Page');
    expect(page).toContain('<input type="radio" name="account" value="several"> Sam, three Pages');
    expect(s.auth.consentPage(checked.request, '/authorize', 'Sam')).not.toContain('radio');

    const several = tokens(s.exchange(s.code('v'.repeat(43), 'several')));
    expect(several.access.account).toBe('several');
    expect(several.refresh?.account).toBe('several');
    expect(s.auth.reissue(several.access, 'page', undefined).access.account).toBe('several');
    const renewed = tokens(s.auth.refresh(s.app, several.refresh?.token));
    expect(renewed.access.account).toBe('several');
    expect(tokens(s.exchange(s.code())).access.account).toBeUndefined();
  });

  it('issues tokens that never expire for a network whose do not', () => {
    const s = server({ accessSeconds: undefined, tokenSeconds: 1, refreshTokens: 'never' });
    const answer = tokens(s.exchange(s.code()));
    expect(answer.expiresIn).toBeUndefined();
    expect(answer.refresh).toBeUndefined();
    s.advance(10 * 365 * 24 * 3600);
    expect(s.auth.check(answer.access.token).ok).toBe(true);
  });

  it('refuses a plain challenge and a missing one where PKCE is required', () => {
    const s = server();
    const base = {
      response_type: 'code',
      client_id: 'client',
      redirect_uri: REDIRECT,
      state: 's',
    };
    const extras: Record<string, string>[] = [
      { code_challenge: 'abc', code_challenge_method: 'plain' },
      {},
    ];
    for (const extra of extras) {
      const checked = s.auth.checkAuthorize(new URLSearchParams({ ...base, ...extra }));
      expect(checked).toMatchObject({ ok: false });
      expect('redirect' in checked && checked.redirect).toContain('error=invalid_request');
    }
  });

  it('reads Basic client credentials, percent-decoded', () => {
    const header = `Basic ${Buffer.from('my%20client:s%3Acret').toString('base64')}`;
    expect(basicCredentials(header)).toEqual({ clientId: 'my client', clientSecret: 's:cret' });
    expect(basicCredentials('Bearer abc')).toBeUndefined();
  });
});
