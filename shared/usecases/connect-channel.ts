/**
 * Connect: an admin sends a channel through its network's consent page and comes back
 * with credentials Crier stores itself. `startConnect` makes the single-use `state` (bound
 * to the channel, the admin and a PKCE verifier) and the consent URL; `finishConnect`
 * takes the state once, exchanges the code with the verifier, verifies the account and
 * stores the credentials as PUT credentials does (audited `channel.connected`), then
 * sends the admin back to the editor UI. A consent that reached several accounts (Facebook
 * Pages, LinkedIn organizations, Instagram accounts behind Pages) becomes a pending choice:
 * ids and names in the table, the tokens in the channel secret store, for ten minutes and
 * one pick by the admin who started it (`chooseConnectCandidate`). No token is logged,
 * returned or put in a URL.
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { NetworkApp } from '../config/network-apps';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import {
  authorizeUrlOf,
  CHOICE_TTL_MS,
  CONNECT_SCOPES,
  type ConnectCandidate,
  type ConnectState,
  INSTAGRAM_FACEBOOK_SCOPES,
  isOAuthPlatform,
  OAUTH_ENDPOINTS,
  type OAuthPlatform,
  type PendingChoice,
  redirectUriOf,
  STATE_TTL_MS,
} from '../domain/oauth-connect';
import { newState, pkcePair } from '../domain/pkce';
import { NETWORK_NAMES, type Platform } from '../domain/platform';
import type { ChannelSecrets } from '../domain/ports';
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
  putChoice(choice: PendingChoice): Promise<void>;
  getChoice(id: string): Promise<PendingChoice | undefined>;
  /** false when the choice was already used: one pick wins */
  useChoice(id: string, at: string): Promise<boolean>;
};

export type ConnectDeps = {
  health: ChannelHealthDeps;
  apps: { get(platform: Platform): Promise<NetworkApp | undefined> };
  store: ConnectStore;
  /**
   * Where a pending choice's tokens wait, one entry per channel, beside the channels' own
   * secrets (shared/config/channel-secrets.ts): a token never goes into the table.
   */
  pending: ChannelSecrets;
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
  options: { instance?: string; via?: string } = {},
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
  const via = viaOf(platform, options.via);
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
    // Instagram with Facebook login is the Facebook app's consent.
    const appPlatform = via === 'facebook' ? 'facebook' : platform;
    const app = await deps.apps.get(appPlatform);
    if (!app) {
      const message = `No ${NETWORK_NAMES[appPlatform]} app is configured: set ${deps.appSetting(appPlatform)} (docs/deploying.md)`;
      throw new ValidationError(message, [{ field: via ? 'via' : 'platform', message }]);
    }
    clientId = app.clientId;
    authorizeUrl = app.authorizeUrl ?? OAUTH_ENDPOINTS[appPlatform].authorizeUrl;
  }
  const now = deps.health.clock.now();
  await deps.store.put({
    state,
    channelId,
    platform,
    who,
    verifier,
    ...(instance ? { instance } : {}),
    ...(via ? { via } : {}),
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
      ...(via === 'facebook' ? { scopes: INSTAGRAM_FACEBOOK_SCOPES } : {}),
    }),
  };
}

/** `?via=facebook`: Instagram through Facebook login; Instagram login otherwise. */
function viaOf(platform: OAuthPlatform, via: string | undefined): 'facebook' | undefined {
  if (via === undefined || via === '' || (platform === 'instagram' && via === 'instagram')) {
    return undefined;
  }
  if (platform === 'instagram' && via === 'facebook') return 'facebook';
  const message =
    platform === 'instagram'
      ? 'via must be instagram (Instagram login, the default) or facebook (Facebook login)'
      : `via applies to Instagram channels only, not ${NETWORK_NAMES[platform]}`;
  throw new ValidationError(message, [{ field: 'via', message }]);
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

/** One account a consent reached, with the credentials that would connect it. */
type Candidate = ConnectCandidate & { credentials: Record<string, unknown> };

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
    const found = await credentialsFrom(deps, taken, query.code);
    const chosen = found.length === 1 ? found[0] : await alreadyNamed(deps, taken, found);
    if (!chosen) {
      const choiceId = await keepChoice(deps, taken, found);
      return {
        kind: 'redirect',
        location: `${deps.editorUrl.replace(/\/+$/, '')}/#/channels/${encodeURIComponent(taken.channelId)}/connect/${choiceId}`,
        channelId: taken.channelId,
        outcome: 'choose',
      };
    }
    await setChannelCredentials(
      deps.health,
      taken.channelId,
      chosen.credentials,
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

/** The stored field that names the account a channel posts as, per network that may offer several. */
const NAMING_FIELD: Partial<Record<OAuthPlatform, string>> = {
  facebook: 'pageId',
  linkedin: 'author',
  instagram: 'userId',
};

/**
 * A reconnect of a channel whose stored credentials already name one of the accounts: that
 * one, with no question asked. Credentials from a sandbox account or the environment do not
 * count: only what Crier stored for this channel.
 */
async function alreadyNamed(
  deps: ConnectDeps,
  taken: ConnectState,
  found: Candidate[],
): Promise<Candidate | undefined> {
  const field = NAMING_FIELD[taken.platform];
  const channel = await deps.health.directory.getChannel(taken.channelId);
  if (!field || !channel) return undefined;
  const { origin, value } = await deps.health.credentials.find(channel);
  if (origin !== 'stored' || !value || typeof value !== 'object') return undefined;
  const named = (value as Record<string, unknown>)[field];
  return found.find((candidate) => candidate.id === named);
}

/** The candidates kept for the admin's pick: tokens in the secret store, ids and names in the table. */
async function keepChoice(
  deps: ConnectDeps,
  taken: ConnectState,
  found: Candidate[],
): Promise<string> {
  const id = randomBytes(18).toString('base64url');
  const now = deps.health.clock.now();
  const expiresAt = new Date(now.getTime() + CHOICE_TTL_MS).toISOString();
  // A newer consent's entry replaces an older one's: that older choice is refused.
  await deps.pending.put(taken.channelId, {
    choiceId: id,
    expiresAt,
    credentials: Object.fromEntries(found.map((c) => [c.id, c.credentials])),
  });
  await deps.store.putChoice({
    id,
    channelId: taken.channelId,
    platform: taken.platform,
    who: taken.who,
    candidates: found.map(({ id: candidateId, name }) => ({ id: candidateId, name })),
    createdAt: now.toISOString(),
    expiresAt,
  });
  return id;
}

/** The choice, if the admin may still pick from it for this channel; a clear refusal otherwise. */
async function liveChoice(
  deps: ConnectDeps,
  channelId: string,
  choiceId: string,
  who: string,
): Promise<PendingChoice> {
  const choice = await deps.store.getChoice(choiceId);
  if (!choice || choice.channelId !== channelId) {
    throw new NotFoundError(`No pending choice ${choiceId} for channel ${channelId}`);
  }
  if (choice.who !== who) {
    throw new NotFoundError(
      `Choice ${choiceId} belongs to the admin who started that Connect: click Connect yourself`,
    );
  }
  if (choice.usedAt) {
    throw new ConflictError(`Choice ${choiceId} was already used: click Connect to choose again`);
  }
  if (Date.parse(choice.expiresAt) <= deps.health.clock.now().getTime()) {
    throw new ConflictError(
      `Choice ${choiceId} has expired: a choice must be made within 10 minutes. Click Connect again`,
    );
  }
  return choice;
}

/** `GET /api/channels/{id}/connect/choices/{choiceId}`: the accounts to pick from, ids and names only. */
export async function getConnectChoice(
  deps: ConnectDeps,
  channelId: string,
  choiceId: string,
  who: string,
): Promise<{ choice: Omit<PendingChoice, 'who' | 'usedAt'> }> {
  const {
    who: _who,
    usedAt: _usedAt,
    ...choice
  } = await liveChoice(deps, channelId, choiceId, who);
  return { choice };
}

const pendingSchema = z.object({
  choiceId: z.string(),
  credentials: z.record(z.string(), z.record(z.string(), z.unknown())),
});

/**
 * `POST /api/channels/{id}/connect/choose`: stores the picked account's credentials as a
 * single-account Connect does (checked by the network, audited `channel.connected`, waiting
 * shares released). The choice is spent whatever happens next, and its tokens dropped.
 */
export async function chooseConnectCandidate(
  deps: ConnectDeps,
  channelId: string,
  body: { choice: string; candidate: string },
  who: string,
): Promise<{ account: string }> {
  const choice = await liveChoice(deps, channelId, body.choice, who);
  if (!choice.candidates.some((c) => c.id === body.candidate)) {
    const message = `candidate ${body.candidate} is not one of choice ${body.choice}'s accounts`;
    throw new ValidationError(message, [{ field: 'candidate', message }]);
  }
  if (!(await deps.store.useChoice(choice.id, deps.health.clock.now().toISOString()))) {
    throw new ConflictError(`Choice ${choice.id} was already used: click Connect to choose again`);
  }
  try {
    const pending = pendingSchema.safeParse(await deps.pending.get(channelId));
    const credentials =
      pending.success && pending.data.choiceId === choice.id
        ? pending.data.credentials[body.candidate]
        : undefined;
    if (!credentials) {
      throw new ConflictError(
        `Choice ${choice.id} was replaced by a newer Connect of channel ${channelId}: pick there, or click Connect again`,
      );
    }
    return await setChannelCredentials(
      deps.health,
      channelId,
      credentials,
      who,
      'channel.connected',
    );
  } finally {
    // Spent: its tokens go (unless a newer Connect's replaced them already).
    const current = pendingSchema.safeParse(await deps.pending.get(channelId));
    if (current.success && current.data.choiceId === choice.id)
      await deps.pending.put(channelId, {});
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

/** The single account a consent gave, where a network always gives one. */
const only = (credentials: Record<string, unknown>): Candidate[] => [
  { id: 'account', name: '', credentials },
];

async function credentialsFrom(
  deps: ConnectDeps,
  taken: ConnectState,
  code: string,
): Promise<Candidate[]> {
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
    return only({
      url: origin,
      accessToken: tokens.access_token,
      ...lifetimes(tokens, now, CONNECT_SCOPES.mastodon),
    });
  }
  if (platform === 'instagram' && taken.via === 'facebook') {
    return instagramThroughFacebook(deps, taken, code);
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
    return only({
      accessToken: tokens.access_token,
      ...lifetimes(tokens, now, CONNECT_SCOPES.x),
      ...(apiBase ? { apiBase } : {}),
    });
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
    return only({
      accessToken: long.access_token,
      ...(userId ? { userId } : {}),
      ...lifetimes(long, now, CONNECT_SCOPES[platform]),
      ...(apiBase ? { apiBase } : {}),
    });
  }
  if (platform === 'linkedin') {
    // LinkedIn takes the client secret in the form.
    const tokens = await exchange(deps, taken, tokenUrl, {
      ...grant,
      client_id: app.clientId,
      client_secret: app.clientSecret ?? '',
    });
    const api = apiBase ?? 'https://api.linkedin.com';
    const restHeaders = {
      'linkedin-version': LINKEDIN_DEFAULT_VERSION,
      'x-restli-protocol-version': '2.0.0',
    };
    const member = await graphGet(deps, taken, `${api}/v2/userinfo`, tokens.access_token);
    if (typeof member.sub !== 'string') throw new ConnectError('LinkedIn named no member');
    const acls = await graphGet(
      deps,
      taken,
      `${api}/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED`,
      tokens.access_token,
      restHeaders,
    );
    const organizations = (Array.isArray(acls.elements) ? acls.elements : []).flatMap((e) => {
      const organization = (e as { organization?: unknown }).organization;
      return typeof organization === 'string' ? [organization] : [];
    });
    const credentialsOf = (author: string) => ({
      accessToken: tokens.access_token,
      author,
      version: LINKEDIN_DEFAULT_VERSION,
      ...lifetimes(tokens, now, CONNECT_SCOPES.linkedin),
      ...(apiBase ? { apiBase } : {}),
    });
    const person = `urn:li:person:${member.sub}`;
    // The one Page the member administers posts, where there is one; else the member.
    if (organizations.length <= 1) return only(credentialsOf(organizations[0] ?? person));
    // Several Pages: the admin picks one of them, or the member themself.
    const named = await Promise.all(
      organizations.map(async (urn) => {
        const id = urn.split(':').pop() ?? '';
        const organization = await graphGet(
          deps,
          taken,
          `${api}/rest/organizations/${encodeURIComponent(id)}`,
          tokens.access_token,
          restHeaders,
        ).catch(() => ({}) as Record<string, unknown>);
        const name = organization.localizedName;
        return {
          id: urn,
          name: typeof name === 'string' && name ? name : `Organization ${id}`,
          credentials: credentialsOf(urn),
        };
      }),
    );
    const memberName = typeof member.name === 'string' && member.name ? member.name : person;
    return [
      ...named,
      { id: person, name: `${memberName} (member)`, credentials: credentialsOf(person) },
    ];
  }
  // Facebook: the user token, made long-lived, lists the Pages with their own tokens.
  const { pages, version, scopes } = await facebookPages(
    deps,
    taken,
    app,
    code,
    'name,access_token',
  );
  if (pages.length === 0) {
    throw new ConnectError('The Facebook account manages no Page Crier may post to');
  }
  // A Page token got from a long-lived user token does not expire: no expiresAt.
  return pages.map((page) => ({
    id: page.id,
    name: page.name,
    credentials: {
      pageId: page.id,
      pageAccessToken: page.token,
      apiVersion: version,
      obtainedAt: now.toISOString(),
      scopes: scopes ?? [...CONNECT_SCOPES.facebook],
      ...(apiBase ? { apiBase } : {}),
    },
  }));
}

type FacebookPage = { id: string; name: string; token: string; instagram?: string };

/**
 * Facebook login's code made a long-lived user token, and the Pages it manages with their
 * Page tokens (`/me/accounts`, the fields asked for).
 */
async function facebookPages(
  deps: ConnectDeps,
  taken: ConnectState,
  app: NetworkApp,
  code: string,
  fields: string,
): Promise<{ pages: FacebookPage[]; version: string; scopes?: string[] }> {
  const tokenUrl = app.tokenUrl ?? OAUTH_ENDPOINTS.facebook.tokenUrl;
  const version = /\/(v\d{1,3}\.\d{1,2})\//.exec(new URL(tokenUrl).pathname)?.[1] ?? 'v21.0';
  const graph = `${sandboxBase(app) ?? 'https://graph.facebook.com'}/${version}`;
  const client = { client_id: app.clientId, client_secret: app.clientSecret ?? '' };
  const short = await getToken(deps, taken, tokenUrl, {
    ...client,
    redirect_uri: redirectUriOf(deps.apiUrl, taken.platform),
    code,
    code_verifier: taken.verifier,
  });
  const long = await getToken(deps, taken, tokenUrl, {
    ...client,
    grant_type: 'fb_exchange_token',
    fb_exchange_token: short.access_token,
  });
  const answer = await graphGet(
    deps,
    taken,
    `${graph}/me/accounts?fields=${encodeURIComponent(`id,${fields}`)}`,
    long.access_token,
  );
  const list: unknown[] = Array.isArray(answer.data) ? answer.data : [];
  const pages = list.flatMap((p) => {
    const page = p as {
      id?: unknown;
      name?: unknown;
      access_token?: unknown;
      instagram_business_account?: { id?: unknown };
    };
    if (typeof page.id !== 'string' || typeof page.access_token !== 'string') return [];
    const instagram = page.instagram_business_account?.id;
    return [
      {
        id: page.id,
        name: typeof page.name === 'string' && page.name ? page.name : `Page ${page.id}`,
        token: page.access_token,
        ...(typeof instagram === 'string' ? { instagram } : {}),
      },
    ];
  });
  const scopes = long.scope ? long.scope.split(/[\s,]+/).filter(Boolean) : undefined;
  return { pages, version, ...(scopes ? { scopes } : {}) };
}

/**
 * Instagram with Facebook login: the Pages' Instagram business accounts, each to publish
 * as through graph.facebook.com with its Page's token (which does not expire, so the
 * token keeper leaves it alone).
 */
async function instagramThroughFacebook(
  deps: ConnectDeps,
  taken: ConnectState,
  code: string,
): Promise<Candidate[]> {
  const app = await deps.apps.get('facebook');
  if (!app) throw new ConnectError('No Facebook app is configured any more');
  const now = deps.health.clock.now();
  const { pages, version, scopes } = await facebookPages(
    deps,
    taken,
    app,
    code,
    'name,access_token,instagram_business_account',
  );
  // Locally, the Instagram sandbox answers graph.facebook.com's Instagram paths.
  const instagramApp = await deps.apps.get('instagram');
  const apiBase = instagramApp ? sandboxBase(instagramApp) : undefined;
  const accounts = pages.filter((page) => page.instagram);
  if (accounts.length === 0) {
    throw new ConnectError('No Page of this Facebook account has an Instagram business account');
  }
  return Promise.all(
    accounts.map(async (page) => {
      const userId = page.instagram ?? '';
      const account = await graphGet(
        deps,
        taken,
        `${apiBase ?? 'https://graph.facebook.com'}/${version}/${encodeURIComponent(userId)}?fields=username`,
        page.token,
      ).catch(() => ({}) as Record<string, unknown>);
      const username = typeof account.username === 'string' ? `@${account.username}` : userId;
      return {
        id: userId,
        name: `${username} (Page ${page.name})`,
        credentials: {
          accessToken: page.token,
          userId,
          login: 'facebook',
          apiVersion: version,
          obtainedAt: now.toISOString(),
          scopes: scopes ?? [...INSTAGRAM_FACEBOOK_SCOPES],
          ...(apiBase ? { apiBase } : {}),
        },
      };
    }),
  );
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
