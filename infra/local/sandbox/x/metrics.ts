/**
 * A post's metrics as X's `GET /2/tweets/:id` gives them with `tweet.fields`:
 * `public_metrics` to anyone, `non_public_metrics` and `organic_metrics` (link clicks among
 * them) only to the author's user context and only for a post under 30 days old; older,
 * X leaves those fields out and says why in `errors`. The counts come from the sandbox's
 * audience model (docs/networks.md, Engagement metrics).
 */
import { engagementAt } from '../kit/engagement';
import type { StoredTweet } from './account';
import type { Exchange } from './http';

/** The fields that make a lookup a metrics read (and let the read faults play on it). */
export const METRICS_FIELDS = ['public_metrics', 'non_public_metrics', 'organic_metrics'];
const PRIVATE_WINDOW_MS = 30 * 86_400_000;

/** X's partial error for a field the caller may not see on this post. */
function fieldRefusal(id: string, field: string) {
  return {
    value: id,
    detail: `Sorry, you are not authorized to access '${field}' on the Tweet with ids: [${id}].`,
    title: 'Field Authorization Error',
    resource_type: 'tweet',
    parameter: field,
    resource_id: id,
    field,
    section: 'data',
    type: 'https://api.twitter.com/2/problems/not-authorized-for-field',
  };
}

/** The metrics fields asked for, and the partial errors for those X withholds. */
export function tweetMetrics(ex: Exchange, tweet: StoredTweet, fields: Set<string>, now: number) {
  const counts = engagementAt(ex.posts, 'x', tweet.id, now) ?? {
    views: 0,
    likes: 0,
    reposts: 0,
    replies: 0,
    quotes: 0,
    clicks: 0,
  };
  const hasLink = tweet.urls.length > 0;
  const profileClicks = Math.floor(counts.clicks / 3);
  const fresh = now - tweet.createdAt < PRIVATE_WINDOW_MS;
  const metrics: Record<string, unknown> = {};
  const errors: ReturnType<typeof fieldRefusal>[] = [];
  if (fields.has('public_metrics')) {
    metrics.public_metrics = {
      retweet_count: counts.reposts,
      reply_count: counts.replies,
      like_count: counts.likes,
      quote_count: counts.quotes,
      bookmark_count: Math.floor(counts.likes / 10),
      impression_count: counts.views,
    };
  }
  for (const field of ['non_public_metrics', 'organic_metrics']) {
    if (!fields.has(field)) continue;
    if (!fresh) {
      errors.push(fieldRefusal(tweet.id, field));
      continue;
    }
    metrics[field] = {
      impression_count: counts.views,
      ...(hasLink ? { url_link_clicks: counts.clicks } : {}),
      user_profile_clicks: profileClicks,
      ...(field === 'organic_metrics'
        ? {
            like_count: counts.likes,
            reply_count: counts.replies,
            retweet_count: counts.reposts,
          }
        : {}),
    };
  }
  return { metrics, errors };
}
