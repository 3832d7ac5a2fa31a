/**
 * HTTP plumbing of the X sandbox: request bodies, X's JSON and problem+json answers, and
 * the multipart parts of a media append. twitter-api-v2 parses a body only when its
 * content type is `application/json` or `application/problem+json` (docs/networks.md, X).
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Logger } from '../../logger';
import type { FaultInjector } from '../faults';
import { sendJson } from '../kit/http';
import type { AuthorizationServer } from '../kit/oauth';
import type { SandboxPosts } from '../posts';
import type { SnowflakeIds, XAccount } from './account';

/** One request, as the X routes see it. */
export type Exchange = {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: Buffer;
  account: XAccount;
  ids: SnowflakeIds;
  posts: SandboxPosts;
  /** the OAuth 2.0 authorization server whose Bearer user tokens the API accepts */
  auth: AuthorizationServer;
  /** the fault knobs and the log the sandbox runs with */
  state: { faults: FaultInjector; log: Logger };
};

export { sendJson } from '../kit/http';

/** X's v2 problem shape (`title`, `detail`, `type`, `status`), as problem+json. */
export function sendProblem(
  res: ServerResponse,
  status: number,
  problem: { title: string; detail: string; type?: string },
  headers: OutgoingHttpHeaders = {},
): void {
  sendJson(
    res,
    status,
    { title: problem.title, detail: problem.detail, type: problem.type ?? 'about:blank', status },
    headers,
    'application/problem+json',
  );
}

export const UNAUTHORIZED = { title: 'Unauthorized', detail: 'Unauthorized' };

/** A token without the app permission the endpoint needs (a read-only app posting). */
export const OAUTH1_PERMISSIONS = {
  title: 'Forbidden',
  detail:
    'Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.',
  type: 'https://api.twitter.com/2/problems/oauth1-permissions',
};

export const DUPLICATE = {
  title: 'Forbidden',
  detail: 'You are not allowed to create a Tweet with duplicate content.',
};

export const TOO_MANY_REQUESTS = { title: 'Too Many Requests', detail: 'Too Many Requests' };

/** The 5xx bodies are unconfirmed (docs/networks.md lists the statuses only): X's problem shape. */
export const SERVER_ERRORS = {
  500: { title: 'Internal Server Error', detail: 'Internal Server Error' },
  502: { title: 'Bad Gateway', detail: 'Bad Gateway' },
  503: { title: 'Service Unavailable', detail: 'Service Unavailable' },
} as const;

export type InvalidParameter = { message: string; parameters?: Record<string, string[]> };

/** X's 400 for a request it cannot accept (docs/networks.md, X, "Errors"). */
export function sendInvalidRequest(
  res: ServerResponse,
  errors: InvalidParameter[],
  headers: OutgoingHttpHeaders = {},
): void {
  sendJson(
    res,
    400,
    {
      errors: errors.map((e) => ({ parameters: e.parameters ?? {}, message: e.message })),
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.twitter.com/2/problems/invalid-request',
    },
    headers,
  );
}

/** X's answer to a path it does not serve (the v1.1 shape, which X still sends). */
export function sendNotFound(res: ServerResponse): void {
  sendJson(res, 404, { errors: [{ message: 'Sorry, that page does not exist', code: 34 }] });
}

export type MultipartPart = { name: string; contentType?: string; data: Buffer };

/** The parts of a `multipart/form-data` body, or undefined when it is malformed. */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const separator = Buffer.from(`\r\n--${boundary}`);
  const parts: MultipartPart[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) return undefined;
  position += delimiter.length;
  for (;;) {
    const tail = body.subarray(position, position + 2).toString('latin1');
    if (tail === '--') return parts;
    if (tail !== '\r\n') return undefined;
    const headerEnd = body.indexOf('\r\n\r\n', position + 2);
    if (headerEnd < 0) return undefined;
    const headers = body.subarray(position + 2, headerEnd).toString('utf8');
    const next = body.indexOf(separator, headerEnd + 4);
    if (next < 0) return undefined;
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined) return undefined;
    const type = /^content-type:\s*(.+)$/im.exec(headers)?.[1]?.trim();
    parts.push({ name, contentType: type, data: body.subarray(headerEnd + 4, next) });
    position = next + separator.length;
  }
}

export function parseJson(ex: Exchange): { ok: true; value: unknown } | { ok: false } {
  if (!/application\/json/i.test(ex.req.headers['content-type'] ?? '')) {
    sendInvalidRequest(ex.res, [{ message: 'Content-Type must be application/json' }]);
    return { ok: false };
  }
  try {
    return { ok: true, value: JSON.parse(ex.body.toString('utf8')) };
  } catch {
    sendInvalidRequest(ex.res, [{ message: 'Request body is not valid JSON' }]);
    return { ok: false };
  }
}

export function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return Number.isInteger(value) ? 'integer' : typeof value;
}
