/**
 * HTTP plumbing of the Meta sandboxes (Threads, Instagram): Graph parameters from the
 * query string and the body, the error envelope, Graph's timestamps and ids.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jsonObject, mediaType } from '../kit/http';

export type Params = Record<string, string>;

/** Graph's error envelope; `fbtrace_id` is added when it is sent. */
export type GraphErrorFields = {
  message: string;
  type?: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
};

export type Reply =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'html'; status: number; html: string }
  | { kind: 'redirect'; status: 302; location: string };

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  kind: 'json',
  status,
  body,
  ...(headers ? { headers } : {}),
});

/** A Graph error answer: 400 unless said otherwise, OAuthException unless said otherwise. */
export function graphError(
  fields: GraphErrorFields,
  status = 400,
  headers?: Record<string, string>,
): Reply {
  return json(
    status,
    { error: { type: 'OAuthException', ...fields, fbtrace_id: traceId() } },
    headers,
  );
}

export function traceId(): string {
  return randomBytes(8).toString('base64url').slice(0, 11);
}

const SHORTCODE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** An 11-character shortcode as in `instagram.com/p/{shortcode}/`. */
export function shortcode(): string {
  return Array.from(randomBytes(11), (b) => SHORTCODE[b % SHORTCODE.length]).join('');
}

/** Graph's object ids: 17 digits and up, rising. */
export function idGenerator(): () => string {
  let last = 17_841_400_000_000_000n + BigInt(Date.now() % 1_000_000_000) * 1_000n;
  return () => {
    last += BigInt(1 + (randomBytes(2).readUInt16BE() % 997));
    return last.toString();
  };
}

/** `2026-04-15T14:30:00+0000`, as Graph writes `timestamp`. */
export function graphTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/** `since` / `until`: Unix seconds, or a date strtotime() would read (ISO here). */
export function parseGraphInstant(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? Number.NaN : ms;
}

/**
 * Graph takes parameters from the query string and from a form or JSON body alike; the
 * body wins. Undefined when the body cannot be read.
 */
export function graphParams(req: IncomingMessage, url: URL, body: Buffer): Params | undefined {
  const params: Params = Object.fromEntries(url.searchParams);
  if (body.length === 0) return params;
  const type = mediaType(req);
  if (type === 'application/json') {
    const value = jsonObject(body);
    if (!value) return undefined;
    for (const [name, v] of Object.entries(value)) {
      if (typeof v === 'string') params[name] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') params[name] = String(v);
    }
    return params;
  }
  if (type === 'application/x-www-form-urlencoded') {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) params[name] = value;
    return params;
  }
  return params;
}

/** The token as Graph takes it: `access_token`, or an `Authorization: Bearer` header. */
export function accessToken(req: IncomingMessage, params: Params): string | undefined {
  if (params.access_token) return params.access_token;
  const header = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  return bearer?.[1];
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  if (reply.kind === 'redirect') {
    res.writeHead(302, { location: reply.location, 'content-length': '0' });
    res.end();
    return;
  }
  const [payload, type] =
    reply.kind === 'json'
      ? [JSON.stringify(reply.body), 'application/json; charset=UTF-8']
      : [reply.html, 'text/html; charset=utf-8'];
  res.writeHead(reply.status, {
    'content-type': type,
    'content-length': String(Buffer.byteLength(payload)),
    'x-fb-trace-id': traceId(),
    ...(reply.kind === 'json' ? reply.headers : {}),
  });
  res.end(payload);
}
