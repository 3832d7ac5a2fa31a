/**
 * X's two credential shapes: OAuth 1.0a (app key and secret, access token and secret) and
 * the OAuth 2.0 user token Connect stores (no `accessSecret`); a refusal names fields only.
 */
import { describe, expect, it } from 'vitest';
import { isOAuth1, parseXCredentials } from '../../../shared/platforms/x/credentials';

const OAUTH1 = {
  appKey: 'consumer-key-1234',
  appSecret: 'consumer-secret-1234',
  accessToken: '1-access-token-1234',
  accessSecret: 'access-secret-1234',
};

describe('X credentials', () => {
  it('reads OAuth 1.0a credentials as such', () => {
    const parsed = parseXCredentials(OAUTH1);
    expect(parsed).toEqual({ ok: true, credentials: OAUTH1 });
    if (parsed.ok) expect(isOAuth1(parsed.credentials)).toBe(true);
  });

  it('reads an OAuth 2.0 user token with its lifetimes as OAuth 2.0', () => {
    const token = {
      accessToken: 'oauth2-user-token-1234',
      refreshToken: 'oauth2-refresh-token-1234',
      expiresAt: '2026-03-01T14:00:00.000Z',
      obtainedAt: '2026-03-01T12:00:00.000Z',
      scopes: ['tweet.read', 'tweet.write'],
    };
    const parsed = parseXCredentials(token);
    expect(parsed).toEqual({ ok: true, credentials: token });
    if (parsed.ok) expect(isOAuth1(parsed.credentials)).toBe(false);
  });

  it('names the missing OAuth 1.0a fields, never a value, once any of them is given', () => {
    const parsed = parseXCredentials({ accessToken: 'tok-123456', accessSecret: 'sec-123456' });
    expect(parsed).toEqual({
      ok: false,
      message: 'Invalid X credentials: appKey missing; appSecret missing',
    });
  });

  it('refuses an OAuth 2.0 shape without its token', () => {
    const parsed = parseXCredentials({ refreshToken: 'refresh-123456' });
    expect(parsed).toEqual({ ok: false, message: 'Invalid X credentials: accessToken missing' });
  });
});
