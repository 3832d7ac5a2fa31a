/**
 * LinkedIn's REST API over the shared fetch exchange: the headers every Rest.li call
 * carries, a call's deadline, and the post URNs and addresses the client reads and makes.
 */
import * as z from 'zod';
import { type Exchange, exchange, type RestCall } from '../rest/http';
import type { LinkedInCredentials } from './credentials';

const API = 'https://api.linkedin.com';
export const POST_URN = /^urn:li:(?:share|ugcPost):\d+$/;

export const postSchema = z.object({
  id: z.string(),
  createdAt: z.number().optional(),
  lastModifiedAt: z.number().optional(),
  content: z.object({ article: z.object({ source: z.string() }).optional() }).optional(),
  commentary: z.string().optional(),
});
export type Post = z.output<typeof postSchema>;

export type Api = RestCall<LinkedInCredentials>;

type Request = {
  method: 'GET' | 'POST' | 'DELETE';
  /** the Rest.li method the request is, for `X-RestLi-Method` */
  restli?: 'CREATE' | 'GET' | 'FINDER' | 'ACTION' | 'DELETE' | 'PARTIAL_UPDATE';
  query?: Record<string, string>;
  json?: unknown;
};

function url(api: Api, path: string, query: Record<string, string> = {}): URL {
  const target = new URL(path, api.credentials.apiBase ?? API);
  for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value);
  return target;
}

export function rest(api: Api, path: string, request: Request): Promise<Exchange> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${api.credentials.accessToken}`,
    'LinkedIn-Version': api.credentials.version,
    'X-Restli-Protocol-Version': '2.0.0',
  };
  if (request.restli) headers['X-RestLi-Method'] = request.restli;
  if (request.json !== undefined) headers['Content-Type'] = 'application/json';
  return exchange(url(api, path, request.query), {
    method: request.method,
    headers,
    ...(request.json !== undefined ? { body: JSON.stringify(request.json) } : {}),
    signal: api.deadline,
  });
}

/** Rest.li may send the created id URL-encoded. */
export function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function postPath(urn: string): string {
  return `/rest/posts/${encodeURIComponent(urn)}`;
}

export function linkedinPostUrl(urn: string): string {
  return `https://www.linkedin.com/feed/update/${urn}/`;
}
