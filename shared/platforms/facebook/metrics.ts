/**
 * A Facebook Page post's counts (docs/networks.md, "Engagement metrics"): reactions,
 * comments and shares from the post itself (`summary(total_count)`), then its views and
 * clicks from the Page post insights. Meta retired `post_impressions*` in 2025 for the
 * `views` family: `post_media_view` (how often the post was on screen) stands in for
 * impressions. Insights need `read_insights` and a person who may ANALYZE on the Page;
 * without them (or should Meta retire a metric again) the counts come without views and
 * clicks rather than not at all.
 */
import * as z from 'zod';
import type { Counts } from '../../domain/metrics';
import type { MetricsCall, MetricsOutcome } from '../client';
import { isPermissionCode } from '../meta/errors';
import { type GraphApi, graphRequest } from '../meta/graph';
import { insightValues, isMissingObject, metricsFailure, wholeCount } from '../meta/insights';
import { parseFacebookCredentials } from './credentials';

const GRAPH = 'https://graph.facebook.com';

/** Every reaction (like, love, haha...) and the top-level comments, counted without a page of them. */
export const FACEBOOK_POST_FIELDS =
  'reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares';
/** Views (the 2025 replacement of `post_impressions`) and clicks anywhere in the post. */
export const FACEBOOK_POST_METRICS = 'post_media_view,post_clicks';

const summarySchema = z
  .object({ summary: z.object({ total_count: z.unknown() }).optional() })
  .optional();

const postCountsSchema = z.object({
  id: z.string(),
  reactions: summarySchema,
  comments: summarySchema,
  // Graph leaves `shares` out of a post nobody has shared.
  shares: z.object({ count: z.unknown() }).optional(),
});

/** The post object's counts; undefined when the answer is not a post. */
export function facebookPostCounts(body: unknown): Counts | undefined {
  const parsed = postCountsSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { reactions, comments, shares } = parsed.data;
  return {
    likes: wholeCount(reactions?.summary?.total_count) ?? 0,
    reposts: wholeCount(shares?.count) ?? 0,
    replies: wholeCount(comments?.summary?.total_count) ?? 0,
  };
}

/** The insights' views and clicks, where the answer has them. */
export function facebookInsightCounts(
  values: Map<string, number>,
): Pick<Counts, 'views' | 'clicks'> {
  const views = values.get('post_media_view');
  const clicks = values.get('post_clicks');
  return {
    ...(views !== undefined ? { views } : {}),
    ...(clicks !== undefined ? { clicks } : {}),
  };
}

export async function readFacebookMetrics(call: MetricsCall): Promise<MetricsOutcome> {
  const id = call.share.remoteId;
  if (!id) return { kind: 'rejected', message: 'The share has no post id to read counts of' };
  const parsed = parseFacebookCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const { apiBase, apiVersion, pageAccessToken } = parsed.credentials;
  const api: GraphApi = {
    base: `${apiBase ?? GRAPH}/${apiVersion}`,
    accessToken: pageAccessToken,
    signal: AbortSignal.timeout(call.timeoutMs),
  };
  const clean = <T extends MetricsOutcome>(outcome: T): T =>
    'message' in outcome
      ? { ...outcome, message: outcome.message.split(pageAccessToken).join('[token]') }
      : outcome;

  const post = await graphRequest(api, 'GET', `/${id}`, { fields: FACEBOOK_POST_FIELDS });
  if (!post.ok) return clean(metricsFailure('Facebook', post.failure, call.timeoutMs));
  const counts = facebookPostCounts(post.body);
  if (!counts) return { kind: 'retry', message: 'Facebook answered the post in an unknown shape' };

  const insights = await graphRequest(api, 'GET', `/${id}/insights`, {
    metric: FACEBOOK_POST_METRICS,
  });
  if (insights.ok) {
    const values = insightValues(insights.body);
    return {
      kind: 'read',
      counts: { ...counts, ...(values ? facebookInsightCounts(values) : {}) },
    };
  }
  const { failure } = insights;
  const error = failure.kind === 'http' ? failure.error : undefined;
  const code = error?.code;
  // No right to the insights, or a metric Meta no longer serves: the post's own counts still hold.
  if (code !== undefined && (isPermissionCode(code) || (code === 100 && !isMissingObject(error)))) {
    return { kind: 'read', counts };
  }
  return clean(metricsFailure('Facebook', failure, call.timeoutMs));
}
