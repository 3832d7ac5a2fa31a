/**
 * A twitter-api-v2 client for one call: its deadline on every request (the sandbox's
 * address too, where the credentials name one), and the account it posts as, asked once.
 */
import { createHash } from 'node:crypto';
import { Agent } from 'node:http';
import type { LookupFunction } from 'node:net';
import { type ITwitterApiClientPlugin, TwitterApi } from 'twitter-api-v2';
import * as z from 'zod';
import { DeadlineError, settleBefore } from '../transport';
import { isOAuth1, type XCredentials } from './credentials';

const X_HOSTS = new Set(['api.x.com', 'upload.x.com']);

const meSchema = z.object({
  data: z.object({ id: z.string().regex(/^\d{1,19}$/), username: z.string().min(1) }),
});

type Identity = { id: string; username: string };

class UnexpectedAnswerError extends Error {
  override name = 'UnexpectedAnswerError';
}

/**
 * twitter-api-v2 always calls `https.request`. For the sandbox, an `http.Agent` whose
 * lookup sends X's host names to loopback lets the library keep those names (its body
 * formats depend on them) while the plugin below swaps scheme and port.
 */
const sandboxAgents = new Map<string, Agent>();

function sandboxAgent(base: URL): Agent {
  const existing = sandboxAgents.get(base.origin);
  if (existing) return existing;
  const address =
    base.hostname === 'localhost' ? '127.0.0.1' : base.hostname.replace(/^\[|\]$/g, '');
  const family = address.includes(':') ? 6 : 4;
  const lookup: LookupFunction = (hostname, options, callback) => {
    if (!X_HOSTS.has(hostname)) {
      const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      error.code = 'ENOTFOUND';
      callback(error, '', family);
    } else if (options.all) {
      callback(null, [{ address, family }]);
    } else {
      callback(null, address, family);
    }
  };
  const agent = new Agent({ keepAlive: true, lookup });
  sandboxAgents.set(base.origin, agent);
  return agent;
}

/**
 * A client for one call: the plugin carries this call's deadline into every request. It
 * rewrites the URL after the library has signed it, so the OAuth signature covers the
 * real `https://api.x.com/...` URL, exactly as against X.
 */
export function apiFor(credentials: XCredentials, deadline: AbortSignal): TwitterApi {
  const base = credentials.apiBase ? new URL(credentials.apiBase) : undefined;
  const plugin: ITwitterApiClientPlugin = {
    onBeforeRequest({ computedParams, requestOptions }) {
      requestOptions.signal = deadline;
      if (base) {
        computedParams.url.protocol = base.protocol;
        computedParams.url.port = base.port;
      }
    },
  };
  const settings = { plugins: [plugin], ...(base ? { httpAgent: sandboxAgent(base) } : {}) };
  if (!isOAuth1(credentials)) return new TwitterApi(credentials.accessToken, settings);
  const { appKey, appSecret, accessToken, accessSecret } = credentials;
  return new TwitterApi({ appKey, appSecret, accessToken, accessSecret }, settings);
}

/** Settles with `promise`, or fails with a DeadlineError the moment `deadline` aborts. */
export function within<T>(promise: Promise<T>, deadline: AbortSignal): Promise<T> {
  return settleBefore(promise, deadline, () => new DeadlineError('deadline passed'));
}

/** users/me per token, kept for the module's life: its read quota is small. */
const identities = new Map<string, Identity>();
const MAX_IDENTITIES = 100;

function identityKey(credentials: XCredentials): string {
  return createHash('sha256')
    .update(
      [
        credentials.apiBase ?? '',
        isOAuth1(credentials) ? credentials.appKey : '',
        credentials.accessToken,
      ].join('\n'),
    )
    .digest('hex');
}

export async function identify(
  api: TwitterApi,
  credentials: XCredentials,
  deadline: AbortSignal,
): Promise<Identity> {
  const key = identityKey(credentials);
  const cached = identities.get(key);
  if (cached) return cached;
  const me = meSchema.safeParse(await within(api.v2.me(), deadline));
  if (!me.success) throw new UnexpectedAnswerError('users/me answered without id and username');
  const identity = { id: me.data.data.id, username: me.data.data.username };
  if (identities.size >= MAX_IDENTITIES) {
    const oldest = identities.keys().next().value;
    if (oldest !== undefined) identities.delete(oldest);
  }
  identities.set(key, identity);
  return identity;
}

/** A refused token may have been replaced: ask users/me again next time. */
export function forgetIdentity(credentials: XCredentials): void {
  identities.delete(identityKey(credentials));
}

export function postUrl(username: string | undefined, id: string): string {
  return username ? `https://x.com/${username}/status/${id}` : `https://x.com/i/web/status/${id}`;
}
