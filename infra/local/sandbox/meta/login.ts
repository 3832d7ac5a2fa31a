/**
 * Meta's login for Threads and for Instagram with Instagram login, on the paths of their
 * hosts: the consent page at `/oauth/authorize` (threads.net, instagram.com), the code
 * exchanged for a short-lived token (1 hour) at `POST /oauth/access_token`
 * (graph.threads.net, api.instagram.com), that token exchanged for a long-lived one (60
 * days) at `GET /access_token?grant_type=th_exchange_token|ig_exchange_token`, and a
 * long-lived token refreshed, once it is 24 hours old and still alive, at
 * `GET /refresh_access_token?grant_type=th_refresh_token|ig_refresh_token`.
 * `DELETE /me/permissions` revokes a token. With `CRIER_SANDBOX_TOKEN_SECONDS` every token
 * lives that long and the 24 hours shrink in proportion to the 60 days.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type AuthLedger, AuthorizationServer, isOAuthError, type OAuthApp } from '../kit/oauth';
import { type GraphErrorFields, graphError, json, type Params, type Reply } from './http';
import type { GraphState } from './state';

const HOUR_SECONDS = 60 * 60;
const LONG_LIVED_SECONDS = 60 * 24 * HOUR_SECONDS;
/** Meta answers a hair under 60 days. */
const LONG_LIVED_EXPIRES_IN = 5_183_944;
const REFRESHABLE_AFTER_SECONDS = 24 * HOUR_SECONDS;

export type MetaLogin = {
  /** `th` for Threads, `ig` for Instagram: the grant types' prefix */
  prefix: 'th' | 'ig';
  networkName: string;
  scopes: readonly string[];
  /** the token's first letters, as the network's look */
  tokenPrefix: string;
  /** the code answer's shape */
  codeAnswer(token: string, userId: string, scopes: string[]): unknown;
};

export const THREADS_LOGIN: MetaLogin = {
  prefix: 'th',
  networkName: 'Threads',
  scopes: [
    'threads_basic',
    'threads_content_publish',
    'threads_manage_insights',
    'threads_manage_replies',
    'threads_read_replies',
    'threads_delete',
  ],
  tokenPrefix: 'THAA',
  codeAnswer: (token, userId) => ({ access_token: token, user_id: userId }),
};

export const INSTAGRAM_LOGIN: MetaLogin = {
  prefix: 'ig',
  networkName: 'Instagram',
  scopes: [
    'instagram_business_basic',
    'instagram_business_content_publish',
    'instagram_business_manage_insights',
    'instagram_business_manage_comments',
    'instagram_business_manage_messages',
  ],
  tokenPrefix: 'IGAA',
  codeAnswer: (token, userId, scopes) => ({
    data: [{ access_token: token, user_id: userId, permissions: scopes.join(',') }],
  }),
};

export function metaAuthorizationServer(
  login: MetaLogin,
  platform: 'threads' | 'instagram',
  ledger: AuthLedger,
  tokenSeconds?: number,
): AuthorizationServer {
  return new AuthorizationServer({
    platform,
    ledger,
    tokenSeconds,
    accessSeconds: LONG_LIVED_SECONDS,
    refreshTokens: 'never',
    rotateRefresh: false,
    pkce: 'optional',
    // Meta's codes last an hour and are single-use.
    codeSeconds: HOUR_SECONDS,
    networkName: login.networkName,
    mintToken: () => `${login.tokenPrefix}${randomBytes(96).toString('base64url')}`,
  });
}

export function metaApp(): OAuthApp {
  return {
    // Meta app ids are 15 or 16 digits; secrets 32 hex characters.
    clientId: String(1_000_000_000_000_000 + (randomBytes(6).readUIntBE(0, 6) % 1e15)),
    clientSecret: randomBytes(16).toString('hex'),
    name: 'Crier (sandbox)',
    redirectUris: new Set(),
  };
}

/** Meta's scopes come comma-separated; the kit reads commas and spaces alike. */
const AUTHORIZE_PATH = '/oauth/authorize';

const oauthError = (message: string, code = 100, subcode?: number): Reply =>
  graphError({
    message,
    code,
    ...(subcode === undefined ? {} : { error_subcode: subcode }),
  } satisfies GraphErrorFields);

function lifetimes(auth: AuthorizationServer) {
  return {
    short: auth.accessSeconds === LONG_LIVED_SECONDS ? HOUR_SECONDS : auth.accessSeconds,
    long: auth.accessSeconds,
    refreshableAfterMs: auth.scaled(REFRESHABLE_AFTER_SECONDS) * 1000,
  };
}

/**
 * Graph's error for a token a Meta login issued that is expired, revoked or unknown (the
 * Threads, Instagram and Facebook sandboxes alike).
 */
export function tokenRefusal(checked: ReturnType<AuthorizationServer['check']>): GraphErrorFields {
  if (checked.ok || checked.reason === 'unknown') {
    return { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 };
  }
  if (checked.reason === 'revoked') {
    return {
      message: 'Error validating access token: The user has not authorized application.',
      code: 190,
      error_subcode: 458,
    };
  }
  const now = Date.now();
  const expired = checked.record?.expiresAt ?? now;
  return {
    message: `Error validating access token: Session has expired on ${new Date(expired).toUTCString()}. The current time is ${new Date(now).toUTCString()}.`,
    code: 190,
    error_subcode: 463,
  };
}

/** Serves the login routes; undefined when the request is not one of them. */
export function metaLogin(
  g: GraphState,
  req: IncomingMessage,
  path: string,
  url: URL,
  params: Params,
): Reply | undefined {
  const login = g.login;
  if (!login) return undefined;
  const { auth } = login;
  const method = req.method ?? 'GET';
  if (path === AUTHORIZE_PATH && (method === 'GET' || method === 'POST')) {
    const checked =
      method === 'GET'
        ? auth.checkAuthorize(url.searchParams)
        : auth.decide(new URLSearchParams(params));
    if (checked.ok && 'request' in checked) {
      return {
        kind: 'html',
        status: 200,
        html: auth.consentPage(checked.request, AUTHORIZE_PATH, g.account.username),
      };
    }
    if ('redirect' in checked) {
      // Meta appends `#_` to the redirect that carries the code.
      const location = checked.ok ? `${checked.redirect}#_` : checked.redirect;
      return { kind: 'redirect', status: 302, location };
    }
    return { kind: 'html', status: checked.status, html: checked.page };
  }
  const { prefix } = login.network;
  const times = lifetimes(auth);
  if (path === '/oauth/access_token' && method === 'POST') {
    const app = auth.authenticateClient(params.client_id ?? '', params.client_secret);
    if (isOAuthError(app)) return oauthError('Error validating client secret.', 1);
    if (params.grant_type !== 'authorization_code') {
      return oauthError('Unsupported grant_type', 100);
    }
    // The code gives a short-lived token: the long-lived exchange is the next step.
    const answer = auth.exchangeCode(
      app,
      {
        code: params.code?.replace(/#_$/, ''),
        redirectUri: params.redirect_uri,
        verifier: params.code_verifier,
      },
      { flavour: 'short', accessSeconds: times.short },
    );
    if (isOAuthError(answer)) {
      return oauthError(
        answer.description.includes('redirect_uri')
          ? 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request'
          : 'This authorization code has been used.',
        100,
        36009,
      );
    }
    return json(
      200,
      login.network.codeAnswer(answer.access.token, g.account.id, answer.access.scopes),
    );
  }
  const exchange = path === '/access_token' && params.grant_type === `${prefix}_exchange_token`;
  const refresh =
    path === '/refresh_access_token' && params.grant_type === `${prefix}_refresh_token`;
  if (method === 'GET' && (exchange || refresh)) {
    const checked = auth.check(params.access_token);
    if (!checked.ok) return graphError(tokenRefusal(checked));
    const { record } = checked;
    if (exchange) {
      const app = auth.authenticateClient(record.clientId, params.client_secret);
      if (isOAuthError(app)) return oauthError('Error validating client secret.', 1);
      if (record.flavour !== 'short') {
        return oauthError('Invalid OAuth access token - Cannot exchange a long-lived token', 190);
      }
    } else {
      if (record.flavour !== 'long') {
        return oauthError('Only a long-lived access token can be refreshed', 190);
      }
      if (Date.now() - record.issuedAt < times.refreshableAfterMs) {
        return oauthError('The access token must be at least 24 hours old to be refreshed', 190);
      }
    }
    if (refresh) auth.ledger.note(auth.platform, 'refreshed');
    const next = auth.reissue(record, 'long', times.long);
    return json(200, {
      access_token: next.access.token,
      token_type: 'bearer',
      expires_in: times.long === LONG_LIVED_SECONDS ? LONG_LIVED_EXPIRES_IN : times.long,
    });
  }
  return undefined;
}

/** `DELETE /me/permissions`: the app loses the user's grant; its tokens die. */
export function revokePermissions(g: GraphState, token: string): Reply {
  g.login?.auth.revoke(token, undefined, true);
  return json(200, { success: true });
}
