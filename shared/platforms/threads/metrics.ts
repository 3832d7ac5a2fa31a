/**
 * A Threads post's counts: `GET /{threads-media-id}/insights` with views, likes, replies,
 * reposts and quotes (threads_manage_insights; docs/networks.md, "Engagement metrics").
 * Threads counts no link clicks per post.
 */
import type { Counts } from '../../domain/metrics';
import type { MetricsOutcome } from '../client';
import type { Call } from '../meta/call';
import { graphRequest } from '../meta/graph';
import { insightValues, metricsFailure } from '../meta/insights';

export const THREADS_METRICS = 'views,likes,replies,reposts,quotes';

/**
 * The insights as Crier's counts. A metric Threads leaves out counts zero where the counts
 * need one (likes, reposts, replies) and is left out otherwise (views, quotes).
 */
export function threadsCounts(values: Map<string, number>): Counts {
  const views = values.get('views');
  const quotes = values.get('quotes');
  return {
    likes: values.get('likes') ?? 0,
    reposts: values.get('reposts') ?? 0,
    replies: values.get('replies') ?? 0,
    ...(quotes !== undefined ? { quotes } : {}),
    ...(views !== undefined ? { views } : {}),
  };
}

export async function readThreadsMetrics(call: Call, mediaId: string): Promise<MetricsOutcome> {
  const answer = await graphRequest(call.api, 'GET', `/${mediaId}/insights`, {
    metric: THREADS_METRICS,
  });
  if (!answer.ok) return metricsFailure('Threads', answer.failure, call.timeoutMs);
  const values = insightValues(answer.body);
  if (!values) {
    return { kind: 'retry', message: 'Threads answered the insights in an unknown shape' };
  }
  return { kind: 'read', counts: threadsCounts(values) };
}
