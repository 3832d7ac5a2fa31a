/**
 * The networks' own refusal bodies, classified: a token that is dead (expired, revoked,
 * invalid) is `auth`, so the publisher refreshes it once; a live token without the
 * permission, scope or role is `auth` with `permission`, which no refresh can mend.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { ApiResponseError } from 'twitter-api-v2';
import { describe, expect, it } from 'vitest';
import type { Api } from '../../../shared/platforms/linkedin/api';
import { refusal } from '../../../shared/platforms/linkedin/errors';
import { createOutcome } from '../../../shared/platforms/mastodon/errors';
import { classify, type GraphFailure } from '../../../shared/platforms/meta/errors';
import { createFailure } from '../../../shared/platforms/x/errors';

const graph = (status: number, error: Record<string, unknown>): GraphFailure => ({
  kind: 'http',
  status,
  error: { type: 'OAuthException', fbtrace_id: 'A6LJylpZRKw2xKLFsAP-cJh', ...error } as never,
  headers: new Headers({ 'content-type': 'application/json' }),
});

describe('Meta Graph (Threads, Instagram, Facebook)', () => {
  it('code 190 (expired session, invalidated session) is a dead token', () => {
    for (const body of [
      {
        message:
          'Error validating access token: Session has expired on Friday, 06-Dec-24 10:00:00 PST. The current time is Friday, 06-Dec-24 10:05:12 PST.',
        code: 190,
        error_subcode: 463,
      },
      {
        message:
          'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
        code: 190,
        error_subcode: 460,
      },
    ]) {
      const outcome = classify('Threads', 'container', graph(400, body), 5_000);
      expect(outcome.kind).toBe('auth');
      expect(outcome).not.toHaveProperty('permission');
    }
  });

  it('codes 10 and the 200 series are a missing permission', () => {
    for (const body of [
      { message: '(#10) Application does not have permission for this action', code: 10 },
      {
        message:
          '(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts permission with page token',
        code: 200,
      },
      { message: '(#230) Requires pages_messaging permission to manage the object', code: 230 },
    ]) {
      const outcome = classify('Facebook', 'publish', graph(403, body), 5_000);
      expect(outcome).toMatchObject({ kind: 'auth', permission: true });
    }
  });
});

describe('X', () => {
  const xError = (code: number, data: Record<string, unknown>) =>
    new ApiResponseError(`Request failed with code ${code}`, {
      code,
      data: data as never,
      headers: { 'content-type': 'application/problem+json' },
      request: {} as ClientRequest,
      response: {} as IncomingMessage,
    });
  const deadline = new AbortController().signal;

  it('a 401 is a dead token', () => {
    const outcome = createFailure(
      xError(401, {
        title: 'Unauthorized',
        type: 'about:blank',
        status: 401,
        detail: 'Unauthorized',
      }),
      deadline,
      5_000,
    );
    expect(outcome.kind).toBe('auth');
    expect(outcome).not.toHaveProperty('permission');
  });

  it('a 403 for the app’s permissions is a missing permission; a duplicate is not', () => {
    const outcome = createFailure(
      xError(403, {
        title: 'Forbidden',
        type: 'https://api.twitter.com/2/problems/oauth1-permissions',
        status: 403,
        detail:
          'Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.',
      }),
      deadline,
      5_000,
    );
    expect(outcome).toMatchObject({ kind: 'auth', permission: true });
    const duplicate = createFailure(
      xError(403, {
        detail: 'You are not allowed to create a Tweet with duplicate content.',
        type: 'about:blank',
        title: 'Forbidden',
        status: 403,
      }),
      deadline,
      5_000,
    );
    expect(duplicate.kind).toBe('unknown');
  });
});

describe('LinkedIn', () => {
  const api = { credentials: { version: '202411' } } as unknown as Api;
  const answer = (status: number, body: Record<string, unknown>) => ({
    status,
    headers: new Headers({ 'content-type': 'application/json' }),
    body,
  });

  it('a revoked or invalid token (401) is a dead token', () => {
    for (const body of [
      {
        status: 401,
        serviceErrorCode: 65601,
        code: 'REVOKED_ACCESS_TOKEN',
        message: 'The token used in the request has been revoked by the user',
      },
      { serviceErrorCode: 65600, message: 'Invalid access token', status: 401 },
    ]) {
      const outcome = refusal(api, answer(401, body), String(body.message));
      expect(outcome?.kind).toBe('auth');
      expect(outcome).not.toHaveProperty('permission');
    }
  });

  it('ACCESS_DENIED (403) is a missing permission or role', () => {
    const body = {
      status: 403,
      serviceErrorCode: 100,
      code: 'ACCESS_DENIED',
      message: 'Not enough permissions to access: partnerApiPostsExternal.CREATE.20240601',
    };
    expect(refusal(api, answer(403, body), body.message)).toMatchObject({
      kind: 'auth',
      permission: true,
    });
  });
});

describe('Mastodon', () => {
  it('a 401 is a dead token; a 403 refuses the request itself', () => {
    const dead = createOutcome({
      kind: 'http',
      status: 401,
      error: 'The access token is invalid',
      message: 'Mastodon answered 401: The access token is invalid',
    });
    expect(dead.kind).toBe('auth');
    expect(dead).not.toHaveProperty('permission');
    expect(
      createOutcome({
        kind: 'http',
        status: 403,
        error: 'This action is not allowed',
        message: 'Mastodon answered 403: This action is not allowed',
      }).kind,
    ).toBe('rejected');
  });
});
