/**
 * `POST /rest/posts`: the create's checks in the order LinkedIn's Rest.li layer meets
 * them, duplicate detection, the commit, and the fault knobs played around it.
 */
import { POST_FAULTS } from '../faults';
import { badGatewayPage, isRecord, send, sendHtml } from '../kit/http';
import { playCreate, type Refusal } from '../kit/play';
import { littleTextToPlain } from './little';
import {
  accessDenied,
  duplicate,
  error,
  headersOut,
  invalid,
  postUrl,
  rateLimited,
  required,
  serverError,
  unauthorized,
} from './serialize';
import {
  type Article,
  type Draft,
  type Exchange,
  MAX_COMMENTARY,
  PLATFORM,
  type StoredPost,
} from './state';

const VISIBILITIES = ['PUBLIC', 'CONNECTIONS', 'LOGGED_IN', 'CONTAINER'];
const FEED_DISTRIBUTIONS = ['MAIN_FEED', 'NONE', 'CONTAINER_ONLY'];
const LIFECYCLE_STATES = ['PUBLISHED', 'DRAFT'];

/** The request's JSON; undefined when it answered the 400 itself. */
export function readJson(ex: Exchange): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(ex.body.toString('utf8')) };
  } catch {
    error(ex.res, 400, 'Unable to parse the request body as JSON');
    return undefined;
  }
}

/** The request's JSON object; undefined when it answered the 400 itself. */
function jsonBody(ex: Exchange): Record<string, unknown> | undefined {
  const body = readJson(ex);
  if (!body) return undefined;
  if (isRecord(body.value)) return body.value;
  error(ex.res, 400, 'The request body must be a JSON object');
  return undefined;
}

function enumOf(ex: Exchange, path: string, value: unknown, symbols: string[]) {
  if (typeof value === 'string' && symbols.includes(value)) return value;
  invalid(ex.res, path, `${JSON.stringify(value)} is not an enum symbol`, 'INVALID_ENUM_VALUE');
  return undefined;
}

/** The create's checks, in the order LinkedIn's Rest.li layer would meet them. */
function validateCreate(ex: Exchange): Draft | undefined {
  const { res, account: a } = ex;
  const body = jsonBody(ex);
  if (!body) return undefined;
  for (const field of ['author', 'visibility', 'distribution', 'lifecycleState']) {
    if (body[field] === undefined) return void required(res, `/${field}`);
  }
  if (body.author !== a.author) {
    return void accessDenied(res, 'partnerApiPostsExternal.CREATE', ex.version);
  }
  const visibility = enumOf(ex, '/visibility', body.visibility, VISIBILITIES);
  if (!visibility) return undefined;
  const distribution = isRecord(body.distribution) ? body.distribution : {};
  const feed = distribution.feedDistribution;
  const feedDistribution = enumOf(ex, '/distribution/feedDistribution', feed, FEED_DISTRIBUTIONS);
  if (!feedDistribution) return undefined;
  const lifecycleState = enumOf(ex, '/lifecycleState', body.lifecycleState, LIFECYCLE_STATES);
  if (!lifecycleState) return undefined;
  const commentary = body.commentary ?? '';
  if (typeof commentary !== 'string') {
    return void invalid(res, '/commentary', 'is not a string', 'INVALID_VALUE_FOR_FIELD');
  }
  if (commentary.length > MAX_COMMENTARY) {
    const range = `length of ${commentary.length} is out of range 0...${MAX_COMMENTARY}`;
    return void invalid(res, '/commentary', range, 'MAX_LENGTH_EXCEEDED');
  }
  const article = validateArticle(ex, body.content);
  if (article === false) return undefined;
  if (!commentary && !article) {
    const reason = 'a post needs commentary or content';
    return void invalid(res, '/commentary', reason, 'FIELD_REQUIRED');
  }
  const now = Date.now();
  const since = now - ex.state.duplicateWindowMs;
  const copy = a.posts.find(
    (p) => p.commentary === commentary && commentary !== '' && p.createdAt > since,
  );
  if (copy) return void duplicate(res, copy.id);
  const read = littleTextToPlain(commentary);
  if (read.cutAt !== undefined) {
    ex.state.log.warn('sandbox.linkedin.cut', {
      at: read.cutAt,
      reason: 'unescaped reserved character',
    });
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
  const { res } = ex;
  const article = isRecord(content) && isRecord(content.article) ? content.article : undefined;
  const wrong = (path: string, reason: string) => {
    invalid(res, `/content${path}`, reason, 'INVALID_VALUE_FOR_FIELD');
    return false as const;
  };
  if (!article) return wrong('', 'only article content is served by this sandbox');
  const { source, title, description, thumbnail } = article;
  if (typeof source !== 'string' || !/^https?:\/\/[^\s]+$/.test(source) || !URL.canParse(source)) {
    return wrong('/article/source', 'must be an http or https URL');
  }
  if (typeof title !== 'string' || title === '') {
    required(res, '/content/article/title');
    return false;
  }
  if (description !== undefined && typeof description !== 'string') {
    return wrong('/article/description', 'is not a string');
  }
  if (thumbnail !== undefined) {
    const image = typeof thumbnail === 'string' ? ex.account.images.get(thumbnail) : undefined;
    if (!image || image.owner !== ex.account.author || image.status !== 'AVAILABLE') {
      // LinkedIn's wording for an unusable image is unconfirmed; a 422 on the field is what matters.
      const reason = `${JSON.stringify(thumbnail)} is not an available image of the author`;
      return wrong('/article/thumbnail', reason);
    }
  }
  return {
    source,
    title,
    ...(typeof description === 'string' ? { description } : {}),
    ...(typeof thumbnail === 'string' ? { thumbnail } : {}),
  };
}

function commit(ex: Exchange, draft: Draft): StoredPost {
  const now = Date.now();
  const id = `urn:li:share:${ex.state.nextId()}`;
  const post: StoredPost = { ...draft, id, createdAt: now, lastModifiedAt: now };
  ex.account.posts.push(post);
  const { article } = post;
  ex.state.sandbox.posts.add({
    platform: PLATFORM,
    remoteId: post.id,
    inReplyToId: null,
    text: post.text,
    account: ex.account.name,
    url: postUrl(post.id),
    ...(article
      ? {
          card: {
            url: article.source,
            title: article.title,
            ...(article.description ? { description: article.description } : {}),
            ...(article.thumbnail ? { thumb: article.thumbnail } : {}),
          },
        }
      : {}),
    receivedAt: new Date(now).toISOString(),
  });
  ex.state.log.info('sandbox.post', { platform: PLATFORM, remoteId: post.id });
  return post;
}

export function refuse(ex: Exchange, fault: Refusal) {
  switch (fault) {
    case '429':
      ex.account.rateLimitedUntil = Date.now() + ex.state.sandbox.faults.resetSeconds * 1000;
      return rateLimited(ex.res);
    case '502':
      return sendHtml(ex.res, 502, badGatewayPage('LinkedIn'));
    case '503':
      return error(ex.res, 503, 'Service Unavailable', { code: 'SERVICE_UNAVAILABLE' });
    case 'auth':
      return unauthorized(ex.res, 'revoked');
    case 'expired-token':
      return unauthorized(ex.res, 'expired');
    case 'permission':
      return error(
        ex.res,
        403,
        'Not enough permissions to access: partnerApiPostsExternal.CREATE.20240601',
        { code: 'ACCESS_DENIED', serviceErrorCode: 100 },
      );
    default:
      return serverError(ex.res);
  }
}

export async function createPost(ex: Exchange): Promise<void> {
  const { state } = ex;
  // While a 429's window lasts, every create is refused the same way.
  if (ex.account.rateLimitedUntil > Date.now()) return rateLimited(ex.res);
  const fault = state.sandbox.faults.pick(PLATFORM, POST_FAULTS);
  if (fault)
    state.log.info('sandbox.fault', { platform: PLATFORM, fault, route: 'POST /rest/posts' });
  await playCreate<StoredPost, void>({
    fault,
    res: ex.res,
    delay: () => state.delay(state.slowMs),
    refuse: (refusal) => refuse(ex, refusal),
    commit: () => {
      const draft = validateCreate(ex);
      return draft ? { committed: commit(ex, draft) } : { answer: undefined };
    },
    answer: (post) =>
      send(ex.res, 201, '', { ...headersOut, 'x-restli-id': post.id, 'x-linkedin-id': post.id }),
    failAfterCommit: () => serverError(ex.res),
  });
}
