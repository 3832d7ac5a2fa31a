/**
 * The Mastodon sandbox's routes: instance, account, statuses (create, read, list, context,
 * edit, delete), media, and a status's public web page, with Mastodon's paths and answers.
 */
import { READ_FAULTS } from '../faults';
import { playRead } from '../kit/play';
import { html, json, type Reply } from '../kit/reply';
import { findRoute, type Route } from '../kit/routes';
import { bool, parseParams, str } from './http';
import { AUTHORIZE_PATH, authorize, registerApp, revoke, token } from './oauth';
import {
  notFound,
  serializeAccount,
  serializeCredentialAccount,
  serializeInstance,
  serializeMedia,
  serializeStatus,
  unauthorized,
  unparsable,
  unprocessable,
} from './serialize';
import {
  type Account,
  AUDIO_TYPES,
  byIdDescending,
  DESCRIPTION_LIMIT,
  IMAGE_SIZE_LIMIT,
  IMAGE_TYPES,
  type MastodonState,
  MEDIA_PROCESSING_MS,
  type Media,
  type Owned,
  PLATFORM,
  type Status,
  VIDEO_SIZE_LIMIT,
  VIDEO_TYPES,
} from './state';
import { createStatus, deleteStatus, type Exchange, editStatus, refuse } from './statuses';
import { h } from './text';

type Handler = (ex: Exchange, params: string[]) => Reply | undefined | Promise<Reply | undefined>;

function mediaType(mimeType: string): Media['type'] | undefined {
  if (IMAGE_TYPES.includes(mimeType)) return 'image';
  if (VIDEO_TYPES.includes(mimeType)) return 'video';
  return AUDIO_TYPES.includes(mimeType) ? 'audio' : undefined;
}

async function uploadMedia({ state, req, body }: Exchange, a: Account): Promise<Reply> {
  const params = await parseParams(req, body);
  if (!params) return unparsable();
  const file = params.file;
  if (!(file instanceof Blob)) return unprocessable("Validation failed: File can't be blank");
  const mimeType = file.type.split(';')[0]?.trim().toLowerCase() ?? '';
  const type = mediaType(mimeType);
  if (!type)
    return unprocessable('Validation failed: File content type is invalid, File is invalid');
  // The size messages are unconfirmed; a 422 is what Mastodon answers.
  if (file.size > (type === 'image' ? IMAGE_SIZE_LIMIT : VIDEO_SIZE_LIMIT)) {
    return unprocessable('Validation failed: File file size must be less than the limit');
  }
  const description = str(params.description) ?? null;
  if (description && [...description].length > DESCRIPTION_LIMIT) {
    return unprocessable(
      `Validation failed: Description is too long (maximum is ${DESCRIPTION_LIMIT} characters)`,
    );
  }
  const media: Media = {
    id: state.nextId(),
    type,
    mimeType,
    bytes: file.size,
    fileName: file instanceof File && file.name ? file.name : 'file',
    description,
    focus: str(params.focus) ?? null,
    // Images are processed while the request runs (Mastodon 4.0+), the rest later.
    readyAt: type === 'image' ? 0 : Date.now() + MEDIA_PROCESSING_MS,
  };
  a.media.set(media.id, media);
  return json(type === 'image' ? 200 : 202, serializeMedia(state, media), state.rateHeaders(a));
}

/** `GET /api/v1/accounts/:id/statuses`: newest first, paged by Link headers. */
function accountStatuses({ state, viewer, url }: Exchange, owner: Account): Reply {
  const query = url.searchParams;
  const limit = Math.min(Math.max(Number(query.get('limit')) || 20, 1), 40);
  const maxId = query.get('max_id');
  const sinceId = query.get('since_id');
  const minId = query.get('min_id');
  const excludeReplies = bool(query.get('exclude_replies'));
  const onlyMedia = bool(query.get('only_media'));
  let list = [...owner.statuses.values()]
    .filter((s) => state.visibleTo(viewer, owner, s))
    .filter((s) => !(excludeReplies && s.inReplyToAccountId && s.inReplyToAccountId !== owner.id))
    .filter((s) => !(onlyMedia && s.mediaIds.length === 0))
    .filter((s) => !maxId || BigInt(s.id) < BigInt(maxId))
    .filter((s) => !sinceId || BigInt(s.id) > BigInt(sinceId))
    .filter((s) => !minId || BigInt(s.id) > BigInt(minId))
    .sort(byIdDescending);
  // min_id pages forward from the oldest end; the page itself is still newest first.
  list = minId ? list.slice(-limit) : list.slice(0, limit);
  const headers: Record<string, string> = viewer ? state.rateHeaders(viewer) : {};
  const first = list[0];
  const last = list[list.length - 1];
  if (first && last) {
    const page = (key: string, id: string) => {
      const params = new URLSearchParams();
      for (const name of ['limit', 'exclude_replies', 'exclude_reblogs', 'only_media']) {
        const value = query.get(name);
        if (value !== null) params.set(name, value);
      }
      params.set(key, id);
      return `${state.base}/api/v1/accounts/${owner.id}/statuses?${params}`;
    };
    const links = [`<${page('min_id', first.id)}>; rel="prev"`];
    // Mastodon offers the next page only when this one is full.
    if (list.length === limit) links.unshift(`<${page('max_id', last.id)}>; rel="next"`);
    headers.Link = links.join(', ');
  }
  return json(
    200,
    list.map((s) => serializeStatus(state, owner, s, { withCard: true })),
    headers,
  );
}

/**
 * `GET /api/v1/statuses/:id/context`: the statuses it answers, oldest first, and those
 * that answer it however deep, in thread order (each reply after its parent), as far
 * as the viewer may see them.
 */
export function statusContext(state: MastodonState, viewer: Account | null, status: Status) {
  const all = state.allStatuses();
  const seen = (entry: Owned) => state.visibleTo(viewer, entry.owner, entry.status);
  const ancestors: Owned[] = [];
  for (let id = status.inReplyToId; id; ) {
    const parent = state.findStatus(id);
    if (!parent || ancestors.length > 1000) break;
    if (seen(parent)) ancestors.unshift(parent);
    id = parent.status.inReplyToId;
  }
  const descendants: Owned[] = [];
  const walk = (parentId: string) => {
    const children = all
      .filter((entry) => entry.status.inReplyToId === parentId)
      .sort((a, b) => -byIdDescending(a.status, b.status));
    for (const child of children) {
      if (!seen(child) || descendants.length > 1000) continue;
      descendants.push(child);
      walk(child.status.id);
    }
  };
  walk(status.id);
  const shape = (entry: Owned) =>
    serializeStatus(state, entry.owner, entry.status, { withCard: true });
  return { ancestors: ancestors.map(shape), descendants: descendants.map(shape) };
}

const account: Handler = (ex, [id, statuses]) => {
  const owner = ex.state.accountsById.get(id ?? '');
  if (!owner) return notFound();
  return statuses ? accountStatuses(ex, owner) : json(200, serializeAccount(ex.state, owner));
};

const context: Handler = ({ state, viewer }, [id]) => {
  const found = state.findStatus(id ?? '');
  if (!found || !state.visibleTo(viewer, found.owner, found.status)) return notFound();
  return json(
    200,
    statusContext(state, viewer, found.status),
    viewer ? state.rateHeaders(viewer) : {},
  );
};

const edit: Handler = async (ex, [id]) => {
  const { state, viewer } = ex;
  if (!viewer) return unauthorized();
  const found = state.findStatus(id ?? '');
  if (!found || found.owner !== viewer) return notFound();
  const params = await parseParams(ex.req, ex.body);
  return params ? editStatus(state, viewer, found.status, params) : unparsable();
};

/** `GET /api/v1/statuses/:id`, where Crier reads a status's counts: the read faults play here. */
const read: Handler = async ({ state, viewer, res, delay }, [id]) => {
  const fault = state.sandbox.faults.pick(PLATFORM, READ_FAULTS);
  if (fault) {
    state.log.info('sandbox.fault', {
      platform: PLATFORM,
      fault,
      route: 'GET /api/v1/statuses/:id',
    });
  }
  const played = await playRead({
    fault,
    res,
    delay: () => delay(state.slowMs),
    refuse: (refusal) => refuse(state, refusal),
  });
  if (!played.go) return played.answer;
  const found = state.findStatus(id ?? '');
  return found && state.visibleTo(viewer, found.owner, found.status)
    ? json(200, serializeStatus(state, found.owner, found.status, { withCard: true }))
    : notFound();
};

const remove: Handler = ({ state, viewer }, [id]) => {
  const found = state.findStatus(id ?? '');
  if (!viewer) return unauthorized();
  if (!found || found.owner !== viewer) return notFound();
  return deleteStatus(state, viewer, found);
};

const media: Handler = ({ state, viewer }, [id]) => {
  if (!viewer) return unauthorized();
  const found = viewer.media.get(id ?? '');
  if (!found) return notFound();
  return json(
    Date.now() < found.readyAt ? 206 : 200,
    serializeMedia(state, found),
    state.rateHeaders(viewer),
  );
};

const webPage: Handler = ({ state }, [username, id]) => {
  const found = state.findStatus(id ?? '');
  if (
    !found ||
    found.owner.username !== username ||
    !state.visibleTo(null, found.owner, found.status)
  ) {
    return html(404, '<!DOCTYPE html><title>Not found</title>');
  }
  return html(
    200,
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${h(state.handle)}</title></head><body><article>${found.status.content}</article></body></html>`,
  );
};

const withParams =
  (answer: (ex: Exchange, params: Record<string, unknown>) => Reply): Handler =>
  async (ex) => {
    const params = await parseParams(ex.req, ex.body);
    return params ? answer(ex, params) : unparsable();
  };

const authorizePage: Handler = ({ state, req, url, body }) =>
  authorize(
    state.auth,
    req.method ?? 'GET',
    url.searchParams,
    new URLSearchParams(body.toString('utf8')),
    state.handle,
  );

/** Answered before any token is looked at. */
const OPEN: Route<Handler>[] = [
  {
    method: 'POST',
    path: '/api/v1/apps',
    handle: withParams(({ state }, params) => registerApp(state.auth, params, state.nextId)),
  },
  { method: 'GET', path: AUTHORIZE_PATH, handle: authorizePage },
  { method: 'POST', path: AUTHORIZE_PATH, handle: authorizePage },
  {
    method: 'POST',
    path: '/oauth/token',
    handle: withParams(({ state, req }, params) =>
      token(state.auth, params, req.headers.authorization),
    ),
  },
  {
    method: 'POST',
    path: '/oauth/revoke',
    handle: withParams(({ state, req }, params) =>
      revoke(state.auth, params, req.headers.authorization),
    ),
  },
  { method: 'POST', path: '/api/v1/statuses', handle: createStatus },
  {
    method: 'GET',
    path: '/api/v2/instance',
    handle: ({ state }) => json(200, serializeInstance(state)),
  },
];

/** A token that was sent must be valid for these, even where none is needed. */
const ROUTES: Route<Handler>[] = [
  {
    method: 'GET',
    path: '/api/v1/accounts/verify_credentials',
    handle: ({ state, viewer }) =>
      viewer
        ? json(200, serializeCredentialAccount(state, viewer), state.rateHeaders(viewer))
        : unauthorized(),
  },
  { method: 'GET', path: /^\/api\/v1\/accounts\/(\d+)(\/statuses)?$/, handle: account },
  { method: 'GET', path: /^\/api\/v1\/statuses\/(\d+)\/context$/, handle: context },
  { method: 'PUT', path: /^\/api\/v1\/statuses\/(\d+)$/, handle: edit },
  { method: 'GET', path: /^\/api\/v1\/statuses\/(\d+)$/, handle: read },
  { method: 'DELETE', path: /^\/api\/v1\/statuses\/(\d+)$/, handle: remove },
  {
    method: 'POST',
    path: '/api/v2/media',
    handle: (ex) => (ex.viewer ? uploadMedia(ex, ex.viewer) : unauthorized()),
  },
  { method: 'GET', path: /^\/api\/v1\/media\/(\d+)$/, handle: media },
  { method: 'GET', path: /^\/@([^/]+)\/(\d+)$/, handle: webPage },
];

/** Routes one request; undefined when no answer is to be written. */
export async function route(ex: Omit<Exchange, 'viewer'>): Promise<Reply | undefined> {
  const method = ex.req.method ?? 'GET';
  const path = ex.url.pathname.replace(/\/+$/, '') || '/';
  ex.state.requestLog.push({ method, path });
  const open = findRoute(OPEN, method, path);
  if (open) return open.handle({ ...ex, viewer: null }, open.params);
  // authorize_if_got_token!
  const viewer = ex.state.tokenAccount(ex.req);
  if (viewer === undefined) return unauthorized();
  const found = findRoute(ROUTES, method, path);
  if (!found) return json(404, { error: 'Not Found' });
  return found.handle({ ...ex, viewer }, found.params);
}
