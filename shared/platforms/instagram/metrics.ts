/**
 * An Instagram post's counts (docs/networks.md, "Engagement metrics"): its insights
 * (`views`, which replaced `impressions` for media since 2025, `likes`, `comments`,
 * `shares`), and while those are not there yet (Meta's data lags up to 48 hours, and
 * answers an empty list meanwhile) the media's own `like_count` and `comments_count`.
 * Insights need a professional (business or creator) account: a refusal for that is
 * `rejected`, not a token matter.
 */
import * as z from 'zod';
import type { Counts } from '../../domain/metrics';
import type { MetricsOutcome } from '../client';
import type { Call } from '../meta/call';
import type { GraphError } from '../meta/errors';
import { graphRequest } from '../meta/graph';
import { insightValues, metricsFailure, wholeCount } from '../meta/insights';

export const INSTAGRAM_METRICS = 'views,likes,comments,shares';

/** "(#10) Not enough viewers for the media to show insights": no insights yet, not an error. */
const NOT_ENOUGH_VIEWERS = /not enough viewers/i;
/** "Media Posted Before Business Account Conversion", and the refusals for a personal account. */
const BEFORE_CONVERSION = 2108006;
const NOT_PROFESSIONAL = /business account|creator account|professional account|not.*business/i;

const mediaCountsSchema = z.object({
  like_count: z.unknown().optional(),
  comments_count: z.unknown().optional(),
});

/** Why an insights refusal is about the account rather than the token, if it is. */
export function accountRefusal(error: GraphError | undefined): string | undefined {
  if (!error) return undefined;
  if (error.error_subcode === BEFORE_CONVERSION) {
    return 'the post was made before the account became a professional account';
  }
  const said = [error.message, error.error_user_msg].filter(Boolean).join(' ');
  if ((error.code === 10 || error.code === 100) && NOT_PROFESSIONAL.test(said)) {
    return 'insights need a business or creator account';
  }
  return undefined;
}

/**
 * The counts from the insights, topped up by the media's own counts for what the
 * insights do not have yet. Shares exist only in the insights: zero until they come.
 */
export function instagramCounts(
  insights: Map<string, number>,
  media: { likes?: number; comments?: number } = {},
): Counts {
  const views = insights.get('views');
  return {
    likes: insights.get('likes') ?? media.likes ?? 0,
    reposts: insights.get('shares') ?? 0,
    replies: insights.get('comments') ?? media.comments ?? 0,
    ...(views !== undefined ? { views } : {}),
  };
}

async function mediaCounts(
  call: Call,
  mediaId: string,
): Promise<
  { ok: true; likes?: number; comments?: number } | { ok: false; outcome: MetricsOutcome }
> {
  const answer = await graphRequest(call.api, 'GET', `/${mediaId}`, {
    fields: 'like_count,comments_count',
  });
  if (!answer.ok) {
    return { ok: false, outcome: metricsFailure('Instagram', answer.failure, call.timeoutMs) };
  }
  const parsed = mediaCountsSchema.safeParse(answer.body);
  if (!parsed.success) {
    return {
      ok: false,
      outcome: { kind: 'retry', message: 'Instagram answered the media in an unknown shape' },
    };
  }
  return {
    ok: true,
    likes: wholeCount(parsed.data.like_count),
    comments: wholeCount(parsed.data.comments_count),
  };
}

export async function readInstagramMetrics(call: Call, mediaId: string): Promise<MetricsOutcome> {
  const answer = await graphRequest(call.api, 'GET', `/${mediaId}/insights`, {
    metric: INSTAGRAM_METRICS,
  });
  let insights = new Map<string, number>();
  if (answer.ok) {
    const values = insightValues(answer.body);
    if (!values) {
      return { kind: 'retry', message: 'Instagram answered the insights in an unknown shape' };
    }
    insights = values;
  } else {
    const { failure } = answer;
    const error = failure.kind === 'http' ? failure.error : undefined;
    const refused = accountRefusal(error);
    if (refused) return { kind: 'rejected', message: `Instagram gives no insights: ${refused}` };
    if (!NOT_ENOUGH_VIEWERS.test(error?.message ?? '')) {
      return metricsFailure('Instagram', failure, call.timeoutMs);
    }
  }
  if (insights.has('likes') && insights.has('comments')) {
    return { kind: 'read', counts: instagramCounts(insights) };
  }
  // The insights lag (or are too few to show): the media's own counts meanwhile.
  const media = await mediaCounts(call, mediaId);
  if (!media.ok) return media.outcome;
  return { kind: 'read', counts: instagramCounts(insights, media) };
}
