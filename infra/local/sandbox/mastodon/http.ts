/** The HTTP plumbing of the Mastodon sandbox: bodies in (JSON, form, multipart), Rails-style params. */
import type { IncomingMessage } from 'node:http';
import { mediaType } from '../kit/http';

export type Params = Record<string, unknown>;

/** Rails' params from a JSON, url-encoded or multipart body; `undefined` if it cannot be parsed. */
export async function parseParams(req: IncomingMessage, body: Buffer): Promise<Params | undefined> {
  const contentType = req.headers['content-type'] ?? '';
  const type = mediaType(req);
  if (body.length === 0) return {};
  if (type === 'application/json') {
    try {
      const value: unknown = JSON.parse(body.toString('utf8'));
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value))
        : undefined;
    } catch {
      return undefined;
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    return railsParams(new URLSearchParams(body.toString('utf8')).entries());
  }
  if (type === 'multipart/form-data') {
    try {
      // undici's own multipart parser, behind the fetch API's Response.
      const form = await new Response(body, {
        headers: { 'content-type': contentType },
      }).formData();
      return railsParams(form.entries());
    } catch {
      return undefined;
    }
  }
  return {};
}

/** `media_ids[]=1&media_ids[]=2` and masto's `media_ids[0]=1` both become `media_ids: ['1', '2']`. */
export function railsParams(entries: Iterable<[string, unknown]>): Params {
  const params: Params = {};
  for (const [key, value] of entries) {
    const list = /^([^[\]]+)\[\d*\]$/.exec(key);
    if (list?.[1]) {
      const existing = params[list[1]];
      params[list[1]] = Array.isArray(existing) ? [...existing, value] : [value];
    } else {
      params[key] = value;
    }
  }
  return params;
}

export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

export function strings(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.map(str).filter((v): v is string => v !== undefined);
}

export function bool(value: unknown): boolean {
  return value === true || value === 1 || value === 'true' || value === '1';
}

/** `2020-09-08T13:25:00.019685Z`: Ruby's `iso8601(6)`, as Mastodon writes X-RateLimit-Reset. */
export function iso8601Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
