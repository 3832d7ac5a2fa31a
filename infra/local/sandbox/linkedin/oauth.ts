/**
 * LinkedIn's 3-legged OAuth 2.0 (www.linkedin.com's paths): the consent page at
 * `/oauth/v2/authorization`, `POST /oauth/v2/accessToken` for the code and refresh grants
 * (60-day access tokens; the sandbox app is approved for programmatic refresh tokens,
 * which last 365 days from the first grant and do not rotate), `POST /oauth/v2/revoke`,
 * and the member behind a token: `GET /v2/userinfo` (OpenID Connect) and the
 * organizations the member administers (`GET /rest/organizationAcls?q=roleAssignee`).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send, sendHtml } from '../kit/http';
import {
  type AuthLedger,
  AuthorizationServer,
  isOAuthError,
  type OAuthApp,
  type OAuthError,
  oauthErrorBody,
  type TokenAnswer,
} from '../kit/oauth';
import { answer, badRequest } from './serialize';
import { type LinkedInState, SEVERAL_ORGANIZATIONS } from './state';

export const AUTHORIZE_PATH = '/oauth/v2/authorization';
export const TOKEN_PATH = '/oauth/v2/accessToken';
export const REVOKE_PATH = '/oauth/v2/revoke';

const DAY_SECONDS = 24 * 60 * 60;

export const LINKEDIN_SCOPES = [
  'openid',
  'profile',
  'email',
  'w_member_social',
  'r_member_social',
  'w_organization_social',
  'r_organization_social',
  'rw_organization_admin',
  'r_organization_admin',
  'r_basicprofile',
];

/** LinkedIn's one message for a code that cannot be exchanged, whatever the reason. */
const BAD_CODE =
  'Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists';

export function linkedInAuthorizationServer(ledger: AuthLedger, tokenSeconds?: number) {
  return new AuthorizationServer({
    platform: 'linkedin',
    ledger,
    tokenSeconds,
    accessSeconds: 60 * DAY_SECONDS,
    refreshSeconds: 365 * DAY_SECONDS,
    refreshTokens: 'always',
    rotateRefresh: false,
    pkce: 'optional',
    codeSeconds: 30 * 60,
    networkName: 'LinkedIn',
    mintToken: (kind) => `AQ${kind === 'code' ? 'T' : ''}${randomBytes(90).toString('base64url')}`,
  });
}

export function linkedInApp(): OAuthApp {
  return {
    clientId: randomBytes(7).toString('hex'),
    clientSecret: randomBytes(12).toString('base64url'),
    name: 'Crier (sandbox)',
    redirectUris: new Set(),
    scopes: LINKEDIN_SCOPES,
  };
}

function tokenBody(answer: TokenAnswer) {
  return {
    access_token: answer.access.token,
    expires_in: answer.expiresIn,
    ...(answer.refresh
      ? { refresh_token: answer.refresh.token, refresh_token_expires_in: answer.refreshExpiresIn }
      : {}),
    scope: answer.access.scopes.join(','),
  };
}

const sendError = (res: ServerResponse, error: OAuthError) =>
  answer(res, error.status, oauthErrorBody(error));

/** Serves the OAuth paths; false when the request is not for one of them. */
export function handleLinkedInAuthorization(
  state: LinkedInState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
): boolean {
  const { auth } = state;
  const method = req.method ?? 'GET';
  const form = new URLSearchParams(body.toString('utf8'));
  if (url.pathname === AUTHORIZE_PATH && (method === 'GET' || method === 'POST')) {
    const checked = method === 'GET' ? auth.checkAuthorize(url.searchParams) : auth.decide(form);
    if (checked.ok && 'request' in checked) {
      sendHtml(
        res,
        200,
        auth.consentPage(checked.request, AUTHORIZE_PATH, state.member.name, [
          { value: '', label: `${state.member.name}, administrator of ${state.account.name}` },
          {
            value: SEVERAL_ORGANIZATIONS,
            label: `${state.member.name}, administrator of ${state.organizationsOf(SEVERAL_ORGANIZATIONS).length} organizations`,
          },
        ]),
      );
    } else if ('redirect' in checked) {
      send(res, 302, '', { location: checked.redirect });
    } else {
      sendHtml(res, checked.status, checked.page);
    }
    return true;
  }
  if (method !== 'POST' || (url.pathname !== TOKEN_PATH && url.pathname !== REVOKE_PATH)) {
    return false;
  }
  const app = auth.authenticateClient(
    form.get('client_id') ?? '',
    form.get('client_secret') ?? undefined,
  );
  if (isOAuthError(app)) {
    sendError(res, { ...app, description: 'Client authentication failed' });
    return true;
  }
  if (url.pathname === REVOKE_PATH) {
    if (!form.get('token')) {
      sendError(res, { status: 400, error: 'invalid_request', description: 'token is required' });
    } else {
      auth.revoke(form.get('token') ?? undefined, app.clientId);
      send(res, 200, '', {});
    }
    return true;
  }
  const grantType = form.get('grant_type');
  let result: TokenAnswer | OAuthError;
  if (grantType === 'authorization_code') {
    result = auth.exchangeCode(app, {
      code: form.get('code') ?? undefined,
      redirectUri: form.get('redirect_uri') ?? undefined,
      verifier: form.get('code_verifier') ?? undefined,
    });
    if (isOAuthError(result))
      result = { ...result, error: 'invalid_request', description: BAD_CODE };
  } else if (grantType === 'refresh_token') {
    result = auth.refresh(app, form.get('refresh_token') ?? undefined);
    if (isOAuthError(result)) {
      result = {
        ...result,
        error: 'invalid_request',
        description: 'The provided refresh token is invalid',
      };
    }
  } else {
    result = {
      status: 400,
      error: 'invalid_request',
      description: 'A required parameter "grant_type" is missing or invalid',
    };
  }
  if (isOAuthError(result)) sendError(res, result);
  else answer(res, 200, tokenBody(result));
  return true;
}

/** `GET /v2/userinfo`: the member, as OpenID Connect's userinfo (needs `openid`). */
export function userInfo(state: LinkedInState, res: ServerResponse, scopes: string[] | undefined) {
  if (scopes && !scopes.includes('openid')) {
    return answer(res, 403, {
      serviceErrorCode: 100,
      code: 'ACCESS_DENIED',
      message: 'Not enough permissions to access: userinfo.GET.NO_VERSION',
      status: 403,
    });
  }
  const { member } = state;
  const [given, ...family] = member.name.split(' ');
  answer(res, 200, {
    sub: member.id,
    email_verified: true,
    name: member.name,
    locale: { country: 'US', language: 'en' },
    given_name: given,
    family_name: family.join(' '),
    email: member.email,
  });
}

/** `GET /rest/organizationAcls?q=roleAssignee`: the organizations the member has a role in. */
export function organizationAcls(
  state: LinkedInState,
  res: ServerResponse,
  url: URL,
  /** which sign-in granted the token; undefined for the account's own token */
  account?: string,
) {
  if (url.searchParams.get('q') !== 'roleAssignee') {
    return badRequest(res, 'Invalid query parameters passed to request');
  }
  const role = url.searchParams.get('role');
  const status = url.searchParams.get('state');
  const elements = state.organizationsOf(account).map((organization) => ({
    roleAssignee: `urn:li:person:${state.member.id}`,
    state: 'APPROVED',
    role: 'ADMINISTRATOR',
    organization: organization.author,
  }));
  const listed = elements.filter(
    (e) => (!role || e.role === role) && (!status || e.state === status),
  );
  answer(res, 200, { paging: { start: 0, count: 10, links: [] }, elements: listed });
}

/** `GET /rest/organizations/{id}`: an organization's name, as `localizedName` (and `name`). */
export function organization(state: LinkedInState, res: ServerResponse, id: string) {
  const found = state
    .organizationsOf(SEVERAL_ORGANIZATIONS)
    .find((o) => o.author === `urn:li:organization:${id}`);
  if (!found) {
    return answer(res, 404, {
      status: 404,
      code: 'NOT_FOUND',
      message: `Organization ${id} not found`,
    });
  }
  answer(res, 200, {
    id: Number(id),
    localizedName: found.name,
    name: { localized: { en_US: found.name }, preferredLocale: { country: 'US', language: 'en' } },
    vanityName: found.name.toLowerCase().replace(/\W+/g, '-'),
    organizationType: 'MEDIA',
  });
}
