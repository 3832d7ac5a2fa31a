/** The CMS fixtures' payloads (tests/fixtures/webhooks), patched for a test: a WordPress post and a Ghost delivery. */
import { readFileSync } from 'node:fs';

type Json = Record<string, unknown>;

const readFixture = (name: string): Json =>
  JSON.parse(readFileSync(`tests/fixtures/webhooks/${name}`, 'utf8'));

/** The WordPress post fixture with `patch` over its fields, as a request body. */
export const wordpressBody = (patch: Json = {}): string =>
  JSON.stringify({ ...readFixture('wordpress-post.json'), ...patch });

/** The Ghost "post published" delivery with `patch` over its current post. */
export function ghostPayload(patch: Json = {}): { post: { current: Json } } {
  const payload = readFixture('ghost-post-published.json') as { post: { current: Json } };
  payload.post.current = { ...payload.post.current, ...patch };
  return payload;
}

/** ghostPayload as a request body. */
export const ghostBody = (patch: Json = {}): string => JSON.stringify(ghostPayload(patch));
