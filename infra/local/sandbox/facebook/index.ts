/**
 * A loopback imitation of the Graph API for one Facebook Page: link posts on the Page
 * feed (create with Graph's duplicate check, read, edit, delete), the feed itself with
 * `since` and cursors, and Graph's error envelope, usage header and codes (docs/networks.md,
 * Facebook Page), with the fault knobs on `POST /{page-id}/feed`. Nothing it is given is
 * fetched: a link is recorded, and the card names the link's host.
 */

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { POST_FAULTS } from '../faults';
import { listenOnLoopback } from '../kit/loopback';
import {
  badGatewayPage,
  playCreate,
  type Refusal,
  readBody,
  sendHtml,
  sendJson,
} from '../rest/http';
import type { RunningSandbox, SandboxContext, SandboxFactory } from '../types';
import {
  accessToken,
  type FieldSelection,
  type GraphErrorBody,
  graphParams,
  type Params,
  parseFields,
  sendGraphError,
  unsupported,
} from './graph';

export type FacebookSandboxOptions = {
  /** the Page's numeric id */
  pageId?: string;
  /** the Page's name, as a channel's `account` names it */
  name?: string;
  /** the Graph version the credentials name */
  apiVersion?: string;
  /** how late the `slow` fault answers */
  slowMs?: number;
  /** how long the same message and link count as a duplicate: Meta does not say; a guess */
  duplicateWindowMs?: number;
};

export type FacebookSandbox = RunningSandbox & {
  credentials: { pageId: string; pageAccessToken: string; apiVersion: string; apiBase: string };
  /** every request the sandbox received, in order (method and path, no query) */
  requests(): { method: string; path: string }[];
};

const PLATFORM = 'facebook';
const SLOW_MS = 3_000;
const BODY_LIMIT = 1024 * 1024;
/** The widely cited message limit (docs/networks.md: unconfirmed), in UTF-16 code units. */
const MAX_MESSAGE = 63_206;
const DAY_MS = 24 * 60 * 60_000;
/** A Page's Business Use Case budget: 4,800 calls per 24 h per engaged user; one user here. */
const CALLS_PER_DAY = 4800;
const DEFAULT_FIELDS = 'id,message,created_time';
const GRAPH_VERSION = /^v\d{1,3}\.\d{1,2}$/;

type Post = {
  /** `{page-id}_{post-id}` */
  id: string;
  message: string;
  link?: string;
  createdAt: number;
  updatedAt: number;
  deleted: boolean;
};

type Page = {
  id: string;
  name: string;
  token: string;
  posts: Post[];
  /** after a `429`, creates are refused until then */
  rateLimitedUntil: number;
  calls: number[];
};

type Exchange = {
  req: IncomingMessage;
  res: ServerResponse;
  params: Params;
  page: Page;
  version: string;
};

/** `2026-11-28T02:28:16+0000`, as Graph writes times. */
function graphTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/** Graph takes `since`/`until` as Unix seconds or as a date it can read. */
function graphInstant(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? Number.NaN : ms;
}

function permalink(post: Post): string {
  const [page, id] = post.id.split('_');
  return `https://www.facebook.com/${page}/posts/${id}`;
}

/** Facebook's link shim: what `attachments{url}` answers for a shared link. */
function shimmed(link: string): string {
  return `https://l.facebook.com/l.php?u=${encodeURIComponent(link)}&h=${randomBytes(9).toString('base64url')}`;
}

function hostOf(link: string): string {
  return URL.canParse(link) ? new URL(link).hostname : link;
}

function select(
  fields: FieldSelection | undefined,
  all: Record<string, unknown>,
): Record<string, unknown> {
  if (!fields) return all;
  const out: Record<string, unknown> = {};
  for (const name of fields.keys()) if (all[name] !== undefined) out[name] = all[name];
  return out;
}

function serializePost(post: Post, page: Page, fields: FieldSelection): Record<string, unknown> {
  const attachmentFields = fields.get('attachments');
  const attachment = post.link
    ? select(attachmentFields, {
        type: 'share',
        url: shimmed(post.link),
        unshimmed_url: post.link,
        title: hostOf(post.link),
        target: { url: shimmed(post.link) },
      })
    : undefined;
  const all: Record<string, unknown> = {
    id: post.id,
    message: post.message || undefined,
    created_time: graphTime(post.createdAt),
    updated_time: graphTime(post.updatedAt),
    permalink_url: permalink(post),
    status_type: post.link ? 'shared_story' : 'mobile_status_update',
    is_published: true,
    from: { name: page.name, id: page.id },
    attachments: attachment ? { data: [attachment] } : undefined,
  };
  // Graph always answers the id, asked for or not.
  return { id: post.id, ...select(fields, all) };
}

export async function launchFacebookSandbox(
  context: SandboxContext,
  options: FacebookSandboxOptions = {},
): Promise<FacebookSandbox> {
  const log = context.log.child({ sandbox: PLATFORM });
  const slowMs = options.slowMs ?? SLOW_MS;
  const duplicateWindowMs = options.duplicateWindowMs ?? DAY_MS;
  const apiVersion = options.apiVersion ?? 'v25.0';
  const page: Page = {
    // Page ids are 15-digit numbers.
    id: options.pageId ?? String(100_000_000_000_000 + randomBytes(6).readUIntBE(0, 6)),
    name: options.name ?? 'Newsroom',
    // Page tokens are long opaque strings starting with "EAA".
    token: `EAAG${randomBytes(96).toString('base64url').replace(/[-_]/g, 'Z')}`,
    posts: [],
    rateLimitedUntil: 0,
    calls: [],
  };
  const pagesByToken = new Map([[page.token, page]]);
  const requestLog: { method: string; path: string }[] = [];
  const closing = new AbortController();
  let base = '';
  let sequence = 0;

  const nextPostId = () => `${page.id}_${Date.now()}${String(sequence++ % 1000).padStart(3, '0')}`;

  /** `X-Business-Use-Case-Usage`: percentages of the Page's budget, and minutes until it is back. */
  function usageHeader(p: Page, now = Date.now()) {
    p.calls = p.calls.filter((at) => at > now - DAY_MS);
    const percent = Math.min(100, Math.ceil((p.calls.length * 100) / CALLS_PER_DAY));
    const limited = p.rateLimitedUntil > now;
    const minutes = limited ? Math.max(1, Math.ceil((p.rateLimitedUntil - now) / 60_000)) : 0;
    const usage = {
      [p.id]: [
        {
          type: 'pages',
          call_count: limited ? 100 : percent,
          total_cputime: Math.min(100, percent),
          total_time: Math.min(100, percent),
          estimated_time_to_regain_access: minutes,
        },
      ],
    };
    return { 'x-business-use-case-usage': JSON.stringify(usage) };
  }

  function fail(ex: Exchange, status: number, error: GraphErrorBody) {
    sendGraphError(ex.res, status, error, usageHeader(ex.page));
  }

  function throttled(ex: Exchange) {
    fail(ex, 400, {
      message:
        '(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.',
      code: 80001,
    });
  }

  function refuse(ex: Exchange, fault: Refusal) {
    switch (fault) {
      case '429':
        ex.page.rateLimitedUntil = Date.now() + context.faults.resetSeconds * 1000;
        return throttled(ex);
      case '500':
        return fail(ex, 500, { message: 'An unknown error has occurred.', code: 1 });
      case '502':
        return sendHtml(ex.res, 502, badGatewayPage('Facebook'));
      case '503':
        return fail(ex, 503, {
          message: '(#2) Service temporarily unavailable',
          code: 2,
          is_transient: true,
        });
      case 'auth':
        return fail(ex, 400, {
          message:
            'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
          code: 190,
          error_subcode: 460,
        });
      case 'expired-token': {
        const when = new Date(Date.now() - 60_000).toUTCString();
        return fail(ex, 400, {
          message: `Error validating access token: Session has expired on ${when}. The current time is ${new Date().toUTCString()}.`,
          code: 190,
          error_subcode: 463,
        });
      }
    }
  }

  /** Graph's checks of a feed post, then the post: undefined when it answered an error. */
  function commitPost(ex: Exchange): Post | undefined {
    const message = ex.params.get('message') ?? '';
    const link = ex.params.get('link');
    // The wordings of these three are unconfirmed; code 100 (invalid parameter) is what matters.
    if (!message.trim() && !link) {
      fail(ex, 400, { message: '(#100) Missing message or attachment', code: 100 });
      return undefined;
    }
    if (link !== undefined && (!/^https?:\/\/\S+$/.test(link) || !URL.canParse(link))) {
      fail(ex, 400, { message: '(#100) The parameter link must be a valid URL', code: 100 });
      return undefined;
    }
    if (message.length > MAX_MESSAGE) {
      fail(ex, 400, {
        message: `(#100) Param message must be at most ${MAX_MESSAGE} characters long`,
        code: 100,
      });
      return undefined;
    }
    const now = Date.now();
    const duplicate = ex.page.posts.find(
      (p) =>
        !p.deleted &&
        p.message === message &&
        p.link === link &&
        p.createdAt > now - duplicateWindowMs,
    );
    if (duplicate) {
      fail(ex, 400, { message: '(#506) Duplicate status message', code: 506 });
      return undefined;
    }
    const post: Post = {
      id: nextPostId(),
      message,
      createdAt: now,
      updatedAt: now,
      deleted: false,
    };
    if (link !== undefined) post.link = link;
    ex.page.posts.push(post);
    context.posts.add({
      platform: PLATFORM,
      remoteId: post.id,
      inReplyToId: null,
      text: message,
      account: ex.page.name,
      url: permalink(post),
      ...(link !== undefined ? { card: { url: link, title: hostOf(link) } } : {}),
      receivedAt: new Date(now).toISOString(),
    });
    log.info('sandbox.post', { platform: PLATFORM, remoteId: post.id });
    return post;
  }

  async function createPost(ex: Exchange): Promise<void> {
    // While a throttle lasts, every create gets the same answer.
    if (ex.page.rateLimitedUntil > Date.now()) return throttled(ex);
    const fault = context.faults.pick(PLATFORM, POST_FAULTS);
    if (fault)
      log.info('sandbox.fault', { platform: PLATFORM, fault, route: 'POST /{page-id}/feed' });
    await playCreate({
      fault,
      res: ex.res,
      slowMs,
      closing: closing.signal,
      refuse: (refusal) => refuse(ex, refusal),
      commit: () => commitPost(ex),
      answer: (post) => sendJson(ex.res, 200, { id: post.id }, usageHeader(ex.page)),
      // Facebook can post and still answer 500 (docs/networks.md, Findings 5).
      failAfterCommit: () =>
        fail(ex, 500, {
          message: 'An unexpected error has occurred. Please retry your request later.',
          code: 2,
          is_transient: true,
        }),
    });
  }

  function readFeed(ex: Exchange, fields: FieldSelection) {
    const since = graphInstant(ex.params.get('since'));
    const until = graphInstant(ex.params.get('until'));
    const limit = Number(ex.params.get('limit') ?? '25');
    if (Number.isNaN(since) || Number.isNaN(until) || !Number.isInteger(limit) || limit < 1) {
      return fail(ex, 400, { message: '(#100) Invalid since, until or limit', code: 100 });
    }
    const after = ex.params.get('after');
    const afterId = after ? Buffer.from(after, 'base64url').toString('utf8') : undefined;
    const all = ex.page.posts
      .filter(
        (p) =>
          !p.deleted &&
          (since === undefined || p.createdAt >= since) &&
          (until === undefined || p.createdAt <= until),
      )
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
    const from = afterId ? all.findIndex((p) => p.id === afterId) + 1 : 0;
    if (afterId && from === 0) {
      return fail(ex, 400, { message: '(#100) The after cursor is not valid', code: 100 });
    }
    const page = all.slice(from, from + Math.min(limit, 100));
    const first = page[0];
    const last = page.at(-1);
    const more = from + page.length < all.length;
    const cursor = (post: Post) => Buffer.from(post.id).toString('base64url');
    const paging: Record<string, unknown> = {};
    if (first && last) {
      paging.cursors = { before: cursor(first), after: cursor(last) };
      if (more) {
        const next = new URL(`${base}/${ex.version}/${ex.page.id}/feed`);
        for (const [name, value] of ex.params)
          if (name !== 'after') next.searchParams.set(name, value);
        next.searchParams.set('access_token', ex.page.token);
        next.searchParams.set('after', cursor(last));
        paging.next = next.href;
      }
    }
    sendJson(
      ex.res,
      200,
      { data: page.map((p) => serializePost(p, ex.page, fields)), ...(first ? { paging } : {}) },
      usageHeader(ex.page),
    );
  }

  function livePost(p: Page, id: string): Post | undefined {
    return p.posts.find((post) => post.id === id && !post.deleted);
  }

  function editPost(ex: Exchange, post: Post) {
    const message = ex.params.get('message');
    if (message === undefined || message.length > MAX_MESSAGE) {
      return fail(ex, 400, {
        message: `(#100) Param message must be a string of at most ${MAX_MESSAGE} characters`,
        code: 100,
      });
    }
    post.message = message;
    post.updatedAt = Date.now();
    const shown = context.posts
      .list()
      .find((p) => p.platform === PLATFORM && p.remoteId === post.id);
    if (shown) {
      context.posts.remove(PLATFORM, post.id);
      context.posts.add({ ...shown, text: message });
    }
    sendJson(ex.res, 200, { success: true }, usageHeader(ex.page));
  }

  async function route(ex: Exchange, rest: string) {
    const method = ex.req.method ?? 'GET';
    const fieldsSpec = ex.params.get('fields');
    // A post's default fields are Graph's own: id, message, created_time.
    const fields = parseFields(fieldsSpec ?? DEFAULT_FIELDS);
    if (!fields)
      return fail(ex, 400, { message: `(#100) Syntax error in fields: ${fieldsSpec}`, code: 100 });

    const edge = /^(\d+)\/(feed|posts|published_posts)$/.exec(rest);
    if (edge) {
      if (edge[1] !== ex.page.id)
        return fail(ex, 400, unsupported(method === 'POST' ? 'post' : 'get', edge[1] ?? ''));
      if (method === 'POST' && edge[2] === 'feed') return createPost(ex);
      if (method === 'GET') return readFeed(ex, fields);
    }
    if (rest === 'me' || rest === ex.page.id) {
      if (method === 'GET') {
        return sendJson(
          ex.res,
          200,
          select(fieldsSpec ? fields : undefined, { id: ex.page.id, name: ex.page.name }),
          usageHeader(ex.page),
        );
      }
    }
    if (/^\d+_\d+$/.test(rest)) {
      const post = livePost(ex.page, rest);
      const verb = method === 'DELETE' ? 'delete' : method === 'POST' ? 'post' : 'get';
      if (!post) return fail(ex, 400, unsupported(verb, rest));
      if (method === 'GET') {
        return sendJson(ex.res, 200, serializePost(post, ex.page, fields), usageHeader(ex.page));
      }
      if (method === 'POST') return editPost(ex, post);
      if (method === 'DELETE') {
        post.deleted = true;
        context.posts.remove(PLATFORM, post.id);
        log.info('sandbox.deleted', { platform: PLATFORM, remoteId: post.id });
        return sendJson(ex.res, 200, { success: true }, usageHeader(ex.page));
      }
    }
    fail(ex, 400, { message: `Unknown path components: /${rest}`, code: 2500 });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    requestLog.push({ method: req.method ?? 'GET', path: url.pathname });
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
    const token = accessToken(req, params);
    if (!token) {
      return sendGraphError(res, 400, {
        message: 'An access token is required to request this resource.',
        code: 104,
      });
    }
    const owner = pagesByToken.get(token);
    if (!owner) {
      return sendGraphError(res, 400, {
        message: 'Invalid OAuth access token - Cannot parse access token',
        code: 190,
      });
    }
    owner.calls.push(Date.now());
    await route({ req, res, params, page: owner, version: match[1] }, match[2]);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((failure: unknown) => {
      if (closing.signal.aborted) return;
      log.error('sandbox.failed', { platform: PLATFORM, error: failure });
      if (!res.headersSent && !res.destroyed) {
        sendGraphError(res, 500, { message: 'An unknown error has occurred.', code: 1 });
      } else res.destroy();
    });
  });
  const loopback = await listenOnLoopback(server);
  base = loopback.url;
  log.info('sandbox.listening', { platform: PLATFORM, url: base, account: page.name });

  return {
    platform: PLATFORM,
    url: base,
    account: page.name,
    credentials: { pageId: page.id, pageAccessToken: page.token, apiVersion, apiBase: base },
    requests: () => requestLog.map((r) => ({ ...r })),
    async stop() {
      if (closing.signal.aborted) return;
      closing.abort();
      await loopback.close();
      log.info('sandbox.stopped', { platform: PLATFORM });
    },
  };
}

export const startFacebookSandbox: SandboxFactory = (context) => launchFacebookSandbox(context);
