/**
 * A loopback imitation of LinkedIn's versioned REST API (`/rest`) for one organization:
 * posts (create with duplicate detection, read, find by author, partial update, delete)
 * and images (initializeUpload, upload, read), with LinkedIn's headers, status codes and
 * bodies (docs/networks.md, LinkedIn) and the fault knobs on `POST /rest/posts`.
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
  send,
  sendHtml,
  sendJson,
} from '../rest/http';
import type { RunningSandbox, SandboxContext, SandboxFactory } from '../types';
import { littleTextToPlain } from './little';

export type LinkedInSandboxOptions = {
  /** the organization's numeric id (its author URN is `urn:li:organization:<id>`) */
  organizationId?: string;
  /** the Page's name, as a channel's `account` names it */
  name?: string;
  /** how late the `slow` fault answers */
  slowMs?: number;
  /** how long identical commentary counts as a duplicate: LinkedIn does not say; a guess */
  duplicateWindowMs?: number;
};

export type LinkedInSandbox = RunningSandbox & {
  credentials: { accessToken: string; author: string; version: string; apiBase: string };
  /** every request the sandbox received, in order, with its Rest.li method header */
  requests(): { method: string; path: string; restliMethod: string | undefined }[];
};

const PLATFORM = 'linkedin';
const SLOW_MS = 3_000;
const JSON_LIMIT = 1024 * 1024;
const UPLOAD_LIMIT = 10 * 1024 * 1024;
/** `commentary` as sent, in UTF-16 code units (the counting unit is unconfirmed). */
const MAX_COMMENTARY = 3000;
const DAY_MS = 24 * 60 * 60_000;
/** A version is served for about a year after its month (docs/networks.md, LinkedIn, Auth). */
const ACTIVE_MONTHS = 12;
const POST_URN = /^urn:li:(?:share|ugcPost):\d+$/;
const IMAGE_URN = /^urn:li:image:[A-Za-z0-9_-]+$/;
const VISIBILITIES = ['PUBLIC', 'CONNECTIONS', 'LOGGED_IN', 'CONTAINER'];
const FEED_DISTRIBUTIONS = ['MAIN_FEED', 'NONE', 'CONTAINER_ONLY'];
const LIFECYCLE_STATES = ['PUBLISHED', 'DRAFT'];
/** Commentary is the only field the sandbox lets a PARTIAL_UPDATE change (docs/networks.md). */
const UPDATABLE = ['commentary'];

type Article = { source: string; title: string; description?: string; thumbnail?: string };

type StoredPost = {
  id: string;
  author: string;
  /** as sent: little text */
  commentary: string;
  /** as a reader sees it */
  text: string;
  visibility: string;
  feedDistribution: string;
  lifecycleState: string;
  article?: Article;
  isReshareDisabledByAuthor: boolean;
  createdAt: number;
  lastModifiedAt: number;
  edited: boolean;
  deleted: boolean;
};

type Image = {
  id: string;
  owner: string;
  uploadToken: string;
  status: 'WAITING_UPLOAD' | 'AVAILABLE' | 'PROCESSING_FAILED';
  bytes?: number;
  mimeType?: string;
};

type Account = {
  author: string;
  name: string;
  token: string;
  posts: StoredPost[];
  images: Map<string, Image>;
  /** after a `429`, creates are refused until then */
  rateLimitedUntil: number;
};

type Exchange = {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: Buffer;
  account: Account;
  version: string;
};

const headersOut = { 'x-restli-protocol-version': '2.0.0' };

function answer(res: ServerResponse, status: number, body: unknown) {
  sendJson(res, status, body, headersOut);
}

/** LinkedIn's error body: `{ status, code?, serviceErrorCode?, message }`. */
function error(
  res: ServerResponse,
  status: number,
  message: string,
  extra: { code?: string; serviceErrorCode?: number } = {},
) {
  answer(res, status, { status, ...extra, message });
}

/** Rest.li's validation failure (422): `ERROR :: /path :: reason`, as LinkedIn relays it. */
function invalid(res: ServerResponse, fieldPath: string, description: string, code: string) {
  answer(res, 422, {
    errorDetailType: 'com.linkedin.common.error.BadRequest',
    message: `ERROR :: ${fieldPath} :: ${description}\n`,
    errorDetails: {
      inputErrors: [{ description, input: { inputPath: { fieldPath } }, code }],
    },
    status: 422,
  });
}

const UNAUTHORIZED = {
  invalid: {
    serviceErrorCode: 65600,
    code: 'INVALID_ACCESS_TOKEN',
    message: 'Invalid access token',
  },
  empty: { code: 'EMPTY_ACCESS_TOKEN', message: 'Empty oauth2_access_token' },
  revoked: {
    serviceErrorCode: 65601,
    code: 'REVOKED_ACCESS_TOKEN',
    message: 'The token used in the request has been revoked by the user',
  },
  // The expired body is unconfirmed beyond its code (docs/networks.md).
  expired: { code: 'EXPIRED_ACCESS_TOKEN', message: 'The token used in the request has expired' },
} as const;

function unauthorized(res: ServerResponse, kind: keyof typeof UNAUTHORIZED) {
  const { message, ...extra } = UNAUTHORIZED[kind];
  error(res, 401, message, extra);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function monthIndex(version: string): number {
  return Number(version.slice(0, 4)) * 12 + Number(version.slice(4, 6)) - 1;
}

function versionOf(now: number): string {
  const date = new Date(now);
  return `${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** LinkedIn's post ids are time-ordered 19-digit numbers: milliseconds, shifted, and a sequence. */
function idGenerator(): () => string {
  let last = 0n;
  return () => {
    let id = BigInt(Date.now()) << 22n;
    if (id <= last) id = last + 1n;
    last = id;
    return id.toString();
  };
}

/** Newer ids are larger (BigInt: the ids pass 2^53), so posts made in one millisecond order too. */
function compareUrns(a: string, b: string): number {
  const x = BigInt(a.slice(a.lastIndexOf(':') + 1));
  const y = BigInt(b.slice(b.lastIndexOf(':') + 1));
  return x === y ? 0 : x < y ? -1 : 1;
}

function postUrl(urn: string): string {
  return `https://www.linkedin.com/feed/update/${urn}/`;
}

function decodeKey(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function sniffImage(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) return 'image/png';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  return undefined;
}

function serializePost(post: StoredPost) {
  return {
    id: post.id,
    author: post.author,
    commentary: post.commentary,
    visibility: post.visibility,
    distribution: { feedDistribution: post.feedDistribution, thirdPartyDistributionChannels: [] },
    ...(post.article ? { content: { article: post.article } } : {}),
    lifecycleState: post.lifecycleState,
    lifecycleStateInfo: { isEditedByAuthor: post.edited },
    isReshareDisabledByAuthor: post.isReshareDisabledByAuthor,
    createdAt: post.createdAt,
    publishedAt: post.createdAt,
    lastModifiedAt: post.lastModifiedAt,
  };
}

export async function launchLinkedInSandbox(
  context: SandboxContext,
  options: LinkedInSandboxOptions = {},
): Promise<LinkedInSandbox> {
  const log = context.log.child({ sandbox: PLATFORM });
  const slowMs = options.slowMs ?? SLOW_MS;
  const duplicateWindowMs = options.duplicateWindowMs ?? DAY_MS;
  const nextId = idGenerator();
  const organizationId =
    options.organizationId ?? String(2_000_000 + (randomBytes(3).readUIntBE(0, 3) % 8_000_000));
  const account: Account = {
    author: `urn:li:organization:${organizationId}`,
    name: options.name ?? 'Newsroom',
    // LinkedIn's access tokens are long opaque strings starting with "AQ".
    token: `AQ${randomBytes(90).toString('base64url')}`,
    posts: [],
    images: new Map(),
    rateLimitedUntil: 0,
  };
  const accountsByToken = new Map([[account.token, account]]);
  const requestLog: { method: string; path: string; restliMethod: string | undefined }[] = [];
  const closing = new AbortController();
  let base = '';

  function livePost(a: Account, urn: string): StoredPost | undefined {
    return a.posts.find((p) => p.id === urn && !p.deleted);
  }

  function rateLimited(res: ServerResponse) {
    // Daily quotas come without any reset header or Retry-After (docs/networks.md, LinkedIn).
    error(res, 429, 'Resource level throttle limit for calls to this resource is reached.', {
      code: 'TOO_MANY_REQUESTS',
    });
  }

  function refuse(ex: Exchange, fault: Refusal) {
    switch (fault) {
      case '429':
        ex.account.rateLimitedUntil = Date.now() + context.faults.resetSeconds * 1000;
        return rateLimited(ex.res);
      case '500':
        return error(ex.res, 500, 'Internal Server Error', { code: 'INTERNAL_SERVER_ERROR' });
      case '502':
        return sendHtml(ex.res, 502, badGatewayPage('LinkedIn'));
      case '503':
        return error(ex.res, 503, 'Service Unavailable', { code: 'SERVICE_UNAVAILABLE' });
      case 'auth':
        return unauthorized(ex.res, 'revoked');
      case 'expired-token':
        return unauthorized(ex.res, 'expired');
    }
  }

  /** The create's checks, in the order LinkedIn's Rest.li layer would meet them. */
  function validateCreate(
    ex: Exchange,
  ): Omit<StoredPost, 'id' | 'createdAt' | 'lastModifiedAt'> | undefined {
    const { res, account: a } = ex;
    let body: unknown;
    try {
      body = JSON.parse(ex.body.toString('utf8'));
    } catch {
      error(res, 400, 'Unable to parse the request body as JSON');
      return undefined;
    }
    if (!isRecord(body)) {
      error(res, 400, 'The request body must be a JSON object');
      return undefined;
    }
    for (const field of ['author', 'visibility', 'distribution', 'lifecycleState']) {
      if (body[field] === undefined) {
        invalid(
          res,
          `/${field}`,
          'field is required but not found and has no default value',
          'FIELD_REQUIRED',
        );
        return undefined;
      }
    }
    if (body.author !== a.author) {
      // The message names the resource and version, as LinkedIn's permission errors do.
      error(
        res,
        403,
        `Not enough permissions to access: partnerApiPostsExternal.CREATE.${ex.version}`,
        {
          code: 'ACCESS_DENIED',
          serviceErrorCode: 100,
        },
      );
      return undefined;
    }
    const enumOf = (path: string, value: unknown, symbols: string[]) => {
      if (typeof value === 'string' && symbols.includes(value)) return value;
      invalid(res, path, `${JSON.stringify(value)} is not an enum symbol`, 'INVALID_ENUM_VALUE');
      return undefined;
    };
    const visibility = enumOf('/visibility', body.visibility, VISIBILITIES);
    if (!visibility) return undefined;
    const distribution = isRecord(body.distribution) ? body.distribution : {};
    const feedDistribution = enumOf(
      '/distribution/feedDistribution',
      distribution.feedDistribution,
      FEED_DISTRIBUTIONS,
    );
    if (!feedDistribution) return undefined;
    const lifecycleState = enumOf('/lifecycleState', body.lifecycleState, LIFECYCLE_STATES);
    if (!lifecycleState) return undefined;
    const commentary = body.commentary ?? '';
    if (typeof commentary !== 'string') {
      invalid(res, '/commentary', 'is not a string', 'INVALID_VALUE_FOR_FIELD');
      return undefined;
    }
    if (commentary.length > MAX_COMMENTARY) {
      invalid(
        res,
        '/commentary',
        `length of ${commentary.length} is out of range 0...${MAX_COMMENTARY}`,
        'MAX_LENGTH_EXCEEDED',
      );
      return undefined;
    }
    const article = validateArticle(ex, body.content);
    if (article === false) return undefined;
    if (!commentary && !article) {
      invalid(res, '/commentary', 'a post needs commentary or content', 'FIELD_REQUIRED');
      return undefined;
    }
    const now = Date.now();
    const duplicate = a.posts.find(
      (p) =>
        p.commentary === commentary && commentary !== '' && p.createdAt > now - duplicateWindowMs,
    );
    if (duplicate) {
      // Deleted posts still count (composio#2710): the URN named may then answer 404.
      answer(res, 422, {
        errorDetailType: 'com.linkedin.common.error.BadRequest',
        message: `com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of ${duplicate.id}`,
        errorDetails: {
          inputErrors: [
            { description: 'Duplicate post is detected', input: {}, code: 'DUPLICATE_POST' },
          ],
        },
        status: 422,
      });
      return undefined;
    }
    const read = littleTextToPlain(commentary);
    if (read.cutAt !== undefined) {
      log.warn('sandbox.linkedin.cut', { at: read.cutAt, reason: 'unescaped reserved character' });
    }
    return {
      author: a.author,
      commentary,
      text: read.text,
      visibility,
      feedDistribution,
      lifecycleState,
      ...(article ? { article } : {}),
      isReshareDisabledByAuthor: body.isReshareDisabledByAuthor === true,
      edited: false,
      deleted: false,
    };
  }

  /** `content.article`: undefined when absent, false when it answered an error. */
  function validateArticle(ex: Exchange, content: unknown): Article | undefined | false {
    if (content === undefined) return undefined;
    const article = isRecord(content) && isRecord(content.article) ? content.article : undefined;
    if (!article) {
      invalid(
        ex.res,
        '/content',
        'only article content is served by this sandbox',
        'INVALID_VALUE_FOR_FIELD',
      );
      return false;
    }
    const { source, title, description, thumbnail } = article;
    if (
      typeof source !== 'string' ||
      !/^https?:\/\/[^\s]+$/.test(source) ||
      !URL.canParse(source)
    ) {
      invalid(
        ex.res,
        '/content/article/source',
        'must be an http or https URL',
        'INVALID_VALUE_FOR_FIELD',
      );
      return false;
    }
    if (typeof title !== 'string' || title === '') {
      invalid(
        ex.res,
        '/content/article/title',
        'field is required but not found and has no default value',
        'FIELD_REQUIRED',
      );
      return false;
    }
    if (description !== undefined && typeof description !== 'string') {
      invalid(ex.res, '/content/article/description', 'is not a string', 'INVALID_VALUE_FOR_FIELD');
      return false;
    }
    if (thumbnail !== undefined) {
      const image = typeof thumbnail === 'string' ? ex.account.images.get(thumbnail) : undefined;
      if (!image || image.owner !== ex.account.author || image.status !== 'AVAILABLE') {
        // LinkedIn's wording for an unusable image is unconfirmed; a 422 on the field is what matters.
        invalid(
          ex.res,
          '/content/article/thumbnail',
          `${JSON.stringify(thumbnail)} is not an available image of the author`,
          'INVALID_VALUE_FOR_FIELD',
        );
        return false;
      }
    }
    return {
      source,
      title,
      ...(typeof description === 'string' ? { description } : {}),
      ...(typeof thumbnail === 'string' ? { thumbnail } : {}),
    };
  }

  function commit(
    ex: Exchange,
    draft: Omit<StoredPost, 'id' | 'createdAt' | 'lastModifiedAt'>,
  ): StoredPost {
    const now = Date.now();
    const post: StoredPost = {
      ...draft,
      id: `urn:li:share:${nextId()}`,
      createdAt: now,
      lastModifiedAt: now,
    };
    ex.account.posts.push(post);
    context.posts.add({
      platform: PLATFORM,
      remoteId: post.id,
      inReplyToId: null,
      text: post.text,
      account: ex.account.name,
      url: postUrl(post.id),
      ...(post.article
        ? {
            card: {
              url: post.article.source,
              title: post.article.title,
              ...(post.article.description ? { description: post.article.description } : {}),
              ...(post.article.thumbnail ? { thumb: post.article.thumbnail } : {}),
            },
          }
        : {}),
      receivedAt: new Date(now).toISOString(),
    });
    log.info('sandbox.post', { platform: PLATFORM, remoteId: post.id });
    return post;
  }

  async function createPost(ex: Exchange): Promise<void> {
    // While a 429's window lasts, every create is refused the same way.
    if (ex.account.rateLimitedUntil > Date.now()) return rateLimited(ex.res);
    const fault = context.faults.pick(PLATFORM, POST_FAULTS);
    if (fault) log.info('sandbox.fault', { platform: PLATFORM, fault, route: 'POST /rest/posts' });
    await playCreate({
      fault,
      res: ex.res,
      slowMs,
      closing: closing.signal,
      refuse: (refusal) => refuse(ex, refusal),
      commit: () => {
        const draft = validateCreate(ex);
        return draft ? commit(ex, draft) : undefined;
      },
      answer: (post) =>
        send(ex.res, 201, '', { ...headersOut, 'x-restli-id': post.id, 'x-linkedin-id': post.id }),
      failAfterCommit: () =>
        error(ex.res, 500, 'Internal Server Error', { code: 'INTERNAL_SERVER_ERROR' }),
    });
  }

  function getPost(ex: Exchange, urn: string) {
    const post = livePost(ex.account, urn);
    if (!post) return error(ex.res, 404, `Not Found: ${urn}`, { code: 'NOT_FOUND' });
    answer(ex.res, 200, serializePost(post));
  }

  /** `GET /rest/posts?q=author`: the author's posts, newest change (or creation) first. */
  function findByAuthor(ex: Exchange) {
    const query = ex.url.searchParams;
    if (query.get('q') !== 'author') {
      return error(ex.res, 400, `Invalid finder: ${query.get('q') ?? '(none)'}`, {
        code: 'BAD_REQUEST',
      });
    }
    const author = query.get('author') ?? '';
    if (author !== ex.account.author) {
      return error(
        ex.res,
        403,
        `Not enough permissions to access: partnerApiPostsExternal.FINDER-author.${ex.version}`,
        {
          code: 'ACCESS_DENIED',
          serviceErrorCode: 100,
        },
      );
    }
    const count = Number(query.get('count') ?? '10');
    const start = Number(query.get('start') ?? '0');
    const sortBy = query.get('sortBy') ?? 'LAST_MODIFIED';
    if (
      !Number.isInteger(count) ||
      count < 1 ||
      count > 100 ||
      !Number.isInteger(start) ||
      start < 0
    ) {
      return error(ex.res, 400, 'count must be 1-100 and start at least 0', {
        code: 'BAD_REQUEST',
      });
    }
    if (sortBy !== 'LAST_MODIFIED' && sortBy !== 'CREATED') {
      return invalid(
        ex.res,
        '/sortBy',
        `${JSON.stringify(sortBy)} is not an enum symbol`,
        'INVALID_ENUM_VALUE',
      );
    }
    const key = (p: StoredPost) => (sortBy === 'CREATED' ? p.createdAt : p.lastModifiedAt);
    const all = ex.account.posts
      .filter((p) => !p.deleted)
      .sort((a, b) => key(b) - key(a) || compareUrns(b.id, a.id));
    const page = all.slice(start, start + count);
    const links =
      start + count < all.length
        ? [
            {
              type: 'application/json',
              rel: 'next',
              href: `/rest/posts?author=${encodeURIComponent(author)}&count=${count}&q=author&sortBy=${sortBy}&start=${start + count}`,
            },
          ]
        : [];
    answer(ex.res, 200, { paging: { start, count, links }, elements: page.map(serializePost) });
  }

  /** `POST /rest/posts/{urn}` with `X-RestLi-Method: PARTIAL_UPDATE`: `{ patch: { $set } }`, 204. */
  function updatePost(ex: Exchange, urn: string) {
    const post = livePost(ex.account, urn);
    if (!post) return error(ex.res, 404, `Not Found: ${urn}`, { code: 'NOT_FOUND' });
    let body: unknown;
    try {
      body = JSON.parse(ex.body.toString('utf8'));
    } catch {
      return error(ex.res, 400, 'Unable to parse the request body as JSON');
    }
    const set =
      isRecord(body) && isRecord(body.patch) && isRecord(body.patch.$set)
        ? body.patch.$set
        : undefined;
    if (!set) return error(ex.res, 400, 'A PARTIAL_UPDATE needs { "patch": { "$set": { … } } }');
    const fields = Object.keys(set);
    const refused = fields.find((f) => !UPDATABLE.includes(f));
    if (refused)
      return invalid(ex.res, `/${refused}`, 'field cannot be updated', 'UNPROCESSABLE_FIELD');
    const commentary = set.commentary;
    if (typeof commentary !== 'string' || commentary.length > MAX_COMMENTARY) {
      return invalid(
        ex.res,
        '/commentary',
        `must be a string of at most ${MAX_COMMENTARY}`,
        'INVALID_VALUE_FOR_FIELD',
      );
    }
    post.commentary = commentary;
    post.text = littleTextToPlain(commentary).text;
    post.lastModifiedAt = Date.now();
    post.edited = true;
    const shown = context.posts.list().find((p) => p.platform === PLATFORM && p.remoteId === urn);
    if (shown) {
      context.posts.remove(PLATFORM, urn);
      context.posts.add({ ...shown, text: post.text });
    }
    send(ex.res, 204, '', headersOut);
  }

  function deletePost(ex: Exchange, urn: string) {
    const post = livePost(ex.account, urn);
    if (!post) return error(ex.res, 404, `Not Found: ${urn}`, { code: 'NOT_FOUND' });
    post.deleted = true;
    context.posts.remove(PLATFORM, urn);
    log.info('sandbox.deleted', { platform: PLATFORM, remoteId: urn });
    send(ex.res, 204, '', headersOut);
  }

  function initializeUpload(ex: Exchange) {
    let body: unknown;
    try {
      body = JSON.parse(ex.body.toString('utf8'));
    } catch {
      return error(ex.res, 400, 'Unable to parse the request body as JSON');
    }
    const request =
      isRecord(body) && isRecord(body.initializeUploadRequest)
        ? body.initializeUploadRequest
        : undefined;
    if (!request || typeof request.owner !== 'string') {
      return invalid(
        ex.res,
        '/initializeUploadRequest/owner',
        'field is required but not found and has no default value',
        'FIELD_REQUIRED',
      );
    }
    if (request.owner !== ex.account.author) {
      return error(
        ex.res,
        403,
        `Not enough permissions to access: partnerApiImages.ACTION-initializeUpload.${ex.version}`,
        {
          code: 'ACCESS_DENIED',
          serviceErrorCode: 100,
        },
      );
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
        uploadUrl: `${base}/dms-uploads/sp/${image.uploadToken}/uploaded-image/0`,
        image: image.id,
      },
    });
  }

  function receiveUpload(ex: Exchange, token: string) {
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
    if (!image || image.owner !== ex.account.author)
      return error(ex.res, 404, `Not Found: ${urn}`, { code: 'NOT_FOUND' });
    answer(ex.res, 200, { owner: image.owner, id: image.id, status: image.status });
  }

  async function route(ex: Exchange, path: string): Promise<void> {
    const method = ex.req.method ?? 'GET';
    const restli = String(ex.req.headers['x-restli-method'] ?? '').toUpperCase();
    if (path === '/rest/posts') {
      if (method === 'POST' && (restli === '' || restli === 'CREATE')) return createPost(ex);
      if (method === 'GET') return findByAuthor(ex);
    }
    let match = /^\/rest\/posts\/([^/]+)$/.exec(path);
    const urn = match?.[1] ? decodeKey(match[1]) : '';
    if (match && POST_URN.test(urn)) {
      if (method === 'GET') return getPost(ex, urn);
      if (method === 'DELETE') return deletePost(ex, urn);
      if (method === 'POST' && restli === 'PARTIAL_UPDATE') return updatePost(ex, urn);
    }
    if (
      path === '/rest/images' &&
      method === 'POST' &&
      ex.url.searchParams.get('action') === 'initializeUpload'
    ) {
      return initializeUpload(ex);
    }
    match = /^\/rest\/images\/([^/]+)$/.exec(path);
    const image = match?.[1] ? decodeKey(match[1]) : '';
    if (match && IMAGE_URN.test(image) && method === 'GET') return getImage(ex, image);
    error(ex.res, 404, 'No virtual resource found', { code: 'NOT_FOUND' });
  }

  /** Auth and the two required headers come before anything a route does. */
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname;
    requestLog.push({
      method: req.method ?? 'GET',
      path,
      restliMethod:
        typeof req.headers['x-restli-method'] === 'string'
          ? req.headers['x-restli-method']
          : undefined,
    });
    const uploadPath = /^\/dms-uploads\/sp\/([A-Za-z0-9_-]+)\/uploaded-image\/0$/.exec(path);
    const body = await readBody(req, uploadPath ? UPLOAD_LIMIT : JSON_LIMIT);
    if (body === 'too-large') return error(res, 413, 'Request Entity Too Large');

    const authorization = req.headers.authorization ?? '';
    const token = /^Bearer (\S+)$/.exec(authorization)?.[1];
    if (!token) return unauthorized(res, 'empty');
    const owner = accountsByToken.get(token);
    if (!owner) return unauthorized(res, 'invalid');
    // The upload URL is LinkedIn's own, outside /rest: no version headers there.
    if (uploadPath?.[1] && req.method === 'PUT') {
      return receiveUpload({ req, res, url, body, account: owner, version: '' }, uploadPath[1]);
    }

    const version = String(req.headers['linkedin-version'] ?? '');
    if (!version) {
      // The wording is unconfirmed; LinkedIn refuses a /rest call without a version.
      return error(
        res,
        400,
        'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
        {
          code: 'VERSION_MISSING',
        },
      );
    }
    const now = monthIndex(versionOf(Date.now()));
    const asked = /^\d{6}(?:\.\d{2})?$/.test(version) ? monthIndex(version) : Number.NaN;
    if (!(asked <= now && asked > now - ACTIVE_MONTHS)) {
      return error(res, 426, `Requested version ${version} is not active`, {
        code: 'NONEXISTENT_VERSION',
      });
    }
    if (req.headers['x-restli-protocol-version'] !== '2.0.0') {
      // Without Rest.li 2.0.0 keys and bodies are read in the old encoding: the sandbox refuses.
      return error(res, 400, 'X-Restli-Protocol-Version: 2.0.0 is required', {
        code: 'BAD_REQUEST',
      });
    }
    await route({ req, res, url, body, account: owner, version }, path);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((failure: unknown) => {
      if (closing.signal.aborted) return;
      log.error('sandbox.failed', { platform: PLATFORM, error: failure });
      if (!res.headersSent && !res.destroyed) error(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });
  const loopback = await listenOnLoopback(server);
  base = loopback.url;
  log.info('sandbox.listening', { platform: PLATFORM, url: base, account: account.name });

  return {
    platform: PLATFORM,
    url: base,
    account: account.name,
    credentials: {
      accessToken: account.token,
      author: account.author,
      version: versionOf(Date.now()),
      apiBase: base,
    },
    requests: () => requestLog.map((r) => ({ ...r })),
    async stop() {
      if (closing.signal.aborted) return;
      closing.abort();
      await loopback.close();
      log.info('sandbox.stopped', { platform: PLATFORM });
    },
  };
}

export const startLinkedInSandbox: SandboxFactory = (context) => launchLinkedInSandbox(context);
