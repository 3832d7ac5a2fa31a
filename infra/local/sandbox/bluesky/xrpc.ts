/**
 * XRPC as the Bluesky sandbox speaks it: JSON answers and `{ error, message }` failures,
 * lexicon-checked JSON input, and the session and repo checks a route makes first.
 */
import { timingSafeEqual } from 'node:crypto';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { lexicons } from '@atproto/api';
import { TID } from '@atproto/common-web';
import { bearerToken, mediaType, sendJson } from '../kit/http';
import { cidFor, type StoredRecord, type XrpcFailure } from './repo';
import { type Account, type Call, HOUR_MS, WRITE_POINTS_PER_HOUR } from './state';
import { ACCESS_SCOPE, type REFRESH_SCOPE } from './tokens';

export const send = sendJson;

export function fail(res: ServerResponse, failure: XrpcFailure, headers?: OutgoingHttpHeaders) {
  send(res, failure.status, { error: failure.error, message: failure.message }, headers);
}

export const invalid = (message: string): XrpcFailure => ({
  status: 400,
  error: 'InvalidRequest',
  message,
});

export const INTERNAL: XrpcFailure = {
  status: 500,
  error: 'InternalServerError',
  message: 'Internal Server Error',
};

export const bearer = (call: Call) => bearerToken(call.req, /^Bearer\s+(\S+)$/i);

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function jsonBody(
  call: Call,
  nsid: string,
): { ok: true; body: unknown } | { ok: false; failure: XrpcFailure } {
  const type = mediaType(call.req);
  if (type !== 'application/json') {
    return {
      ok: false,
      failure: invalid(`Wrong request encoding (Content-Type): ${type || 'none'}`),
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(call.body.toString('utf8'));
  } catch {
    return { ok: false, failure: invalid('Request body is not valid JSON') };
  }
  try {
    lexicons.assertValidXrpcInput(nsid, body);
  } catch (error) {
    return { ok: false, failure: invalid(error instanceof Error ? error.message : String(error)) };
  }
  return { ok: true, body };
}

export function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && name in body
    ? Object.getOwnPropertyDescriptor(body, name)?.value
    : undefined;
}

export function text(body: unknown, name: string): string | undefined {
  const value = field(body, name);
  return typeof value === 'string' ? value : undefined;
}

/** The session of the call's bearer token; undefined when it answered the failure. */
export function authenticate(call: Call, scope: typeof ACCESS_SCOPE | typeof REFRESH_SCOPE) {
  const token = bearer(call);
  if (!token) {
    fail(call.res, { status: 401, error: 'AuthMissing', message: 'Authentication Required' });
    return undefined;
  }
  const verified = call.state.issuer.verify(token, scope);
  if (!verified.ok) {
    if (scope === ACCESS_SCOPE && verified.failure.error === 'ExpiredToken') {
      call.state.note('expired');
    }
    fail(call.res, verified.failure);
    return undefined;
  }
  const found = call.state.accounts.get(verified.claims.sub);
  if (!found) {
    fail(call.res, { status: 400, error: 'InvalidToken', message: 'Token could not be verified' });
    return undefined;
  }
  return { account: found, claims: verified.claims };
}

/** The repo a write names must be the caller's own (by DID or handle); the PDS says 403 for one nobody has. */
export function ownRepo(call: Call, caller: Account, repo: string | undefined): boolean {
  const target = repo ? call.state.byIdentifier(repo) : undefined;
  if (!target) {
    fail(call.res, { status: 403, error: 'AccountNotFound', message: 'Account not found' });
    return false;
  }
  if (target !== caller) {
    const message = 'Authentication Required';
    fail(call.res, { status: 401, error: 'AuthenticationRequired', message });
    return false;
  }
  return true;
}

export function rateLimited(res: ServerResponse, a: Account, now: number) {
  fail(
    res,
    { status: 429, error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' },
    {
      'RateLimit-Limit': WRITE_POINTS_PER_HOUR,
      'RateLimit-Remaining': 0,
      'RateLimit-Reset': Math.floor(a.rateLimitedUntil / 1000),
      'RateLimit-Policy': `${WRITE_POINTS_PER_HOUR};w=${HOUR_MS / 1000}`,
      'Retry-After': Math.ceil((a.rateLimitedUntil - now) / 1000),
    },
  );
}

export const recordView = (r: StoredRecord) => ({ uri: r.uri, cid: r.cid, value: r.value });

export const commitMeta = (r: StoredRecord) => ({
  cid: cidFor(Buffer.from(`${r.uri}#${Date.now()}`), 'dag-cbor'),
  rev: TID.nextStr(),
});
