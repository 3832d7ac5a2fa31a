/**
 * X's OAuth 2.0 user context with PKCE (docs/development.md, sandbox authorization): the
 * consent page at `/i/oauth2/authorize` (x.com's path), `POST /2/oauth2/token` for the
 * code and refresh grants and `POST /2/oauth2/revoke`, on api.x.com's paths. Access
 * tokens live 2 hours; `offline.access` adds a refresh token, which rotates on use.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../logger';
import { sendHtml, sendJson } from '../kit/http';
import {
  type AuthLedger,
  AuthorizationServer,
  basicCredentials,
  isOAuthError,
  type OAuthApp,
  type OAuthError,
  oauthErrorBody,
  randomToken,
  type TokenAnswer,
} from '../kit/oauth';

export const X_SCOPES = [
  'tweet.read',
  'tweet.write',
  'tweet.moderate.write',
  'users.read',
  'follows.read',
  'follows.write',
  'offline.access',
  'space.read',
  'mute.read',
  'mute.write',
  'like.read',
  'like.write',
  'list.read',
  'list.write',
  'block.read',
  'block.write',
  'bookmark.read',
  'bookmark.write',
  'media.write',
] as const;

export const AUTHORIZE_PATH = '/i/oauth2/authorize';
export const TOKEN_PATH = '/2/oauth2/token';
export const REVOKE_PATH = '/2/oauth2/revoke';

export function xAuthorizationServer(ledger: AuthLedger, tokenSeconds?: number) {
  return new AuthorizationServer({
    platform: 'x',
    ledger,
    tokenSeconds,
    accessSeconds: 2 * 60 * 60,
    refreshTokens: { scope: 'offline.access' },
    rotateRefresh: true,
    pkce: 'required',
    codeSeconds: 30,
    networkName: 'X',
  });
}

export function xApp(): OAuthApp {
  return {
    // X's client ids are 34 characters of base64url; secrets 50.
    clientId: randomToken(25).slice(0, 34),
    clientSecret: randomToken(38).slice(0, 50),
    name: 'Crier (sandbox)',
    redirectUris: new Set(),
    scopes: X_SCOPES,
  };
}

function tokenBody(answer: TokenAnswer) {
  return {
    token_type: 'bearer',
    expires_in: answer.expiresIn,
    access_token: answer.access.token,
    scope: answer.access.scopes.join(' '),
    ...(answer.refresh ? { refresh_token: answer.refresh.token } : {}),
  };
}

const sendError = (res: ServerResponse, error: OAuthError) =>
  sendJson(res, error.status, oauthErrorBody(error));

/**
 * A confidential client authenticates with Basic; a public one sends its `client_id` in
 * the body and proves itself with PKCE alone.
 */
function client(
  auth: AuthorizationServer,
  req: IncomingMessage,
  form: URLSearchParams,
): OAuthApp | OAuthError {
  const basic = basicCredentials(req.headers.authorization);
  if (basic) return auth.authenticateClient(basic.clientId, basic.clientSecret);
  const app = auth.app(form.get('client_id') ?? '');
  if (app?.clientSecret !== undefined) {
    return {
      status: 401,
      error: 'unauthorized_client',
      description: 'Missing valid authorization header',
    };
  }
  return auth.authenticateClient(form.get('client_id') ?? '', undefined);
}

/** Serves the flow's routes; false when the request is not one of them. */
export function handleXAuthorization(
  auth: AuthorizationServer,
  account: string,
  log: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
): boolean {
  const method = req.method ?? 'GET';
  const path = url.pathname;
  const form = new URLSearchParams(body.toString('utf8'));
  if (path === AUTHORIZE_PATH && (method === 'GET' || method === 'POST')) {
    const checked = method === 'GET' ? auth.checkAuthorize(url.searchParams) : auth.decide(form);
    if (checked.ok && 'request' in checked) {
      sendHtml(res, 200, auth.consentPage(checked.request, AUTHORIZE_PATH, `@${account}`));
    } else if ('redirect' in checked) {
      res.writeHead(302, { location: checked.redirect, 'content-length': 0 });
      res.end();
    } else {
      sendHtml(res, checked.status, checked.page);
    }
    return true;
  }
  if (method !== 'POST' || (path !== TOKEN_PATH && path !== REVOKE_PATH)) return false;
  const app = client(auth, req, form);
  if (isOAuthError(app)) {
    log.warn('sandbox.x.oauth-refused', { path, reason: app.description });
    sendError(res, app);
    return true;
  }
  if (path === REVOKE_PATH) {
    auth.revoke(form.get('token') ?? undefined, app.clientId);
    sendJson(res, 200, { revoked: true });
    return true;
  }
  const grantType = form.get('grant_type');
  let answer: TokenAnswer | OAuthError;
  if (grantType === 'authorization_code') {
    answer = auth.exchangeCode(app, {
      code: form.get('code') ?? undefined,
      redirectUri: form.get('redirect_uri') ?? undefined,
      verifier: form.get('code_verifier') ?? undefined,
    });
  } else if (grantType === 'refresh_token') {
    answer = auth.refresh(app, form.get('refresh_token') ?? undefined);
  } else {
    answer = {
      status: 400,
      error: 'invalid_request',
      description: 'Value passed for the grant type was invalid.',
    };
  }
  if (isOAuthError(answer)) {
    log.warn('sandbox.x.oauth-refused', { path, grantType, reason: answer.description });
    sendError(res, answer);
  } else {
    sendJson(res, 200, tokenBody(answer));
  }
  return true;
}
