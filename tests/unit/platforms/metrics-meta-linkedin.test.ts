/**
 * How the Threads, Instagram, Facebook and LinkedIn clients read the networks' count
 * answers (in the shapes their docs show) and map a failed read onto a metrics outcome.
 */
import { describe, expect, it } from 'vitest';
import {
  facebookInsightCounts,
  facebookPostCounts,
} from '../../../shared/platforms/facebook/metrics';
import { accountRefusal, instagramCounts } from '../../../shared/platforms/instagram/metrics';
import {
  socialActionCounts,
  statisticsPath,
  withShareStatistics,
} from '../../../shared/platforms/linkedin/metrics';
import type { GraphFailure } from '../../../shared/platforms/meta/errors';
import { insightValues, metricsFailure } from '../../../shared/platforms/meta/insights';
import { threadsCounts } from '../../../shared/platforms/threads/metrics';

const insight = (name: string, value: unknown, id = '17900000000000001') => ({
  name,
  period: 'lifetime',
  values: [{ value }],
  title: name,
  description: `${name} of the post`,
  id: `${id}/insights/${name}/lifetime`,
});

const graph = (
  status: number,
  error?: Record<string, unknown>,
  headers: Record<string, string> = {},
): GraphFailure => ({
  kind: 'http',
  status,
  ...(error ? { error: { type: 'OAuthException', fbtrace_id: 'AbC', ...error } as never } : {}),
  headers: new Headers(headers),
});

describe('Graph insights answers', () => {
  it('read each metric’s lifetime value, or its total_value, by name', () => {
    const values = insightValues({
      data: [
        insight('views', 1204),
        insight('likes', 37),
        { name: 'clicks', total_value: { value: 5 } },
      ],
    });
    expect(Object.fromEntries(values ?? [])).toEqual({ views: 1204, likes: 37, clicks: 5 });
  });

  it('leave out a metric without a number, and never count below zero', () => {
    const values = insightValues({
      data: [
        insight('likes', null),
        insight('replies', -2),
        insight('quotes', 2.6),
        { name: 'odd' },
      ],
    });
    expect(Object.fromEntries(values ?? [])).toEqual({ replies: 0, quotes: 3 });
  });

  it('an empty list (Instagram before its data is in) is no metrics, and a non-list is undefined', () => {
    expect(insightValues({ data: [] })?.size).toBe(0);
    expect(insightValues({ id: '1' })).toBeUndefined();
  });
});

describe('Threads counts', () => {
  it('map views, likes, replies, reposts and quotes one to one', () => {
    const values = insightValues({
      data: ['views', 'likes', 'replies', 'reposts', 'quotes'].map((n, i) =>
        insight(n, (i + 1) * 10),
      ),
    });
    expect(threadsCounts(values ?? new Map())).toEqual({
      views: 10,
      likes: 20,
      replies: 30,
      reposts: 40,
      quotes: 50,
    });
  });

  it('are zero where the counts need a number Threads left out (a REPOST_FACADE answers nothing)', () => {
    expect(threadsCounts(new Map())).toEqual({ likes: 0, reposts: 0, replies: 0 });
  });
});

describe('Instagram counts', () => {
  it('take views, likes, comments as replies and shares as reposts from the insights', () => {
    const values = new Map([
      ['views', 900],
      ['likes', 40],
      ['comments', 6],
      ['shares', 3],
    ]);
    expect(instagramCounts(values, { likes: 1, comments: 1 })).toEqual({
      views: 900,
      likes: 40,
      replies: 6,
      reposts: 3,
    });
  });

  it('fall back to like_count and comments_count while the insights lag, shares zero until they come', () => {
    expect(instagramCounts(new Map(), { likes: 12, comments: 2 })).toEqual({
      likes: 12,
      replies: 2,
      reposts: 0,
    });
  });

  it('tell a refusal for the account (not professional, posted before the conversion) from a token matter', () => {
    expect(
      accountRefusal({
        message: 'Media Posted Before Business Account Conversion',
        code: 10,
        error_subcode: 2108006,
      }),
    ).toMatch(/before the account became/);
    expect(
      accountRefusal({ message: '(#10) The user is not an Instagram Business', code: 10 }),
    ).toMatch(/business or creator/);
    expect(
      accountRefusal({
        message: '(#10) Application does not have permission for this action',
        code: 10,
      }),
    ).toBeUndefined();
    expect(
      accountRefusal({
        message: '(#10) Not enough viewers for the media to show insights',
        code: 10,
      }),
    ).toBeUndefined();
  });
});

describe('a failed Graph read', () => {
  it('"does not exist" (100/33) is gone', () => {
    const outcome = metricsFailure(
      'Threads',
      graph(400, {
        message: "Unsupported get request. Object with ID '1' does not exist",
        code: 100,
        error_subcode: 33,
      }),
      5_000,
    );
    expect(outcome.kind).toBe('gone');
  });

  it('code 190 is a dead token; #10 and the 200 series a missing permission', () => {
    expect(
      metricsFailure(
        'Threads',
        graph(400, { message: 'Session has expired', code: 190, error_subcode: 463 }),
        5_000,
      ),
    ).toEqual({
      kind: 'auth',
      message: expect.stringContaining('#190/463'),
    });
    expect(
      metricsFailure(
        'Instagram',
        graph(403, {
          message: '(#10) Application does not have permission for this action',
          code: 10,
        }),
        5_000,
      ),
    ).toMatchObject({ kind: 'auth', permission: true });
    expect(metricsFailure('Facebook', graph(403), 5_000)).toMatchObject({
      kind: 'auth',
      permission: true,
    });
    expect(metricsFailure('Facebook', graph(401), 5_000)).toEqual({
      kind: 'auth',
      message: expect.any(String),
    });
  });

  it('a throttle is rate until Meta’s estimated time to regain access', () => {
    const before = Date.now();
    const outcome = metricsFailure(
      'Instagram',
      graph(
        400,
        {
          message: '(#80002) There have been too many calls to this Instagram account.',
          code: 80002,
        },
        {
          'x-business-use-case-usage': JSON.stringify({
            '1789': [{ type: 'instagram', call_count: 100, estimated_time_to_regain_access: 7 }],
          }),
        },
      ),
      5_000,
    );
    if (outcome.kind !== 'rate') throw new Error(JSON.stringify(outcome));
    const until = Date.parse(outcome.until);
    expect(until).toBeGreaterThanOrEqual(before + 7 * 60_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 7 * 60_000);
  });

  it('a 5xx, a timeout or a broken connection is retry: a read posts nothing', () => {
    for (const failure of [
      graph(500, {
        message: 'An unexpected error has occurred. Please retry your request later.',
        code: 2,
        is_transient: true,
      }),
      { kind: 'timeout' } as const,
      { kind: 'lost', detail: 'ECONNRESET' } as const,
      { kind: 'not-sent', detail: 'ECONNREFUSED' } as const,
    ]) {
      expect(metricsFailure('Threads', failure, 5_000).kind).toBe('retry');
    }
  });

  it('an invalid parameter is rejected', () => {
    expect(
      metricsFailure(
        'Facebook',
        graph(400, { message: '(#100) The value must be a valid insights metric', code: 100 }),
        5_000,
      ).kind,
    ).toBe('rejected');
  });
});

describe('Facebook counts', () => {
  it('read reactions and comments from their summaries and shares from its count', () => {
    expect(
      facebookPostCounts({
        id: '1234_5678',
        reactions: { data: [], summary: { total_count: 41, viewer_reaction: 'NONE' } },
        comments: { data: [], summary: { order: 'ranked', total_count: 7, can_comment: true } },
        shares: { count: 3 },
      }),
    ).toEqual({ likes: 41, replies: 7, reposts: 3 });
  });

  it('count no shares where Graph leaves the field out', () => {
    expect(
      facebookPostCounts({
        id: '1234_5678',
        reactions: { data: [], summary: { total_count: 0 } },
        comments: { data: [], summary: { total_count: 0 } },
      }),
    ).toEqual({ likes: 0, replies: 0, reposts: 0 });
    expect(facebookPostCounts({ error: 'no' })).toBeUndefined();
  });

  it('take views from post_media_view (impressions’ replacement) and clicks from post_clicks', () => {
    const values = insightValues({
      data: [
        insight('post_media_view', 5120, '1234_5678'),
        insight('post_clicks', 88, '1234_5678'),
      ],
    });
    expect(facebookInsightCounts(values ?? new Map())).toEqual({ views: 5120, clicks: 88 });
    expect(facebookInsightCounts(new Map())).toEqual({});
  });
});

describe('LinkedIn counts', () => {
  const urn = 'urn:li:share:7141138937766391808';

  it('read likes and every comment from the social actions', () => {
    expect(
      socialActionCounts({
        commentsSummary: {
          selectedComments: [],
          totalFirstLevelComments: 4,
          aggregatedTotalComments: 9,
        },
        $URN: 'urn:li:activity:7141138937766391808',
        likesSummary: {
          selectedLikes: [],
          aggregatedTotalLikes: 25,
          likedByCurrentUser: false,
          totalLikes: 25,
        },
        target: urn,
      }),
    ).toEqual({ likes: 25, replies: 9, reposts: 0 });
  });

  it('take shares, impressions and clicks from the post’s share statistics', () => {
    const counts = { likes: 25, replies: 9, reposts: 0 };
    const body = {
      paging: { start: 0, count: 10, links: [] },
      elements: [
        {
          totalShareStatistics: {
            uniqueImpressionsCount: 800,
            shareCount: 4,
            engagement: 0.04,
            clickCount: 31,
            likeCount: 25,
            impressionCount: 1002,
            commentCount: 9,
          },
          organizationalEntity: 'urn:li:organization:2414183',
          share: urn,
        },
      ],
    };
    expect(withShareStatistics(counts, body, urn)).toEqual({
      likes: 25,
      replies: 9,
      reposts: 4,
      views: 1002,
      clicks: 31,
    });
    // Not counted yet: the social actions stand alone.
    expect(withShareStatistics(counts, { elements: [] }, urn)).toEqual(counts);
    expect(withShareStatistics(counts, { nope: true }, urn)).toBeUndefined();
  });

  it('ask for the post in a Rest.li list whose brackets stay unencoded', () => {
    expect(statisticsPath('urn:li:organization:2414183', urn)).toBe(
      '/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=urn%3Ali%3Aorganization%3A2414183&shares=List(urn%3Ali%3Ashare%3A7141138937766391808)',
    );
    expect(statisticsPath('urn:li:organization:1', 'urn:li:ugcPost:9')).toContain(
      '&ugcPosts=List(urn%3Ali%3AugcPost%3A9)',
    );
  });
});
