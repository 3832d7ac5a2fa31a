/**
 * An answer as a route returns it, written by the server loop: JSON (with the network's
 * own content type where it has one), an HTML page, or a redirect.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { sendHtml, sendJson } from './http';

export type Reply =
  | {
      kind: 'json';
      status: number;
      body: unknown;
      headers?: OutgoingHttpHeaders;
      contentType?: string;
    }
  | { kind: 'html'; status: number; html: string }
  /** an authorization server sending the browser back to the client */
  | { kind: 'redirect'; status: 302; location: string };

export const json = (status: number, body: unknown, headers?: OutgoingHttpHeaders): Reply => ({
  kind: 'json',
  status,
  body,
  ...(headers ? { headers } : {}),
});

export const html = (status: number, page: string): Reply => ({
  kind: 'html',
  status,
  html: page,
});

export const redirect = (location: string): Reply => ({ kind: 'redirect', status: 302, location });

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (reply.kind === 'redirect') {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(302, { location: reply.location, 'content-length': 0 });
    res.end();
  } else if (reply.kind === 'html') sendHtml(res, reply.status, reply.html);
  else sendJson(res, reply.status, reply.body, reply.headers, reply.contentType);
}
