/**
 * Each network's way of renewing a channel's access token before it dies, on the stored
 * credentials' own fields (`accessToken`, `refreshToken`, `expiresAt`, `refreshExpiresAt`,
 * `obtainedAt`, `scopes`). X and LinkedIn take an OAuth 2.0 refresh grant (X rotates
 * the refresh token); Threads and Instagram renew a long-lived token with itself.
 * Facebook Page tokens, Mastodon and Telegram never expire; a Bluesky session renews
 * itself inside its client. No token ever reaches an error or a log line here.
 */
import * as z from 'zod';
import type { NetworkApp } from '../config/network-apps';
import type { Platform } from '../domain/platform';

export type StoredCredentials = Record<string, unknown>;

/** What a refresh gave: the credentials to store, or why none can be had. */
export type RefreshOutcome =
  | { ok: true; credentials: StoredCredentials }
  /** `permanent`: only a person reconnecting the channel helps (refused, revoked, expired grant) */
  | { ok: false; permanent: boolean; reason: string };

export type Refresher = (credentials: StoredCredentials, now: Date) => Promise<RefreshOutcome>;

export type RefreshDeps = {
  apps: { get(platform: Platform): Promise<NetworkApp | undefined> };
  fetch?: typeof fetch;
};

const PRODUCTION_TOKEN_URLS: Partial<Record<Platform, string>> = {
  x: 'https://api.x.com/2/oauth2/token',
  linkedin: 'https://www.linkedin.com/oauth/v2/accessToken',
};

const GRAPH_HOSTS = {
  threads: 'https://graph.threads.net',
  instagram: 'https://graph.instagram.com',
} as const;

const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive().optional(),
  refresh_token_expires_in: z.coerce.number().positive().optional(),
  scope: z.string().optional(),
});

/** An ISO instant, or epoch seconds or milliseconds, as milliseconds; else undefined. */
export function instantOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    return value < 1e12 ? value * 1000 : value;
  }
  return typeof value === 'string' && !Number.isNaN(Date.parse(value))
    ? Date.parse(value)
    : undefined;
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/** The stored credentials with a new token in: every other field is kept. */
function merged(
  old: StoredCredentials,
  answer: z.output<typeof tokenAnswerSchema>,
  now: Date,
): StoredCredentials {
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();
  const next: StoredCredentials = {
    ...old,
    accessToken: answer.access_token,
    obtainedAt: now.toISOString(),
  };
  if (answer.expires_in !== undefined) next.expiresAt = at(answer.expires_in);
  else delete next.expiresAt;
  // A network that does not rotate answers without one: the stored one still holds.
  if (answer.refresh_token) next.refreshToken = answer.refresh_token;
  if (answer.refresh_token_expires_in !== undefined) {
    next.refreshExpiresAt = at(answer.refresh_token_expires_in);
  }
  if (answer.scope) next.scopes = answer.scope.split(/[\s,]+/).filter(Boolean);
  return next;
}

/** An answer in 5xx or a failed connection may pass; a 4xx is the network saying no. */
async function readAnswer(
  response: Response,
  network: string,
  old: StoredCredentials,
  now: Date,
): Promise<RefreshOutcome> {
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const permanent = response.status >= 400 && response.status < 500 && response.status !== 429;
    return { ok: false, permanent, reason: `${network} refused the refresh (${describe(body)})` };
  }
  const parsed = tokenAnswerSchema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      permanent: false,
      reason: `${network} answered the refresh without a token`,
    };
  }
  return { ok: true, credentials: merged(old, parsed.data, now) };
}

/** The network's error code and words, never a token (none is in an error answer). */
function describe(body: unknown): string {
  const parsed = z
    .object({
      error: z
        .union([
          z.string(),
          z.object({ message: z.string().optional(), code: z.number().optional() }),
        ])
        .optional(),
      error_description: z.string().optional(),
    })
    .safeParse(body);
  if (!parsed.success) return 'no reason given';
  const { error, error_description } = parsed.data;
  if (typeof error === 'string')
    return error_description ? `${error}: ${error_description}` : error;
  if (error) return `${error.code ?? 'error'}: ${error.message ?? ''}`.trim();
  return 'no reason given';
}

/** Why a refresh cannot even be tried, or undefined when it can. */
export function cannotRefresh(
  platform: Platform,
  credentials: StoredCredentials,
  now: Date,
): string | undefined {
  switch (platform) {
    case 'x':
    case 'linkedin': {
      if (!text(credentials.refreshToken)) return 'the token has no refresh token';
      const ends = instantOf(credentials.refreshExpiresAt);
      if (ends !== undefined && ends <= now.getTime()) return 'its refresh grant has ended';
      return undefined;
    }
    case 'threads':
    case 'instagram': {
      // Instagram with Facebook login posts with a Page token, which never expires and has
      // no `ig_refresh_token`: a refusal means a person must connect again.
      if (platform === 'instagram' && credentials.login === 'facebook') {
        return 'a Facebook-login Page token is not refreshed';
      }
      // A long-lived Meta token renews itself only while it still lives.
      const ends = instantOf(credentials.expiresAt);
      if (ends !== undefined && ends <= now.getTime()) return 'the token has expired';
      return text(credentials.accessToken) ? undefined : 'no access token is stored';
    }
    default:
      return `${platform} tokens are not refreshed`;
  }
}

function oauthRefresher(platform: 'x' | 'linkedin', network: string, deps: RefreshDeps): Refresher {
  return async (credentials, now) => {
    const app = await deps.apps.get(platform);
    if (!app) {
      return { ok: false, permanent: false, reason: `no ${network} app is configured` };
    }
    const url = app.tokenUrl ?? PRODUCTION_TOKEN_URLS[platform];
    if (!url) return { ok: false, permanent: false, reason: `no ${network} token endpoint` };
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: text(credentials.refreshToken) ?? '',
    });
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (platform === 'x' && app.clientSecret) {
      // X's confidential clients authenticate with Basic; a public one names itself.
      const pair = `${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else {
      form.set('client_id', app.clientId);
      if (app.clientSecret) form.set('client_secret', app.clientSecret);
    }
    const response = await (deps.fetch ?? fetch)(url, {
      method: 'POST',
      headers,
      body: form.toString(),
    });
    return readAnswer(response, network, credentials, now);
  };
}

function metaRefresher(
  platform: 'threads' | 'instagram',
  network: string,
  deps: RefreshDeps,
): Refresher {
  const grant = platform === 'threads' ? 'th_refresh_token' : 'ig_refresh_token';
  return async (credentials, now) => {
    const base = text(credentials.apiBase) ?? GRAPH_HOSTS[platform];
    const url = new URL(`${base.replace(/\/$/, '')}/refresh_access_token`);
    url.searchParams.set('grant_type', grant);
    url.searchParams.set('access_token', text(credentials.accessToken) ?? '');
    const response = await (deps.fetch ?? fetch)(url, { headers: { accept: 'application/json' } });
    // Meta refuses a token younger than a day. The keeper's margin (a tenth of 60 days)
    // never asks that early, but a forced refresh after a refusal of another kind (a
    // permission) may: that token still lives, and no reconnect is needed for it.
    const outcome = await readAnswer(response, network, credentials, now);
    if (!outcome.ok && /hours old/i.test(outcome.reason)) return { ...outcome, permanent: false };
    return outcome;
  };
}

/** The network's refresher, or undefined where its tokens never need one. */
export function refresherFor(platform: Platform, deps: RefreshDeps): Refresher | undefined {
  switch (platform) {
    case 'x':
      return oauthRefresher('x', 'X', deps);
    case 'linkedin':
      return oauthRefresher('linkedin', 'LinkedIn', deps);
    case 'threads':
      return metaRefresher('threads', 'Threads', deps);
    case 'instagram':
      return metaRefresher('instagram', 'Instagram', deps);
    default:
      return undefined;
  }
}
