/**
 * Comments through LinkedIn's social actions: `POST /rest/socialActions/{post-urn}/comments`
 * (`{ actor, object, message: { text } }`, made as the author the token acts for, with the
 * fault knobs a create plays; 201 with the comment and its id in `x-restli-id`) and
 * `GET` of the same path (`start`/`count` paging, oldest first). A comment shows in
 * `GET /sandbox/posts` with `inReplyToId` = the post and `comment: true`.
 */
import { POST_FAULTS } from '../faults';
import { isRecord } from '../kit/http';
import { playCreate } from '../kit/play';
import { readJson, refuse } from './create';
import {
  accessDenied,
  answer,
  badRequest,
  invalid,
  notFound,
  paging,
  postUrl,
  rateLimited,
  required,
  serverError,
} from './serialize';
import { type Exchange, PLATFORM } from './state';

/** LinkedIn's comment limit as its UI shows it (unconfirmed for the API). */
export const MAX_COMMENT = 1250;

type StoredComment = {
  id: string;
  urn: string;
  actor: string;
  object: string;
  text: string;
  createdAt: number;
};

/** Each organization's comments, kept beside its account. */
const commentsOf = new WeakMap<object, StoredComment[]>();

function accountComments(ex: Exchange): StoredComment[] {
  let list = commentsOf.get(ex.account);
  if (!list) {
    list = [];
    commentsOf.set(ex.account, list);
  }
  return list;
}

function serialize(comment: StoredComment) {
  const stamp = { actor: comment.actor, time: comment.createdAt };
  return {
    actor: comment.actor,
    commentUrn: comment.urn,
    id: comment.id,
    object: comment.object,
    message: { text: comment.text, attributes: [] },
    created: stamp,
    lastModified: stamp,
  };
}

export function commentUrl(postUrn: string, commentUrn: string): string {
  return `${postUrl(postUrn)}?commentUrn=${encodeURIComponent(commentUrn)}`;
}

/** The create's checks; undefined when it answered the refusal itself. */
function validate(ex: Exchange, postUrn: string): { text: string } | undefined {
  const body = readJson(ex);
  if (!body) return undefined;
  const value = body.value;
  if (!isRecord(value)) return void badRequest(ex.res, 'The request body must be a JSON object');
  if (value.actor === undefined) return void required(ex.res, '/actor');
  if (value.actor !== ex.account.author) {
    return void accessDenied(ex.res, 'partnerApiSocialActions.CREATE', ex.version);
  }
  if (value.object !== undefined && value.object !== postUrn) {
    const reason = `${JSON.stringify(value.object)} is not the post the path names`;
    return void invalid(ex.res, '/object', reason, 'INVALID_VALUE_FOR_FIELD');
  }
  const message = isRecord(value.message) ? value.message : undefined;
  if (!message || message.text === undefined) return void required(ex.res, '/message/text');
  const { text } = message;
  if (typeof text !== 'string' || text.trim() === '') {
    return void invalid(
      ex.res,
      '/message/text',
      'must be a non-empty string',
      'INVALID_VALUE_FOR_FIELD',
    );
  }
  if (text.length > MAX_COMMENT) {
    const range = `length of ${text.length} is out of range 1...${MAX_COMMENT}`;
    return void invalid(ex.res, '/message/text', range, 'MAX_LENGTH_EXCEEDED');
  }
  return { text };
}

export async function createComment(ex: Exchange, postUrn: string): Promise<void> {
  const { state } = ex;
  if (!state.livePost(ex.account, postUrn)) return notFound(ex.res, postUrn);
  if (ex.account.rateLimitedUntil > Date.now()) return rateLimited(ex.res);
  const fault = state.sandbox.faults.pick(PLATFORM, POST_FAULTS);
  if (fault) {
    state.log.info('sandbox.fault', {
      platform: PLATFORM,
      fault,
      route: 'POST /rest/socialActions/{urn}/comments',
    });
  }
  await playCreate<StoredComment, void>({
    fault,
    res: ex.res,
    delay: () => state.delay(state.slowMs),
    refuse: (refusal) => refuse(ex, refusal),
    commit: () => {
      const checked = validate(ex, postUrn);
      if (!checked) return { answer: undefined };
      const now = Date.now();
      const id = state.nextId();
      const comment: StoredComment = {
        id,
        urn: `urn:li:comment:(${postUrn},${id})`,
        actor: ex.account.author,
        object: postUrn,
        text: checked.text,
        createdAt: now,
      };
      accountComments(ex).push(comment);
      state.sandbox.posts.add({
        platform: PLATFORM,
        remoteId: comment.urn,
        inReplyToId: postUrn,
        comment: true,
        text: comment.text,
        account: ex.account.name,
        url: commentUrl(postUrn, comment.urn),
        receivedAt: new Date(now).toISOString(),
      });
      state.log.info('sandbox.comment', { platform: PLATFORM, remoteId: comment.urn });
      return { committed: comment };
    },
    answer: (comment) => {
      ex.res.setHeader('x-restli-id', comment.id);
      answer(ex.res, 201, serialize(comment));
    },
    failAfterCommit: () => serverError(ex.res),
  });
}

export function listComments(ex: Exchange, postUrn: string) {
  if (!ex.state.livePost(ex.account, postUrn)) return notFound(ex.res, postUrn);
  const query = ex.url.searchParams;
  const window = paging(ex.res, query);
  if (!window) return;
  const { start, count } = window;
  const all = accountComments(ex).filter((c) => c.object === postUrn);
  const page = all.slice(start, start + count);
  answer(ex.res, 200, {
    paging: { start, count, total: all.length, links: [] },
    elements: page.map(serialize),
  });
}
