/**
 * What the REST sandboxes (LinkedIn, Facebook) share: bodies in, answers out, and how a
 * create request plays the fault picked for it (docs/architecture.md, `CRIER_SANDBOX_FAULTS`).
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fault } from '../faults';

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
): void {
  send(res, status, JSON.stringify(body), {
    'content-type': 'application/json; charset=utf-8',
    ...headers,
  });
}

/** A proxy's HTML error page, as a gateway in front of an API answers. */
export function sendHtml(res: ServerResponse, status: number, html: string): void {
  send(res, status, html, { 'content-type': 'text/html; charset=utf-8' });
}

export const badGatewayPage = (server: string) =>
  `<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>${server}</center>\r\n</body>\r\n</html>\r\n`;

/** Faults answered in place of the network's work: nothing is committed. */
export type Refusal = '429' | '500' | '502' | '503' | 'auth' | 'expired-token';

export type CreatePlay<T> = {
  fault: Fault | undefined;
  res: ServerResponse;
  /** how late the `slow` fault answers */
  slowMs: number;
  /** aborts when the sandbox stops, ending a `slow` wait */
  closing: AbortSignal;
  /** the network's own answer for a refusing fault (and, for `429`, the start of its window) */
  refuse: (fault: Refusal) => void;
  /** validates and commits the post; undefined when it answered an error itself */
  commit: () => T | undefined;
  /** the network's success answer */
  answer: (committed: T) => void;
  /** the network's 5xx for a post it has committed */
  failAfterCommit: () => void;
};

/**
 * Plays `fault` around one create: refusals and `reset` commit nothing; `slow` answers
 * late but normally; `timeout` commits and never answers (the socket stays open until the
 * client leaves or the sandbox stops); `crash-after-post` commits and drops the
 * connection; `500-after-post` commits and answers 5xx.
 */
export async function playCreate<T>(play: CreatePlay<T>): Promise<void> {
  const { fault, res } = play;
  switch (fault) {
    case '429':
    case '500':
    case '502':
    case '503':
    case 'auth':
    case 'expired-token':
      return play.refuse(fault);
    case 'reset':
      res.socket?.destroy();
      return;
    case 'slow':
      try {
        await sleep(play.slowMs, undefined, { signal: play.closing });
      } catch {
        return;
      }
      break;
  }
  const committed = play.commit();
  if (committed === undefined) return;
  switch (fault) {
    case 'timeout':
      return;
    case 'crash-after-post':
      res.socket?.destroy();
      return;
    case '500-after-post':
      return play.failAfterCommit();
    default:
      return play.answer(committed);
  }
}
