/**
 * Comments on the Page's posts: `POST /{post-id}/comments` with `message` (made as the Page
 * its token acts as, with the fault knobs a create plays) and `GET /{post-id}/comments`
 * (chronological, or `order=reverse_chronological`, with Graph's cursors). A comment shows
 * in `GET /sandbox/posts` with `inReplyToId` = the post and `comment: true`.
 */
import { sendJson } from '../kit/http';
import type { Refusal } from '../kit/play';
import { graphTime } from '../meta/http';
import { playPageCreate } from './create';
import type { FieldSelection } from './graph';
import { fail, graphPage, permalink, select } from './serialize';
import { type Exchange, MAX_MESSAGE, type Page, PLATFORM, type Post } from './state';

export type Comment = { id: string; postId: string; message: string; createdAt: number };

/** Each Page's comments, kept beside the Page. */
const commentsOf = new WeakMap<Page, Comment[]>();
let sequence = 0;

function pageComments(page: Page): Comment[] {
  let list = commentsOf.get(page);
  if (!list) {
    list = [];
    commentsOf.set(page, list);
  }
  return list;
}

function commentUrl(post: Post, comment: Comment): string {
  return `${permalink(post)}?comment_id=${comment.id.split('_')[1] ?? comment.id}`;
}

function serializeComment(
  comment: Comment,
  post: Post,
  page: Page,
  fields: FieldSelection,
): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: comment.id,
    message: comment.message,
    created_time: graphTime(comment.createdAt),
    from: { name: page.name, id: page.id },
    permalink_url: commentUrl(post, comment),
    can_remove: true,
    like_count: 0,
    comment_count: 0,
  };
  return { id: comment.id, ...select(fields, all) };
}

export async function createComment(
  ex: Exchange,
  post: Post,
  refuse: (refusal: Refusal) => void,
): Promise<void> {
  await playPageCreate<Comment>(ex, 'POST /{post-id}/comments', refuse, () => {
    const message = ex.params.get('message') ?? '';
    // The wordings are unconfirmed; code 100 (invalid parameter) is what matters.
    if (!message.trim()) {
      return {
        answer: fail(ex, 400, { message: '(#100) Missing message or attachment', code: 100 }),
      };
    }
    if (message.length > MAX_MESSAGE) {
      return {
        answer: fail(ex, 400, {
          message: `(#100) Param message must be at most ${MAX_MESSAGE} characters long`,
          code: 100,
        }),
      };
    }
    const now = Date.now();
    const postPart = post.id.split('_')[1] ?? post.id;
    const comment: Comment = {
      id: `${postPart}_${now}${String(sequence++ % 1000).padStart(3, '0')}`,
      postId: post.id,
      message,
      createdAt: now,
    };
    pageComments(ex.page).push(comment);
    ex.state.sandbox.posts.add({
      platform: PLATFORM,
      remoteId: comment.id,
      inReplyToId: post.id,
      comment: true,
      text: message,
      account: ex.page.name,
      url: commentUrl(post, comment),
      receivedAt: new Date(now).toISOString(),
    });
    ex.state.log.info('sandbox.comment', {
      platform: PLATFORM,
      remoteId: comment.id,
      on: post.id,
    });
    return { committed: comment };
  });
}

export function readComments(ex: Exchange, post: Post, fields: FieldSelection) {
  const limit = Number(ex.params.get('limit') ?? '25');
  if (!Number.isInteger(limit) || limit < 1) {
    return fail(ex, 400, { message: '(#100) Param limit must be a positive integer', code: 100 });
  }
  const order = ex.params.get('order') ?? 'chronological';
  if (order !== 'chronological' && order !== 'reverse_chronological') {
    return fail(ex, 400, {
      message: `(#100) Param order must be one of {chronological, reverse_chronological}`,
      code: 100,
    });
  }
  const all = pageComments(ex.page).filter((c) => c.postId === post.id);
  if (order === 'reverse_chronological') all.reverse();
  const listed = graphPage(ex, all, limit, `${post.id}/comments`);
  if (!listed) return;
  const { page, paging } = listed;
  sendJson(
    ex.res,
    200,
    {
      data: page.map((c) => serializeComment(c, post, ex.page, fields)),
      ...(paging ? { paging } : {}),
    },
    ex.state.usageHeader(ex.page),
  );
}
