/**
 * A Page post's insights (`GET /{page-post-id}/insights?metric=…`): views and clicks from
 * the audience model. Meta retired the `post_impressions*` family in 2025 for the views
 * metrics (`post_media_view`, `post_total_media_view_unique`); asking for a retired one
 * gets Graph's invalid-metric refusal, as on Facebook.
 */
import { sendJson } from '../kit/http';
import {
  articleLinkOf,
  askedMetrics,
  audiencePost,
  countsNow,
  type InsightMetrics,
  insightsBody,
  invalidMetric,
} from '../meta/insights';
import { unsupported } from './graph';
import { fail, permalink, throttled } from './serialize';
import type { Exchange } from './state';

const METRICS: InsightMetrics = {
  post_media_view: {
    value: (c) => c.views,
    title: 'Lifetime Post media views',
    description: 'Lifetime: The number of times your post was on screen.',
  },
  post_total_media_view_unique: {
    value: (c) => Math.floor(c.views * 0.8),
    title: 'Lifetime Post total media viewers',
    description: 'Lifetime: The number of people who saw your post at least once.',
  },
  post_clicks: {
    value: (c) => c.clicks,
    title: 'Lifetime Post Clicks',
    description: 'Lifetime: The number of clicks anywhere in your post.',
  },
};

const RETIRED = Object.fromEntries(
  [
    'post_impressions',
    'post_impressions_unique',
    'post_impressions_paid',
    'post_impressions_paid_unique',
    'post_impressions_fan',
    'post_impressions_fan_unique',
    'post_impressions_organic',
    'post_impressions_organic_unique',
    'post_impressions_viral',
    'post_impressions_viral_unique',
    'post_impressions_nonviral',
    'post_impressions_nonviral_unique',
  ].map((name) => [name, invalidMetric(name)]),
);

export function readPostInsights(ex: Exchange, id: string) {
  // A throttle (the `429` fault on a create) holds for every call until it lifts.
  if (ex.page.rateLimitedUntil > Date.now()) return throttled(ex);
  const post = ex.state.livePost(ex.page, id);
  if (!post) return fail(ex, 400, unsupported('get', id));
  const asked = askedMetrics(ex.params.get('metric'), METRICS, RETIRED);
  if (!asked.ok) return fail(ex, 400, asked.error);
  const counts = countsNow(
    audiencePost(
      'facebook',
      ex.page.name,
      articleLinkOf(post.message, post.link, permalink(post)),
      post.createdAt,
    ),
  );
  sendJson(
    ex.res,
    200,
    { ...insightsBody(post.id, asked.names, METRICS, counts), paging: {} },
    ex.state.usageHeader(ex.page),
  );
}
