/**
 * A Mastodon instance's own text limit, read from its public `/api/v2/instance`
 * (docs/networks.md, Mastodon, step 0) through the safe fetcher and kept an hour per host, so
 * a post is fitted to the server it goes to. Unreachable (offline, or the loopback
 * sandbox the fetcher refuses): undefined, and the channel's configured limit stands.
 */
import * as z from 'zod';
import type { SafeFetch } from '../../preview/types';

const CACHE_MS = 60 * 60_000;
const TIMEOUT_MS = 2_000;
const MAX_BYTES = 512 * 1024;

const instanceSchema = z.object({
  configuration: z.object({
    statuses: z.object({ max_characters: z.number().int().min(1).max(1_000_000) }),
  }),
});

const cache = new Map<string, { limit: number | undefined; until: number }>();

/** The instance's host from an account written `@user@host` or `user@host`. */
export function instanceHost(account: string): string | undefined {
  const host = /^@?[^@\s]+@([a-z0-9.-]+\.[a-z]{2,})$/i.exec(account.trim())?.[1];
  return host?.toLowerCase();
}

export async function instanceLimit(
  account: string,
  fetch: SafeFetch,
  now: () => number = Date.now,
): Promise<number | undefined> {
  const host = instanceHost(account);
  if (!host) return undefined;
  const cached = cache.get(host);
  if (cached && cached.until > now()) return cached.limit;
  let limit: number | undefined;
  try {
    const response = await fetch(`https://${host}/api/v2/instance`, {
      maxBytes: MAX_BYTES,
      timeoutMs: TIMEOUT_MS,
      accept: 'application/json',
    });
    const parsed = instanceSchema.safeParse(JSON.parse(response.body.toString('utf8')));
    limit = parsed.success ? parsed.data.configuration.statuses.max_characters : undefined;
  } catch {
    limit = undefined;
  }
  cache.set(host, { limit, until: now() + (limit ? CACHE_MS : CACHE_MS / 6) });
  return limit;
}
