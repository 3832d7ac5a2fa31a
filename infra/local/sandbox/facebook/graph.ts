/**
 * The Graph API's plumbing as the Facebook sandbox needs it: parameters from the query
 * and the body (form, JSON or multipart, as Graph takes them), the access token wherever
 * it comes, `fields` with nested selections, and Graph's error envelope.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { mediaType, sendJson } from '../kit/http';
import type { GraphErrorFields } from '../meta/http';

export type Params = Map<string, string>;

/** The query's parameters, then the body's over them (Graph reads both). */
export async function graphParams(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
): Promise<Params | undefined> {
  const params: Params = new Map(url.searchParams);
  if (body.length === 0) return params;
  const contentType = req.headers['content-type'] ?? '';
  const type = mediaType(req);
  if (type === 'application/json') {
    try {
      const value: unknown = JSON.parse(body.toString('utf8'));
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      for (const [name, item] of Object.entries(value)) {
        params.set(name, typeof item === 'string' ? item : JSON.stringify(item));
      }
      return params;
    } catch {
      return undefined;
    }
  }
  if (type === 'multipart/form-data') {
    try {
      // undici's own multipart parser, behind the fetch API's Response.
      const form = await new Response(body, {
        headers: { 'content-type': contentType },
      }).formData();
      for (const [name, item] of form) if (typeof item === 'string') params.set(name, item);
      return params;
    } catch {
      return undefined;
    }
  }
  for (const [name, item] of new URLSearchParams(body.toString('utf8'))) params.set(name, item);
  return params;
}

/** The token from `access_token`, or from an `Authorization: Bearer|OAuth` header. */
export function accessToken(req: IncomingMessage, params: Params): string | undefined {
  const header = /^(?:Bearer|OAuth) (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  return params.get('access_token') || header || undefined;
}

export type FieldSelection = Map<string, FieldSelection | undefined> & {
  /** a field's modifiers, e.g. `reactions.summary(total_count).limit(0)`: summary, limit */
  modifiers?: Map<string, Map<string, string>>;
};

/**
 * `id,message,attachments{url,unshimmed_url}` (with modifiers such as
 * `.summary(total_count).limit(0)`) as a tree; undefined when it does not parse.
 */
export function parseFields(spec: string): FieldSelection | undefined {
  let at = 0;
  function list(): FieldSelection | undefined {
    const fields: FieldSelection = new Map();
    for (;;) {
      const name = /^[a-z_][a-z0-9_]*/i.exec(spec.slice(at))?.[0];
      if (!name) return undefined;
      at += name.length;
      for (;;) {
        const modifier = /^\.([a-z_]+)\(([^(){}]*)\)/i.exec(spec.slice(at));
        if (!modifier) break;
        at += modifier[0].length;
        fields.modifiers ??= new Map();
        const own = fields.modifiers.get(name) ?? new Map<string, string>();
        own.set(modifier[1] ?? '', modifier[2] ?? '');
        fields.modifiers.set(name, own);
      }
      let nested: FieldSelection | undefined;
      if (spec[at] === '{') {
        at += 1;
        nested = list();
        if (!nested || spec[at] !== '}') return undefined;
        at += 1;
      }
      fields.set(name, nested);
      if (spec[at] !== ',') return fields;
      at += 1;
    }
  }
  const fields = list();
  return fields && at === spec.length ? fields : undefined;
}

/** Graph's error fields, as the Meta sandboxes send them too. */
export type GraphErrorBody = GraphErrorFields;

/** Graph's envelope: `{ error: { message, type, code, error_subcode?, fbtrace_id } }`. */
export function sendGraphError(
  res: ServerResponse,
  status: number,
  error: GraphErrorBody,
  headers: OutgoingHttpHeaders = {},
): void {
  sendJson(
    res,
    status,
    {
      error: {
        type: 'OAuthException',
        ...error,
        fbtrace_id: randomBytes(12).toString('base64url'),
      },
    },
    headers,
  );
}

/** Graph's answer for an id it cannot use: code 100, subcode 33. */
export function unsupported(method: 'get' | 'post' | 'delete', id: string): GraphErrorBody {
  return {
    message: `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    type: 'GraphMethodException',
    code: 100,
    error_subcode: 33,
  };
}
