/**
 * Reads a Bluesky post's counts with app.bsky.feed.getPosts: likes, reposts, replies and
 * quotes as the AppView counts them (the PDS passes the read on to it). Bluesky counts no
 * views and no link clicks. A deleted post is simply missing from the answer
 * (docs/networks.md, Engagement metrics, Bluesky).
 */
import * as z from 'zod';
import type { Counts } from '../../domain/metrics';
import type { MetricsCall, MetricsOutcome } from '../client';
import { parseBlueskyCredentials } from './credentials';
import { metricsFailure } from './errors';
import { inSession, type PooledAgent } from './session';

const POST_URI = /^at:\/\/did:[^/]+\/app\.bsky\.feed\.post\/[^/]+$/;
const STEP = 'app.bsky.feed.getPosts';
const count = z.number().int().min(0);

const postsSchema = z.object({
  posts: z.array(
    z.object({
      uri: z.string(),
      likeCount: count.optional(),
      repostCount: count.optional(),
      replyCount: count.optional(),
      quoteCount: count.optional(),
    }),
  ),
});

/** What getPosts answered for `uri`, as an outcome. */
export function metricsOutcome(uri: string, answer: unknown): MetricsOutcome {
  const parsed = postsSchema.safeParse(answer);
  if (!parsed.success) {
    return { kind: 'retry', message: `Bluesky answered ${STEP} in an unknown shape` };
  }
  const post = parsed.data.posts.find((p) => p.uri === uri);
  if (!post) {
    return { kind: 'gone', message: `Bluesky no longer shows the post (${uri}): it was deleted` };
  }
  // The AppView leaves a count out while it is zero.
  const counts: Counts = {
    likes: post.likeCount ?? 0,
    reposts: post.repostCount ?? 0,
    replies: post.replyCount ?? 0,
    quotes: post.quoteCount ?? 0,
  };
  return { kind: 'read', counts };
}

type Read = { ok: true; answer: unknown } | { ok: false; error: unknown };

async function getPosts(pooled: PooledAgent, uri: string): Promise<Read> {
  try {
    const response = await pooled.agent.app.bsky.feed.getPosts({ uris: [uri] });
    return { ok: true, answer: response.data };
  } catch (error) {
    return { ok: false, error };
  }
}

export async function metrics(call: MetricsCall): Promise<MetricsOutcome> {
  const uri = call.share.remoteId ?? '';
  if (!POST_URI.test(uri)) {
    return { kind: 'rejected', message: 'The share has no Bluesky post URI to read' };
  }
  const parsed = parseBlueskyCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  return inSession(
    parsed.credentials,
    call,
    (error, deadline) => metricsFailure(error, 'the login', deadline),
    async ({ pooled, deadline, attempt }) => {
      const read = await attempt(() => getPosts(pooled, uri));
      if (read.ok) return metricsOutcome(uri, read.answer);
      const step = 'login' in read ? 'the login' : STEP;
      return metricsFailure(read.error, step, deadline);
    },
  );
}
