/**
 * Facebook login for a Page (and for Instagram with Facebook login): the dialog at
 * `/{version}/dialog/oauth` (www.facebook.com), the code exchanged for a short-lived user
 * token at `GET /{version}/oauth/access_token`, the long-lived exchange there with
 * `grant_type=fb_exchange_token` (60 days), `GET /{version}/me/accounts` listing the Pages
 * the user manages with their Page tokens (which never expire when the user token was
 * long-lived, and expire with it otherwise), a Page's `instagram_business_account`, and
 * `DELETE /{version}/me/permissions`, which ends the grant and every token it gave.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send, sendHtml, sendJson } from '../kit/http';
import {
  type AuthLedger,
  AuthorizationServer,
  isOAuthError,
  type OAuthApp,
  type TokenCheck,
} from '../kit/oauth';
import { tokenRefusal } from '../meta/login';
import { type Params, sendGraphError } from './graph';
import { type FacebookState, SEVERAL_PAGES } from './state';

const HOUR_SECONDS = 60 * 60;
const LONG_LIVED_SECONDS = 60 * 24 * HOUR_SECONDS;
const LONG_LIVED_EXPIRES_IN = 5_183_944;

export function facebookAuthorizationServer(ledger: AuthLedger, tokenSeconds?: number) {
  return new AuthorizationServer({
    platform: 'facebook',
    ledger,
    tokenSeconds,
    accessSeconds: LONG_LIVED_SECONDS,
    refreshTokens: 'never',
    rotateRefresh: false,
    pkce: 'optional',
    codeSeconds: 10 * 60,
    networkName: 'Facebook',
    mintToken: () => `EAAG${randomBytes(96).toString('base64url').replace(/[-_]/g, 'Z')}`,
  });
}

export function facebookApp(): OAuthApp {
  return {
    clientId: String(1_000_000_000_000_000 + (randomBytes(6).readUIntBE(0, 6) % 1e15)),
    clientSecret: randomBytes(16).toString('hex'),
    name: 'Crier (sandbox)',
    redirectUris: new Set(),
  };
}

const paramsOf = (params: Params) => new URLSearchParams([...params]);

/** The dialog and the token endpoint, which need no token; false when `rest` is neither. */
export function handleFacebookLogin(
  state: FacebookState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  rest: string,
  params: Params,
): boolean {
  const { auth } = state;
  const method = req.method ?? 'GET';
  if (rest === 'dialog/oauth' && (method === 'GET' || method === 'POST')) {
    const checked =
      method === 'GET' ? auth.checkAuthorize(url.searchParams) : auth.decide(paramsOf(params));
    if (checked.ok && 'request' in checked) {
      sendHtml(
        res,
        200,
        auth.consentPage(checked.request, url.pathname, state.member.name, [
          { value: '', label: `${state.member.name}, who manages the Page ${state.page.name}` },
          {
            value: SEVERAL_PAGES,
            label: `${state.member.name}, who manages ${state.pagesOf(SEVERAL_PAGES).length} Pages`,
          },
        ]),
      );
    } else if ('redirect' in checked) {
      // Facebook appends `#_=_` to the redirect after its dialog.
      send(res, 302, '', { location: `${checked.redirect}#_=_` });
    } else {
      sendHtml(res, checked.status, checked.page);
    }
    return true;
  }
  if (rest !== 'oauth/access_token' || method !== 'GET') return false;
  const app = auth.authenticateClient(params.get('client_id') ?? '', params.get('client_secret'));
  if (isOAuthError(app)) {
    sendGraphError(res, 400, { message: 'Error validating client secret.', code: 1 });
    return true;
  }
  const shortSeconds =
    auth.accessSeconds === LONG_LIVED_SECONDS ? 2 * HOUR_SECONDS : auth.accessSeconds;
  if (params.get('grant_type') === 'fb_exchange_token') {
    const checked = auth.check(params.get('fb_exchange_token'));
    if (!checked.ok) {
      sendGraphError(res, 400, tokenRefusal(checked));
      return true;
    }
    const next = auth.reissue(checked.record, 'long', auth.accessSeconds);
    sendJson(res, 200, {
      access_token: next.access.token,
      token_type: 'bearer',
      expires_in:
        auth.accessSeconds === LONG_LIVED_SECONDS ? LONG_LIVED_EXPIRES_IN : auth.accessSeconds,
    });
    return true;
  }
  const answer = auth.exchangeCode(
    app,
    {
      code: params.get('code')?.replace(/#_=_$/, ''),
      redirectUri: params.get('redirect_uri'),
      verifier: params.get('code_verifier'),
    },
    { flavour: 'short', accessSeconds: shortSeconds },
  );
  if (isOAuthError(answer)) {
    sendGraphError(res, 400, {
      message: answer.description.includes('redirect_uri')
        ? 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request'
        : 'This authorization code has been used.',
      code: 100,
      error_subcode: 36009,
    });
    return true;
  }
  sendJson(res, 200, {
    access_token: answer.access.token,
    token_type: 'bearer',
    expires_in: shortSeconds,
  });
  return true;
}

/** What a user token from the login may read: itself, its Pages, and a Page's Instagram account. */
export function handleUserToken(
  state: FacebookState,
  req: IncomingMessage,
  res: ServerResponse,
  rest: string,
  params: Params,
  token: string,
  checked: Extract<TokenCheck, { ok: true }>,
) {
  const method = req.method ?? 'GET';
  const { auth, page } = state;
  if (method === 'DELETE' && rest === 'me/permissions') {
    auth.revoke(token, undefined, true);
    return sendJson(res, 200, { success: true });
  }
  if (method === 'GET' && rest === 'me') {
    return sendJson(res, 200, { id: state.member.id, name: state.member.name });
  }
  if (method === 'GET' && rest === 'me/accounts') {
    // A Page token made from a long-lived user token does not expire; from a short-lived
    // one it dies with the user token.
    const { record } = checked;
    const seconds =
      record.flavour === 'long'
        ? undefined
        : Math.max(0, ((record.expiresAt ?? Date.now()) - Date.now()) / 1000);
    const fields = params
      .get('fields')
      ?.split(',')
      .map((f) => f.trim());
    const data = state.pagesOf(record.account).map((managed) => {
      const pageToken = auth.reissue(record, 'page', seconds).access.token;
      state.pageTokens.set(pageToken, managed);
      // Only the first Page is linked to the Instagram business account.
      const instagram = managed === page ? state.instagramBusinessAccountId : undefined;
      const node: Record<string, unknown> = {
        access_token: pageToken,
        category: 'Media/news company',
        category_list: [{ id: '2233', name: 'Media/news company' }],
        name: managed.name,
        id: managed.id,
        tasks: ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE'],
        ...(instagram && fields?.includes('instagram_business_account')
          ? { instagram_business_account: { id: instagram } }
          : {}),
      };
      // Graph answers the fields asked for, and `id` always.
      return fields
        ? Object.fromEntries(
            Object.entries(node).filter(([key]) => key === 'id' || fields.includes(key)),
          )
        : node;
    });
    return sendJson(res, 200, {
      data,
      paging: { cursors: { before: 'QVFIU', after: 'QVFIU' } },
    });
  }
  if (method === 'GET' && rest === page.id) {
    const fields = (params.get('fields') ?? 'id,name').split(',').map((f) => f.trim());
    const node: Record<string, unknown> = { id: page.id };
    if (fields.includes('name')) node.name = page.name;
    if (fields.includes('instagram_business_account') && state.instagramBusinessAccountId) {
      node.instagram_business_account = { id: state.instagramBusinessAccountId };
    }
    return sendJson(res, 200, node);
  }
  sendGraphError(res, 403, {
    message:
      '(#200) The permission(s) pages_manage_posts are not available: a Page access token is needed to act as the Page',
    code: 200,
  });
}
