/**
 * A loopback imitation of the Graph API for one Facebook Page: link posts on the Page
 * feed (create with Graph's duplicate check, read, edit, delete), the feed itself with
 * `since` and cursors, and Graph's error envelope, usage header and codes (docs/networks.md,
 * Facebook Page), with the fault knobs on `POST /{page-id}/feed`. Nothing it is given is
 * fetched: a link is recorded, and the card names the link's host.
 * Facebook login (dialog, tokens, the user's Pages) is in login.ts; the model in state.ts,
 * the answers' shapes in serialize.ts, the routes in routes.ts.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../kit/http';
import { startServer } from '../kit/server';
import { tokenRefusal } from '../meta/login';
import type { RunningSandbox, SandboxContext, SandboxFactory } from '../types';
import { accessToken, graphParams, sendGraphError } from './graph';
import { handleFacebookLogin, handleUserToken } from './login';
import { route } from './routes';
import { type FacebookSandboxOptions, FacebookState, PLATFORM } from './state';

export type { FacebookSandboxOptions } from './state';

export type FacebookSandbox = RunningSandbox & {
  credentials: { pageId: string; pageAccessToken: string; apiVersion: string; apiBase: string };
  /** every request the sandbox received, in order (method and path, no query) */
  requests(): { method: string; path: string }[];
};

const BODY_LIMIT = 1024 * 1024;
const GRAPH_VERSION = /^v\d{1,3}\.\d{1,2}$/;

/** The body's parameters, the version in the path and the token come before any route. */
async function handle(state: FacebookState, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', state.base);
  state.requestLog.push({ method: req.method ?? 'GET', path: url.pathname });
  const body = await readBody(req, BODY_LIMIT);
  if (body === 'too-large') {
    return sendGraphError(res, 413, { message: '(#1) Request body too large', code: 1 });
  }
  const params = await graphParams(req, url, body);
  if (!params)
    return sendGraphError(res, 400, {
      message: '(#100) Could not parse the request body',
      code: 100,
    });
  const match = /^\/(v[^/]+)\/(.+?)\/?$/.exec(url.pathname);
  if (!match?.[1] || !match[2] || !GRAPH_VERSION.test(match[1])) {
    return sendGraphError(res, 400, {
      message: `Unknown path components: ${url.pathname}`,
      code: 2500,
    });
  }
  if (handleFacebookLogin(state, req, res, url, match[2], params)) return;
  const token = accessToken(req, params);
  if (!token) {
    return sendGraphError(res, 400, {
      message: 'An access token is required to request this resource.',
      code: 104,
    });
  }
  let owner = state.pagesByToken.get(token);
  if (!owner && state.auth.knows(token)) {
    const checked = state.auth.check(token);
    if (!checked.ok) return sendGraphError(res, 400, tokenRefusal(checked));
    owner = state.pageTokens.get(token);
    if (!owner) return handleUserToken(state, req, res, match[2], params, token, checked);
  }
  if (!owner) {
    return sendGraphError(res, 400, {
      message: 'Invalid OAuth access token - Cannot parse access token',
      code: 190,
    });
  }
  owner.calls.push(Date.now());
  await route({ state, req, res, params, page: owner, version: match[1] }, match[2]);
}

export async function launchFacebookSandbox(
  context: SandboxContext,
  options: FacebookSandboxOptions = {},
): Promise<FacebookSandbox> {
  const log = context.log.child({ sandbox: PLATFORM });
  const state = new FacebookState(context, log, options);
  const server = await startServer({
    handle: (req, res) => handle(state, req, res),
    failed(failure, _req, res) {
      log.error('sandbox.failed', { platform: PLATFORM, error: failure });
      if (!res.headersSent && !res.destroyed) {
        sendGraphError(res, 500, { message: 'An unknown error has occurred.', code: 1 });
      } else res.destroy();
    },
  });
  state.base = server.url;
  state.delay = server.delay;
  const { page, apiVersion, base } = state;
  log.debug('sandbox.listening', { platform: PLATFORM, url: base, account: page.name });

  return {
    platform: PLATFORM,
    url: base,
    account: page.name,
    credentials: { pageId: page.id, pageAccessToken: page.token, apiVersion, apiBase: base },
    app: {
      clientId: state.app.clientId,
      clientSecret: state.app.clientSecret ?? '',
      authorizeUrl: `${base}/${apiVersion}/dialog/oauth`,
      tokenUrl: `${base}/${apiVersion}/oauth/access_token`,
      addRedirectUri: (uri) => void state.app.redirectUris.add(uri),
    },
    requests: () => state.requestLog.map((r) => ({ ...r })),
    async stop() {
      if (await server.stop()) log.info('sandbox.stopped', { platform: PLATFORM });
    },
  };
}

export const startFacebookSandbox: SandboxFactory = (context) => launchFacebookSandbox(context);
