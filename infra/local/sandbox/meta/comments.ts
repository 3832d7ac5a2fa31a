/**
 * Comments under a post, on a Graph network whose replies are comments (Instagram:
 * `POST /{ig-media-id}/comments` with `message`, `GET /{ig-media-id}/comments`). A comment
 * shows in `GET /sandbox/posts` with `inReplyToId` = the post and `comment: true`.
 */
import type { ServerResponse } from 'node:http';
import { POST_FAULTS } from '../faults';
import type { SandboxPost } from '../posts';
import type { GraphAccount, Media } from './account';
import { missingParameter } from './errors';
import { graphError, graphTime, json, type Params, type Reply } from './http';
import { afterCommit, beforeCommit } from './publish';
import { listPosts } from './routes';
import type { GraphState } from './state';

export type GraphComment = { id: string; mediaId: string; text: string; createdAt: number };

/** What a network's comments are: their length limit, and a comment node's fields. */
export type CommentsSpec = {
  maxLength: number;
  /** the node type "nonexisting field" errors name */
  node: string;
  fields(comment: GraphComment, account: GraphAccount): Record<string, unknown>;
};

/** A comment listed the way the lists list posts (newest first, Graph's cursors). */
function asListed(comment: GraphComment): Media {
  return {
    id: comment.id,
    mediaType: 'TEXT',
    text: comment.text,
    shortcode: '',
    permalink: '',
    createdAt: comment.createdAt,
    containerId: '',
  };
}

export function listComments(
  g: GraphState,
  a: GraphAccount,
  spec: CommentsSpec,
  media: Media,
  params: Params,
  url: URL,
): Reply {
  const comments = a.commentsOn(media.id);
  const byId = new Map(comments.map((c) => [c.id, c]));
  return listPosts(g, a, params, url, comments.map(asListed), {
    type: spec.node,
    fields: (listed) => {
      const comment = byId.get(listed.id);
      return comment ? spec.fields(comment, a) : {};
    },
  });
}

export async function createComment(
  g: GraphState,
  a: GraphAccount,
  spec: CommentsSpec,
  media: Media,
  params: Params,
  res: ServerResponse,
): Promise<Reply | undefined> {
  const plan = await beforeCommit(g, a, 'POST /{media-id}/comments', POST_FAULTS, res);
  if (plan.kind === 'answer') return plan.reply;
  const text = params.message ?? '';
  if (!text.trim()) return graphError(missingParameter('message'));
  // The wording is unconfirmed; that a comment over the limit is refused is not.
  if ([...text].length > spec.maxLength) {
    return graphError({
      message: `(#100) The comment is longer than ${spec.maxLength} characters`,
      code: 100,
    });
  }
  const now = Date.now();
  const comment: GraphComment = { id: g.nextId(), mediaId: media.id, text, createdAt: now };
  a.comments.set(comment.id, comment);
  const post: Omit<SandboxPost, 'receivedAt'> = {
    platform: g.platform,
    remoteId: comment.id,
    inReplyToId: media.id,
    text,
    account: a.username,
    url: `${media.permalink.replace(/\/?$/, '/')}c/${comment.id}/`,
    comment: true,
  };
  g.sandbox.posts.add({ ...post, receivedAt: new Date(now).toISOString() });
  g.log.info('sandbox.comment', { platform: g.platform, remoteId: comment.id, on: media.id });
  return afterCommit(plan.fault, res, () => json(200, { id: comment.id }));
}

/** Graph's comment node as Instagram describes it. */
export function instagramCommentFields(
  comment: GraphComment,
  account: GraphAccount,
): Record<string, unknown> {
  return {
    id: comment.id,
    text: comment.text,
    timestamp: graphTime(comment.createdAt),
    username: account.username,
    from: { id: account.id, username: account.username },
    like_count: 0,
    hidden: false,
    media: { id: comment.mediaId },
  };
}
