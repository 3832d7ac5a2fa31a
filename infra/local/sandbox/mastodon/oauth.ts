/**
 * Mastodon's app registration and OAuth (Doorkeeper): `POST /api/v1/apps` returns a
 * client id and secret for the app's redirect URIs and scopes; `/oauth/authorize` shows
 * the consent page; `POST /oauth/token` exchanges a code (PKCE checked when a challenge
 * was sent); `POST /oauth/revoke` ends a token. Mastodon's tokens do not expire.
 */
import { randomBytes } from 'node:crypto';
import {
  type AuthLedger,
  AuthorizationServer,
  basicCredentials,
  isOAuthError,
  type OAuthApp,
  type OAuthError,
  oauthErrorBody,
} from '../kit/oauth';
import { html, json, type Reply, redirect } from '../kit/reply';
import { type Params, str, strings } from './http';

/** The scopes a Mastodon app may ask for (Mastodon's `Doorkeeper.optional_scopes`). */
const TOP_SCOPES = ['read', 'write', 'follow', 'push', 'profile', 'admin:read', 'admin:write'];
const GRANULAR = [
  'read:accounts',
  'read:blocks',
  'read:bookmarks',
  'read:favourites',
  'read:filters',
  'read:follows',
  'read:lists',
  'read:mutes',
  'read:notifications',
  'read:search',
  'read:statuses',
  'write:accounts',
  'write:blocks',
  'write:bookmarks',
  'write:conversations',
  'write:favourites',
  'write:filters',
  'write:follows',
  'write:lists',
  'write:media',
  'write:mutes',
  'write:notifications',
  'write:reports',
  'write:statuses',
];
export const MASTODON_SCOPES = [...TOP_SCOPES, ...GRANULAR];

/** Doorkeeper's descriptions, which Mastodon answers with. */
const INVALID_GRANT =
  'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';
const INVALID_CLIENT =
  'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.';

export const AUTHORIZE_PATH = '/oauth/authorize';

export function mastodonAuthorizationServer(ledger: AuthLedger, tokenSeconds?: number) {
  return new AuthorizationServer({
    platform: 'mastodon',
    ledger,
    tokenSeconds,
    // Tokens of Mastodon's OAuth flow do not expire.
    accessSeconds: undefined,
    refreshTokens: 'never',
    rotateRefresh: false,
    pkce: 'optional',
    codeSeconds: 10 * 60,
    networkName: 'Mastodon',
    mintToken: () => randomBytes(32).toString('base64url').slice(0, 43),
  });
}

export function newMastodonApp(name: string, redirectUris: string[], scopes: string[]): OAuthApp {
  return {
    clientId: randomBytes(32).toString('base64url').slice(0, 43),
    clientSecret: randomBytes(32).toString('base64url').slice(0, 43),
    name,
    redirectUris: new Set(redirectUris),
    scopes,
  };
}

/** `POST /api/v1/apps`: Mastodon 4.3's answer, with `redirect_uris` and `scopes` as lists. */
export function registerApp(
  auth: AuthorizationServer,
  params: Params,
  nextId: () => string,
): Reply {
  const name = str(params.client_name)?.trim() ?? '';
  const raw = params.redirect_uris;
  const redirectUris = (Array.isArray(raw) ? strings(raw) : (str(raw) ?? '').split(/\s+/))
    .map((u) => u.trim())
    .filter(Boolean);
  const scopes = (str(params.scopes) ?? 'read').split(/\s+/).filter(Boolean);
  const problems: string[] = [];
  if (!name) problems.push("Application name can't be blank");
  if (redirectUris.length === 0) problems.push("Redirect URI can't be blank");
  for (const uri of redirectUris) {
    if (uri === 'urn:ietf:wg:oauth:2.0:oob') continue;
    try {
      new URL(uri);
    } catch {
      problems.push('Redirect URI must be an absolute URI.');
    }
  }
  if (scopes.some((s) => !MASTODON_SCOPES.includes(s))) problems.push('Scopes are invalid');
  if (problems.length > 0) return json(422, { error: `Validation failed: ${problems.join(', ')}` });
  const app = auth.register(newMastodonApp(name, redirectUris, scopes));
  const website = str(params.website) ?? null;
  return json(200, {
    id: nextId(),
    name,
    website,
    scopes,
    redirect_uri: redirectUris.join('\n'),
    redirect_uris: redirectUris,
    vapid_key: randomBytes(65).toString('base64url'),
    client_id: app.clientId,
    client_secret: app.clientSecret,
    client_secret_expires_at: 0,
  });
}

/** GET shows the consent page; POST (the form) redirects with the code or the error. */
export function authorize(
  auth: AuthorizationServer,
  method: string,
  query: URLSearchParams,
  form: URLSearchParams,
  handle: string,
): Reply {
  const checked = method === 'GET' ? auth.checkAuthorize(query) : auth.decide(form);
  if (checked.ok && 'request' in checked) {
    return html(200, auth.consentPage(checked.request, AUTHORIZE_PATH, handle));
  }
  if ('redirect' in checked) return redirect(checked.redirect);
  return html(checked.status, checked.page);
}

/** The client from the body's `client_id`/`client_secret` or Basic auth, as Doorkeeper takes it. */
function client(
  auth: AuthorizationServer,
  params: Params,
  authorization: string | undefined,
): OAuthApp | OAuthError {
  const basic = basicCredentials(authorization);
  const clientId = basic?.clientId ?? str(params.client_id) ?? '';
  const secret = basic?.clientSecret ?? str(params.client_secret);
  const found = auth.authenticateClient(clientId, secret);
  return isOAuthError(found) ? { ...found, description: INVALID_CLIENT } : found;
}

export function token(auth: AuthorizationServer, params: Params, authorization?: string): Reply {
  const app = client(auth, params, authorization);
  if (isOAuthError(app)) return json(app.status, oauthErrorBody(app));
  const grantType = str(params.grant_type);
  if (grantType !== 'authorization_code') {
    return json(400, {
      error: 'unsupported_grant_type',
      error_description:
        'The authorization grant type is not supported by the authorization server.',
    });
  }
  const answer = auth.exchangeCode(app, {
    code: str(params.code),
    redirectUri: str(params.redirect_uri),
    verifier: str(params.code_verifier),
  });
  if (isOAuthError(answer)) {
    return json(answer.status, oauthErrorBody({ ...answer, description: INVALID_GRANT }));
  }
  return json(200, {
    access_token: answer.access.token,
    token_type: 'Bearer',
    scope: answer.access.scopes.join(' '),
    created_at: Math.floor(answer.access.issuedAt / 1000),
  });
}

export function revoke(auth: AuthorizationServer, params: Params, authorization?: string): Reply {
  const app = client(auth, params, authorization);
  if (isOAuthError(app)) {
    return json(403, {
      error: 'unauthorized_client',
      error_description: 'You are not authorized to revoke this token',
    });
  }
  auth.revoke(str(params.token), app.clientId);
  return json(200, {});
}
