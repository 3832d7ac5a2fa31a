/**
 * How the X, Bluesky, Mastodon and Telegram clients turn what the network answered to a
 * metrics read into an outcome: the counts each reports (and leaves out), a deleted post,
 * and every failure mapped as the other calls map them.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { XRPCError } from '@atproto/api';
import { ApiResponseError } from 'twitter-api-v2';
import { describe, expect, it } from 'vitest';
import { metricsFailure as blueskyFailure } from '../../../shared/platforms/bluesky/errors';
import { metricsOutcome as blueskyOutcome } from '../../../shared/platforms/bluesky/metrics';
import { metricsFailure as mastodonFailure } from '../../../shared/platforms/mastodon/errors';
import { metricsOutcome as mastodonOutcome } from '../../../shared/platforms/mastodon/metrics';
import {
  emptyTally,
  fold,
  MAX_TALLIED,
  prune,
  sessionOf,
  tallyFrom,
} from '../../../shared/platforms/telegram/reactions';
import { metricsFailure as xFailure } from '../../../shared/platforms/x/errors';
import { metricsFields, metricsOutcome as xOutcome } from '../../../shared/platforms/x/metrics';

const live = new AbortController().signal;

describe('X', () => {
  const id = '1861234567890123456';
  const xError = (
    code: number,
    data: unknown = {},
    rateLimit?: { limit: number; remaining: number; reset: number },
  ) =>
    new ApiResponseError(`Request failed with code ${code}`, {
      code,
      data: data as never,
      headers: {},
      request: {} as ClientRequest,
      response: {} as IncomingMessage,
      ...(rateLimit ? { rateLimit } : {}),
    });

  it('maps public metrics and, where given, non-public link clicks', () => {
    expect(
      xOutcome({
        data: {
          id,
          text: 'x',
          public_metrics: {
            like_count: 40,
            retweet_count: 8,
            reply_count: 4,
            quote_count: 2,
            bookmark_count: 3,
            impression_count: 1000,
          },
          non_public_metrics: {
            impression_count: 1000,
            url_link_clicks: 12,
            user_profile_clicks: 4,
          },
        },
      }),
    ).toEqual({
      kind: 'read',
      counts: { likes: 40, reposts: 8, replies: 4, quotes: 2, views: 1000, clicks: 12 },
    });
  });

  it('leaves clicks out when X withholds the non-public metrics (an old post)', () => {
    const outcome = xOutcome({
      data: {
        id,
        public_metrics: {
          like_count: 1,
          retweet_count: 0,
          reply_count: 0,
          quote_count: 0,
          impression_count: 9,
        },
      },
      errors: [
        {
          title: 'Field Authorization Error',
          detail: "Sorry, you are not authorized to access 'non_public_metrics' on the Tweet",
          type: 'https://api.twitter.com/2/problems/not-authorized-for-field',
        },
      ],
    });
    expect(outcome).toEqual({
      kind: 'read',
      counts: { likes: 1, reposts: 0, replies: 0, quotes: 0, views: 9 },
    });
  });

  it("takes the description's repost_count where retweet_count is missing", () => {
    const metrics = { like_count: 2, repost_count: 1, reply_count: 0, quote_count: 0 };
    expect(xOutcome({ data: { id, public_metrics: metrics } })).toEqual({
      kind: 'read',
      counts: { likes: 2, reposts: 1, replies: 0, quotes: 0 },
    });
    const { repost_count: _none, ...without } = metrics;
    expect(xOutcome({ data: { id, public_metrics: without } })).toMatchObject({ kind: 'retry' });
  });

  it('asks for the non-public metrics only within their 30 days', () => {
    const minted = Number((BigInt(id) >> 22n) + 1288834974657n);
    expect(metricsFields(id, minted + 86_400_000)).toEqual([
      'public_metrics',
      'non_public_metrics',
    ]);
    expect(metricsFields(id, minted + 31 * 86_400_000)).toEqual(['public_metrics']);
  });

  it('a deleted post is gone; another refusal rejected; an unknown shape retried', () => {
    expect(
      xOutcome({
        errors: [
          {
            detail: `Could not find tweet with id: [${id}].`,
            title: 'Not Found Error',
            type: 'https://api.twitter.com/2/problems/resource-not-found',
          },
        ],
      }),
    ).toMatchObject({ kind: 'gone', message: expect.stringContaining('Could not find tweet') });
    expect(
      xOutcome({
        errors: [
          {
            title: 'Authorization Error',
            detail: 'Sorry, you are not authorized to see the Tweet',
            type: 'https://api.twitter.com/2/problems/not-authorized-for-resource',
          },
        ],
      }),
    ).toMatchObject({ kind: 'rejected' });
    expect(xOutcome({ data: { id } })).toMatchObject({ kind: 'retry' });
    expect(xOutcome('<html>')).toMatchObject({ kind: 'retry' });
  });

  it('maps the failures: 401 auth, a permission 403, 429 until the reset, 5xx retry, 400 rejected', () => {
    expect(xFailure(xError(401), 1000)).toMatchObject({ kind: 'auth' });
    expect(
      xFailure(
        xError(403, {
          detail: 'Your client app is not configured with the appropriate oauth1 app permissions',
        }),
        1000,
      ),
    ).toMatchObject({ kind: 'auth', permission: true });
    const reset = Math.floor(Date.now() / 1000) + 600;
    expect(xFailure(xError(429, {}, { limit: 900, remaining: 0, reset }), 1000)).toEqual({
      kind: 'rate',
      until: new Date(reset * 1000).toISOString(),
      message: 'X answered 429',
    });
    expect(xFailure(xError(503), 1000)).toMatchObject({ kind: 'retry' });
    expect(xFailure(xError(400), 1000)).toMatchObject({ kind: 'rejected' });
  });
});

describe('Bluesky', () => {
  const uri = 'at://did:plc:abc/app.bsky.feed.post/3l6oveex3ii2l';

  it('maps the post view; a count the AppView leaves out is 0; no views or clicks', () => {
    expect(
      blueskyOutcome(uri, {
        posts: [{ uri, cid: 'bafy', likeCount: 31, repostCount: 5, replyCount: 2, quoteCount: 1 }],
      }),
    ).toEqual({ kind: 'read', counts: { likes: 31, reposts: 5, replies: 2, quotes: 1 } });
    expect(blueskyOutcome(uri, { posts: [{ uri, likeCount: 3 }] })).toEqual({
      kind: 'read',
      counts: { likes: 3, reposts: 0, replies: 0, quotes: 0 },
    });
  });

  it('a post missing from the answer is gone; an unknown shape retried', () => {
    expect(blueskyOutcome(uri, { posts: [] })).toMatchObject({ kind: 'gone' });
    expect(blueskyOutcome(uri, { feed: [] })).toMatchObject({ kind: 'retry' });
  });

  it('maps the failures, a PDS without an AppView among them', () => {
    const step = 'app.bsky.feed.getPosts';
    expect(
      blueskyFailure(
        new XRPCError(501, 'MethodNotImplemented', 'Method Not Implemented'),
        step,
        live,
      ),
    ).toMatchObject({ kind: 'rejected', message: expect.stringContaining('AppView') });
    const reset = Math.floor(Date.now() / 1000) + 60;
    expect(
      blueskyFailure(
        new XRPCError(429, 'RateLimitExceeded', 'Rate Limit Exceeded', {
          'ratelimit-reset': String(reset),
        }),
        step,
        live,
      ),
    ).toMatchObject({ kind: 'rate', until: new Date(reset * 1000).toISOString() });
    expect(
      blueskyFailure(new XRPCError(502, 'UpstreamFailure', 'Upstream Failure'), step, live),
    ).toMatchObject({
      kind: 'retry',
      message: expect.stringContaining('could not reach the AppView'),
    });
    expect(
      blueskyFailure(new XRPCError(400, 'ExpiredToken', 'Token has expired'), step, live),
    ).toMatchObject({
      kind: 'auth',
    });
    expect(
      blueskyFailure(new XRPCError(400, 'InvalidToken', 'Bad token scope'), step, live),
    ).toMatchObject({
      kind: 'auth',
      permission: true,
    });
    expect(
      blueskyFailure(
        new XRPCError(401, 'AuthenticationRequired', 'Invalid identifier or password'),
        'the login',
        live,
      ),
    ).toMatchObject({ kind: 'auth' });
    expect(blueskyFailure(new TypeError('fetch failed'), step, live)).toMatchObject({
      kind: 'retry',
    });
  });
});

describe('Mastodon', () => {
  it('maps favourites, boosts and replies, and quotes only where the server counts them', () => {
    const status = { id: '1', favouritesCount: 12, reblogsCount: 3, repliesCount: 1 };
    expect(mastodonOutcome({ ...status, quotesCount: 2 })).toEqual({
      kind: 'read',
      counts: { likes: 12, reposts: 3, replies: 1, quotes: 2 },
    });
    expect(mastodonOutcome(status)).toEqual({
      kind: 'read',
      counts: { likes: 12, reposts: 3, replies: 1 },
    });
    expect(mastodonOutcome({ id: '1' })).toMatchObject({ kind: 'retry' });
  });

  it('maps the failures: 404 gone, 401 auth, 429 until the reset, 5xx retry, 403 rejected', () => {
    const http = (status: number, retryAt?: string) => ({
      kind: 'http' as const,
      status,
      error: 'x',
      message: `Mastodon answered ${status}`,
      ...(retryAt ? { retryAt } : {}),
    });
    expect(mastodonFailure(http(404))).toMatchObject({ kind: 'gone' });
    expect(mastodonFailure(http(401))).toMatchObject({ kind: 'auth' });
    expect(mastodonFailure(http(429, '2026-12-07T12:05:00.000Z'))).toMatchObject({
      kind: 'rate',
      until: '2026-12-07T12:05:00.000Z',
    });
    expect(mastodonFailure(http(503))).toMatchObject({ kind: 'retry' });
    expect(mastodonFailure(http(403))).toMatchObject({ kind: 'rejected' });
    expect(mastodonFailure({ kind: 'timeout', message: 'late' })).toMatchObject({ kind: 'retry' });
  });
});

describe('Telegram reaction tally', () => {
  const chat = { id: -1001234567890, title: 'Newsroom', type: 'channel' };
  const counted = (update_id: number, message_id: number, date: number, counts: number[]) => ({
    update_id,
    message_reaction_count: {
      chat,
      message_id,
      date,
      reactions: counts.map((total_count, i) => ({
        type: { type: 'emoji', emoji: ['👍', '❤', '🔥'][i] },
        total_count,
      })),
    },
  });

  it('keeps the latest total per message (totals, not changes) and moves past every update', () => {
    const tally = fold(emptyTally(), [
      counted(10, 5, 1000, [3, 1]),
      { update_id: 11, channel_post: { message_id: 6 } },
      counted(12, 5, 1060, [6, 2, 1]),
      counted(13, 7, 1070, [1]),
    ]);
    expect(tally).toEqual({
      offset: 14,
      totals: { [`${chat.id}/5`]: [9, 1060], [`${chat.id}/7`]: [1, 1070] },
    });
    // A late update with an older date does not undo a newer total.
    expect(
      fold(tally ?? emptyTally(), [counted(14, 5, 1030, [1])])?.totals[`${chat.id}/5`],
    ).toEqual([9, 1060]);
    expect(fold(emptyTally(), { ok: true })).toBeUndefined();
  });

  it('round-trips through the session, and starts afresh from one it cannot read', () => {
    const tally = fold(emptyTally(), [counted(3, 1, 50, [2])]) ?? emptyTally();
    expect(tallyFrom(sessionOf(tally))).toEqual(tally);
    expect(tallyFrom('not json')).toEqual(emptyTally());
    expect(tallyFrom(undefined)).toEqual(emptyTally());
  });

  it('forgets messages quiet for ten days before the latest change, and keeps at most the newest few hundred', () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    const today = Math.floor(now / 1000);
    const old = {
      offset: 5,
      totals: {
        '-1/1': [4, today - 11 * 86_400] as [number, number],
        '-1/2': [1, today] as [number, number],
      },
    };
    expect(prune(old)).toEqual({ offset: 5, totals: { '-1/2': [1, today] } });
    const many = {
      offset: 1,
      totals: Object.fromEntries(
        Array.from({ length: MAX_TALLIED + 50 }, (_, i) => [
          `-1/${i}`,
          [1, today - i] as [number, number],
        ]),
      ),
    };
    const kept = prune(many);
    expect(Object.keys(kept.totals)).toHaveLength(MAX_TALLIED);
    expect(kept.totals['-1/0']).toBeDefined();
    expect(kept.totals[`-1/${MAX_TALLIED + 49}`]).toBeUndefined();
  });
});
