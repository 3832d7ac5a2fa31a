/**
 * The insights edge of the Meta sandboxes (`GET /{media-id}/insights?metric=…`, and the
 * Facebook Page post's): each metric a number the audience model gives for the post at
 * the moment it is asked (kit/audience.ts), in Graph's insights shape. A post is known
 * to the audience by its account, the article link it carries and when it went out.
 */
import type { Platform } from '../../../../shared/domain/platform';
import { type AudienceCounts, type AudiencePost, countsAt } from '../kit/audience';
import type { GraphErrorFields } from './http';

/** One metric a network answers: the audience count it is, and Graph's title for it. */
export type InsightMetric = {
  value(counts: AudienceCounts): number;
  title: string;
  description: string;
};

export type InsightMetrics = Record<string, InsightMetric>;

const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/;

/** The article a post carries: its link card, else the first URL in its text, else itself. */
export function articleLinkOf(text: string, link: string | undefined, permalink: string): string {
  return link ?? URL_IN_TEXT.exec(text)?.[0] ?? permalink;
}

export function audiencePost(
  platform: Platform,
  account: string,
  url: string,
  publishedAt: number,
): AudiencePost {
  return { platform, account, url, publishedAt };
}

/** Graph's refusal of an insights request without `metric` (code 3001, subcode 1504028). */
export const NO_METRIC: GraphErrorFields = {
  message:
    '(#3001) No metric was specified to be fetched. Please specify one or more metrics to be fetched and try again.',
  code: 3001,
  error_subcode: 1504028,
};

/** A metric the network does not serve (never served, or retired). */
export const invalidMetric = (name: string): GraphErrorFields => ({
  message: `(#100) The value must be a valid insights metric (${name})`,
  code: 100,
});

/**
 * The metrics asked for, in order, or the error Graph answers: none asked, or one the
 * network does not serve (`retired` may word that one's refusal its own way).
 */
export function askedMetrics(
  metric: string | undefined,
  served: InsightMetrics,
  retired: Record<string, GraphErrorFields> = {},
): { ok: true; names: string[] } | { ok: false; error: GraphErrorFields } {
  const names = (metric ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (names.length === 0) return { ok: false, error: NO_METRIC };
  for (const name of names) {
    const gone = retired[name];
    if (gone) return { ok: false, error: gone };
    if (!Object.hasOwn(served, name)) return { ok: false, error: invalidMetric(name) };
  }
  return { ok: true, names: [...new Set(names)] };
}

/** `{ data: [{ name, period, values: [{ value }], title, description, id }] }`, as Graph answers. */
export function insightsBody(
  objectId: string,
  names: readonly string[],
  served: InsightMetrics,
  counts: AudienceCounts | undefined,
): { data: unknown[] } {
  // Before the post has any (Instagram's lag), Graph answers an empty list, not zeros.
  if (!counts) return { data: [] };
  return {
    data: names.flatMap((name) => {
      const metric = served[name];
      if (!metric) return [];
      return [
        {
          name,
          period: 'lifetime',
          values: [{ value: metric.value(counts) }],
          title: metric.title,
          description: metric.description,
          id: `${objectId}/insights/${name}/lifetime`,
        },
      ];
    }),
  };
}

/** The post's counts now, from the audience model. */
export const countsNow = (post: AudiencePost, now = Date.now()): AudienceCounts =>
  countsAt(post, now);
