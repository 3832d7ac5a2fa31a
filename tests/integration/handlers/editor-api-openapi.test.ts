/**
 * The editor API's OpenAPI document, served at /api/openapi.json: every route the
 * functions define is in it, and real answers of the local stack validate against its
 * schemas. Also who may call: Cognito groups, as API Gateway passes the JWT's claims.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { FUNCTIONS } from '../../../shared/resources';
import { callEditorApi } from '../../support/editor-api';
import { EDITOR_API_FUNCTIONS, ingestAndCompose } from '../../support/handler-stack';
import { startTestStack, type TestStack } from '../../support/stack';
import { getJson } from '../../support/webhook';

type Json = Record<string, unknown>;
type Document = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, Json> };
};

let stack: TestStack;
let token: string;
let articleId: string;
let document: Document;

beforeAll(async () => {
  stack = await startTestStack({
    sandboxes: false,
    functions: EDITOR_API_FUNCTIONS,
  });
  token = stack.secrets.editorToken.value;
  articleId = await ingestAndCompose(stack, { id: 'openapi-1' });
  const answer = await getJson(stack.url, '/api/openapi.json', token);
  expect(answer.status).toBe(200);
  document = answer.body as Document;
});

afterAll(async () => {
  await stack?.dispose();
});

/** A component as a standalone JSON Schema: references point into its own `$defs`. */
function standalone(name: string): z.ZodType {
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => [
          key,
          key === '$ref' && typeof inner === 'string'
            ? inner.replace('#/components/schemas/', '#/$defs/')
            : rewrite(inner),
        ]),
      );
    }
    return value;
  };
  const defs = z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .parse(rewrite(document.components.schemas));
  const schema = defs[name];
  if (!schema) throw new Error(`no component ${name}`);
  return z.fromJSONSchema({ ...schema, $defs: defs });
}

/** The schema the document gives for an answer, by its `$ref`. */
function answerSchema(path: string, method: string, status: number): z.ZodType {
  const response = z
    .object({
      content: z.object({
        'application/json': z.object({ schema: z.object({ $ref: z.string() }) }),
      }),
    })
    .parse(document.paths[path]?.[method]?.responses[String(status)]);
  const name = response.content['application/json'].schema.$ref.split('/').at(-1) ?? '';
  return standalone(name);
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists every editor-api route with 401 and 403 answers', () => {
    expect(document.openapi).toBe('3.1.0');
    for (const route of FUNCTIONS['editor-api'].routes) {
      const [method = '', path = ''] = route.split(' ');
      const operation = document.paths[path]?.[method.toLowerCase()];
      expect(operation, route).toBeDefined();
      // A route that makes something answers 201 (POST /api/sites, /api/channels, /api/posts, /api/media...), one
      // that stores what it does not show 204 (credentials, a pick among connected
      // accounts), every other 200.
      const success =
        /^POST \/api\/(sites|channels|editors|posts|media)(\/\{siteId\}\/webhook-key)?$/.test(route)
          ? '201'
          : route === 'PUT /api/channels/{id}/credentials' ||
              route === 'POST /api/channels/{id}/connect/choose'
            ? '204'
            : '200';
      expect(Object.keys(operation?.responses ?? {}), route).toEqual(
        expect.arrayContaining([success, '401', '403']),
      );
    }
    const writes = [
      document.paths['/api/articles/{articleId}/shares/{channelId}']?.patch,
      document.paths['/api/articles/{articleId}/shares/{channelId}/{action}']?.post,
    ];
    for (const operation of writes) {
      expect(Object.keys(operation?.responses ?? {})).toEqual(
        expect.arrayContaining(['400', '404', '409']),
      );
    }
  });

  it('validates the real article list and article answers', async () => {
    const list = await getJson(stack.url, '/api/articles', token);
    expect(answerSchema('/api/articles', 'get', 200).safeParse(list.body).error).toBeUndefined();
    const detail = await getJson(stack.url, `/api/articles/${articleId}`, token);
    const schema = answerSchema('/api/articles/{articleId}', 'get', 200);
    expect(schema.safeParse(detail.body).error).toBeUndefined();
    // The schema is not a formality: a share without its status fails it.
    const { shares } = detail.body as { shares: Json[] };
    const broken = { ...(detail.body as Json), shares: [{ ...shares[0], status: undefined }] };
    expect(schema.safeParse(broken).success).toBe(false);
  });

  it('validates a real share answer and a real refusal with its count', async () => {
    const path = `/api/articles/${articleId}/shares/x-newsroom`;
    const edit = (text: string) =>
      callEditorApi<unknown>(stack.url, { method: 'PATCH', path, token, body: { text } });
    const edited = await edit('A new headline for X');
    expect(edited.status).toBe(200);
    const shareAnswer = answerSchema('/api/articles/{articleId}/shares/{channelId}', 'patch', 200);
    expect(shareAnswer.safeParse(edited.body).error).toBeUndefined();

    const refused = await edit('x'.repeat(300));
    expect(refused.status).toBe(400);
    const error = refused.body;
    expect(error).toMatchObject({ length: { used: 300, limit: 280 } });
    const errorSchema = answerSchema('/api/articles/{articleId}/shares/{channelId}', 'patch', 400);
    expect(errorSchema.safeParse(error).error).toBeUndefined();
  });
});

describe('Cognito groups', () => {
  /** An API Gateway event as the JWT authorizer passes it, claims and all. */
  const jwtEvent = (routeKey: string, rawPath: string, claims: Json, body?: string) => ({
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    pathParameters: {
      articleId,
      channelId: 'bluesky-newsroom',
      action: rawPath.split('/').at(-1) ?? '',
    },
    requestContext: { requestId: 'r-1', authorizer: { jwt: { claims, scopes: null } } },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  });
  const statusOf = (answer: unknown) =>
    z.object({ statusCode: z.number() }).parse(answer).statusCode;

  it('answers 403 on every route to a user in neither the editor nor the admin group', async () => {
    const claims = { 'cognito:username': 'mallory', 'cognito:groups': '[readers]' };
    for (const route of FUNCTIONS['editor-api'].routes) {
      const [, path = ''] = route.split(' ');
      const rawPath = path
        .replace('{articleId}', articleId)
        .replace('{channelId}', 'bluesky-newsroom')
        .replace('{action}', 'cancel');
      const answer = await stack.invoke('editor-api', jwtEvent(route, rawPath, claims, '{}'));
      expect(statusOf(answer), route).toBe(403);
    }
  });

  it('lets an editor write, and records the Cognito username in the history', async () => {
    const claims = { 'cognito:username': 'alice', 'cognito:groups': '[editor]' };
    const route = 'PATCH /api/articles/{articleId}/shares/{channelId}';
    const answer = await stack.invoke(
      'editor-api',
      jwtEvent(
        route,
        `/api/articles/${articleId}/shares/bluesky-newsroom`,
        claims,
        JSON.stringify({ text: 'Edited by Alice' }),
      ),
    );
    expect(statusOf(answer)).toBe(200);
    const { body } = z.object({ body: z.string() }).parse(answer);
    const { share } = z
      .object({ share: z.object({ history: z.array(z.object({ by: z.string() })) }) })
      .parse(JSON.parse(body));
    expect(share.history.at(-1)?.by).toBe('alice');
  });
});
