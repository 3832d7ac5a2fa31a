/**
 * Every editor API route that shared/resources.ts defines, on the local stack, answers 401
 * to a request without the editor's token, with a wrong one or with a malformed
 * Authorization header: a new route is covered the moment it is defined.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionDefinition } from '../../../shared/resources';
import { type RawResponse, rawRequest } from '../../support/raw-http';
import { startTestStack, type TestStack } from '../../support/stack';

const definitions: [string, FunctionDefinition][] = Object.entries(FUNCTIONS);

/** `METHOD /api/...` routes, with their function. */
const API_ROUTES = definitions.flatMap(([name, definition]) =>
  (definition.routes ?? [])
    .filter((route) => / \/api(\/|$)/.test(route))
    .map((route) => ({ name, definition, route })),
);

let stack: TestStack;
let token: string;

beforeAll(async () => {
  stack = await startTestStack({
    sandboxes: false,
    functions: Object.fromEntries(API_ROUTES.map(({ name, definition }) => [name, definition])),
  });
  token = stack.secrets.editorToken.value;
});

afterAll(async () => {
  await stack?.dispose();
});

/** The route with each `{param}` filled in, and a body for the methods that take one. */
function requestFor(route: string): { method: string; path: string; body?: string } {
  const [method = 'GET', template = '/'] = route.split(' ');
  const path = template.replace(/\{([^}+]+)\+?\}/g, (_, name: string) => `test-${name}`);
  return { method, path, ...(['POST', 'PUT', 'PATCH'].includes(method) ? { body: '{}' } : {}) };
}

function send(route: string, headers: [string, string][]): Promise<RawResponse> {
  const { method, path, body } = requestFor(route);
  const lines: [string, string][] = body
    ? [...headers, ['content-type', 'application/json']]
    : headers;
  return rawRequest(stack.url, method, path, lines, body);
}

/** Each malformed or wrong Authorization, given the real token. */
const REFUSED: [string, (token: string) => [string, string][]][] = [
  ['no Authorization header', () => []],
  ['an empty Authorization header', () => [['authorization', '']]],
  ['a wrong token', () => [['authorization', 'Bearer not-the-token-at-all']]],
  [
    'a wrong token of the same length',
    (t) => [['authorization', `Bearer ${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`]],
  ],
  ['the token in another case', (t) => [['authorization', `Bearer ${swapCase(t)}`]]],
  ['the token cut short', (t) => [['authorization', `Bearer ${t.slice(0, -4)}`]]],
  ['the token with more after it', (t) => [['authorization', `Bearer ${t}x`]]],
  ['the token twice in one header', (t) => [['authorization', `Bearer ${t} ${t}`]]],
  ['the token without the Bearer scheme', (t) => [['authorization', t]]],
  ['the token under the Basic scheme', (t) => [['authorization', `Basic ${t}`]]],
  [
    'user:token as Basic credentials',
    (t) => [['authorization', `Basic ${Buffer.from(`editor:${t}`).toString('base64')}`]],
  ],
  ['Bearer and nothing else', () => [['authorization', 'Bearer']]],
  ['Bearer and spaces', () => [['authorization', 'Bearer    ']]],
  ['a scheme glued to the token', (t) => [['authorization', `Bearer${t}`]]],
  ['the token in another header', (t) => [['x-api-key', t]]],
  ['the token as a cookie', (t) => [['cookie', `token=${t}`]]],
  [
    'the token and a wrong one, in two Authorization headers',
    (t) => [
      ['authorization', `Bearer ${t}`],
      ['authorization', 'Bearer wrong'],
    ],
  ],
  [
    'the token twice, in two Authorization headers',
    (t) => [
      ['authorization', `Bearer ${t}`],
      ['authorization', `Bearer ${t}`],
    ],
  ],
  ['a JWT that nobody signed', () => [['authorization', `Bearer ${unsignedJwt()}`]]],
  ['binary garbage', () => [['authorization', 'Bearer \u00ff\u00fe\u0080\u0081']]],
];

function swapCase(value: string): string {
  return [...value]
    .map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
    .join('');
}

/** What a forged Cognito token looks like: claims of an editor, and no signature. */
function unsignedJwt(): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'editor', 'cognito:username': 'alice', 'cognito:groups': ['admin'] })}.`;
}

describe('the editor API', () => {
  it('has routes to check, each under /api', () => {
    expect(API_ROUTES.length).toBeGreaterThan(0);
    expect(API_ROUTES.map((r) => r.route)).toContain('GET /api/articles');
  });

  describe.each(API_ROUTES.map(({ route }) => route))('%s', (route) => {
    it.each(REFUSED)('answers 401 with %s, and says nothing more', async (_label, headers) => {
      const lines = headers(token);
      const response = await send(route, lines);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(JSON.parse(response.body)).toEqual({ error: 'unauthorized', message: 'Unauthorized' });
      expect(response.body).not.toContain(token);
    });

    it('lets the editor token through (the 401s above are the token check, not the route)', async () => {
      const response = await send(route, [['authorization', `Bearer ${token}`]]);
      expect(response.status).not.toBe(401);
      expect(response.status).toBeLessThan(500);
    });
  });
});
