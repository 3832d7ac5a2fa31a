/**
 * The engine both Meta sandboxes run on: a loopback Graph host with one account, media
 * containers that process for a moment, a publish step, the account's post list,
 * quotas, delete, and the fault knobs played on the two create routes (the container and
 * the publish). Each network brings its paths, checks, error bodies and field names.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Platform } from '../../../../shared/domain/platform';
import type { Fault } from '../faults';
import { listenOnLoopback } from '../kit/loopback';
import type { SandboxPost } from '../posts';
import type { RunningSandbox, SandboxContext } from '../types';
import {
  type Container,
  type ContainerDraft,
  type ContainerState,
  DAY_MS,
  GraphAccount,
  type Media,
} from './account';
import {
  accessToken,
  BodyTooLargeError,
  type GraphErrorFields,
  graphError,
  graphParams,
  idGenerator,
  json,
  type Params,
  parseGraphInstant,
  type Reply,
  readBody,
  send,
  shortcode,
} from './http';

export type { Container, ContainerDraft, ContainerState, Media } from './account';

export type Drafted = { ok: true; draft: ContainerDraft } | { ok: false; error: GraphErrorFields };

/** What makes a Graph sandbox Threads or Instagram. */
export type GraphNetwork = {
  platform: Platform;
  /** the version prefix of every path, e.g. `/v1.0` */
  version: RegExp;
  edges: { container: string; publish: string; list: string; quota: string };
  /** the node types "nonexisting field" errors name */
  nodes: { container: string; media: string; user: string };
  /** the `type` of Graph's "unsupported request" errors on this host */
  unsupportedType: string;
  defaultQuota: number;
  /** the earliest `since` the list accepts (Unix seconds) */
  earliestSince?: number;
  /** the container request, checked as the network checks it */
  draft(params: Params): Drafted;
  /** the throttle answer of the `429` fault, and the BUC type its usage header names */
  throttled: GraphErrorFields;
  usageType: string;
  /** publishing a container whose processing is not over */
  notReady(id: string): GraphErrorFields;
  /** publishing a container that is not there (or no longer publishable) */
  notFound(id: string): GraphErrorFields;
  containerFields(container: Container, state: ContainerState): Record<string, unknown>;
  mediaFields(media: Media, account: GraphAccount): Record<string, unknown>;
  userFields(account: GraphAccount): Record<string, unknown>;
  permalink(account: GraphAccount, shortcode: string): string;
  deleted(media: Media): unknown;
  /**
   * A network that takes replies (Threads): the edge under a post that lists the replies
   * to it, and the error for a reply to a post that is not there. Replies stay out of the
   * user's own list, which holds the posts that start threads.
   */
  replies?: { edge: string; unknownParent(id: string): GraphErrorFields };
};

export type GraphSandboxOptions = {
  username?: string;
  /** how long a container processes before FINISHED (it reads IN_PROGRESS at first anyway) */
  readyMs?: number;
  /** how long an unpublished container lives (Meta: 24 h) */
  containerTtlMs?: number;
  /** API-published posts per 24 h */
  publishQuota?: number;
  /** how late the `slow` fault answers */
  slowMs?: number;
};

export type GraphSandbox = RunningSandbox & {
  /** every request the sandbox received, in order (method and path without version or query) */
  requests(): { method: string; path: string }[];
  /** the account's containers as the sandbox holds them, image URLs included */
  containers(): Container[];
};

const MAX_BODY_BYTES = 1024 * 1024;
/** The request log is for tests; a long local run keeps only the latest. */
const MAX_LOGGED_REQUESTS = 10_000;
const PAGE_DEFAULT = 25;
const PAGE_MAX = 100;

/** Faults both create routes can play; the after-post ones only where a post is made. */
const BEFORE_COMMIT: readonly Fault[] = [
  '429',
  '500',
  '502',
  '503',
  'reset',
  'slow',
  'auth',
  'expired-token',
];
const AFTER_POST: readonly Fault[] = ['timeout', 'crash-after-post', '500-after-post'];

// The bodies of Meta's 5xx are not documented for these hosts; Graph's transient error
// (code 2, `is_transient`) is what its SDKs see most, and a proxy's page for the 502.
const TRANSIENT: GraphErrorFields = {
  message: 'An unexpected error has occurred. Please retry your request later.',
  code: 2,
  is_transient: true,
};
const UNAVAILABLE: GraphErrorFields = {
  message: 'Service temporarily unavailable',
  code: 2,
  is_transient: true,
};
const BAD_GATEWAY_PAGE =
  '<!DOCTYPE html><html><head><title>Error</title></head><body><h1>502 Bad Gateway</h1><p>Sorry, something went wrong.</p></body></html>';

const INVALID_TOKEN: GraphErrorFields = {
  message: 'Invalid OAuth access token - Cannot parse access token',
  code: 190,
};
const NO_TOKEN: GraphErrorFields = {
  message: 'An active access token must be used to query information about the current user.',
  code: 2500,
};
const REVOKED: GraphErrorFields = {
  message:
    'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
  code: 190,
  error_subcode: 460,
};
const EXPIRED_CONTAINER: GraphErrorFields = {
  message: 'The media you are trying to access has expired. Please try to upload again.',
  code: -2,
  error_subcode: 2207020,
  is_transient: false,
  error_user_title: 'Media expired',
  error_user_msg: 'The media you are trying to access has expired. Please try to upload again.',
};
const QUOTA_REACHED: GraphErrorFields = {
  message: 'Application request limit reached',
  code: 9,
  error_subcode: 2207042,
  is_transient: false,
  error_user_title: 'Cannot publish post',
  error_user_msg:
    'You reached maximum number of posts that is allowed to be published by Content Publishing API.',
};

function sessionExpired(now: number): GraphErrorFields {
  const day = new Date(now - 60_000).toUTCString();
  return {
    message: `Error validating access token: Session has expired on ${day}. The current time is ${new Date(now).toUTCString()}.`,
    code: 190,
    error_subcode: 463,
  };
}

function downloadFailed(url: string): GraphErrorFields {
  return {
    message: 'Only photo or video can be accepted as media type.',
    code: 9004,
    error_subcode: 2207052,
    is_transient: false,
    error_user_title: 'Media download has failed.',
    error_user_msg: `The media could not be fetched from this uri: ${url}. Please check the below detailed reason and try again. Media could not be downloaded from the given URI.`,
  };
}

const missingParameter = (name: string): GraphErrorFields => ({
  message: `(#100) The parameter ${name} is required`,
  code: 100,
});

/** The image's type as its name suggests: the sandbox never downloads it to look. */
function guessMimeType(url: string): string {
  const path = URL.canParse(url) ? new URL(url).pathname.toLowerCase() : '';
  if (path.endsWith('.png')) return 'image/png';
  if (path.endsWith('.webp')) return 'image/webp';
  if (path.endsWith('.gif')) return 'image/gif';
  return 'image/jpeg';
}

export async function launchGraphSandbox(
  context: SandboxContext,
  network: GraphNetwork,
  options: GraphSandboxOptions = {},
): Promise<GraphSandbox> {
  const { platform } = network;
  const log = context.log.child({ sandbox: platform });
  const nextId = idGenerator();
  const readyMs = options.readyMs ?? 200;
  const ttlMs = options.containerTtlMs ?? DAY_MS;
  const slowMs = options.slowMs ?? 3_000;
  const account = new GraphAccount(
    nextId(),
    options.username ?? 'newsroom',
    `${platform === 'threads' ? 'THAA' : 'IGAA'}${shortcode()}${shortcode()}${shortcode()}`,
    options.publishQuota ?? network.defaultQuota,
  );
  const accounts = new Map([[account.token, account]]);
  const closing = new AbortController();
  const requestLog: { method: string; path: string }[] = [];
  let base = '';

  /**
   * Meta's usage header: percentages of a budget Meta does not disclose, and, while
   * blocked, when access returns (whole minutes, rounded up).
   */
  function usage(a: GraphAccount, now: number): Record<string, string> {
    const blocked = a.rateLimitedUntil > now;
    const percent = blocked ? 100 : 1;
    return {
      'x-business-use-case-usage': JSON.stringify({
        [a.id]: [
          {
            type: network.usageType,
            call_count: percent,
            total_cputime: percent,
            total_time: percent,
            estimated_time_to_regain_access: blocked
              ? Math.ceil((a.rateLimitedUntil - now) / 60_000)
              : 0,
          },
        ],
      }),
    };
  }

  const throttled = (a: GraphAccount, now: number) =>
    graphError(network.throttled, 400, usage(a, now));

  const unsupported = (method: string, id: string): Reply =>
    graphError({
      message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`,
      type: network.unsupportedType,
      code: 100,
      error_subcode: 33,
    });

  /** Only the fields asked for, and `id`; an unknown field is Graph's 400. */
  function select(node: Record<string, unknown>, fields: string | undefined, type: string): Reply {
    const wanted = (fields ?? 'id')
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    const out: Record<string, unknown> = {};
    for (const field of wanted) {
      if (!(field in node)) {
        return graphError({
          message: `(#100) Tried accessing nonexisting field (${field}) on node type (${type})`,
          code: 100,
        });
      }
      if (node[field] !== undefined) out[field] = node[field];
    }
    return json(200, { ...out, id: node.id });
  }

  type Plan =
    | { kind: 'answer'; reply: Reply | undefined }
    | { kind: 'go'; fault: Fault | undefined };

  /** The throttle window, then the fault knobs, before anything is committed. */
  async function beforeCommit(
    a: GraphAccount,
    route: string,
    applicable: readonly Fault[],
    res: ServerResponse,
  ): Promise<Plan> {
    const now = Date.now();
    if (a.rateLimitedUntil > now) return { kind: 'answer', reply: throttled(a, now) };
    const fault = context.faults.pick(platform, applicable);
    if (fault) log.info('sandbox.fault', { platform, fault, route });
    switch (fault) {
      case '429':
        a.rateLimitedUntil = now + context.faults.resetSeconds * 1000;
        return { kind: 'answer', reply: throttled(a, now) };
      case '500':
        return { kind: 'answer', reply: graphError(TRANSIENT, 500) };
      case '502':
        return { kind: 'answer', reply: { kind: 'html', status: 502, html: BAD_GATEWAY_PAGE } };
      case '503':
        return { kind: 'answer', reply: graphError(UNAVAILABLE, 503) };
      case 'reset':
        res.socket?.destroy();
        return { kind: 'answer', reply: undefined };
      case 'auth':
        return { kind: 'answer', reply: graphError(REVOKED) };
      case 'expired-token':
        return { kind: 'answer', reply: graphError(sessionExpired(now)) };
      case 'slow':
        try {
          await sleep(slowMs, undefined, { signal: closing.signal });
        } catch {
          return { kind: 'answer', reply: undefined };
        }
        return { kind: 'go', fault };
      default:
        return { kind: 'go', fault };
    }
  }

  async function createContainer(
    a: GraphAccount,
    params: Params,
    res: ServerResponse,
  ): Promise<Reply | undefined> {
    const image = params.image_url;
    const applicable: Fault[] = [...BEFORE_COMMIT, 'container-error'];
    if (image) applicable.push('download-failed');
    const plan = await beforeCommit(a, `POST /${network.edges.container}`, applicable, res);
    if (plan.kind === 'answer') return plan.reply;
    const drafted = network.draft(params);
    if (!drafted.ok) return graphError(drafted.error);
    const { draft } = drafted;
    if (draft.replyToId !== undefined && !a.media.has(draft.replyToId)) {
      return graphError(
        network.replies?.unknownParent(draft.replyToId) ?? missingParameter('reply_to_id'),
      );
    }
    if (plan.fault === 'download-failed' && draft.imageUrl) {
      return graphError(downloadFailed(draft.imageUrl));
    }
    const now = Date.now();
    const container: Container = {
      ...draft,
      id: nextId(),
      createdAt: now,
      readyAt: now + readyMs,
      polled: false,
      ends: plan.fault === 'container-error' ? 'ERROR' : 'FINISHED',
    };
    a.containers.set(container.id, container);
    log.info('sandbox.container', { platform, id: container.id, type: draft.mediaType });
    return json(200, { id: container.id }, usage(a, now));
  }

  function commit(a: GraphAccount, container: Container, now: number): Media {
    const code = shortcode();
    const media: Media = {
      mediaType: container.mediaType,
      text: container.text,
      ...(container.imageUrl ? { imageUrl: container.imageUrl } : {}),
      ...(container.altText ? { altText: container.altText } : {}),
      ...(container.linkAttachment ? { linkAttachment: container.linkAttachment } : {}),
      ...(container.replyToId ? { replyToId: container.replyToId } : {}),
      id: nextId(),
      shortcode: code,
      permalink: network.permalink(a, code),
      createdAt: now,
      containerId: container.id,
    };
    a.media.set(media.id, media);
    container.publishedAt = now;
    container.mediaId = media.id;
    // Replies have a quota of their own (Threads: 1,000 a day), which the sandbox leaves out.
    if (!media.replyToId) a.recordPublish(now);
    const post: Omit<SandboxPost, 'receivedAt'> = {
      platform,
      remoteId: media.id,
      inReplyToId: media.replyToId ?? null,
      text: media.text,
      account: a.username,
      url: media.permalink,
    };
    if (media.linkAttachment) post.card = { url: media.linkAttachment };
    if (media.imageUrl) {
      // Meta downloads the image; the sandbox records its URL and never fetches it, so
      // its size is unknown here.
      post.media = [
        {
          mimeType: guessMimeType(media.imageUrl),
          bytes: 0,
          ...(media.altText ? { alt: media.altText } : {}),
        },
      ];
    }
    context.posts.add({ ...post, receivedAt: new Date(now).toISOString() });
    log.info('sandbox.post', { platform, remoteId: media.id, account: a.username });
    return media;
  }

  async function publishContainer(
    a: GraphAccount,
    params: Params,
    res: ServerResponse,
  ): Promise<Reply | undefined> {
    const plan = await beforeCommit(
      a,
      `POST /${network.edges.publish}`,
      [...BEFORE_COMMIT, ...AFTER_POST],
      res,
    );
    if (plan.kind === 'answer') return plan.reply;
    const id = params.creation_id;
    if (!id) return graphError(missingParameter('creation_id'));
    const container = a.containers.get(id);
    const now = Date.now();
    // What a second publish of a PUBLISHED container answers is unconfirmed
    // (docs/networks.md): "not found" here, and never a second post.
    if (!container) return graphError(network.notFound(id));
    const state = a.stateOf(container, now, ttlMs, false);
    if (state === 'PUBLISHED') return graphError(network.notFound(id));
    if (state === 'EXPIRED') return graphError(EXPIRED_CONTAINER);
    if (state !== 'FINISHED') return graphError(network.notReady(id));
    if (!container.replyToId && a.quotaUsage(now) >= a.quotaTotal) {
      return graphError(QUOTA_REACHED);
    }

    const media = commit(a, container, now);
    switch (plan.fault) {
      case 'timeout':
        // Committed; no answer until the client gives up (or the sandbox stops).
        return undefined;
      case 'crash-after-post':
        res.socket?.destroy();
        return undefined;
      case '500-after-post':
        return graphError(TRANSIENT, 500);
      default:
        return json(200, { id: media.id }, usage(a, now));
    }
  }

  /** A list edge's page: `source` newest first (`reverse=false`: oldest first), Graph's cursors. */
  function listPosts(a: GraphAccount, params: Params, url: URL, source: Media[]): Reply {
    const limit = params.limit === undefined ? PAGE_DEFAULT : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX) {
      return graphError({ message: '(#100) Param limit must be a positive integer', code: 100 });
    }
    const since = parseGraphInstant(params.since);
    const until = parseGraphInstant(params.until);
    for (const [name, at] of [
      ['since', since],
      ['until', until],
    ] as const) {
      if (at !== undefined && Number.isNaN(at)) {
        return graphError({ message: `(#100) Param ${name} must be a timestamp`, code: 100 });
      }
    }
    if (
      since !== undefined &&
      network.earliestSince !== undefined &&
      since < network.earliestSince * 1000
    ) {
      return graphError({
        message: `(#100) Param since must be greater than or equal to ${network.earliestSince}`,
        code: 100,
      });
    }
    const ordered = params.reverse === 'false' ? [...source].reverse() : source;
    let posts = ordered.filter(
      (m) =>
        (since === undefined || m.createdAt >= since) &&
        (until === undefined || m.createdAt <= until),
    );
    const after = params.after ? Buffer.from(params.after, 'base64url').toString('utf8') : '';
    if (after) {
      const at = posts.findIndex((m) => m.id === after);
      if (at === -1) return graphError({ message: '(#100) Invalid cursor', code: 100 });
      posts = posts.slice(at + 1);
    }
    const page = posts.slice(0, limit);
    const fields = params.fields ?? 'id';
    const items: Record<string, unknown>[] = [];
    for (const media of page) {
      const selected = select(network.mediaFields(media, a), fields, network.nodes.media);
      if (selected.kind !== 'json' || selected.status !== 200) return selected;
      if (typeof selected.body === 'object' && selected.body !== null) {
        items.push(Object.fromEntries(Object.entries(selected.body)));
      }
    }
    const first = page[0];
    const last = page.at(-1);
    const cursor = (id: string) => Buffer.from(id).toString('base64url');
    const paging: Record<string, unknown> = {};
    if (first && last) {
      paging.cursors = { before: cursor(first.id), after: cursor(last.id) };
      if (posts.length > page.length) {
        // Graph's `next` repeats the query, token included.
        const next = new URL(url.pathname, base);
        for (const [name, value] of Object.entries(params)) next.searchParams.set(name, value);
        next.searchParams.set('after', cursor(last.id));
        paging.next = next.href;
      }
    }
    return json(200, { data: items, ...(first ? { paging } : {}) });
  }

  function quota(a: GraphAccount, params: Params): Reply {
    const now = Date.now();
    const node = {
      quota_usage: a.quotaUsage(now),
      config: { quota_total: a.quotaTotal, quota_duration: DAY_MS / 1000 },
    };
    const wanted = (params.fields ?? 'quota_usage').split(',').map((f) => f.trim());
    const entry = Object.fromEntries(
      Object.entries(node).filter(([name]) => wanted.includes(name)),
    );
    return json(200, { data: [entry] });
  }

  function readNode(a: GraphAccount, id: string, params: Params): Reply {
    const container = a.containers.get(id);
    if (container) {
      const state = a.stateOf(container, Date.now(), ttlMs, true);
      return select(
        network.containerFields(container, state),
        params.fields,
        network.nodes.container,
      );
    }
    const media = a.media.get(id);
    if (media) return select(network.mediaFields(media, a), params.fields, network.nodes.media);
    if (id === a.id || id === 'me')
      return select(network.userFields(a), params.fields, network.nodes.user);
    return unsupported('GET', id);
  }

  function deleteNode(a: GraphAccount, id: string): Reply {
    const media = a.media.get(id);
    if (!media) return unsupported('DELETE', id);
    a.media.delete(id);
    context.posts.remove(platform, id);
    log.info('sandbox.deleted', { platform, remoteId: id });
    return json(200, network.deleted(media));
  }

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    params: Params,
  ): Promise<Reply | undefined> {
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(network.version, '').replace(/\/+$/, '') || '/';
    requestLog.push({ method, path });
    if (requestLog.length > MAX_LOGGED_REQUESTS) requestLog.shift();
    const token = accessToken(req, params);
    if (!token) return graphError(NO_TOKEN);
    const a = accounts.get(token);
    if (!a) return graphError(INVALID_TOKEN);

    const [node, edge, ...rest] = path.split('/').filter(Boolean);
    if (!node || rest.length > 0) {
      return graphError({ message: `Unknown path components: ${path}`, code: 2500 });
    }
    if (!edge) {
      if (method === 'GET') return readNode(a, node, params);
      if (method === 'DELETE') return deleteNode(a, node);
      return unsupported(method, node);
    }
    const replied = a.media.get(node);
    if (method === 'GET' && network.replies && edge === network.replies.edge && replied) {
      return listPosts(a, params, url, a.repliesTo(replied.id));
    }
    if (node !== 'me' && node !== a.id) return unsupported(method, node);
    const { edges } = network;
    if (method === 'POST' && edge === edges.container) return createContainer(a, params, res);
    if (method === 'POST' && edge === edges.publish) return publishContainer(a, params, res);
    if (method === 'GET' && edge === edges.list) {
      const posts = a.posts();
      return listPosts(a, params, url, network.replies ? posts.filter((m) => !m.replyToId) : posts);
    }
    if (method === 'GET' && edge === edges.quota) return quota(a, params);
    return graphError({ message: `Unknown path components: /${edge}`, code: 2500 });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        send(res, graphError({ message: 'Request Entity Too Large', code: 1 }, 413));
      }
      return;
    }
    const params = graphParams(req, url, body);
    const reply = params
      ? await route(req, res, url, params)
      : graphError({ message: '(#100) The request body could not be read', code: 100 });
    if (!reply || closing.signal.aborted) return;
    send(res, reply);
    if (reply.status >= 400) {
      log.debug('sandbox.refused', { platform, status: reply.status, path: url.pathname });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (closing.signal.aborted) return;
      log.error('sandbox.failed', { platform, error, path: req.url?.split('?')[0] });
      send(res, graphError(TRANSIENT, 500));
    });
  });
  const loopback = await listenOnLoopback(server);
  base = loopback.url;
  log.info('sandbox.listening', { platform, url: base, account: account.username });

  return {
    platform,
    url: base,
    account: account.username,
    credentials: { accessToken: account.token, userId: account.id, apiBase: base },
    requests: () => requestLog.map((r) => ({ ...r })),
    containers: () => [...account.containers.values()].map((c) => ({ ...c })),
    async stop() {
      if (closing.signal.aborted) return;
      closing.abort();
      await loopback.close();
      log.info('sandbox.stopped', { platform });
    },
  };
}
