/**
 * The Bluesky sandbox's session tokens: HS256 JWTs with the PDS's claims (scope, sub,
 * aud, iat, exp, and a jti on refresh tokens), signed with a key made at start, and the
 * PDS's answers when one is missing, unverifiable, expired or of the wrong kind.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { XrpcFailure } from './repo';

export const ACCESS_SCOPE = 'com.atproto.appPass';
export const REFRESH_SCOPE = 'com.atproto.refresh';

const claimsSchema = z.object({
  scope: z.string(),
  sub: z.string(),
  aud: z.string(),
  iat: z.number(),
  exp: z.number(),
  jti: z.string().optional(),
});

export type Claims = z.output<typeof claimsSchema>;

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export class TokenIssuer {
  private readonly key = randomBytes(32);

  constructor(
    private readonly audience: string,
    private readonly lifetimes: { accessSeconds: number; refreshSeconds: number },
  ) {}

  private sign(typ: string, claims: Claims): string {
    const head = base64url(JSON.stringify({ typ, alg: 'HS256' }));
    const body = base64url(JSON.stringify(claims));
    const signature = createHmac('sha256', this.key).update(`${head}.${body}`).digest();
    return `${head}.${body}.${base64url(signature)}`;
  }

  /**
   * An access and a refresh token for `did`; the caller keeps `jti` to rotate or revoke it.
   * A rotated refresh token used again within its grace gets a refresh token of the same
   * `jti` as the first use did.
   */
  issue(
    did: string,
    now = Date.now(),
    jti = randomBytes(32).toString('base64'),
  ): { accessJwt: string; refreshJwt: string; jti: string } {
    const iat = Math.floor(now / 1000);
    // Rounded up from the moment of issue, so a token never lives less than its lifetime.
    const expires = (seconds: number) => Math.ceil(now / 1000 + seconds);
    return {
      // A jti of its own: @atproto/api retries after a refresh only when the access
      // token changed, and two tokens signed in the same second would otherwise match.
      accessJwt: this.sign('at+jwt', {
        scope: ACCESS_SCOPE,
        sub: did,
        aud: this.audience,
        iat,
        exp: expires(this.lifetimes.accessSeconds),
        jti: randomBytes(16).toString('base64url'),
      }),
      refreshJwt: this.sign('refresh+jwt', {
        scope: REFRESH_SCOPE,
        sub: did,
        aud: this.audience,
        iat,
        exp: expires(this.lifetimes.refreshSeconds),
        jti,
      }),
      jti,
    };
  }

  /** The claims of a token this sandbox signed, still valid, of the scope expected. */
  verify(
    token: string,
    scope: typeof ACCESS_SCOPE | typeof REFRESH_SCOPE,
    now = Date.now(),
  ): { ok: true; claims: Claims } | { ok: false; failure: XrpcFailure } {
    const unverifiable: XrpcFailure = {
      status: 400,
      error: 'InvalidToken',
      message: 'Token could not be verified',
    };
    const [head, body, signature, ...rest] = token.split('.');
    if (!head || !body || !signature || rest.length > 0)
      return { ok: false, failure: unverifiable };
    const expected = createHmac('sha256', this.key).update(`${head}.${body}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, failure: unverifiable };
    }
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, failure: unverifiable };
    }
    const parsed = claimsSchema.safeParse(json);
    if (!parsed.success) return { ok: false, failure: unverifiable };
    const claims = parsed.data;
    if (claims.exp * 1000 <= now) {
      return {
        ok: false,
        failure: { status: 400, error: 'ExpiredToken', message: 'Token has expired' },
      };
    }
    if (claims.scope !== scope) {
      return {
        ok: false,
        failure: { status: 400, error: 'InvalidToken', message: 'Invalid token type' },
      };
    }
    return { ok: true, claims };
  }
}
