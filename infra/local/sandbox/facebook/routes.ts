/**
 * The Facebook sandbox's Graph routes: the Page (`me`), its feed (create with Graph's
 * duplicate check and the fault knobs, read with `since` and cursors), a post (read with
 * its counts, edit, delete, insights), and its comments (comments.ts).
 */
import { badGatewayPage, sendHtml, sendJson } from '../kit/http';
import type { Refusal } from '../kit/play';
import { parseGraphInstant as graphInstant } from '../meta/http';
import { createComment, readComments } from './comments';
import { playPageCreate } from './create';
import { type FieldSelection, parseFields, unsupported } from './graph';
import { readPostInsights } from './insights';
import { fail, graphPage, hostOf, permalink, select, serializePost, throttled } from './serialize';
import { type Exchange, MAX_MESSAGE, PLATFORM, type Post } from './state';

const DEFAULT_FIELDS = 'id,message,created_time';

function refuse(ex: Exchange, fault: Refusal) {
  switch (fault) {
    case '429':
      ex.page.rateLimitedUntil = Date.now() + ex.state.sandbox.faults.resetSeconds * 1000;
      return throttled(ex);
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
    case 'permission':
      return fail(ex, 403, {
        message:
          '(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts permission with page token',
        code: 200,
      });
    case 'expired-token': {
      const when = new Date(Date.now() - 60_000).toUTCString();
      return fail(ex, 400, {
        message: `Error validating access token: Session has expired on ${when}. The current time is ${new Date().toUTCString()}.`,
        code: 190,
        error_subcode: 463,
      });
    }
    default:
      return fail(ex, 500, { message: 'An unknown error has occurred.', code: 1 });
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
      p.createdAt > now - ex.state.duplicateWindowMs,
  );
  if (duplicate) {
    fail(ex, 400, { message: '(#506) Duplicate status message', code: 506 });
    return undefined;
  }
  const post: Post = {
    id: ex.state.nextPostId(),
    message,
    createdAt: now,
    updatedAt: now,
    deleted: false,
  };
  if (link !== undefined) post.link = link;
  ex.page.posts.push(post);
  ex.state.sandbox.posts.add({
    platform: PLATFORM,
    remoteId: post.id,
    inReplyToId: null,
    text: message,
    account: ex.page.name,
    url: permalink(post),
    ...(link !== undefined ? { card: { url: link, title: hostOf(link) } } : {}),
    receivedAt: new Date(now).toISOString(),
  });
  ex.state.log.info('sandbox.post', { platform: PLATFORM, remoteId: post.id });
  return post;
}

async function createPost(ex: Exchange): Promise<void> {
  // While a throttle lasts, every create gets the same answer.
  if (ex.page.rateLimitedUntil > Date.now()) return throttled(ex);
  await playPageCreate<Post>(
    ex,
    'POST /{page-id}/feed',
    (refusal) => refuse(ex, refusal),
    () => {
      const post = commitPost(ex);
      return post ? { committed: post } : { answer: undefined };
    },
  );
}

function readFeed(ex: Exchange, fields: FieldSelection) {
  const since = graphInstant(ex.params.get('since'));
  const until = graphInstant(ex.params.get('until'));
  const limit = Number(ex.params.get('limit') ?? '25');
  if (Number.isNaN(since) || Number.isNaN(until) || !Number.isInteger(limit) || limit < 1) {
    return fail(ex, 400, { message: '(#100) Invalid since, until or limit', code: 100 });
  }
  const all = ex.page.posts
    .filter(
      (p) =>
        !p.deleted &&
        (since === undefined || p.createdAt >= since) &&
        (until === undefined || p.createdAt <= until),
    )
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  const listed = graphPage(ex, all, limit, `${ex.page.id}/feed`);
  if (!listed) return;
  const { page, paging } = listed;
  sendJson(
    ex.res,
    200,
    { data: page.map((p) => serializePost(p, ex.page, fields)), ...(paging ? { paging } : {}) },
    ex.state.usageHeader(ex.page),
  );
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
  const shown = ex.state.sandbox.posts
    .list()
    .find((p) => p.platform === PLATFORM && p.remoteId === post.id);
  if (shown) {
    ex.state.sandbox.posts.remove(PLATFORM, post.id);
    ex.state.sandbox.posts.add({ ...shown, text: message });
  }
  sendJson(ex.res, 200, { success: true }, ex.state.usageHeader(ex.page));
}

export async function route(ex: Exchange, rest: string) {
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
        ex.state.usageHeader(ex.page),
      );
    }
  }
  const insightsOf = /^(\d+_\d+)\/insights$/.exec(rest);
  if (insightsOf?.[1] && method === 'GET') return readPostInsights(ex, insightsOf[1]);
  const commented = /^(\d+_\d+)\/comments$/.exec(rest);
  if (commented?.[1]) {
    const post = ex.state.livePost(ex.page, commented[1]);
    if (!post) return fail(ex, 400, unsupported(method === 'POST' ? 'post' : 'get', commented[1]));
    if (method === 'POST') {
      if (ex.page.rateLimitedUntil > Date.now()) return throttled(ex);
      return createComment(ex, post, (refusal) => refuse(ex, refusal));
    }
    if (method === 'GET') return readComments(ex, post, fields);
  }
  if (/^\d+_\d+$/.test(rest)) {
    const post = ex.state.livePost(ex.page, rest);
    const verb = method === 'DELETE' ? 'delete' : method === 'POST' ? 'post' : 'get';
    if (!post) return fail(ex, 400, unsupported(verb, rest));
    if (method === 'GET') {
      return sendJson(
        ex.res,
        200,
        serializePost(post, ex.page, fields),
        ex.state.usageHeader(ex.page),
      );
    }
    if (method === 'POST') return editPost(ex, post);
    if (method === 'DELETE') {
      post.deleted = true;
      ex.state.sandbox.posts.remove(PLATFORM, post.id);
      ex.state.log.info('sandbox.deleted', { platform: PLATFORM, remoteId: post.id });
      return sendJson(ex.res, 200, { success: true }, ex.state.usageHeader(ex.page));
    }
  }
  fail(ex, 400, { message: `Unknown path components: /${rest}`, code: 2500 });
}
