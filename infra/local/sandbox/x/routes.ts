/**
 * The X sandbox's routing table, and `POST /2/tweets` with the fault knobs played around
 * the create (docs/networks.md, X; docs/architecture.md, sandbox faults).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { POST_FAULTS, READ_FAULTS } from '../faults';
import { BodyTooLargeError, bearerToken, readBodyCapped } from '../kit/http';
import { playCreate, playRead, type Refusal } from '../kit/play';
import { findRoute, type Route } from '../kit/routes';
import type { StoredTweet } from './account';
import { AUTHORIZE_PATH, handleXAuthorization, REVOKE_PATH, TOKEN_PATH } from './authorize';
import { commitTweet, createdBody, validateCreate } from './create';
import {
  type Exchange,
  OAUTH1_PERMISSIONS,
  parseMultipart,
  SERVER_ERRORS,
  sendInvalidRequest,
  sendJson,
  sendNotFound,
  sendProblem,
  TOO_MANY_REQUESTS,
  UNAUTHORIZED,
} from './http';
import {
  appendUpload,
  finalizeUpload,
  initializeUpload,
  setMediaMetadata,
  uploadStatus,
} from './media';
import { METRICS_FIELDS } from './metrics';
import { verifyOAuth } from './oauth';
import { deleteTweet, getMe, getTweet, getUserTweets } from './tweets';

const SLOW_MS = 3_000;
const JSON_LIMIT = 1024 * 1024;
/** twitter-api-v2 appends 1 MiB chunks; X's own per-request cap is not stated. */
const UPLOAD_LIMIT = 6 * 1024 * 1024;

/** What the X routes share beyond one request: the sandbox's `slow` wait. */
export type XServer = { delay: (ms: number) => Promise<boolean> };

type Handler = {
  name: string;
  upload?: boolean;
  handle: (ex: Exchange, params: string[], server: XServer) => void | Promise<void>;
};

function rateLimited(ex: Exchange, untilMs: number): void {
  const headers = ex.account.createHeaders(Date.now(), untilMs / 1000);
  sendProblem(ex.res, 429, TOO_MANY_REQUESTS, headers);
}

function refuse(ex: Exchange, fault: Refusal, now: number) {
  switch (fault) {
    case 'auth':
    case 'expired-token':
      // OAuth 1.0a tokens do not expire: an "expired" one is X's plain 401.
      return sendProblem(ex.res, 401, UNAUTHORIZED);
    case 'permission':
      return sendProblem(ex.res, 403, OAUTH1_PERMISSIONS);
    case '429': {
      // X states the reset in Unix seconds: round up so "after the reset" is exact.
      const until = Math.ceil((now + ex.state.faults.resetSeconds * 1000) / 1000) * 1000;
      ex.account.rateLimitedUntil = until;
      return rateLimited(ex, until);
    }
    case '502':
      return sendProblem(ex.res, 502, SERVER_ERRORS[502]);
    case '503':
      return sendProblem(ex.res, 503, SERVER_ERRORS[503]);
    default:
      return sendProblem(ex.res, 500, SERVER_ERRORS[500]);
  }
}

async function createTweet(ex: Exchange, _params: string[], server: XServer): Promise<void> {
  const now = Date.now();
  // While a 429's reset has not passed, every create is refused the same way.
  if (ex.account.rateLimitedUntil > now) return rateLimited(ex, ex.account.rateLimitedUntil);
  const fault = ex.state.faults.pick('x', POST_FAULTS);
  if (fault) ex.state.log.info('sandbox.x.fault', { fault, route: 'POST /2/tweets' });
  await playCreate<StoredTweet, void>({
    fault,
    res: ex.res,
    delay: () => server.delay(SLOW_MS),
    refuse: (refusal) => refuse(ex, refusal, now),
    commit: () => {
      const draft = validateCreate(ex);
      if (!draft) return { answer: undefined };
      const tweet = commitTweet(ex, draft);
      const account = ex.account.user.username;
      ex.state.log.info('sandbox.x.post', { remoteId: tweet.id, account });
      return { committed: tweet };
    },
    answer: (tweet) => sendJson(ex.res, 201, createdBody(tweet), ex.account.createHeaders(now)),
    failAfterCommit: () => sendProblem(ex.res, 500, SERVER_ERRORS[500]),
  });
}

/** A post lookup; one that asks for metrics plays the read faults first. */
async function readTweet(ex: Exchange, id: string, server: XServer): Promise<void> {
  const fields = (ex.url.searchParams.get('tweet.fields') ?? '').split(',');
  if (fields.some((field) => METRICS_FIELDS.includes(field))) {
    const now = Date.now();
    const fault = ex.state.faults.pick('x', READ_FAULTS);
    if (fault) ex.state.log.info('sandbox.x.fault', { fault, route: 'GET /2/tweets/:id' });
    const played = await playRead({
      fault,
      res: ex.res,
      delay: () => server.delay(SLOW_MS),
      // X's windows are per endpoint: a read's 429 leaves the creates alone.
      refuse: (refusal) =>
        refusal === '429'
          ? rateLimited(ex, Math.ceil((now + ex.state.faults.resetSeconds * 1000) / 1000) * 1000)
          : refuse(ex, refusal, now),
    });
    if (!played.go) return;
  }
  getTweet(ex, id);
}

const route = (method: string, path: RegExp, handler: Handler): Route<Handler> => ({
  method,
  path,
  handle: handler,
});

const ROUTES: Route<Handler>[] = [
  route('POST', /^\/2\/tweets$/, { name: 'POST /2/tweets', handle: createTweet }),
  route('GET', /^\/2\/tweets\/([^/]+)$/, {
    name: 'GET /2/tweets/:id',
    handle: (ex, [id], server) => readTweet(ex, id ?? '', server),
  }),
  route('DELETE', /^\/2\/tweets\/([^/]+)$/, {
    name: 'DELETE /2/tweets/:id',
    handle: (ex, [id]) => deleteTweet(ex, id ?? ''),
  }),
  route('GET', /^\/2\/users\/me$/, { name: 'GET /2/users/me', handle: getMe }),
  route('GET', /^\/2\/users\/([^/]+)\/tweets$/, {
    name: 'GET /2/users/:id/tweets',
    handle: (ex, [id]) => getUserTweets(ex, id ?? ''),
  }),
  route('POST', /^\/2\/media\/upload\/initialize$/, {
    name: 'POST /2/media/upload/initialize',
    handle: initializeUpload,
  }),
  route('POST', /^\/2\/media\/upload\/(\d+)\/append$/, {
    name: 'POST /2/media/upload/:id/append',
    upload: true,
    handle: (ex, [id]) => {
      const parts = parseMultipart(ex.body, ex.req.headers['content-type'] ?? '');
      if (!parts) return sendInvalidRequest(ex.res, [{ message: 'Malformed multipart body' }]);
      appendUpload(ex, id ?? '', parts);
    },
  }),
  route('POST', /^\/2\/media\/upload\/(\d+)\/finalize$/, {
    name: 'POST /2/media/upload/:id/finalize',
    handle: (ex, [id]) => finalizeUpload(ex, id ?? ''),
  }),
  route('GET', /^\/2\/media\/upload$/, { name: 'GET /2/media/upload', handle: uploadStatus }),
  route('POST', /^\/2\/media\/metadata$/, {
    name: 'POST /2/media/metadata',
    handle: setMediaMetadata,
  }),
];

const AUTHORIZATION_PATHS = new Set([AUTHORIZE_PATH, TOKEN_PATH, REVOKE_PATH]);

/**
 * An OAuth 2.0 Bearer user token from the authorization server, or OAuth 1.0a: the reason
 * a request is refused goes to the log; X answers a bare 401 either way.
 */
function authenticate(
  base: Omit<Exchange, 'req' | 'res' | 'url' | 'body'>,
  req: IncomingMessage,
  target: string,
  body: Buffer,
): { ok: true } | { ok: false; reason: string } {
  if (/^Bearer\s/i.test(req.headers.authorization ?? '')) {
    const checked = base.auth.check(bearerToken(req));
    if (checked.ok) return { ok: true };
    return { ok: false, reason: `${checked.reason} bearer token` };
  }
  const contentType = req.headers['content-type'] ?? '';
  return verifyOAuth(
    {
      method: req.method ?? 'GET',
      target,
      host: req.headers.host ?? '',
      authorization: req.headers.authorization,
      form: /application\/x-www-form-urlencoded/i.test(contentType)
        ? new URLSearchParams(body.toString('utf8'))
        : undefined,
    },
    base.account.keys,
  );
}

/** The route, the body, OAuth 2.0 Bearer or OAuth 1.0a, then the route's work. */
export async function handle(
  base: Omit<Exchange, 'req' | 'res' | 'url' | 'body'>,
  server: XServer,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { log } = base.state;
  const target = req.url ?? '/';
  const url = new URL(target, 'http://sandbox.invalid');
  const authorizing = AUTHORIZATION_PATHS.has(url.pathname);
  const found = authorizing ? undefined : findRoute(ROUTES, req.method ?? '', url.pathname);
  res.on('finish', () =>
    log.debug('sandbox.x.request', {
      method: req.method,
      path: url.pathname,
      status: res.statusCode,
    }),
  );
  if (!found && !authorizing) {
    req.resume();
    return sendNotFound(res);
  }
  let body: Buffer;
  try {
    body = await readBodyCapped(req, found?.handle.upload ? UPLOAD_LIMIT : JSON_LIMIT);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendJson(res, 413, { errors: [{ message: 'Request Entity Too Large', code: 413 }] });
    }
    return;
  }
  if (!found) {
    if (!handleXAuthorization(base.auth, base.account.user.username, log, req, res, url, body)) {
      sendNotFound(res);
    }
    return;
  }
  const route = found.handle;
  const params = found.params.map((p) => decodeURIComponent(p));
  const verdict = authenticate(base, req, target, body);
  if (!verdict.ok) {
    log.warn('sandbox.x.unauthorized', { route: route.name, reason: verdict.reason });
    return sendProblem(res, 401, UNAUTHORIZED);
  }
  await route.handle({ ...base, req, res, url, body }, params, server);
}
