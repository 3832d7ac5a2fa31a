/**
 * The LinkedIn sandbox's routes under `/rest`: posts (create, read, find by author,
 * partial update, delete), their social actions and share statistics, a post's comments
 * (comments.ts), images (initializeUpload, read), and the upload URL.
 */
import { randomBytes } from 'node:crypto';
import { isRecord, send } from '../kit/http';
import { findRoute, type Route } from '../kit/routes';
import { createComment, listComments } from './comments';
import { createPost, readJson } from './create';
import { littleTextToPlain } from './little';
import {
  accessDenied,
  answer,
  badRequest,
  error,
  headersOut,
  invalid,
  notFound,
  paging,
  required,
  serializePost,
} from './serialize';
import {
  compareUrns,
  DAY_MS,
  type Exchange,
  type Image,
  MAX_COMMENTARY,
  PLATFORM,
  type StoredPost,
} from './state';
import { readShareStatistics, readSocialActions } from './statistics';

/** Commentary is the only field the sandbox lets a PARTIAL_UPDATE change (docs/networks.md). */
const UPDATABLE = ['commentary'];

function getPost(ex: Exchange, urn: string) {
  const post = ex.state.livePost(ex.account, urn);
  if (!post) return notFound(ex.res, urn);
  answer(ex.res, 200, serializePost(post));
}

/** `GET /rest/posts?q=author`: the author's posts, newest change (or creation) first. */
function findByAuthor(ex: Exchange) {
  const query = ex.url.searchParams;
  if (query.get('q') !== 'author') {
    return badRequest(ex.res, `Invalid finder: ${query.get('q') ?? '(none)'}`);
  }
  const author = query.get('author') ?? '';
  if (author !== ex.account.author) {
    return accessDenied(ex.res, 'partnerApiPostsExternal.FINDER-author', ex.version);
  }
  const sortBy = query.get('sortBy') ?? 'LAST_MODIFIED';
  const window = paging(ex.res, query);
  if (!window) return;
  const { start, count } = window;
  if (sortBy !== 'LAST_MODIFIED' && sortBy !== 'CREATED') {
    const reason = `${JSON.stringify(sortBy)} is not an enum symbol`;
    return invalid(ex.res, '/sortBy', reason, 'INVALID_ENUM_VALUE');
  }
  const key = (p: StoredPost) => (sortBy === 'CREATED' ? p.createdAt : p.lastModifiedAt);
  const all = ex.account.posts
    .filter((p) => !p.deleted)
    .sort((a, b) => key(b) - key(a) || compareUrns(b.id, a.id));
  const page = all.slice(start, start + count);
  const next = `/rest/posts?author=${encodeURIComponent(author)}&count=${count}&q=author&sortBy=${sortBy}&start=${start + count}`;
  const links =
    start + count < all.length ? [{ type: 'application/json', rel: 'next', href: next }] : [];
  answer(ex.res, 200, { paging: { start, count, links }, elements: page.map(serializePost) });
}

/** `POST /rest/posts/{urn}` with `X-RestLi-Method: PARTIAL_UPDATE`: `{ patch: { $set } }`, 204. */
function updatePost(ex: Exchange, urn: string) {
  const { state } = ex;
  const post = state.livePost(ex.account, urn);
  if (!post) return notFound(ex.res, urn);
  const body = readJson(ex)?.value;
  if (body === undefined) return;
  const set =
    isRecord(body) && isRecord(body.patch) && isRecord(body.patch.$set)
      ? body.patch.$set
      : undefined;
  if (!set) return error(ex.res, 400, 'A PARTIAL_UPDATE needs { "patch": { "$set": { … } } }');
  const refused = Object.keys(set).find((f) => !UPDATABLE.includes(f));
  if (refused)
    return invalid(ex.res, `/${refused}`, 'field cannot be updated', 'UNPROCESSABLE_FIELD');
  const commentary = set.commentary;
  if (typeof commentary !== 'string' || commentary.length > MAX_COMMENTARY) {
    const reason = `must be a string of at most ${MAX_COMMENTARY}`;
    return invalid(ex.res, '/commentary', reason, 'INVALID_VALUE_FOR_FIELD');
  }
  post.commentary = commentary;
  post.text = littleTextToPlain(commentary).text;
  post.lastModifiedAt = Date.now();
  post.edited = true;
  const { posts } = state.sandbox;
  const shown = posts.list().find((p) => p.platform === PLATFORM && p.remoteId === urn);
  if (shown) {
    posts.remove(PLATFORM, urn);
    posts.add({ ...shown, text: post.text });
  }
  send(ex.res, 204, '', headersOut);
}

function deletePost(ex: Exchange, urn: string) {
  const post = ex.state.livePost(ex.account, urn);
  if (!post) return notFound(ex.res, urn);
  post.deleted = true;
  ex.state.sandbox.posts.remove(PLATFORM, urn);
  ex.state.log.info('sandbox.deleted', { platform: PLATFORM, remoteId: urn });
  send(ex.res, 204, '', headersOut);
}

function initializeUpload(ex: Exchange) {
  const body = readJson(ex);
  if (!body) return;
  const { value } = body;
  const request =
    isRecord(value) && isRecord(value.initializeUploadRequest)
      ? value.initializeUploadRequest
      : undefined;
  if (!request || typeof request.owner !== 'string') {
    return required(ex.res, '/initializeUploadRequest/owner');
  }
  if (request.owner !== ex.account.author) {
    return accessDenied(ex.res, 'partnerApiImages.ACTION-initializeUpload', ex.version);
  }
  const image: Image = {
    id: `urn:li:image:C4E10AQ${randomBytes(12).toString('base64url')}`,
    owner: request.owner,
    uploadToken: randomBytes(18).toString('base64url'),
    status: 'WAITING_UPLOAD',
  };
  ex.account.images.set(image.id, image);
  answer(ex.res, 200, {
    value: {
      uploadUrlExpiresAt: Date.now() + DAY_MS,
      uploadUrl: `${ex.state.base}/dms-uploads/sp/${image.uploadToken}/uploaded-image/0`,
      image: image.id,
    },
  });
}

function sniffImage(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) return 'image/png';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  return undefined;
}

/** `PUT` of an image's bytes to the upload URL LinkedIn handed out (outside /rest). */
export function receiveUpload(ex: Exchange, token: string) {
  const image = [...ex.account.images.values()].find((i) => i.uploadToken === token);
  if (image?.status !== 'WAITING_UPLOAD') return error(ex.res, 404, 'Not Found');
  // LinkedIn processes the bytes after the PUT; what is not an image fails there, not here.
  const mimeType = sniffImage(ex.body);
  image.status = mimeType ? 'AVAILABLE' : 'PROCESSING_FAILED';
  image.bytes = ex.body.length;
  if (mimeType) image.mimeType = mimeType;
  send(ex.res, 201, '', {});
}

function getImage(ex: Exchange, urn: string) {
  const image = ex.account.images.get(urn);
  if (!image || image.owner !== ex.account.author) return notFound(ex.res, urn);
  answer(ex.res, 200, { owner: image.owner, id: image.id, status: image.status });
}

function decodeKey(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

type Handler = (ex: Exchange, key: string) => void | Promise<void>;

const POST = /^\/rest\/posts\/(urn:li:(?:share|ugcPost):\d+)$/;
const IMAGE = /^\/rest\/images\/(urn:li:image:[A-Za-z0-9_-]+)$/;
const INITIALIZE = '/rest/images?action=initializeUpload';
const SOCIAL_ACTIONS = /^\/rest\/socialActions\/(urn:li:(?:share|ugcPost):\d+)$/;
const SHARE_STATISTICS = '/rest/organizationalEntityShareStatistics';

/** The method is Rest.li's (`X-RestLi-Method`) after the HTTP method and a colon, or none. */
const ROUTES: Route<Handler>[] = [
  { method: 'POST:', path: '/rest/posts', handle: createPost },
  { method: 'POST:CREATE', path: '/rest/posts', handle: createPost },
  { method: 'GET', path: '/rest/posts', handle: findByAuthor },
  { method: 'GET', path: POST, handle: getPost },
  { method: 'DELETE', path: POST, handle: deletePost },
  { method: 'POST:PARTIAL_UPDATE', path: POST, handle: updatePost },
  { method: 'POST', path: INITIALIZE, handle: initializeUpload },
  { method: 'GET', path: IMAGE, handle: getImage },
  { method: 'GET', path: SOCIAL_ACTIONS, handle: readSocialActions },
  { method: 'GET', path: SHARE_STATISTICS, handle: readShareStatistics },
];

/** Routes a request that passed auth and the version checks; keys are matched decoded. */
export async function route(ex: Exchange, path: string): Promise<void> {
  const method = ex.req.method ?? 'GET';
  const restli = String(ex.req.headers['x-restli-method'] ?? '').toUpperCase();
  const keyed = /^\/rest\/(posts|images|socialActions)\/([^/]+)$/.exec(path);
  const action = ex.url.searchParams.get('action');
  const target = keyed
    ? `/rest/${keyed[1]}/${decodeKey(keyed[2] ?? '')}`
    : path === '/rest/images' && action === 'initializeUpload'
      ? INITIALIZE
      : path;
  const social = /^\/rest\/socialActions\/([^/]+)\/comments$/.exec(path);
  const commented = social ? decodeKey(social[1] ?? '') : undefined;
  if (commented) {
    if (method === 'POST' && (restli === '' || restli === 'CREATE')) {
      return createComment(ex, commented);
    }
    if (method === 'GET') return listComments(ex, commented);
  }
  const found =
    findRoute(ROUTES, `${method}:${restli}`, target) ?? findRoute(ROUTES, method, target);
  if (found) return found.handle(ex, found.params[0] ?? '');
  error(ex.res, 404, 'No virtual resource found', { code: 'NOT_FOUND' });
}
