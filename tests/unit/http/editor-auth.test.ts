import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthorizedError } from '../../../shared/domain/errors';
import { authorizeEditor, groupsOf } from '../../../shared/http/editor-auth';
import { httpEventSchema } from '../../../shared/http/event';

const TOKEN = 'a-local-editor-token-of-some-length';

const event = (extra: { headers?: Record<string, string>; claims?: Record<string, unknown> }) =>
  httpEventSchema.parse({
    routeKey: 'GET /api/articles',
    rawPath: '/api/articles',
    headers: extra.headers ?? {},
    requestContext: {
      requestId: 'r-1',
      ...(extra.claims ? { authorizer: { jwt: { claims: extra.claims } } } : {}),
    },
  });

describe('the groups claim', () => {
  it.each([
    ['a JSON array', ['editor', 'admin'], ['editor', 'admin']],
    ['API Gateway’s bracketed string', '[editor admin]', ['editor', 'admin']],
    ['a single group', 'editor', ['editor']],
    ['commas', 'editor,admin', ['editor', 'admin']],
    ['nothing', undefined, []],
  ])('reads %s', (_, claim, groups) => {
    expect(groupsOf(claim)).toEqual(groups);
  });
});

describe('who may use the editor API', () => {
  it('takes a Cognito editor by username, and an admin as admin', () => {
    expect(
      authorizeEditor(
        event({ claims: { 'cognito:username': 'alice', 'cognito:groups': '[editor]' } }),
        undefined,
      ),
    ).toEqual({ by: 'alice', role: 'editor' });
    expect(
      authorizeEditor(
        event({ claims: { email: 'bo@newsroom.example', 'cognito:groups': '[editor admin]' } }),
        undefined,
      ),
    ).toEqual({ by: 'bo@newsroom.example', role: 'admin' });
  });

  it('refuses a Cognito user in neither group with 403, not 401', () => {
    expect(() =>
      authorizeEditor(
        event({ claims: { 'cognito:username': 'mallory', 'cognito:groups': '[readers]' } }),
        TOKEN,
      ),
    ).toThrow(ForbiddenError);
    expect(() => authorizeEditor(event({ claims: { 'cognito:username': 'eve' } }), TOKEN)).toThrow(
      ForbiddenError,
    );
  });

  it('takes the local token as an admin, and refuses any other', () => {
    expect(
      authorizeEditor(event({ headers: { authorization: `Bearer ${TOKEN}` } }), TOKEN),
    ).toEqual({
      by: 'editor',
      role: 'admin',
    });
    for (const authorization of [`Bearer ${TOKEN}x`, TOKEN, 'Bearer ']) {
      expect(() => authorizeEditor(event({ headers: { authorization } }), TOKEN)).toThrow(
        UnauthorizedError,
      );
    }
    expect(() =>
      authorizeEditor(event({ headers: { authorization: `Bearer ${TOKEN}` } }), undefined),
    ).toThrow(UnauthorizedError);
  });
});
