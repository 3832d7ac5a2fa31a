/**
 * A share as a thread: the first post (`text`, recorded as `remoteId`) and the posts of
 * `thread`, each a reply to the one before and recorded in `threadIds` as soon as it is
 * made. Which post goes out next, and what a thread that stopped short lacks, follow
 * from those records alone, so a retry or a reconcile resumes where the table says.
 */
import type { Share } from './share';

type ThreadState = Pick<Share, 'remoteId' | 'thread' | 'threadIds'>;

export type NextPost =
  /** nothing is recorded yet: the first post */
  | { kind: 'root' }
  /**
   * `thread[index]`, which answers `parentId`; `number` counts the first post as 1, so
   * this is post `number` of `total`
   */
  | { kind: 'reply'; index: number; parentId: string; number: number; total: number }
  /** every post is recorded */
  | { kind: 'done' };

/** How many posts the share makes: the first, and one per part of `thread`. */
export function postCount(share: ThreadState): number {
  return 1 + (share.thread?.length ?? 0);
}

export function nextPost(share: ThreadState): NextPost {
  if (!share.remoteId) return { kind: 'root' };
  const ids = share.threadIds ?? [];
  const thread = share.thread ?? [];
  if (ids.length >= thread.length) return { kind: 'done' };
  const parentId = ids.length === 0 ? share.remoteId : ids[ids.length - 1];
  if (parentId === undefined) return { kind: 'root' };
  return {
    kind: 'reply',
    index: ids.length,
    parentId,
    number: ids.length + 2,
    total: postCount(share),
  };
}

/** The fields that record `step`'s post: the first post's id and URL, or one more reply id. */
export function recordPost(
  share: ThreadState,
  step: Exclude<NextPost, { kind: 'done' }>,
  post: { remoteId: string; remoteUrl: string },
): Pick<Share, 'remoteId' | 'remoteUrl'> | Pick<Share, 'threadIds'> {
  if (step.kind === 'root') return { remoteId: post.remoteId, remoteUrl: post.remoteUrl };
  return { threadIds: [...(share.threadIds ?? []), post.remoteId] };
}

/** "post 2 of 4": which post a step makes, in words for reasons and errors. */
export function describePost(share: ThreadState, step: NextPost): string {
  const total = postCount(share);
  if (step.kind === 'reply') return `post ${step.number} of ${total}`;
  return total > 1 ? `post 1 of ${total}` : 'the post';
}

/** "posts 3-4 of 4" (or "post 4 of 4"): the posts not recorded, or undefined if none are missing. */
export function missingPosts(share: ThreadState): string | undefined {
  const total = postCount(share);
  const first = share.remoteId ? 2 + (share.threadIds?.length ?? 0) : 1;
  if (first > total) return undefined;
  return first === total ? `post ${total} of ${total}` : `posts ${first}-${total} of ${total}`;
}
