/** The Graph routes of a Meta sandbox: nodes, edges, lists with cursors, quota, delete, comments. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DAY_MS, type GraphAccount, type Media } from './account';
import { createComment, listComments } from './comments';
import { INVALID_TOKEN, NO_TOKEN } from './errors';
import { accessToken, graphError, json, type Params, parseGraphInstant, type Reply } from './http';
import { articleLinkOf, askedMetrics, audiencePost, countsNow, insightsBody } from './insights';
import { metaLogin, revokePermissions, tokenRefusal } from './login';
import { createContainer, publishContainer } from './publish';
import { type GraphState, select, throttled, unsupported, usage } from './state';

const PAGE_DEFAULT = 25;
const PAGE_MAX = 100;
/** The request log is for tests; a long local run keeps only the latest. */
const MAX_LOGGED_REQUESTS = 10_000;

/** A list edge's page: `source` newest first (`reverse=false`: oldest first), Graph's cursors. */
export function listPosts(
  g: GraphState,
  a: GraphAccount,
  params: Params,
  url: URL,
  source: Media[],
  /** what the list holds when it is not posts (a post's comments): their node and fields */
  kind?: { type: string; fields(media: Media): Record<string, unknown> },
): Reply {
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
    g.network.earliestSince !== undefined &&
    since < g.network.earliestSince * 1000
  ) {
    return graphError({
      message: `(#100) Param since must be greater than or equal to ${g.network.earliestSince}`,
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
    const selected = kind
      ? select(kind.fields(media), fields, kind.type)
      : select(g.network.mediaFields(media, a), fields, g.network.nodes.media);
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
      const next = new URL(url.pathname, g.base);
      for (const [name, value] of Object.entries(params)) next.searchParams.set(name, value);
      next.searchParams.set('after', cursor(last.id));
      paging.next = next.href;
    }
  }
  return json(200, { data: items, ...(first ? { paging } : {}) });
}

export function quota(a: GraphAccount, params: Params): Reply {
  const now = Date.now();
  const node = {
    quota_usage: a.quotaUsage(now),
    config: { quota_total: a.quotaTotal, quota_duration: DAY_MS / 1000 },
  };
  const wanted = (params.fields ?? 'quota_usage').split(',').map((f) => f.trim());
  const entry = Object.fromEntries(Object.entries(node).filter(([name]) => wanted.includes(name)));
  return json(200, { data: [entry] });
}

export function readNode(g: GraphState, a: GraphAccount, id: string, params: Params): Reply {
  const container = a.containers.get(id);
  if (container) {
    const state = a.stateOf(container, Date.now(), g.ttlMs, true);
    return select(
      g.network.containerFields(container, state),
      params.fields,
      g.network.nodes.container,
    );
  }
  const media = a.media.get(id);
  if (media) return select(g.network.mediaFields(media, a), params.fields, g.network.nodes.media);
  if (id === a.id || id === 'me')
    return select(g.network.userFields(a), params.fields, g.network.nodes.user);
  return unsupported(g, 'GET', id);
}

/** `GET /{media-id}/insights?metric=…`: the audience's counts now, empty while they lag. */
export function readInsights(g: GraphState, a: GraphAccount, media: Media, params: Params): Reply {
  const insights = g.network.insights;
  if (!insights) return unsupported(g, 'GET', `${media.id}/insights`);
  const now = Date.now();
  // A throttle (the `429` fault on a create) holds for every call until it lifts.
  if (a.rateLimitedUntil > now) return throttled(g, a, now);
  const asked = askedMetrics(params.metric, insights.metrics, insights.retired);
  if (!asked.ok) return graphError(asked.error);
  const post = audiencePost(
    g.platform,
    a.username,
    articleLinkOf(media.text, media.linkAttachment, media.permalink),
    media.createdAt,
  );
  const counts = now >= media.createdAt + g.insightsLagMs ? countsNow(post, now) : undefined;
  return json(200, insightsBody(media.id, asked.names, insights.metrics, counts), usage(g, a, now));
}

export function deleteNode(g: GraphState, a: GraphAccount, id: string): Reply {
  const media = a.media.get(id);
  if (!media) return unsupported(g, 'DELETE', id);
  a.media.delete(id);
  g.sandbox.posts.remove(g.platform, id);
  g.log.info('sandbox.deleted', { platform: g.platform, remoteId: id });
  return json(200, g.network.deleted(media));
}

export async function route(
  g: GraphState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  params: Params,
): Promise<Reply | undefined> {
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(g.network.version, '').replace(/\/+$/, '') || '/';
  g.requestLog.push({ method, path });
  if (g.requestLog.length > MAX_LOGGED_REQUESTS) g.requestLog.shift();
  const signIn = metaLogin(g, req, path, url, params);
  if (signIn) return signIn;
  const token = accessToken(req, params);
  if (!token) return graphError(NO_TOKEN);
  let a = g.accounts.get(token);
  if (!a && g.login) {
    let checked = g.login.auth.check(token);
    // Instagram with Facebook login: the Facebook sandbox's user tokens act for the account.
    const facebook = g.platform === 'instagram' ? g.sandbox.auth?.links?.facebook : undefined;
    if (!checked.ok && checked.reason === 'unknown' && facebook?.knows(token)) {
      checked = facebook.check(token);
    }
    if (!checked.ok) return graphError(tokenRefusal(checked));
    a = g.account;
  }
  if (!a) return graphError(INVALID_TOKEN);
  if (method === 'DELETE' && /^\/(me|\d+)\/permissions$/.test(path)) {
    return revokePermissions(g, token);
  }

  const [node, edge, ...rest] = path.split('/').filter(Boolean);
  if (!node || rest.length > 0) {
    return graphError({ message: `Unknown path components: ${path}`, code: 2500 });
  }
  if (!edge) {
    if (method === 'GET') return readNode(g, a, node, params);
    if (method === 'DELETE') return deleteNode(g, a, node);
    return unsupported(g, method, node);
  }
  const replied = a.media.get(node);
  if (method === 'GET' && edge === 'insights' && replied) {
    return readInsights(g, a, replied, params);
  }
  if (method === 'GET' && g.network.replies && edge === g.network.replies.edge && replied) {
    return listPosts(g, a, params, url, a.repliesTo(replied.id));
  }
  const { comments } = g.network;
  if (comments && edge === 'comments' && replied) {
    if (method === 'GET') return listComments(g, a, comments, replied, params, url);
    if (method === 'POST') return createComment(g, a, comments, replied, params, res);
  }
  if (node !== 'me' && node !== a.id) return unsupported(g, method, node);
  const { edges } = g.network;
  if (method === 'POST' && edge === edges.container) return createContainer(g, a, params, res);
  if (method === 'POST' && edge === edges.publish) return publishContainer(g, a, params, res);
  if (method === 'GET' && edge === edges.list) {
    const posts = a.posts();
    return listPosts(
      g,
      a,
      params,
      url,
      g.network.replies ? posts.filter((m) => !m.replyToId) : posts,
    );
  }
  if (method === 'GET' && edge === edges.quota) return quota(a, params);
  return graphError({ message: `Unknown path components: /${edge}`, code: 2500 });
}
