/**
 * Reads an X post's counts: `GET /2/tweets/:id` with `public_metrics` (likes, reposts,
 * replies, quotes, impressions), and while the post is under 30 days old its
 * `non_public_metrics` too, which only the author's user context may see and which alone
 * count link clicks (docs/networks.md, Engagement metrics, X). Each read is billed.
 */
import type { TTweetv2TweetField } from 'twitter-api-v2';
import * as z from 'zod';
import type { Counts } from '../../domain/metrics';
import type { MetricsCall, MetricsOutcome } from '../client';
import { apiFor, within } from './api';
import { parseXCredentials } from './credentials';
import { metricsFailure } from './errors';

/** X gives non-public metrics only for posts created in the last 30 days. */
export const PRIVATE_METRICS_DAYS = 30;
const X_EPOCH_MS = 1288834974657n;
const count = z.number().int().min(0);

const answerSchema = z.object({
  data: z
    .object({
      id: z.string(),
      public_metrics: z
        .object({
          like_count: count,
          // X's docs and its answers say retweet_count; its OpenAPI description (2.167)
          // renames it repost_count, as it renames tweet.fields post.fields: either counts.
          retweet_count: count.optional(),
          repost_count: count.optional(),
          reply_count: count,
          quote_count: count.optional(),
          impression_count: count.optional(),
        })
        .optional(),
      non_public_metrics: z
        .object({ impression_count: count.optional(), url_link_clicks: count.optional() })
        .optional(),
    })
    .optional(),
  errors: z
    .array(
      z.object({
        type: z.string().optional(),
        title: z.string().optional(),
        detail: z.string().optional(),
      }),
    )
    .optional(),
});

type Answer = z.output<typeof answerSchema>;

/** When X minted an id (its top bits count milliseconds since X's epoch). */
function idTime(id: string): number {
  return Number((BigInt(id) >> 22n) + X_EPOCH_MS);
}

/** The fields to ask for: the private ones only while X still gives them. */
export function metricsFields(id: string, now = Date.now()): TTweetv2TweetField[] {
  const fresh = now - idTime(id) < PRIVATE_METRICS_DAYS * 86_400_000;
  return fresh ? ['public_metrics', 'non_public_metrics'] : ['public_metrics'];
}

/** What X answered, as an outcome: the counts, or why there are none. */
export function metricsOutcome(answer: unknown): MetricsOutcome {
  const parsed = answerSchema.safeParse(answer);
  if (!parsed.success) {
    return { kind: 'retry', message: 'X answered the metrics read in an unknown shape' };
  }
  const { data, errors = [] } = parsed.data;
  const said = errors
    .map((e) => e.detail ?? e.title)
    .filter(Boolean)
    .join('; ');
  if (!data) {
    if (errors.some((e) => e.type?.endsWith('/resource-not-found'))) {
      return { kind: 'gone', message: `X no longer has the post${said ? `: ${said}` : ''}` };
    }
    return { kind: 'rejected', message: `X gave no metrics${said ? `: ${said}` : ''}` };
  }
  return countsOf(data);
}

function countsOf(data: NonNullable<Answer['data']>): MetricsOutcome {
  const open = data.public_metrics;
  if (!open) return { kind: 'retry', message: 'X answered the post without its public metrics' };
  const hidden = data.non_public_metrics;
  const views = open.impression_count ?? hidden?.impression_count;
  const reposts = open.retweet_count ?? open.repost_count;
  if (reposts === undefined) {
    return { kind: 'retry', message: 'X answered the public metrics without a repost count' };
  }
  const counts: Counts = {
    likes: open.like_count,
    reposts,
    replies: open.reply_count,
    ...(open.quote_count !== undefined ? { quotes: open.quote_count } : {}),
    ...(views !== undefined ? { views } : {}),
    ...(hidden?.url_link_clicks !== undefined ? { clicks: hidden.url_link_clicks } : {}),
  };
  return { kind: 'read', counts };
}

export async function metrics(call: MetricsCall): Promise<MetricsOutcome> {
  const id = call.share.remoteId;
  if (!id || !/^\d{1,19}$/.test(id)) {
    return { kind: 'rejected', message: 'The share has no X post id to read' };
  }
  const parsed = parseXCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const api = apiFor(parsed.credentials, deadline);
  try {
    const answer = await within(
      api.v2.singleTweet(id, { 'tweet.fields': metricsFields(id) }),
      deadline,
    );
    return metricsOutcome(answer);
  } catch (error) {
    return metricsFailure(error, call.timeoutMs);
  }
}
