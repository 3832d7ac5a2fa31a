/** How the Facebook sandbox renders a post and Graph's errors, with the usage header. */
import { randomBytes } from 'node:crypto';
import { graphTime } from '../meta/http';
import { articleLinkOf, audiencePost, countsNow } from '../meta/insights';
import { type FieldSelection, type GraphErrorBody, sendGraphError } from './graph';
import type { Exchange, Page, Post } from './state';

export function permalink(post: Post): string {
  const [page, id] = post.id.split('_');
  return `https://www.facebook.com/${page}/posts/${id}`;
}

/** Facebook's link shim: what `attachments{url}` answers for a shared link. */
function shimmed(link: string): string {
  return `https://l.facebook.com/l.php?u=${encodeURIComponent(link)}&h=${randomBytes(9).toString('base64url')}`;
}

export function hostOf(link: string): string {
  return URL.canParse(link) ? new URL(link).hostname : link;
}

export function select(
  fields: FieldSelection | undefined,
  all: Record<string, unknown>,
): Record<string, unknown> {
  if (!fields) return all;
  const out: Record<string, unknown> = {};
  for (const name of fields.keys()) if (all[name] !== undefined) out[name] = all[name];
  return out;
}

export function serializePost(
  post: Post,
  page: Page,
  fields: FieldSelection,
): Record<string, unknown> {
  const attachmentFields = fields.get('attachments');
  const attachment = post.link
    ? select(attachmentFields, {
        type: 'share',
        url: shimmed(post.link),
        unshimmed_url: post.link,
        title: hostOf(post.link),
        target: { url: shimmed(post.link) },
      })
    : undefined;
  const counts = countsNow(
    audiencePost(
      'facebook',
      page.name,
      articleLinkOf(post.message, post.link, permalink(post)),
      post.createdAt,
    ),
  );
  const summarised = (name: string, summary: Record<string, unknown>) => ({
    data: [],
    ...(fields.modifiers?.get(name)?.has('summary') ? { summary } : {}),
  });
  const all: Record<string, unknown> = {
    id: post.id,
    message: post.message || undefined,
    created_time: graphTime(post.createdAt),
    updated_time: graphTime(post.updatedAt),
    permalink_url: permalink(post),
    status_type: post.link ? 'shared_story' : 'mobile_status_update',
    is_published: true,
    from: { name: page.name, id: page.id },
    attachments: attachment ? { data: [attachment] } : undefined,
    // The audience model's counts now; the sandbox knows no reactors by name.
    reactions: summarised('reactions', { total_count: counts.likes, viewer_reaction: 'NONE' }),
    comments: summarised('comments', {
      order: 'ranked',
      total_count: counts.replies,
      can_comment: true,
    }),
    // Graph leaves `shares` out of a post nobody has shared.
    shares: counts.reposts > 0 ? { count: counts.reposts } : undefined,
  };
  // Graph always answers the id, asked for or not.
  return { id: post.id, ...select(fields, all) };
}

export function fail(ex: Exchange, status: number, error: GraphErrorBody) {
  sendGraphError(ex.res, status, error, ex.state.usageHeader(ex.page));
}

/**
 * One page of a Graph list (`edge`: `{page-id}/feed`, `{post-id}/comments`): at most `limit`
 * items (100 at most) after the `after` cursor, with Graph's `paging` (its cursors, and
 * `next` while more follow) when the page holds any; undefined, with the 400 answered, for
 * a cursor the list never gave.
 */
export function graphPage<T extends { id: string }>(
  ex: Exchange,
  all: readonly T[],
  limit: number,
  edge: string,
): { page: T[]; paging?: Record<string, unknown> } | undefined {
  const after = ex.params.get('after');
  const afterId = after ? Buffer.from(after, 'base64url').toString('utf8') : undefined;
  const from = afterId ? all.findIndex((item) => item.id === afterId) + 1 : 0;
  if (afterId && from === 0) {
    fail(ex, 400, { message: '(#100) The after cursor is not valid', code: 100 });
    return undefined;
  }
  const page = all.slice(from, from + Math.min(limit, 100));
  const first = page[0];
  const last = page.at(-1);
  if (!first || !last) return { page };
  const cursor = (item: T) => Buffer.from(item.id).toString('base64url');
  const paging: Record<string, unknown> = {
    cursors: { before: cursor(first), after: cursor(last) },
  };
  if (from + page.length < all.length) {
    const next = new URL(`${ex.state.base}/${ex.version}/${edge}`);
    for (const [name, value] of ex.params) if (name !== 'after') next.searchParams.set(name, value);
    next.searchParams.set('access_token', ex.page.token);
    next.searchParams.set('after', cursor(last));
    paging.next = next.href;
  }
  return { page, paging };
}

export function throttled(ex: Exchange) {
  fail(ex, 400, {
    message:
      '(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.',
    code: 80001,
  });
}
