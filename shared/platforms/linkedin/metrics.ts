/**
 * A LinkedIn post's counts (docs/networks.md, "Engagement metrics"): likes and comments
 * from its social actions (`GET /rest/socialActions/{urn}`), and for a Page's post its
 * lifetime share statistics (`GET /rest/organizationalEntityShareStatistics`: shares,
 * impressions, clicks), which need `rw_organization_admin` and the ADMINISTRATOR role.
 * A member's own post has no statistics in the API: likes and comments only, and those
 * need LinkedIn's restricted `r_member_social`.
 */
import * as z from 'zod';
import type { Counts } from '../../domain/metrics';
import type { MetricsCall, MetricsOutcome } from '../client';
import { type Exchange, restCall } from '../rest/http';
import { type Api, POST_URN, rest } from './api';
import { parseLinkedInCredentials } from './credentials';
import { describe, refusal } from './errors';

const countSchema = z.number().int().min(0);

const socialActionsSchema = z.object({
  likesSummary: z
    .object({ totalLikes: countSchema.optional(), aggregatedTotalLikes: countSchema.optional() })
    .optional(),
  commentsSummary: z
    .object({
      totalFirstLevelComments: countSchema.optional(),
      aggregatedTotalComments: countSchema.optional(),
    })
    .optional(),
});

const statisticsSchema = z.object({
  elements: z.array(
    z.object({
      share: z.string().optional(),
      ugcPost: z.string().optional(),
      totalShareStatistics: z.object({
        shareCount: countSchema.optional(),
        impressionCount: countSchema.optional(),
        clickCount: countSchema.optional(),
        likeCount: countSchema.optional(),
        commentCount: countSchema.optional(),
      }),
    }),
  ),
});

/** Likes and comments (replies to replies included) from a socialActions answer. */
export function socialActionCounts(body: unknown): Counts | undefined {
  const parsed = socialActionsSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { likesSummary: likes, commentsSummary: comments } = parsed.data;
  return {
    likes: likes?.totalLikes ?? likes?.aggregatedTotalLikes ?? 0,
    reposts: 0,
    replies: comments?.aggregatedTotalComments ?? comments?.totalFirstLevelComments ?? 0,
  };
}

/** The post's statistics over the social actions': shares, impressions and clicks. */
export function withShareStatistics(
  counts: Counts,
  body: unknown,
  urn: string,
): Counts | undefined {
  const parsed = statisticsSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const element =
    parsed.data.elements.find((e) => e.share === urn || e.ugcPost === urn) ??
    (parsed.data.elements.length === 1 ? parsed.data.elements[0] : undefined);
  // No row yet: LinkedIn has not counted the post; the social actions stand alone.
  if (!element) return counts;
  const stats = element.totalShareStatistics;
  return {
    ...counts,
    reposts: stats.shareCount ?? counts.reposts,
    ...(stats.impressionCount !== undefined ? { views: stats.impressionCount } : {}),
    ...(stats.clickCount !== undefined ? { clicks: stats.clickCount } : {}),
  };
}

type Failed = Exclude<MetricsOutcome, { kind: 'read' }>;

/** A read that did not give counts: the post gone, a refusal, or something to try again. */
function failed(api: Api, result: Exchange, what: string, member: boolean): Failed | undefined {
  if (!result.ok) {
    return {
      kind: 'retry',
      message:
        result.failure === 'timeout'
          ? `No answer from LinkedIn to ${what} within ${api.timeoutMs} ms`
          : `Could not read ${what} from LinkedIn (${result.detail})`,
    };
  }
  const { answer } = result;
  if (answer.status >= 200 && answer.status <= 299) return undefined;
  const message = `${describe(answer)} to ${what}`;
  if (answer.status === 404 || answer.status === 410) {
    return { kind: 'gone', message: `${message}: the post is no longer on LinkedIn` };
  }
  if (member && answer.status === 403) {
    return {
      kind: 'rejected',
      message: `${message}: LinkedIn gives a member's post counts only to apps approved for r_member_social`,
    };
  }
  const refused = refusal(api, answer, message);
  if (refused) return refused;
  if (answer.status >= 500) return { kind: 'retry', message };
  return { kind: 'rejected', message };
}

/** `shares=List(urn%3Ali%3Ashare%3A…)`: Rest.li 2.0 wants the list's brackets as they are. */
export function statisticsPath(organization: string, urn: string): string {
  const key = urn.startsWith('urn:li:ugcPost:') ? 'ugcPosts' : 'shares';
  return `/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${encodeURIComponent(organization)}&${key}=List(${encodeURIComponent(urn)})`;
}

export async function readLinkedInMetrics(call: MetricsCall): Promise<MetricsOutcome> {
  const urn = call.share.remoteId;
  if (!urn || !POST_URN.test(urn)) {
    return { kind: 'rejected', message: 'The share has no LinkedIn post URN to read counts of' };
  }
  const parsed = parseLinkedInCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const api = restCall(parsed.credentials, call.timeoutMs);
  const { author } = api.credentials;
  const member = author.startsWith('urn:li:person:');

  const social = await rest(api, `/rest/socialActions/${encodeURIComponent(urn)}`, {
    method: 'GET',
    restli: 'GET',
  });
  const socialFailed = failed(api, social, 'the post social actions', member);
  if (socialFailed) return socialFailed;
  const counts = social.ok ? socialActionCounts(social.answer.body) : undefined;
  if (!counts) {
    return { kind: 'retry', message: 'LinkedIn answered the social actions in an unknown shape' };
  }
  if (member) return { kind: 'read', counts };

  const statistics = await rest(api, statisticsPath(author, urn), {
    method: 'GET',
    restli: 'FINDER',
  });
  const statisticsFailed = failed(api, statistics, 'the share statistics', false);
  if (statisticsFailed) return statisticsFailed;
  const full = statistics.ok ? withShareStatistics(counts, statistics.answer.body, urn) : undefined;
  if (!full) {
    return { kind: 'retry', message: 'LinkedIn answered the share statistics in an unknown shape' };
  }
  return { kind: 'read', counts: full };
}
