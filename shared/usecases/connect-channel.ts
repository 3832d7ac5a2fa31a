/**
 * Connect: an admin sends a channel through its network's consent page and comes back
 * with credentials Crier stores itself. `startConnect` makes the single-use `state` (bound
 * to the channel, the admin and a PKCE verifier) and the consent URL; `finishConnect`
 * takes the state once, exchanges the code with the verifier, verifies the account and
 * stores the credentials as PUT credentials does (audited `channel.connected`), then
 * sends the admin back to the editor UI. No token is logged, returned or put in a URL.
 */

import type { NetworkApp } from '../config/network-apps';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import {
  authorizeUrlOf,
  CONNECT_SCOPES,
  type ConnectState,
  isOAuthPlatform,
  OAUTH_ENDPOINTS,
  type OAuthPlatform,
  redirectUriOf,
  STATE_TTL_MS,
} from '../domain/oauth-connect';
import { newState, pkcePair } from '../domain/pkce';
import { NETWORK_NAMES, type Platform } from '../domain/platform';
import { LINKEDIN_DEFAULT_VERSION } from '../platforms/linkedin/credentials';
import { isSandboxUrl } from '../platforms/rest/credentials';
import type { JsonAnswer, JsonCallOptions } from '../preview/fetch';
import { type ChannelHealthDeps, setChannelCredentials } from './channel-health';

const TIMEOUT_MS = 10_000;

export type ConnectStore = {
  put(state: ConnectState): Promise<void>;
  take(state: string): Promise<ConnectState | undefined>;
  mastodonApp(origin: string): Promise<{ clientId: string; clientSecret: string } | undefined>;
  saveMastodonApp(origin: string, app: { clientId: string; clientSecret: string }): Promise<void>;
};

export type ConnectDeps = {
  health: ChannelHealthDeps;
  apps: { get(platform: Platform): Promise<NetworkApp | undefined> };
  store: ConnectStore;
  /** the API's base URL: the redirect URI is `<apiUrl>/oauth/callback/<platform>` */
  apiUrl: string;
  /** the editor UI's address, where the admin lands afterwards */
  editorUrl: string;
  fetch?: typeof fetch;
  /**
   * Calls to the instance an admin names (Mastodon): the SSRF-safe fetcher's `json`, so a
   * name that leads to a private or link-local address is refused before anything is
   * sent. Absent, `fetch` is used as it is (unit tests over fakes).
   */
  instanceFetch?: InstanceFetch;
  /** the settings that hold each app, named in a refusal (never their values) */
  appSetting: (platform: Platform) => string;
};

/** A consent URL for the channel's network, behind a fresh state. */
export async function startConnect(
  deps: ConnectDeps,
  channelId: string,
  who: string,
  options: { instance?: string } = {},
): Promise<{ authorizeUrl: string }> {
  const channel = await deps.health.directory.getChannel(channelId);
  if (!channel || channel.status === 'archived') throw new NotFoundError(`No channel ${channelId}`);
  const platform = channel.platform;
  if (!isOAuthPlatform(platform)) {
    const message = `${NETWORK_NAMES[platform]} has no OAuth consent: set the channel's credentials with PUT /api/channels/${channelId}/credentials`;
    throw new ValidationError(message, [{ field: 'platform', message }]);
  }
  if (deps.health.credentials.fromEnvironment(channelId)) {
    throw new ConflictError(
      `Channel ${channelId} takes its credentials from the environment, which always wins`,
    );
  }
  const { verifier, challenge } = pkcePair();
  const state = newState();
  const redirectUri = redirectUriOf(deps.apiUrl, platform);
  let authorizeUrl: string;
  let clientId: string;
  let instance: string | undefined;
  if (platform === 'mastodon') {
    instance = instanceOrigin(options.instance);
    clientId = (await mastodonApp(deps, instance, redirectUri)).clientId;
    authorizeUrl = `${instance}/oauth/authorize`;
  } else {
    const app = await deps.apps.get(platform);
    if (!app) {
      const message = `No ${NETWORK_NAMES[platform]} app is configured: set ${deps.appSetting(platform)} (docs/deploying.md)`;
      throw new ValidationError(message, [{ field: 'platform', message }]);
    }
    clientId = app.clientId;
    authorizeUrl = app.authorizeUrl ?? OAUTH_ENDPOINTS[platform].authorizeUrl;
  }
  const now = deps.health.clock.now();
  await deps.store.put({
    state,
    channelId,
    platform,
    who,
    verifier,
    ...(instance ? { instance } : {}),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + STATE_TTL_MS).toISOString(),
  });
  return {
    authorizeUrl: authorizeUrlOf({
      platform,
      authorizeUrl,
      clientId,
      redirectUri,
      state,
      challenge,
    }),
  };
}

function instanceOrigin(value: string | undefined): string {
  const refuse = (message: string): never => {
    throw new ValidationError(message, [{ field: 'instance', message }]);
  };
  if (!value)
    return refuse('instance is missing: name the Mastodon instance, e.g. mastodon.social');
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse('instance must be a host name or an https URL');
  }
  // Plain http only for a loopback sandbox.
  if (url.protocol !== 'https:' && !isSandboxUrl(`${url.origin}/`)) {
    return refuse('instance must be an https URL');
  }
  return url.origin;
}

/** A JSON call: the status and the parsed body, or why there was none. */
export type InstanceFetch = (url: string, options: JsonCallOptions) => Promise<JsonAnswer>;

/** `fetch` in the shape of the safe fetcher's `json`, for the networks' own fixed hosts. */
export function plainJson(fetchImpl: typeof fetch = fetch): InstanceFetch {
  return async (url, { method, headers, body, timeoutMs }) => {
    try {
      const answer = await fetchImpl(url, {
        method,
        headers: { accept: 'application/json', ...headers },
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const parsed: unknown = await answer.json().catch(() => undefined);
      return { kind: 'answered', status: answer.status, body: parsed };
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') return { kind: 'timeout' };
      return { kind: 'network', code: error instanceof Error ? error.name : 'error' };
    }
  };
}

const instanceFetchOf = (deps: ConnectDeps): InstanceFetch =>
  deps.instanceFetch ?? plainJson(deps.fetch ?? fetch);

const recordOf = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/** What an instance's failed answer was, in words an admin can act on (never a token). */
function noAnswer(answer: Exclude<JsonAnswer, { kind: 'answered' }>): string {
  switch (answer.kind) {
    case 'blocked':
      return `refused: ${answer.reason}; Crier only calls instances at public addresses`;
    case 'timeout':
      return 'no answer in time';
    case 'too-large':
      return 'an answer too large to be an OAuth answer';
    default:
      return 'no answer';
  }
}

/** Crier's app on the instance, registered once (`POST /api/v1/apps`) and remembered. */
async function mastodonApp(deps: ConnectDeps, origin: string, redirectUri: string) {
  const known = await deps.store.mastodonApp(origin);
  if (known) return known;
  const answer = await instanceFetchOf(deps)(`${origin}/api/v1/apps`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_name: 'Crier',
      redirect_uris: redirectUri,
      scopes: CONNECT_SCOPES.mastodon.join(' '),
    }).toString(),
    timeoutMs: TIMEOUT_MS,
  });
  const ok = answer.kind === 'answered' && answer.status >= 200 && answer.status < 300;
  const body = ok ? recordOf(answer.body) : {};
  if (typeof body.client_id !== 'string' || typeof body.client_secret !== 'string') {
    const why = answer.kind === 'answered' ? `it answered ${answer.status}` : noAnswer(answer);
    const message = `${origin} did not register Crier's app (${why})`;
    throw new ValidationError(message, [{ field: 'instance', message }]);
  }
  const app = { clientId: body.client_id, clientSecret: body.client_secret };
  await deps.store.saveMastodonApp(origin, app);
  return app;
}

/** What the callback does: an error page in plain words, or a redirect to the editor UI. */
export type CallbackOutcome =
  | { kind: 'page'; status: number; title: string; message: string }
  | { kind: 'redirect'; location: string; channelId: string; outcome: string };

/** Why a connect failed, as the editor UI shows it (never a token, never a secret). */
export class ConnectError extends Error {
  override name = 'ConnectError';
}

export async function finishConnect(
  deps: ConnectDeps,
  platform: string,
  query: Record<string, string | undefined>,
): Promise<CallbackOutcome> {
  const page = (message: string): CallbackOutcome => ({
    kind: 'page',
    status: 400,
    title: 'This connection cannot be finished',
    message,
  });
  if (!query.state)
    return page('The link has no state. Start again with Connect on the channel page.');
  const taken = await deps.store.take(query.state);
  if (!taken || taken.platform !== platform) {
    return page(
      'This link is unknown or was already used. Start again with Connect on the channel page.',
    );
  }
  if (Date.parse(taken.expiresAt) <= deps.health.clock.now().getTime()) {
    return page(
      'This link has expired: a connection must be finished within 10 minutes. Start again with Connect on the channel page.',
    );
  }
  const back = (outcome: { connected: true } | { error: string }): CallbackOutcome => {
    const params = new URLSearchParams(
      'error' in outcome
        ? { connectError: outcome.error, channel: taken.channelId }
        : { connected: taken.channelId },
    );
    return {
      kind: 'redirect',
      location: `${deps.editorUrl.replace(/\/+$/, '')}/#/channels?${params}`,
      channelId: taken.channelId,
      outcome: 'error' in outcome ? 'failed' : 'connected',
    };
  };
  if (query.error) {
    return back({
      error:
        query.error === 'access_denied'
          ? `${NETWORK_NAMES[taken.platform]} consent was declined`
          : `${NETWORK_NAMES[taken.platform]} answered ${query.error.slice(0, 60)}`,
    });
  }
  if (!query.code) return back({ error: `${NETWORK_NAMES[taken.platform]} sent no code back` });
  try {
    const credentials = await credentialsFrom(deps, taken, query.code);
    await setChannelCredentials(
      deps.health,
      taken.channelId,
      credentials,
      taken.who,
      'channel.connected',
    );
    return back({ connected: true });
  } catch (error) {
    if (error instanceof ConnectError || error instanceof ValidationError)
      return back({ error: error.message.slice(0, 200) });
    if (error instanceof NotFoundError) return back({ error: 'The channel is gone' });
    if (error instanceof ConflictError) {
      return back({ error: 'The channel takes its credentials from the environment' });
    }
    throw error;
  }
}

type TokenAnswer = {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  refresh_token_expires_in?: number;
  scope?: string;
};

async function exchange(
  deps: ConnectDeps,
  taken: ConnectState,
  tokenUrl: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
  call: InstanceFetch = plainJson(deps.fetch ?? fetch),
): Promise<TokenAnswer> {
  const network = NETWORK_NAMES[taken.platform];
  const answer = await call(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
    timeoutMs: TIMEOUT_MS,
  });
  if (answer.kind !== 'answered') {
    const why = answer.kind === 'blocked' ? ` (${noAnswer(answer)})` : '';
    throw new ConnectError(`${network} could not be reached to finish the connection${why}`);
  }
  const raw = recordOf(answer.body);
  // Instagram's code answer wraps the token in `data`.
  const body = recordOf(Array.isArray(raw.data) && raw.data[0] ? raw.data[0] : raw);
  const accepted = answer.status >= 200 && answer.status < 300;
  if (!accepted || typeof body.access_token !== 'string') {
    const reason = typeof body.error === 'string' ? `: ${body.error.slice(0, 60)}` : '';
    throw new ConnectError(`${network} refused the code (${answer.status}${reason})`);
  }
  return body as TokenAnswer;
}

/** The stored-credentials fields every OAuth network shares. */
function lifetimes(tokens: TokenAnswer, now: Date, fallbackScopes: readonly string[]) {
  const at = (seconds: number | undefined) =>
    typeof seconds === 'number' && seconds > 0
      ? new Date(now.getTime() + seconds * 1000).toISOString()
      : undefined;
  const expiresAt = at(tokens.expires_in);
  const refreshExpiresAt = at(tokens.refresh_token_expires_in);
  return {
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    ...(expiresAt ? { expiresAt } : {}),
    ...(refreshExpiresAt ? { refreshExpiresAt } : {}),
    obtainedAt: now.toISOString(),
    scopes: tokens.scope ? tokens.scope.split(/[\s,]+/).filter(Boolean) : [...fallbackScopes],
  };
}

/** The sandbox's API base, where the app names a loopback token endpoint (locally only). */
function sandboxBase(app: NetworkApp): string | undefined {
  if (!app.tokenUrl) return undefined;
  const base = `${new URL(app.tokenUrl).origin}/`;
  return isSandboxUrl(base) ? base.replace(/\/$/, '') : undefined;
}

async function credentialsFrom(
  deps: ConnectDeps,
  taken: ConnectState,
  code: string,
): Promise<Record<string, unknown>> {
  const platform: OAuthPlatform = taken.platform;
  const redirectUri = redirectUriOf(deps.apiUrl, platform);
  const now = deps.health.clock.now();
  const grant = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    code_verifier: taken.verifier,
  };
  if (platform === 'mastodon') {
    const origin = taken.instance ?? '';
    const app = await deps.store.mastodonApp(origin);
    if (!app) throw new ConnectError(`Crier's app on ${origin} is gone: connect again`);
    // The instance an admin named: the token call goes through the same safe fetcher.
    const tokens = await exchange(
      deps,
      taken,
      `${origin}/oauth/token`,
      { ...grant, client_id: app.clientId, client_secret: app.clientSecret },
      {},
      instanceFetchOf(deps),
    );
    return {
      url: origin,
      accessToken: tokens.access_token,
      ...lifetimes(tokens, now, CONNECT_SCOPES.mastodon),
    };
  }
  const app = await deps.apps.get(platform);
  if (!app) throw new ConnectError(`No ${NETWORK_NAMES[platform]} app is configured any more`);
  const tokenUrl = app.tokenUrl ?? OAUTH_ENDPOINTS[platform].tokenUrl;
  const apiBase = sandboxBase(app);
  if (platform === 'x') {
    // X wants a confidential client's id and secret in Basic auth.
    const headers: Record<string, string> = app.clientSecret
      ? {
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString('base64')}`,
        }
      : {};
    const tokens = await exchange(
      deps,
      taken,
      tokenUrl,
      { ...grant, client_id: app.clientId },
      headers,
    );
    return {
      accessToken: tokens.access_token,
      ...lifetimes(tokens, now, CONNECT_SCOPES.x),
      ...(apiBase ? { apiBase } : {}),
    };
  }
  if (platform === 'threads' || platform === 'instagram') {
    const short = await exchange(deps, taken, tokenUrl, {
      ...grant,
      client_id: app.clientId,
      client_secret: app.clientSecret ?? '',
    });
    const userId = metaUserId(short);
    // The code gives an hour's token; the exchange gives one of 60 days.
    const prefix = platform === 'threads' ? 'th' : 'ig';
    const graphBase =
      apiBase ??
      (platform === 'threads' ? 'https://graph.threads.net' : 'https://graph.instagram.com');
    const long = await getToken(deps, taken, `${graphBase}/access_token`, {
      grant_type: `${prefix}_exchange_token`,
      client_secret: app.clientSecret ?? '',
      access_token: short.access_token,
    });
    return {
      accessToken: long.access_token,
      ...(userId ? { userId } : {}),
      ...lifetimes(long, now, CONNECT_SCOPES[platform]),
      ...(apiBase ? { apiBase } : {}),
    };
  }
  if (platform === 'linkedin') {
    // LinkedIn takes the client secret in the form.
    const tokens = await exchange(deps, taken, tokenUrl, {
      ...grant,
      client_id: app.clientId,
      client_secret: app.clientSecret ?? '',
    });
    const member = await graphGet(
      deps,
      taken,
      `${apiBase ?? 'https://api.linkedin.com'}/v2/userinfo`,
      tokens.access_token,
    );
    if (typeof member.sub !== 'string') throw new ConnectError('LinkedIn named no member');
    // The Page the member administers posts, where there is one; else the member.
    const acls = await graphGet(
      deps,
      taken,
      `${apiBase ?? 'https://api.linkedin.com'}/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED`,
      tokens.access_token,
      { 'linkedin-version': LINKEDIN_DEFAULT_VERSION, 'x-restli-protocol-version': '2.0.0' },
    );
    const organizations = (Array.isArray(acls.elements) ? acls.elements : []).flatMap((e) => {
      const organization = (e as { organization?: unknown }).organization;
      return typeof organization === 'string' ? [organization] : [];
    });
    if (organizations.length > 1) {
      throw new ConnectError(
        'The LinkedIn member administers several Pages: set this channel’s author with PUT credentials',
      );
    }
    return {
      accessToken: tokens.access_token,
      author: organizations[0] ?? `urn:li:person:${member.sub}`,
      version: LINKEDIN_DEFAULT_VERSION,
      ...lifetimes(tokens, now, CONNECT_SCOPES.linkedin),
      ...(apiBase ? { apiBase } : {}),
    };
  }
  // Facebook: the user token, made long-lived, lists the Pages with their own tokens.
  const version = /\/(v\d{1,3}\.\d{1,2})\//.exec(new URL(tokenUrl).pathname)?.[1] ?? 'v21.0';
  const graph = `${apiBase ?? 'https://graph.facebook.com'}/${version}`;
  const client = { client_id: app.clientId, client_secret: app.clientSecret ?? '' };
  const short = await getToken(deps, taken, tokenUrl, {
    ...client,
    redirect_uri: redirectUri,
    code,
    code_verifier: taken.verifier,
  });
  const long = await getToken(deps, taken, tokenUrl, {
    ...client,
    grant_type: 'fb_exchange_token',
    fb_exchange_token: short.access_token,
  });
  const pages = await graphGet(deps, taken, `${graph}/me/accounts`, long.access_token);
  const list: unknown[] = Array.isArray(pages.data) ? pages.data : [];
  const usable = list.flatMap((p) => {
    const page = p as { id?: unknown; access_token?: unknown };
    return typeof page.id === 'string' && typeof page.access_token === 'string'
      ? [{ id: page.id, token: page.access_token }]
      : [];
  });
  const [page, ...others] = usable;
  if (!page) throw new ConnectError('The Facebook account manages no Page Crier may post to');
  if (others.length > 0) {
    throw new ConnectError(
      'The Facebook account manages several Pages: on the consent page, grant Crier only the Page of this channel',
    );
  }
  // A Page token got from a long-lived user token does not expire: no expiresAt.
  return {
    pageId: page.id,
    pageAccessToken: page.token,
    apiVersion: version,
    obtainedAt: now.toISOString(),
    scopes: long.scope ? long.scope.split(/[\s,]+/).filter(Boolean) : [...CONNECT_SCOPES.facebook],
    ...(apiBase ? { apiBase } : {}),
  };
}

/** Threads answers `{ access_token, user_id }`; Instagram `{ data: [{ access_token, user_id }] }`. */
function metaUserId(answer: TokenAnswer): string | undefined {
  const id = (answer as { user_id?: unknown }).user_id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

async function getToken(
  deps: ConnectDeps,
  taken: ConnectState,
  url: string,
  params: Record<string, string>,
): Promise<TokenAnswer> {
  const target = new URL(url);
  for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
  const body = await graphGet(deps, taken, target.toString());
  if (typeof body.access_token !== 'string') {
    throw new ConnectError(`${NETWORK_NAMES[taken.platform]} refused the token exchange`);
  }
  return body as TokenAnswer;
}

/** A Graph GET; the token in a header, never in a URL that might be logged. */
async function graphGet(
  deps: ConnectDeps,
  taken: ConnectState,
  url: string,
  accessToken?: string,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const network = NETWORK_NAMES[taken.platform];
  const answer = await (deps.fetch ?? fetch)(url, {
    headers: {
      accept: 'application/json',
      ...headers,
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
    },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).catch(() => {
    throw new ConnectError(`${network} could not be reached to finish the connection`);
  });
  const body = (await answer.json().catch(() => ({}))) as Record<string, unknown>;
  if (!answer.ok) {
    const error = body.error as { message?: unknown } | undefined;
    const reason = typeof error?.message === 'string' ? `: ${error.message.slice(0, 80)}` : '';
    throw new ConnectError(`${network} answered ${answer.status}${reason}`);
  }
  return body;
}
