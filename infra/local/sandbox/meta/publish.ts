/**
 * The two create routes: a media container (with the download and container faults) and
 * its publish, the commit of a post, and the fault knobs played before and after it.
 */
import type { ServerResponse } from 'node:http';
import type { Fault } from '../faults';
import type { SandboxPost } from '../posts';
import type { Container, GraphAccount, Media } from './account';
import {
  BAD_GATEWAY_PAGE,
  downloadFailed,
  EXPIRED_CONTAINER,
  missingParameter,
  PERMISSION_MISSING,
  QUOTA_REACHED,
  REVOKED,
  sessionExpired,
  TRANSIENT,
  UNAVAILABLE,
} from './errors';
import { graphError, json, type Params, type Reply, shortcode } from './http';
import { type GraphState, throttled, usage } from './state';

/** Faults both create routes can play; the after-post ones only where a post is made. */
const BEFORE_COMMIT: readonly Fault[] = [
  '429',
  '500',
  '502',
  '503',
  'reset',
  'slow',
  'auth',
  'expired-token',
  'permission',
];
const AFTER_POST: readonly Fault[] = ['timeout', 'crash-after-post', '500-after-post'];

/** The image's type as its name suggests: the sandbox never downloads it to look. */
function guessMimeType(url: string): string {
  const path = URL.canParse(url) ? new URL(url).pathname.toLowerCase() : '';
  if (path.endsWith('.png')) return 'image/png';
  if (path.endsWith('.webp')) return 'image/webp';
  if (path.endsWith('.gif')) return 'image/gif';
  return 'image/jpeg';
}

type Plan = { kind: 'answer'; reply: Reply | undefined } | { kind: 'go'; fault: Fault | undefined };

/** The throttle window, then the fault knobs, before anything is committed. */
export async function beforeCommit(
  g: GraphState,
  a: GraphAccount,
  route: string,
  applicable: readonly Fault[],
  res: ServerResponse,
): Promise<Plan> {
  const now = Date.now();
  if (a.rateLimitedUntil > now) return { kind: 'answer', reply: throttled(g, a, now) };
  const fault = g.sandbox.faults.pick(g.platform, applicable);
  if (fault) g.log.info('sandbox.fault', { platform: g.platform, fault, route });
  switch (fault) {
    case '429':
      a.rateLimitedUntil = now + g.sandbox.faults.resetSeconds * 1000;
      return { kind: 'answer', reply: throttled(g, a, now) };
    case '500':
      return { kind: 'answer', reply: graphError(TRANSIENT, 500) };
    case '502':
      return { kind: 'answer', reply: { kind: 'html', status: 502, html: BAD_GATEWAY_PAGE } };
    case '503':
      return { kind: 'answer', reply: graphError(UNAVAILABLE, 503) };
    case 'reset':
      res.socket?.destroy();
      return { kind: 'answer', reply: undefined };
    case 'auth':
      return { kind: 'answer', reply: graphError(REVOKED) };
    case 'expired-token':
      return { kind: 'answer', reply: graphError(sessionExpired(now)) };
    case 'permission':
      return { kind: 'answer', reply: graphError(PERMISSION_MISSING, 403) };
    case 'slow':
      if (!(await g.delay(g.slowMs))) return { kind: 'answer', reply: undefined };
      return { kind: 'go', fault };
    default:
      return { kind: 'go', fault };
  }
}

export async function createContainer(
  g: GraphState,
  a: GraphAccount,
  params: Params,
  res: ServerResponse,
): Promise<Reply | undefined> {
  const image = params.image_url;
  const applicable: Fault[] = [...BEFORE_COMMIT, 'container-error'];
  if (image) applicable.push('download-failed');
  const plan = await beforeCommit(g, a, `POST /${g.network.edges.container}`, applicable, res);
  if (plan.kind === 'answer') return plan.reply;
  const drafted = g.network.draft(params);
  if (!drafted.ok) return graphError(drafted.error);
  const { draft } = drafted;
  if (draft.replyToId !== undefined && !a.media.has(draft.replyToId)) {
    return graphError(
      g.network.replies?.unknownParent(draft.replyToId) ?? missingParameter('reply_to_id'),
    );
  }
  if (plan.fault === 'download-failed' && draft.imageUrl) {
    return graphError(downloadFailed(draft.imageUrl));
  }
  const now = Date.now();
  const container: Container = {
    ...draft,
    id: g.nextId(),
    createdAt: now,
    readyAt: now + g.readyMs,
    polled: false,
    ends: plan.fault === 'container-error' ? 'ERROR' : 'FINISHED',
  };
  a.containers.set(container.id, container);
  g.log.info('sandbox.container', {
    platform: g.platform,
    id: container.id,
    type: draft.mediaType,
  });
  return json(200, { id: container.id }, usage(g, a, now));
}

export function commit(g: GraphState, a: GraphAccount, container: Container, now: number): Media {
  const code = shortcode();
  const media: Media = {
    mediaType: container.mediaType,
    text: container.text,
    ...(container.imageUrl ? { imageUrl: container.imageUrl } : {}),
    ...(container.altText ? { altText: container.altText } : {}),
    ...(container.linkAttachment ? { linkAttachment: container.linkAttachment } : {}),
    ...(container.replyToId ? { replyToId: container.replyToId } : {}),
    id: g.nextId(),
    shortcode: code,
    permalink: g.network.permalink(a, code),
    createdAt: now,
    containerId: container.id,
  };
  a.media.set(media.id, media);
  container.publishedAt = now;
  container.mediaId = media.id;
  // Replies have a quota of their own (Threads: 1,000 a day), which the sandbox leaves out.
  if (!media.replyToId) a.recordPublish(now);
  const post: Omit<SandboxPost, 'receivedAt'> = {
    platform: g.platform,
    remoteId: media.id,
    inReplyToId: media.replyToId ?? null,
    text: media.text,
    account: a.username,
    url: media.permalink,
  };
  if (media.linkAttachment) post.card = { url: media.linkAttachment };
  if (media.imageUrl) {
    // Meta downloads the image; the sandbox records its URL and never fetches it, so
    // its size is unknown here.
    post.media = [
      {
        mimeType: guessMimeType(media.imageUrl),
        bytes: 0,
        ...(media.altText ? { alt: media.altText } : {}),
      },
    ];
  }
  g.sandbox.posts.add({ ...post, receivedAt: new Date(now).toISOString() });
  g.log.info('sandbox.post', { platform: g.platform, remoteId: media.id, account: a.username });
  return media;
}

export async function publishContainer(
  g: GraphState,
  a: GraphAccount,
  params: Params,
  res: ServerResponse,
): Promise<Reply | undefined> {
  const plan = await beforeCommit(
    g,
    a,
    `POST /${g.network.edges.publish}`,
    [...BEFORE_COMMIT, ...AFTER_POST],
    res,
  );
  if (plan.kind === 'answer') return plan.reply;
  const id = params.creation_id;
  if (!id) return graphError(missingParameter('creation_id'));
  const container = a.containers.get(id);
  const now = Date.now();
  // What a second publish of a PUBLISHED container answers is unconfirmed
  // (docs/networks.md): "not found" here, and never a second post.
  if (!container) return graphError(g.network.notFound(id));
  const state = a.stateOf(container, now, g.ttlMs, false);
  if (state === 'PUBLISHED') return graphError(g.network.notFound(id));
  if (state === 'EXPIRED') return graphError(EXPIRED_CONTAINER);
  if (state !== 'FINISHED') return graphError(g.network.notReady(id));
  if (!container.replyToId && a.quotaUsage(now) >= a.quotaTotal) {
    return graphError(QUOTA_REACHED);
  }

  const media = commit(g, a, container, now);
  return afterCommit(plan.fault, res, () => json(200, { id: media.id }, usage(g, a, now)));
}

/**
 * What a create answers once it has committed, as the fault picked says: nothing, the
 * connection dropped, a 500, or, with no such fault, `ok()`.
 */
export function afterCommit(
  fault: Fault | undefined,
  res: ServerResponse,
  ok: () => Reply,
): Reply | undefined {
  switch (fault) {
    case 'timeout':
      // Committed; no answer until the client gives up (or the sandbox stops).
      return undefined;
    case 'crash-after-post':
      res.socket?.destroy();
      return undefined;
    case '500-after-post':
      return graphError(TRANSIENT, 500);
    default:
      return ok();
  }
}
