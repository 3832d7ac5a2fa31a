/**
 * HTTP plumbing of the Telegram sandbox: a method's parameters from the query string and a
 * JSON, url-encoded or multipart body (the Bot API takes all four), and its answers,
 * `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }` with the
 * same HTTP status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jsonObject, mediaType } from '../kit/http';

/** A file sent in a multipart body: what the sandbox records of it. */
export type UploadedFile = { kind: 'upload'; name: string; mimeType: string; bytes: number };

export type Params = Map<string, unknown>;

export type Reply =
  | { kind: 'ok'; result: unknown }
  | { kind: 'error'; code: number; description: string; parameters?: Record<string, number> }
  | { kind: 'html'; status: number; html: string };

export const ok = (result: unknown): Reply => ({ kind: 'ok', result });
export const fail = (
  code: number,
  description: string,
  parameters?: Record<string, number>,
): Reply => ({ kind: 'error', code, description, ...(parameters ? { parameters } : {}) });

/** The parameters, body over query string; `undefined` when the body cannot be read. */
export async function parseParams(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
): Promise<Params | undefined> {
  const params: Params = new Map(url.searchParams.entries());
  if (body.length === 0) return params;
  const contentType = req.headers['content-type'] ?? '';
  const type = mediaType(req);
  if (type === 'application/json') {
    const value = jsonObject(body);
    if (!value) return undefined;
    for (const [key, entry] of Object.entries(value)) params.set(key, entry);
  } else if (type === 'application/x-www-form-urlencoded') {
    for (const [key, entry] of new URLSearchParams(body.toString('utf8'))) params.set(key, entry);
  } else if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      // undici's own multipart parser, behind the fetch API's Response.
      form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    } catch {
      return undefined;
    }
    for (const [key, entry] of form) {
      params.set(
        key,
        typeof entry === 'string'
          ? entry
          : { kind: 'upload', name: entry.name, mimeType: entry.type, bytes: entry.size },
      );
    }
  }
  return params;
}

export function isUpload(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'upload';
}

/** A string parameter; Telegram also takes numbers where it wants strings. */
export function stringParam(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export function integerParam(value: unknown): number | undefined {
  const text = stringParam(value)?.trim();
  if (!text || !/^-?\d{1,20}$/.test(text)) return undefined;
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : undefined;
}

/**
 * A parameter the Bot API declares "JSON-serialized": an object in a JSON body, a JSON
 * string in a query string or a form.
 */
export function jsonParam(value: unknown): { ok: true; value: unknown } | { ok: false } {
  if (value === undefined || typeof value !== 'string') return { ok: true, value };
  try {
    return { ok: true, value: JSON.parse(value) };
  } catch {
    return { ok: false };
  }
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  if (reply.kind === 'html') {
    res.writeHead(reply.status, {
      'content-type': 'text/html',
      'content-length': Buffer.byteLength(reply.html),
    });
    res.end(reply.html);
    return;
  }
  const status = reply.kind === 'ok' ? 200 : reply.code;
  const body =
    reply.kind === 'ok'
      ? { ok: true, result: reply.result }
      : {
          ok: false,
          error_code: reply.code,
          description: reply.description,
          ...(reply.parameters ? { parameters: reply.parameters } : {}),
        };
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}
