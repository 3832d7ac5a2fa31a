/**
 * The HTTP plumbing every sandbox network shares: request bodies in, answers out, the
 * bearer token of a request, and the HTML pages a gateway in front of an API answers.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/** The whole body, or `'too-large'` once it passes `limit` (the rest is read and dropped). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The whole body; throws BodyTooLargeError as soon as it passes `limit`, reading no further. */
export async function readBodyCapped(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limit) throw new BodyTooLargeError(`Body over ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Writes an answer unless the connection is gone or one was written already. */
export function send(
  res: ServerResponse,
  status: number,
  payload: string | Buffer,
  headers: OutgoingHttpHeaders,
): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
  contentType = 'application/json; charset=utf-8',
): void {
  send(res, status, JSON.stringify(body), { 'content-type': contentType, ...headers });
}

export function sendHtml(
  res: ServerResponse,
  status: number,
  html: string,
  contentType = 'text/html; charset=utf-8',
): void {
  send(res, status, html, { 'content-type': contentType });
}

/** The media type of a request's body, lower case and without parameters. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** The token of an `Authorization: Bearer <token>` header, if the header has that shape. */
export function bearerToken(
  req: IncomingMessage,
  shape: RegExp = /^Bearer\s+(\S+)\s*$/i,
): string | undefined {
  return shape.exec(req.headers.authorization ?? '')?.[1];
}

/** A JSON object body, or undefined when the body is not JSON or not an object. */
export function jsonObject(body: Buffer): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  return isRecord(value) ? value : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A proxy's HTML error page (nginx's shape), as a gateway in front of an API answers. */
export const gatewayPage = (status: string, server: string) =>
  `<html>\r\n<head><title>${status}</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n<hr><center>${server}</center>\r\n</body>\r\n</html>\r\n`;

export const badGatewayPage = (server: string) => gatewayPage('502 Bad Gateway', server);
