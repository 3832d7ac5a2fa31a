/**
 * A loopback imitation of LinkedIn's versioned REST API (`/rest`) for one organization:
 * posts (create with duplicate detection, read, find by author, partial update, delete)
 * and images (initializeUpload, upload, read), with LinkedIn's headers, status codes and
 * bodies (docs/networks.md, LinkedIn) and the fault knobs on `POST /rest/posts`; the
 * member's OAuth flow, userinfo and organization roles are in oauth.ts.
 * The model is in state.ts, the answers' shapes in serialize.ts, the routes in routes.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, readBody } from '../kit/http';
import { startServer } from '../kit/server';
import type { RunningSandbox, SandboxContext, SandboxFactory } from '../types';
import { handleLinkedInAuthorization, organization, organizationAcls, userInfo } from './oauth';
import { receiveUpload, route } from './routes';
import { error, unauthorized } from './serialize';
import {
  isActiveVersion,
  type LinkedInSandboxOptions,
  LinkedInState,
  PLATFORM,
  versionOf,
} from './state';

export type { LinkedInSandboxOptions } from './state';

export type LinkedInSandbox = RunningSandbox & {
  credentials: { accessToken: string; author: string; version: string; apiBase: string };
  /** every request the sandbox received, in order, with its Rest.li method header */
  requests(): { method: string; path: string; restliMethod: string | undefined }[];
};

const JSON_LIMIT = 1024 * 1024;
const UPLOAD_LIMIT = 10 * 1024 * 1024;
const UPLOAD_PATH = /^\/dms-uploads\/sp\/([A-Za-z0-9_-]+)\/uploaded-image\/0$/;

/** The version headers every `/rest` call needs; false when it answered the error. */
function versionChecked(req: IncomingMessage, res: ServerResponse, version: string): boolean {
  if (!version) {
    // The wording is unconfirmed; LinkedIn refuses a /rest call without a version.
    const message =
      'A version must be present. Please specify a version by adding the LinkedIn-Version header.';
    error(res, 400, message, { code: 'VERSION_MISSING' });
    return false;
  }
  if (!isActiveVersion(version, Date.now())) {
    error(res, 426, `Requested version ${version} is not active`, { code: 'NONEXISTENT_VERSION' });
    return false;
  }
  if (req.headers['x-restli-protocol-version'] !== '2.0.0') {
    // Without Rest.li 2.0.0 keys and bodies are read in the old encoding: the sandbox refuses.
    error(res, 400, 'X-Restli-Protocol-Version: 2.0.0 is required', { code: 'BAD_REQUEST' });
    return false;
  }
  return true;
}

/** Auth and the two required headers come before anything a route does. */
async function handle(state: LinkedInState, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', state.base);
  const path = url.pathname;
  const restliMethod = req.headers['x-restli-method'];
  state.requestLog.push({
    method: req.method ?? 'GET',
    path,
    restliMethod: typeof restliMethod === 'string' ? restliMethod : undefined,
  });
  const uploadPath = UPLOAD_PATH.exec(path);
  const body = await readBody(req, uploadPath ? UPLOAD_LIMIT : JSON_LIMIT);
  if (body === 'too-large') return error(res, 413, 'Request Entity Too Large');

  if (handleLinkedInAuthorization(state, req, res, url, body)) return;
  const token = bearerToken(req, /^Bearer (\S+)$/);
  if (!token) return unauthorized(res, 'empty');
  let account = state.accountsByToken.get(token);
  let scopes: string[] | undefined;
  let signIn: string | undefined;
  if (!account) {
    const checked = state.auth.check(token);
    if (!checked.ok)
      return unauthorized(res, checked.reason === 'unknown' ? 'invalid' : checked.reason);
    account = state.account;
    scopes = checked.record.scopes;
    signIn = checked.record.account;
  }
  if (path === '/v2/userinfo' && req.method === 'GET') return userInfo(state, res, scopes);
  // The upload URL is LinkedIn's own, outside /rest: no version headers there.
  if (uploadPath?.[1] && req.method === 'PUT') {
    return receiveUpload({ state, req, res, url, body, account, version: '' }, uploadPath[1]);
  }
  const version = String(req.headers['linkedin-version'] ?? '');
  if (!versionChecked(req, res, version)) return;
  if (path === '/rest/organizationAcls' && req.method === 'GET') {
    return organizationAcls(state, res, url, signIn);
  }
  const organizationPath = /^\/rest\/organizations\/(\d+)$/.exec(path);
  if (organizationPath?.[1] && req.method === 'GET') {
    return organization(state, res, organizationPath[1]);
  }
  await route(
    { state, req, res, url, body, account, version, ...(scopes ? { scopes } : {}) },
    path,
  );
}

export async function launchLinkedInSandbox(
  context: SandboxContext,
  options: LinkedInSandboxOptions = {},
): Promise<LinkedInSandbox> {
  const log = context.log.child({ sandbox: PLATFORM });
  const state = new LinkedInState(context, log, options);
  const server = await startServer({
    handle: (req, res) => handle(state, req, res),
    failed(failure, _req, res) {
      log.error('sandbox.failed', { platform: PLATFORM, error: failure });
      if (!res.headersSent && !res.destroyed) error(res, 500, 'Internal Server Error');
      else res.destroy();
    },
  });
  state.base = server.url;
  state.delay = server.delay;
  const { account } = state;
  log.debug('sandbox.listening', { platform: PLATFORM, url: state.base, account: account.name });

  return {
    platform: PLATFORM,
    url: state.base,
    account: account.name,
    credentials: {
      accessToken: account.token,
      author: account.author,
      version: versionOf(Date.now()),
      apiBase: state.base,
    },
    app: {
      clientId: state.app.clientId,
      clientSecret: state.app.clientSecret ?? '',
      authorizeUrl: `${state.base}/oauth/v2/authorization`,
      tokenUrl: `${state.base}/oauth/v2/accessToken`,
      addRedirectUri: (uri) => void state.app.redirectUris.add(uri),
    },
    requests: () => state.requestLog.map((r) => ({ ...r })),
    async stop() {
      if (await server.stop()) log.info('sandbox.stopped', { platform: PLATFORM });
    },
  };
}

export const startLinkedInSandbox: SandboxFactory = (context) => launchLinkedInSandbox(context);
