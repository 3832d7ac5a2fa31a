/**
 * Reading a request: its path parameters, query and JSON body, each checked against a
 * zod schema, a failure answered as a 400 naming the fields (shared/http/responses.ts).
 */
import type { z } from 'zod';
import { fieldIssues } from '../domain/article';
import { PayloadTooLargeError, ValidationError } from '../domain/errors';
import { type HttpEvent, rawBody } from './event';

/** The editor API's largest body: a PATCH is a text of at most 70,000 characters and a date. */
export const MAX_BODY_BYTES = 512 * 1024;

/** `value` as `schema` reads it, or a ValidationError naming every field that failed. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = fieldIssues(result.error);
    throw new ValidationError(
      `Invalid ${[...new Set(issues.map((i) => i.field))].join(', ')}`,
      issues,
    );
  }
  return result.data;
}

/** The body as JSON; undefined when there is none. Too large, or not JSON, is refused. */
export function jsonBody(event: HttpEvent, maxBytes = MAX_BODY_BYTES): unknown {
  const body = rawBody(event);
  if (body.length > maxBytes) {
    throw new PayloadTooLargeError(`Body over ${Math.floor(maxBytes / 1024)} KiB`);
  }
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ValidationError('Invalid body', [{ field: '(body)', message: 'is not JSON' }], {
      cause: error,
    });
  }
}

/** A route and the schemas it declares for its input (shared/http/editor-routes.ts). */
export type RouteSchemas = {
  routeKey: string;
  path?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
};

type Parsed<R, K extends keyof RouteSchemas> = R extends { readonly [P in K]: infer S }
  ? S extends z.ZodType
    ? z.output<S>
    : undefined
  : undefined;

/** What a route's handler gets: each part its schema declares, parsed; the others undefined. */
export type RouteInput<R extends RouteSchemas> = {
  path: Parsed<R, 'path'>;
  query: Parsed<R, 'query'>;
  body: Parsed<R, 'body'>;
};

/**
 * Parses the parts of `event` that `route` declares, path first, then query, then body;
 * a part the route does not declare is not read at all (an action's body is ignored).
 * A declared body that is absent is read as `{}`, so its schema names what is missing.
 */
export function readInput<R extends RouteSchemas>(route: R, event: HttpEvent): RouteInput<R> {
  const input = {
    path: route.path ? parseInput(route.path, event.pathParameters ?? {}) : undefined,
    query: route.query ? parseInput(route.query, event.queryStringParameters ?? {}) : undefined,
    body: route.body ? parseInput(route.body, jsonBody(event) ?? {}) : undefined,
  };
  // Each part was parsed by the very schema RouteInput<R> takes its type from.
  return input as RouteInput<R>;
}
