/**
 * Who-am-I per network: one call with a channel's credentials that proves the network
 * accepts them, through the client library or transport the publisher itself uses. The
 * answer carries the network's reason when it refuses, never a credential.
 */
import { NETWORK_NAMES, type Platform } from '../domain/platform';
import type { JsonAnswer, JsonCallOptions } from '../preview/fetch';
import { FACEBOOK_DEFAULT_API_VERSION, parseFacebookCredentials } from './facebook/credentials';
import { parseInstagramCredentials } from './instagram/credentials';
import { rest } from './linkedin/api';
import { parseLinkedInCredentials } from './linkedin/credentials';
import { parseMastodonCredentials } from './mastodon/credentials';
import { type GraphAnswer, graphRequest } from './meta/graph';
import { restCall } from './rest/http';
import { parseThreadsCredentials } from './threads/credentials';
import { DeadlineError, settleBefore } from './transport';

export type Verification =
  /** the network accepted the credentials; `account` is who they act as */
  | { ok: true; account: string; credentials: unknown }
  /** `invalid`: the fields are wrong (no call made); `refused`: the network said no */
  | { ok: false; kind: 'invalid' | 'refused'; reason: string };

export const TIMEOUT_MS = 10_000;

export const refused = (reason: string): Verification => ({
  ok: false,
  kind: 'refused',
  reason,
});

/**
 * The fields that name an account or a place, never a secret: left in a reason so an
 * admin can tell which channel, Page or instance the network meant.
 */
const PUBLIC_FIELDS = new Set([
  'chatId',
  'identifier',
  'service',
  'url',
  'pageId',
  'userId',
  'author',
]);

/** Every other string the credentials hold, long enough to matter, blanked out of `text`. */
export function redact(text: string, credentials: unknown): string {
  const secrets: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'string' && value.length >= 6) secrets.push(value);
    else if (value && typeof value === 'object') {
      for (const [key, field] of Object.entries(value)) {
        if (!PUBLIC_FIELDS.has(key)) walk(field);
      }
    }
  };
  walk(credentials);
  let out = text;
  for (const secret of secrets.sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('<secret>');
    const tail = secret.split(':')[1];
    if (tail && tail.length >= 6) out = out.split(tail).join('<secret>');
  }
  return out.slice(0, 300);
}

function graphRefusal(network: string, answer: Extract<GraphAnswer, { ok: false }>): string {
  const failure = answer.failure;
  if (failure.kind === 'http') {
    return `${network} answered ${failure.status}${failure.error?.message ? `: ${failure.error.message}` : ''}`;
  }
  if (failure.kind === 'timeout') return `${network} did not answer within ${TIMEOUT_MS / 1000} s`;
  return `${network} could not be reached (${failure.detail})`;
}

/** What a check threw, in the network's own words where it gave some. */
function thrown(network: string, error: unknown): string {
  if (error instanceof Error && 'description' in error && typeof error.description === 'string') {
    // grammy's GrammyError: Telegram's own words
    return `${network} answered: ${error.description}`;
  }
  if (error instanceof DeadlineError) {
    return `${network} did not answer within ${TIMEOUT_MS / 1000} s`;
  }
  const name = error instanceof Error ? error.name : 'unknown error';
  return `${network} could not be reached (${name})`;
}

export type Check = (input: unknown, signal: AbortSignal) => Promise<Verification>;

/** A JSON call, as the SSRF-safe fetcher's `json` makes it (shared/preview/fetch.ts). */
export type JsonCall = (url: string, options: JsonCallOptions) => Promise<JsonAnswer>;

/**
 * Mastodon's who-am-I through `call` instead of the client library: the instance is one
 * an admin typed, so the call goes through the SSRF-safe fetcher and an instance at a
 * private, link-local or loopback address is refused before anything is sent to it.
 */
export function mastodonCheckThrough(call: JsonCall): Check {
  return async (input) => {
    const parsed = parseMastodonCredentials(input);
    if (!parsed.ok) return { ok: false, kind: 'invalid', reason: parsed.message };
    const { url, accessToken } = parsed.credentials;
    const answer = await call(`${url}/api/v1/accounts/verify_credentials`, {
      method: 'GET',
      headers: { authorization: `Bearer ${accessToken}` },
      timeoutMs: TIMEOUT_MS,
    });
    if (answer.kind === 'blocked') {
      return refused(`Mastodon: ${answer.reason}; Crier only calls instances at public addresses`);
    }
    if (answer.kind !== 'answered')
      return refused(`Mastodon could not be reached (${answer.kind})`);
    const body = (answer.body ?? {}) as { acct?: unknown; error?: unknown };
    if (answer.status !== 200 || typeof body.acct !== 'string') {
      const error = typeof body.error === 'string' ? `: ${body.error.slice(0, 120)}` : '';
      return refused(`Mastodon answered ${answer.status}${error}`);
    }
    return { ok: true, account: `@${body.acct}`, credentials: parsed.credentials };
  };
}

function graphName(body: unknown): string {
  const fields = body as { username?: unknown; name?: unknown; id?: unknown };
  const name = fields?.username ?? fields?.name ?? fields?.id;
  return typeof name === 'string' ? name : 'the account';
}

const threads: Check = async (input, signal) => {
  const parsed = parseThreadsCredentials(input);
  if (!parsed.ok) return { ok: false, kind: 'invalid', reason: parsed.message };
  const { accessToken, userId, apiBase } = parsed.credentials;
  const answer = await graphRequest(
    { base: `${apiBase ?? 'https://graph.threads.net'}/v1.0`, accessToken, signal },
    'GET',
    `/${userId ?? 'me'}`,
    { fields: 'id,username' },
  );
  if (!answer.ok) return refused(graphRefusal('Threads', answer));
  return { ok: true, account: graphName(answer.body), credentials: parsed.credentials };
};

const instagram: Check = async (input, signal) => {
  const parsed = parseInstagramCredentials(input);
  if (!parsed.ok) return { ok: false, kind: 'invalid', reason: parsed.message };
  const { accessToken, userId, apiBase, login, apiVersion } = parsed.credentials;
  const host =
    apiBase ??
    (login === 'facebook' ? 'https://graph.facebook.com' : 'https://graph.instagram.com');
  const answer = await graphRequest(
    { base: `${host}/${apiVersion ?? 'v25.0'}`, accessToken, signal },
    'GET',
    `/${userId}`,
    { fields: 'id,username' },
  );
  if (!answer.ok) return refused(graphRefusal('Instagram', answer));
  return { ok: true, account: graphName(answer.body), credentials: parsed.credentials };
};

const facebook: Check = async (input, signal) => {
  const parsed = parseFacebookCredentials(input);
  if (!parsed.ok) return { ok: false, kind: 'invalid', reason: parsed.message };
  const { pageAccessToken, pageId, apiBase, apiVersion } = parsed.credentials;
  const answer = await graphRequest(
    {
      base: `${apiBase ?? 'https://graph.facebook.com'}/${apiVersion ?? FACEBOOK_DEFAULT_API_VERSION}`,
      accessToken: pageAccessToken,
      signal,
    },
    'GET',
    `/${pageId}`,
    { fields: 'id,name' },
  );
  if (!answer.ok) return refused(graphRefusal('Facebook', answer));
  return { ok: true, account: graphName(answer.body), credentials: parsed.credentials };
};

/** The author's posts, one at most: the token must be able to read as the author it posts as. */
const linkedin: Check = async (input) => {
  const parsed = parseLinkedInCredentials(input);
  if (!parsed.ok) return { ok: false, kind: 'invalid', reason: parsed.message };
  const api = restCall(parsed.credentials, TIMEOUT_MS);
  const result = await rest(api, '/rest/posts', {
    method: 'GET',
    restli: 'FINDER',
    query: { author: parsed.credentials.author, q: 'author', count: '1' },
  });
  if (!result.ok) return refused(`LinkedIn could not be reached (${result.detail})`);
  if (result.answer.status !== 200) {
    const body = result.answer.body as { message?: unknown } | undefined;
    const message = typeof body?.message === 'string' ? `: ${body.message}` : '';
    return refused(`LinkedIn answered ${result.answer.status}${message}`);
  }
  return { ok: true, account: parsed.credentials.author, credentials: parsed.credentials };
};

/**
 * The checks that go through a network's client library, loaded only when one runs
 * (verify-libraries.ts): the libraries are most of the code a function would otherwise load.
 */
const libraries = () => import('./verify-libraries');
const LIBRARY_PLATFORMS: ReadonlySet<Platform> = new Set(['x', 'bluesky', 'mastodon', 'telegram']);

const CHECKS: Record<Platform, Check> = {
  x: async (input, signal) => (await libraries()).LIBRARY_CHECKS.x(input, signal),
  bluesky: async (input, signal) => (await libraries()).LIBRARY_CHECKS.bluesky(input, signal),
  mastodon: async (input, signal) => (await libraries()).LIBRARY_CHECKS.mastodon(input, signal),
  threads,
  instagram,
  facebook,
  linkedin,
  telegram: async (input, signal) => (await libraries()).LIBRARY_CHECKS.telegram(input, signal),
};

/** Asks the network who the credentials are; never throws for what the network answered. */
export async function verifyCredentials(
  platform: Platform,
  credentials: unknown,
  /** checks to use instead of the built-in ones (Mastodon's through the safe fetcher) */
  instead: Partial<Record<Platform, Check>> = {},
): Promise<Verification> {
  const network = NETWORK_NAMES[platform];
  const check = instead[platform] ?? CHECKS[platform];
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  try {
    // Not every library takes a signal (the Bluesky agent does not): the deadline wins anyway.
    const result = await settleBefore(
      check(credentials, signal),
      signal,
      () => new DeadlineError('deadline passed'),
    );
    return result.ok ? result : { ...result, reason: redact(result.reason, credentials) };
  } catch (error) {
    // A library's own error: its module was loaded by the built-in check that threw it.
    const said =
      LIBRARY_PLATFORMS.has(platform) && !instead[platform]
        ? (await libraries()).libraryRefusal(network, error)
        : undefined;
    return refused(redact(said ?? thrown(network, error), credentials));
  }
}
