/**
 * The X sandbox: a loopback imitation of X's API v2 that twitter-api-v2 talks to unchanged
 * (the client only rewrites scheme and port). One account, OAuth 1.0a on every call, and
 * the fault knobs played on `POST /2/tweets` (docs/networks.md, X; docs/architecture.md, sandbox faults).
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { POST_FAULTS } from '../faults';
import { listenOnLoopback } from '../kit/loopback';
import type { SandboxFactory } from '../types';
import { randomToken, SnowflakeIds, XAccount } from './account';
import {
  BodyTooLargeError,
  parseMultipart,
  readBody,
  SERVER_ERRORS,
  sendInvalidRequest,
  sendJson,
  sendNotFound,
  sendProblem,
  TOO_MANY_REQUESTS,
  UNAUTHORIZED,
} from './http';
import { verifyOAuth } from './oauth';
import {
  appendUpload,
  commitTweet,
  createdBody,
  deleteTweet,
  type Exchange,
  finalizeUpload,
  getMe,
  getTweet,
  getUserTweets,
  initializeUpload,
  setMediaMetadata,
  uploadStatus,
  validateCreate,
} from './routes';

const SLOW_MS = 3_000;
const JSON_LIMIT = 1024 * 1024;
/** twitter-api-v2 appends 1 MiB chunks; X's own per-request cap is not stated. */
const UPLOAD_LIMIT = 6 * 1024 * 1024;

type Route = {
  method: string;
  pattern: RegExp;
  name: string;
  upload?: boolean;
  handle: (ex: Exchange, params: string[]) => void | Promise<void>;
};

export const startXSandbox: SandboxFactory = async (context) => {
  const log = context.log.child({ sandbox: 'x' });
  const ids = new SnowflakeIds();
  const userId = ids.next(Date.parse('2015-03-20T12:00:00Z'));
  const account = new XAccount(
    {
      id: userId,
      username: 'newsroom',
      name: 'Newsroom (sandbox)',
      createdAt: '2015-03-20T12:00:00.000Z',
    },
    {
      appKey: randomToken(25),
      appSecret: randomToken(50),
      // X's access tokens start with the account's numeric id.
      accessToken: `${userId}-${randomToken(40)}`,
      accessSecret: randomToken(45),
    },
  );
  const closing = new AbortController();

  function rateLimited(res: ServerResponse, untilMs: number): void {
    sendProblem(res, 429, TOO_MANY_REQUESTS, account.createHeaders(Date.now(), untilMs / 1000));
  }

  async function createTweet(ex: Exchange): Promise<void> {
    const { res, req } = ex;
    const now = Date.now();
    // While a 429's reset has not passed, every create is refused the same way.
    if (account.rateLimitedUntil > now) return rateLimited(res, account.rateLimitedUntil);
    const fault = context.faults.pick('x', POST_FAULTS);
    if (fault) log.info('sandbox.x.fault', { fault, route: 'POST /2/tweets' });
    switch (fault) {
      case 'auth':
      case 'expired-token':
        // OAuth 1.0a tokens do not expire: an "expired" one is X's plain 401.
        return sendProblem(res, 401, UNAUTHORIZED);
      case '429': {
        // X states the reset in Unix seconds: round up so "after the reset" is exact.
        const until = Math.ceil((now + context.faults.resetSeconds * 1000) / 1000) * 1000;
        account.rateLimitedUntil = until;
        return rateLimited(res, until);
      }
      case '500':
        return sendProblem(res, 500, SERVER_ERRORS[500]);
      case '502':
        return sendProblem(res, 502, SERVER_ERRORS[502]);
      case '503':
        return sendProblem(res, 503, SERVER_ERRORS[503]);
      case 'reset':
        req.socket.destroy();
        return;
      case 'slow':
        await sleep(SLOW_MS, undefined, { signal: closing.signal });
        break;
    }
    const draft = validateCreate(ex);
    if (!draft) return;
    const tweet = commitTweet(ex, draft);
    log.info('sandbox.x.post', { remoteId: tweet.id, account: account.user.username });
    switch (fault) {
      case 'timeout':
        // Committed; no answer until the client gives up (or the sandbox stops).
        return;
      case 'crash-after-post':
        req.socket.destroy();
        return;
      case '500-after-post':
        return sendProblem(res, 500, SERVER_ERRORS[500]);
    }
    sendJson(res, 201, createdBody(tweet), account.createHeaders(now));
  }

  const routes: Route[] = [
    { method: 'POST', pattern: /^\/2\/tweets$/, name: 'POST /2/tweets', handle: createTweet },
    {
      method: 'GET',
      pattern: /^\/2\/tweets\/([^/]+)$/,
      name: 'GET /2/tweets/:id',
      handle: (ex, [id]) => getTweet(ex, id ?? ''),
    },
    {
      method: 'DELETE',
      pattern: /^\/2\/tweets\/([^/]+)$/,
      name: 'DELETE /2/tweets/:id',
      handle: (ex, [id]) => deleteTweet(ex, id ?? ''),
    },
    { method: 'GET', pattern: /^\/2\/users\/me$/, name: 'GET /2/users/me', handle: getMe },
    {
      method: 'GET',
      pattern: /^\/2\/users\/([^/]+)\/tweets$/,
      name: 'GET /2/users/:id/tweets',
      handle: (ex, [id]) => getUserTweets(ex, id ?? ''),
    },
    {
      method: 'POST',
      pattern: /^\/2\/media\/upload\/initialize$/,
      name: 'POST /2/media/upload/initialize',
      handle: initializeUpload,
    },
    {
      method: 'POST',
      pattern: /^\/2\/media\/upload\/(\d+)\/append$/,
      name: 'POST /2/media/upload/:id/append',
      upload: true,
      handle: (ex, [id]) => {
        const parts = parseMultipart(ex.body, ex.req.headers['content-type'] ?? '');
        if (!parts) return sendInvalidRequest(ex.res, [{ message: 'Malformed multipart body' }]);
        appendUpload(ex, id ?? '', parts);
      },
    },
    {
      method: 'POST',
      pattern: /^\/2\/media\/upload\/(\d+)\/finalize$/,
      name: 'POST /2/media/upload/:id/finalize',
      handle: (ex, [id]) => finalizeUpload(ex, id ?? ''),
    },
    {
      method: 'GET',
      pattern: /^\/2\/media\/upload$/,
      name: 'GET /2/media/upload',
      handle: uploadStatus,
    },
    {
      method: 'POST',
      pattern: /^\/2\/media\/metadata$/,
      name: 'POST /2/media/metadata',
      handle: setMediaMetadata,
    },
  ];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const url = new URL(target, 'http://sandbox.invalid');
    let route: Route | undefined;
    let params: string[] = [];
    for (const candidate of routes) {
      const match = candidate.method === req.method && candidate.pattern.exec(url.pathname);
      if (match) {
        route = candidate;
        params = match.slice(1).map((p) => decodeURIComponent(p));
        break;
      }
    }
    res.on('finish', () =>
      log.debug('sandbox.x.request', {
        method: req.method,
        path: url.pathname,
        status: res.statusCode,
      }),
    );
    if (!route) {
      req.resume();
      return sendNotFound(res);
    }
    let body: Buffer;
    try {
      body = await readBody(req, route.upload ? UPLOAD_LIMIT : JSON_LIMIT);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, { errors: [{ message: 'Request Entity Too Large', code: 413 }] });
      }
      return;
    }
    const contentType = req.headers['content-type'] ?? '';
    const verdict = verifyOAuth(
      {
        method: req.method ?? 'GET',
        target,
        host: req.headers.host ?? '',
        authorization: req.headers.authorization,
        form: /application\/x-www-form-urlencoded/i.test(contentType)
          ? new URLSearchParams(body.toString('utf8'))
          : undefined,
      },
      account.keys,
    );
    if (!verdict.ok) {
      log.warn('sandbox.x.unauthorized', { route: route.name, reason: verdict.reason });
      return sendProblem(res, 401, UNAUTHORIZED);
    }
    await route.handle({ req, res, url, body, account, ids, posts: context.posts }, params);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (closing.signal.aborted) return;
      log.error('sandbox.x.error', { error, path: req.url });
      sendProblem(res, 500, SERVER_ERRORS[500]);
    });
  });
  const loopback = await listenOnLoopback(server);
  const url = loopback.url;
  log.info('sandbox.x.started', { url, account: account.user.username });

  return {
    platform: 'x',
    url,
    account: account.user.username,
    credentials: { ...account.keys, apiBase: url },
    async stop() {
      closing.abort();
      await loopback.close();
    },
  };
};
