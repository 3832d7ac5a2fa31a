/**
 * docs/openapi.json is the document the code builds (shared/http/openapi.ts), and that
 * document holds together: every route the functions serve, every reference resolved,
 * every path parameter declared, and the webhook fixtures valid against their schemas.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { committedOpenApi, currentOpenApi } from '../../../infra/cli/openapi';
import { FUNCTIONS, type FunctionDefinition } from '../../../shared/resources';

type Operation = {
  operationId: string;
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<
    string,
    { description: string; content?: unknown; headers?: Record<string, unknown> }
  >;
};
type Document = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>> };
};

const document = currentOpenApi() as Document;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function operation(routeKey: string): Operation | undefined {
  const [method = '', path = ''] = routeKey.split(' ');
  return document.paths[path]?.[method.toLowerCase()];
}

/** Every `$ref` anywhere in a value. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) =>
      key === '$ref' && typeof inner === 'string' ? [inner] : refs(inner),
    );
  }
  return [];
}

/** A component as a standalone JSON Schema, its references pointing into `$defs`. */
function componentSchema(name: string): z.ZodType {
  const text = JSON.stringify(document.components.schemas).replaceAll(
    '#/components/schemas/',
    '#/$defs/',
  );
  const defs = JSON.parse(text) as Record<string, Record<string, unknown>>;
  const schema = defs[name];
  if (!schema) throw new Error(`no component ${name}`);
  return z.fromJSONSchema({ ...schema, $defs: defs });
}

const fixture = (name: string): unknown =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/webhooks/${name}`, import.meta.url), 'utf8'),
  ) as unknown;

describe('docs/openapi.json', () => {
  it('is the document the code builds', () => {
    const same = isDeepStrictEqual(committedOpenApi(), currentOpenApi());
    expect(
      same,
      'docs/openapi.json differs from what shared/http/openapi.ts builds: run `npm run openapi` and commit the result',
    ).toBe(true);
  });
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with a title, a version and unique operation ids', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title).not.toBe('');
    expect(document.info.version).not.toBe('');
    const ids = Object.values(document.paths).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has every route the functions serve over HTTP, and nothing else', () => {
    const definitions: FunctionDefinition[] = Object.values(FUNCTIONS);
    const served = definitions.flatMap((definition) => definition.routes ?? []);
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual([...served].sort());
  });

  it('gives each webhook its signature headers, its body and its 202, 400, 401, 413 and 429', () => {
    const headers: Record<string, string[]> = {
      'POST /webhooks/generic': ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
      'POST /webhooks/generic/{siteId}': ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
      'POST /webhooks/wordpress': ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
      'POST /webhooks/wordpress/{siteId}': ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
      'POST /webhooks/ghost': ['x-ghost-signature'],
      'POST /webhooks/ghost/{siteId}': ['x-ghost-signature'],
    };
    for (const route of FUNCTIONS['ingest-webhook'].routes) {
      const op = operation(route);
      expect(op, route).toBeDefined();
      expect(op?.security, `${route} is signed, not a bearer route`).toEqual([]);
      const given = (op?.parameters ?? []).filter((p) => p.in === 'header' && p.required);
      // The per-site webhook names its site in the path, and answers 404 for an unknown one.
      const answers = route.includes('{siteId}')
        ? ['202', '400', '401', '404', '413', '429']
        : ['202', '400', '401', '413', '429'];
      expect(
        given.map((p) => p.name),
        route,
      ).toEqual(headers[route]);
      expect(op?.requestBody?.content['application/json']?.schema, route).toBeDefined();
      expect(Object.keys(op?.responses ?? {}).sort(), route).toEqual(answers);
      // Throttled: when to come back, for the senders that retry.
      expect(op?.responses?.['429']?.headers?.['Retry-After'], route).toBeDefined();
    }
  });

  it('declares every path parameter, and gives every operation described answers', () => {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(METHODS, `${method} ${path}`).toContain(method);
        const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        const declared = (op.parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => {
            expect(p.required, `${path}: ${p.name}`).toBe(true);
            return p.name;
          });
        expect(declared.sort(), `${method} ${path}`).toEqual(inPath.sort());
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        for (const [status, answer] of Object.entries(op.responses)) {
          expect(status, `${method} ${path}`).toMatch(/^[1-5]\d\d$/);
          expect(answer.description, `${method} ${path} ${status}`).not.toBe('');
        }
      }
    }
  });

  it('resolves every reference to a component', () => {
    const names = new Set(Object.keys(document.components.schemas));
    for (const ref of refs(document)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(names, ref).toContain(ref.replace('#/components/schemas/', ''));
    }
  });

  it('accepts the webhook fixtures, and refuses a generic article without its url', () => {
    const generic = componentSchema('GenericArticle');
    expect(generic.safeParse(fixture('generic-article.json')).error).toBeUndefined();
    const { url: _url, ...withoutUrl } = fixture('generic-article.json') as Record<string, unknown>;
    expect(generic.safeParse(withoutUrl).success).toBe(false);
    expect(
      componentSchema('WordPressPost').safeParse(fixture('wordpress-post.json')).error,
    ).toBeUndefined();
    expect(
      componentSchema('GhostDelivery').safeParse(fixture('ghost-post-published.json')).error,
    ).toBeUndefined();
  });
});
