/**
 * A post's counts in the LinkedIn sandbox, from the audience model (kit/audience.ts):
 * `GET /rest/socialActions/{urn}` (likes and comments) and
 * `GET /rest/organizationalEntityShareStatistics` (shares, impressions, clicks), the
 * second for the organization's administrator only (`rw_organization_admin`).
 */
import { type AudienceCounts, countsAt } from '../kit/audience';
import { accessDenied, answer, badRequest, notFound, rateLimited } from './serialize';
import { type Exchange, PLATFORM, type StoredPost } from './state';

const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/;

/** The post's counts now: its account, the article it links (its card, else its text), its age. */
export function countsOf(ex: Exchange, post: StoredPost, now = Date.now()): AudienceCounts {
  const url =
    post.article?.source ??
    URL_IN_TEXT.exec(post.text)?.[0] ??
    `https://www.linkedin.com/feed/update/${post.id}/`;
  return countsAt(
    { platform: PLATFORM, account: ex.account.name, url, publishedAt: post.createdAt },
    now,
  );
}

/** An activity URN for the post, as socialActions answers `$URN` (LinkedIn's are the post's id). */
const activityOf = (urn: string) => `urn:li:activity:${urn.slice(urn.lastIndexOf(':') + 1)}`;

export function readSocialActions(ex: Exchange, urn: string) {
  // A throttle (the `429` fault on a create) holds for every call until it lifts.
  if (ex.account.rateLimitedUntil > Date.now()) return rateLimited(ex.res);
  const post = ex.state.livePost(ex.account, urn);
  if (!post) return notFound(ex.res, urn);
  const counts = countsOf(ex, post);
  answer(ex.res, 200, {
    $URN: activityOf(urn),
    target: urn,
    likesSummary: {
      selectedLikes: [],
      aggregatedTotalLikes: counts.likes,
      likedByCurrentUser: false,
      totalLikes: counts.likes,
    },
    commentsSummary: {
      selectedComments: [],
      totalFirstLevelComments: counts.replies,
      commentsState: 'OPEN',
      aggregatedTotalComments: counts.replies,
    },
  });
}

/** `List(urn%3Ali%3Ashare%3A1,…)` as the query decodes it: the URNs, or undefined if malformed. */
function listOf(value: string | null): string[] | undefined {
  if (value === null) return [];
  const match = /^List\((.*)\)$/.exec(value);
  if (!match) return undefined;
  return (match[1] ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
}

function statistics(counts: AudienceCounts) {
  const engaged = counts.likes + counts.replies + counts.reposts + counts.clicks;
  return {
    uniqueImpressionsCount: Math.floor(counts.views * 0.8),
    shareCount: counts.reposts,
    engagement: counts.views > 0 ? engaged / counts.views : 0,
    clickCount: counts.clicks,
    likeCount: counts.likes,
    impressionCount: counts.views,
    commentCount: counts.replies,
  };
}

const sum = (rows: AudienceCounts[]): AudienceCounts =>
  rows.reduce(
    (total, c) => ({
      views: total.views + c.views,
      likes: total.likes + c.likes,
      reposts: total.reposts + c.reposts,
      replies: total.replies + c.replies,
      quotes: total.quotes + c.quotes,
      clicks: total.clicks + c.clicks,
    }),
    { views: 0, likes: 0, reposts: 0, replies: 0, quotes: 0, clicks: 0 },
  );

/**
 * `q=organizationalEntity`: one row per post named in `shares=List(…)` or
 * `ugcPosts=List(…)` (a post not of the organization, or deleted, has none), or the
 * organization's lifetime totals when none is named.
 */
export function readShareStatistics(ex: Exchange) {
  if (ex.account.rateLimitedUntil > Date.now()) return rateLimited(ex.res);
  const query = ex.url.searchParams;
  if (query.get('q') !== 'organizationalEntity') {
    return badRequest(ex.res, `Invalid finder: ${query.get('q') ?? '(none)'}`);
  }
  const organization = query.get('organizationalEntity') ?? '';
  const resource = 'organizationalEntityShareStatistics.FINDER-organizationalEntity';
  if (organization !== ex.account.author) return accessDenied(ex.res, resource, ex.version);
  if (ex.scopes && !ex.scopes.includes('rw_organization_admin')) {
    return accessDenied(ex.res, resource, ex.version);
  }
  const shares = listOf(query.get('shares'));
  const ugcPosts = listOf(query.get('ugcPosts'));
  if (!shares || !ugcPosts) return badRequest(ex.res, 'shares and ugcPosts must be List(…)');
  const named = [
    ...shares.map((urn) => ({ key: 'share', urn })),
    ...ugcPosts.map((urn) => ({ key: 'ugcPost', urn })),
  ];
  const now = Date.now();
  const elements =
    named.length > 0
      ? named.flatMap(({ key, urn }) => {
          const post = ex.state.livePost(ex.account, urn);
          if (!post) return [];
          return [
            {
              totalShareStatistics: statistics(countsOf(ex, post, now)),
              organizationalEntity: organization,
              [key]: urn,
            },
          ];
        })
      : [
          {
            totalShareStatistics: statistics(
              sum(ex.account.posts.filter((p) => !p.deleted).map((p) => countsOf(ex, p, now))),
            ),
            organizationalEntity: organization,
          },
        ];
  answer(ex.res, 200, { paging: { start: 0, count: 10, links: [] }, elements });
}
