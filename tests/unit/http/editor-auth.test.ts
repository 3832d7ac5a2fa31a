import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthorizedError } from '../../../shared/domain/errors';
import { authorizeEditor, groupsOf } from '../../../shared/http/editor-auth';
import { httpEventSchema } from '../../../shared/http/event';
import { describeCaller, meAnswerSchema } from '../../../shared/usecases/sites';

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
  it('takes a Cognito editor by username, and an admin as admin', async () => {
    await expect(
      authorizeEditor(
        event({ claims: { 'cognito:username': 'alice', 'cognito:groups': '[editor]' } }),
        undefined,
      ),
    ).resolves.toEqual({ by: 'alice', role: 'editor', sites: ['default'] });
    await expect(
      authorizeEditor(
        event({ claims: { email: 'bo@newsroom.example', 'cognito:groups': '[editor admin]' } }),
        undefined,
      ),
    ).resolves.toEqual({ by: 'bo@newsroom.example', role: 'admin', sites: 'all' });
  });

  it('gives a Cognito editor the sites of its site:<id> groups, and an admin every site', async () => {
    await expect(
      authorizeEditor(
        event({
          claims: { 'cognito:username': 'cy', 'cognito:groups': '[editor site:north site:south]' },
        }),
        undefined,
      ),
    ).resolves.toEqual({ by: 'cy', role: 'editor', sites: ['north', 'south'] });
    await expect(
      authorizeEditor(
        event({ claims: { 'cognito:username': 'di', 'cognito:groups': '[admin site:north]' } }),
        undefined,
      ),
    ).resolves.toEqual({ by: 'di', role: 'admin', sites: 'all' });
  });

  it('refuses a Cognito user in neither group with 403, not 401', async () => {
    await expect(
      authorizeEditor(
        event({ claims: { 'cognito:username': 'mallory', 'cognito:groups': '[readers]' } }),
        TOKEN,
      ),
    ).rejects.toThrow(ForbiddenError);
    await expect(
      authorizeEditor(event({ claims: { 'cognito:username': 'eve' } }), TOKEN),
    ).rejects.toThrow(ForbiddenError);
  });

  it('takes the local token as an admin, and refuses any other', async () => {
    await expect(
      authorizeEditor(event({ headers: { authorization: `Bearer ${TOKEN}` } }), TOKEN),
    ).resolves.toEqual({
      by: 'editor',
      role: 'admin',
      sites: 'all',
    });
    for (const authorization of [`Bearer ${TOKEN}x`, TOKEN, 'Bearer ']) {
      await expect(authorizeEditor(event({ headers: { authorization } }), TOKEN)).rejects.toThrow(
        UnauthorizedError,
      );
    }
    await expect(
      authorizeEditor(event({ headers: { authorization: `Bearer ${TOKEN}` } }), undefined),
    ).rejects.toThrow(UnauthorizedError);
  });

  it('takes a token made by POST /api/editors as its editor, with its sites', async () => {
    const lookup = async (token: string) =>
      token === 'crier_made'
        ? { name: 'ana', role: 'editor' as const, sites: ['north'] }
        : undefined;
    await expect(
      authorizeEditor(event({ headers: { authorization: 'Bearer crier_made' } }), TOKEN, lookup),
    ).resolves.toEqual({ by: 'ana', role: 'editor', sites: ['north'] });
    await expect(
      authorizeEditor(event({ headers: { authorization: 'Bearer crier_other' } }), TOKEN, lookup),
    ).rejects.toThrow(UnauthorizedError);
  });
});

describe('GET /api/me', () => {
  it("tells a Cognito editor their name and their groups' sites, and an admin every site", async () => {
    const editor = await authorizeEditor(
      event({ claims: { 'cognito:username': 'cy', 'cognito:groups': '[editor site:north]' } }),
      undefined,
    );
    expect(describeCaller(editor)).toEqual({
      editor: { name: 'cy', role: 'editor', sites: ['north'] },
    });
    const admin = await authorizeEditor(
      event({ claims: { 'cognito:username': 'di', 'cognito:groups': '[admin]' } }),
      undefined,
    );
    expect(meAnswerSchema.parse(describeCaller(admin))).toEqual({
      editor: { name: 'di', role: 'admin', sites: 'all' },
    });
  });
});
