/** Signs and posts webhook bodies the way a CMS does, for the integration and e2e tests. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signGhostWebhook } from '../../shared/ingest/ghost';
import { signStandardWebhook } from '../../shared/ingest/standard-webhooks';

export const SAMPLE_ARTICLE_PATH = 'tests/fixtures/webhooks/generic-article.json';

export function sampleArticle(): Record<string, unknown> {
  return JSON.parse(readFileSync(SAMPLE_ARTICLE_PATH, 'utf8'));
}

export function signedHeaders(
  secret: string,
  body: string | Buffer,
  options: { deliveryId?: string; timestamp?: number } = {},
): Record<string, string> {
  const deliveryId = options.deliveryId ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': deliveryId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signStandardWebhook(secret, deliveryId, timestamp, body),
  };
}

export async function postWebhook(
  baseUrl: string,
  secret: string,
  body: string | Buffer,
  options: {
    deliveryId?: string;
    timestamp?: number;
    headers?: Record<string, string>;
    /** default `/webhooks/generic`; WordPress is signed the same way */
    path?: string;
  } = {},
): Promise<{ status: number; body: unknown }> {
  return post(new URL(options.path ?? '/webhooks/generic', baseUrl), body, {
    ...signedHeaders(secret, body, options),
    ...options.headers,
  });
}

/** Posts a body to `/webhooks/ghost` signed as Ghost signs it (`t` in milliseconds). */
export async function postGhostWebhook(
  baseUrl: string,
  secret: string,
  body: string | Buffer,
  options: {
    t?: number;
    headers?: Record<string, string>;
    /** default `/webhooks/ghost`; a site's is `/webhooks/ghost/<siteId>` */
    path?: string;
  } = {},
): Promise<{ status: number; body: unknown }> {
  return post(new URL(options.path ?? '/webhooks/ghost', baseUrl), body, {
    'content-type': 'application/json',
    'x-ghost-signature': signGhostWebhook(secret, body, options.t ?? Date.now()),
    ...options.headers,
  });
}

async function post(
  url: URL,
  body: string | Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
}

export async function getJson(
  baseUrl: string,
  path: string,
  token: string,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(new URL(path, baseUrl), {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: await response.json() };
}
