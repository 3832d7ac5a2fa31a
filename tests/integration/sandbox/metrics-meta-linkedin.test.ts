/**
 * The engagement counts of Threads, Instagram, Facebook and LinkedIn posts, read by
 * Crier's clients from the sandboxes, which answer from the audience model: a post
 * published at T and read at T + 6 h has exactly the model's counts for that age. The
 * clock is moved with Date alone faked, so sockets and deadlines keep real time.
 */
import { createServer } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FacebookSandbox, launchFacebookSandbox } from '../../../infra/local/sandbox/facebook';
import {
  INSTAGRAM_INSIGHTS_LAG_MS,
  type InstagramSandbox,
  launchInstagramSandbox,
} from '../../../infra/local/sandbox/instagram';
import { type AudiencePost, countsAt } from '../../../infra/local/sandbox/kit/audience';
import { type LoopbackServer, listenOnLoopback } from '../../../infra/local/sandbox/kit/loopback';
import { type LinkedInSandbox, launchLinkedInSandbox } from '../../../infra/local/sandbox/linkedin';
import type { SandboxPosts } from '../../../infra/local/sandbox/posts';
import { launchThreadsSandbox, type ThreadsSandbox } from '../../../infra/local/sandbox/threads';
import type { Platform } from '../../../shared/domain/platform';
import type { Share } from '../../../shared/domain/share';
import type { ClientCall, MetricsOutcome, NetworkClient } from '../../../shared/platforms/client';
import { facebookClient } from '../../../shared/platforms/facebook/client';
import { composeFacebook } from '../../../shared/platforms/facebook/composer';
import { instagramClient } from '../../../shared/platforms/instagram/client';
import { composeInstagram } from '../../../shared/platforms/instagram/composer';
import { linkedinClient } from '../../../shared/platforms/linkedin/client';
import { composeLinkedIn } from '../../../shared/platforms/linkedin/composer';
import { threadsClient } from '../../../shared/platforms/threads/client';
import { composeThreads } from '../../../shared/platforms/threads/composer';
import {
  claimedShare,
  graphCall,
  type Harness,
  HOUR,
  only,
  prepared,
  startHarness,
} from '../../support/sandbox-contract';

/** Publishes `share` (its container first on Meta's multi-step networks): the share as posted. */
async function publish(h: Harness, client: NetworkClient, share: Share): Promise<Share> {
  const ready = client.prepare ? await prepared(client, h.call(share)) : share;
  const outcome = await client.publish(h.call(ready));
  if (outcome.kind !== 'published') throw new Error(`not published: ${JSON.stringify(outcome)}`);
  return {
    ...ready,
    status: 'published',
    remoteId: outcome.remoteId,
    remoteUrl: outcome.remoteUrl,
  };
}

/** The audience model's view of the post the sandbox recorded for `share`. */
function audienceOf(posts: SandboxPosts, platform: Platform, share: Share, url: string) {
  const post = only(
    posts.list().filter((p) => p.platform === platform && p.remoteId === share.remoteId),
  );
  const audience: AudiencePost = {
    platform,
    account: post.account,
    url,
    publishedAt: Date.parse(post.receivedAt),
  };
  return audience;
}

/** The client's metrics read: every client here has one. */
function metrics(client: NetworkClient, call: ClientCall): Promise<MetricsOutcome> {
  if (!client.metrics) throw new Error('the client reads no metrics');
  return client.metrics(call);
}

function read(outcome: MetricsOutcome) {
  if (outcome.kind !== 'read') throw new Error(`not read: ${JSON.stringify(outcome)}`);
  return outcome.counts;
}

afterEach(() => {
  vi.useRealTimers();
});

/** Date alone at `at`: the client, the sandbox and the model all see that instant. */
function clockAt(at: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
}

describe('Threads: insights of a post', () => {
  let h: Harness<ThreadsSandbox>;
  beforeAll(async () => {
    h = await startHarness((context) => launchThreadsSandbox(context));
  });
  afterAll(() => h.sandbox.stop());

  it('reads views, likes, replies, reposts and quotes as the audience gives them six hours on', async () => {
    const share = await publish(
      h,
      threadsClient,
      claimedShare('threads', { compose: composeThreads }),
    );
    const audience = audienceOf(h.posts, 'threads', share, share.url);
    const at = audience.publishedAt + 6 * HOUR;
    clockAt(at);
    const counts = read(await metrics(threadsClient, h.call(share)));
    const truth = countsAt(audience, at);
    expect(counts).toEqual({
      views: truth.views,
      likes: truth.likes,
      replies: truth.replies,
      reposts: truth.reposts,
      quotes: truth.quotes,
    });
    expect(truth.likes).toBeGreaterThan(0);
    expect(h.sandbox.requests().at(-1)).toEqual({
      method: 'GET',
      path: `/${share.remoteId}/insights`,
    });
  });

  it('a deleted post is gone, and a dead token is auth', async () => {
    const share = await publish(
      h,
      threadsClient,
      claimedShare('threads', { compose: composeThreads }),
    );
    const withdrawn = await threadsClient.withdraw({ ...h.call(share), action: 'delete' });
    expect(withdrawn.kind).toBe('withdrawn');
    expect(await metrics(threadsClient, h.call(share))).toMatchObject({ kind: 'gone' });

    const other = await publish(
      h,
      threadsClient,
      claimedShare('threads', { compose: composeThreads }),
    );
    const dead = { ...h.sandbox.credentials, accessToken: 'THAAnot-the-token' };
    const outcome = await metrics(threadsClient, h.call(other, { credentials: dead }));
    expect(outcome).toMatchObject({ kind: 'auth' });
    expect(outcome).not.toHaveProperty('permission');
    expect(JSON.stringify(outcome)).not.toContain('THAAnot-the-token');
  });
});

describe('a throttled account', () => {
  it('Threads: the insights read is rate until Meta’s time to regain access', async () => {
    const h = await startHarness((context) => launchThreadsSandbox(context));
    try {
      const share = await publish(
        h,
        threadsClient,
        claimedShare('threads', { compose: composeThreads }),
      );
      h.faults.set('threads:429:1:1');
      expect((await threadsClient.prepare?.(h.call(claimedShare('threads'))))?.kind).toBe('rate');
      const before = Date.now();
      const outcome = await metrics(threadsClient, h.call(share));
      if (outcome.kind !== 'rate') throw new Error(JSON.stringify(outcome));
      // The usage header says whole minutes: one, for the sandbox's second.
      expect(Date.parse(outcome.until)).toBeGreaterThanOrEqual(before + 59_000);
      expect(Date.parse(outcome.until)).toBeLessThanOrEqual(Date.now() + 61_000);
    } finally {
      await h.sandbox.stop();
    }
  });

  it('LinkedIn: the social actions read is rate until the next midnight UTC', async () => {
    const h = await startHarness((context) => launchLinkedInSandbox(context));
    try {
      const share = await publish(
        h,
        linkedinClient,
        claimedShare('linkedin', { compose: composeLinkedIn }),
      );
      h.faults.set('linkedin:429:1:1');
      const limited = await linkedinClient.publish(
        h.call(claimedShare('linkedin', { compose: composeLinkedIn })),
      );
      expect(limited.kind).toBe('rate');
      const outcome = await metrics(linkedinClient, h.call(share));
      if (outcome.kind !== 'rate') throw new Error(JSON.stringify(outcome));
      const midnight = new Date();
      midnight.setUTCHours(24, 0, 0, 0);
      expect(outcome.until).toBe(midnight.toISOString());
    } finally {
      await h.sandbox.stop();
    }
  });
});

describe('Instagram: insights after their lag, the media counts before', () => {
  let h: Harness<InstagramSandbox>;
  beforeAll(async () => {
    h = await startHarness((context) => launchInstagramSandbox(context));
  });
  afterAll(() => h.sandbox.stop());

  it('reads like_count and comments_count while the insights are empty, then views, likes, comments and shares', async () => {
    const share = await publish(
      h,
      instagramClient,
      claimedShare('instagram', { compose: composeInstagram }),
    );
    // The caption carries no link: the audience knows the post by its own address.
    const audience = audienceOf(h.posts, 'instagram', share, share.remoteUrl ?? '');
    const early = audience.publishedAt + INSTAGRAM_INSIGHTS_LAG_MS / 2;
    clockAt(early);
    const before = countsAt(audience, early);
    expect(read(await metrics(instagramClient, h.call(share)))).toEqual({
      likes: before.likes,
      replies: before.replies,
      reposts: 0,
    });
    const paths = h.sandbox
      .requests()
      .slice(-2)
      .map((r) => r.path);
    expect(paths).toEqual([`/${share.remoteId}/insights`, `/${share.remoteId}`]);

    const later = audience.publishedAt + 24 * HOUR;
    clockAt(later);
    const truth = countsAt(audience, later);
    expect(read(await metrics(instagramClient, h.call(share)))).toEqual({
      views: truth.views,
      likes: truth.likes,
      replies: truth.replies,
      reposts: truth.reposts,
    });
  });

  it('the sandbox answers an empty insights list within the lag, and refuses the retired impressions', async () => {
    const share = await publish(
      h,
      instagramClient,
      claimedShare('instagram', { compose: composeInstagram }),
    );
    const token = String(h.sandbox.credentials.accessToken);
    const early = await graphCall(
      h.sandbox.url,
      token,
      'GET',
      `/v25.0/${share.remoteId}/insights`,
      {
        metric: 'views,likes',
      },
    );
    expect(early).toEqual({ status: 200, body: { data: [] } });
    const retired = await graphCall(
      h.sandbox.url,
      token,
      'GET',
      `/v25.0/${share.remoteId}/insights`,
      {
        metric: 'impressions',
      },
    );
    expect(retired.status).toBe(400);
    expect(retired.body).toMatchObject({ error: { code: 100 } });
  });

  it('a dead token is auth, and an unknown media id is gone', async () => {
    const share = await publish(
      h,
      instagramClient,
      claimedShare('instagram', { compose: composeInstagram }),
    );
    const dead = { ...h.sandbox.credentials, accessToken: 'IGAAnot-the-token' };
    expect(await metrics(instagramClient, h.call(share, { credentials: dead }))).toMatchObject({
      kind: 'auth',
    });
    const missing = { ...share, remoteId: '17999999999999999' };
    expect(await metrics(instagramClient, h.call(missing))).toMatchObject({ kind: 'gone' });
  });
});

describe('Facebook: a Page post’s reactions, comments, shares, views and clicks', () => {
  let h: Harness<FacebookSandbox>;
  beforeAll(async () => {
    h = await startHarness((context) => launchFacebookSandbox(context));
  });
  afterAll(() => h.sandbox.stop());

  it('reads the post’s summaries and its insights (post_media_view for views)', async () => {
    const share = await publish(
      h,
      facebookClient,
      claimedShare('facebook', { compose: composeFacebook }),
    );
    const audience = audienceOf(h.posts, 'facebook', share, share.url);
    const at = audience.publishedAt + 72 * HOUR;
    clockAt(at);
    const truth = countsAt(audience, at);
    expect(read(await metrics(facebookClient, h.call(share)))).toEqual({
      likes: truth.likes,
      replies: truth.replies,
      reposts: truth.reposts,
      views: truth.views,
      clicks: truth.clicks,
    });
    expect(truth.reposts).toBeGreaterThan(0);
  });

  it('the sandbox refuses the retired post_impressions as Graph does, with code 100', async () => {
    const share = await publish(
      h,
      facebookClient,
      claimedShare('facebook', { compose: composeFacebook }),
    );
    const token = String(h.sandbox.credentials.pageAccessToken);
    const answer = await graphCall(
      h.sandbox.url,
      token,
      'GET',
      `/v25.0/${share.remoteId}/insights`,
      {
        metric: 'post_impressions',
      },
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 100 } });
  });

  it('a deleted post is gone', async () => {
    const share = await publish(
      h,
      facebookClient,
      claimedShare('facebook', { compose: composeFacebook }),
    );
    expect((await facebookClient.withdraw({ ...h.call(share), action: 'delete' })).kind).toBe(
      'withdrawn',
    );
    expect(await metrics(facebookClient, h.call(share))).toMatchObject({ kind: 'gone' });
  });
});

describe('LinkedIn: social actions and share statistics of a Page post', () => {
  let h: Harness<LinkedInSandbox>;
  beforeAll(async () => {
    h = await startHarness((context) => launchLinkedInSandbox(context));
  });
  afterAll(() => h.sandbox.stop());

  it('reads likes and comments, then shares, impressions and clicks', async () => {
    const share = await publish(
      h,
      linkedinClient,
      claimedShare('linkedin', { compose: composeLinkedIn }),
    );
    const audience = audienceOf(h.posts, 'linkedin', share, share.url);
    const at = audience.publishedAt + 24 * HOUR;
    clockAt(at);
    const truth = countsAt(audience, at);
    expect(read(await metrics(linkedinClient, h.call(share)))).toEqual({
      likes: truth.likes,
      replies: truth.replies,
      reposts: truth.reposts,
      views: truth.views,
      clicks: truth.clicks,
    });
    const asked = h.sandbox
      .requests()
      .slice(-2)
      .map((r) => r.path);
    expect(asked).toEqual([
      `/rest/socialActions/${encodeURIComponent(share.remoteId ?? '')}`,
      '/rest/organizationalEntityShareStatistics',
    ]);
  });

  it('a deleted post is gone, and a revoked token is auth', async () => {
    const share = await publish(
      h,
      linkedinClient,
      claimedShare('linkedin', { compose: composeLinkedIn }),
    );
    expect((await linkedinClient.withdraw({ ...h.call(share), action: 'delete' })).kind).toBe(
      'withdrawn',
    );
    expect(await metrics(linkedinClient, h.call(share))).toMatchObject({ kind: 'gone' });

    const other = await publish(
      h,
      linkedinClient,
      claimedShare('linkedin', { compose: composeLinkedIn }),
    );
    const dead = { ...h.sandbox.credentials, accessToken: 'AQnot-the-token' };
    const outcome = await metrics(linkedinClient, h.call(other, { credentials: dead }));
    expect(outcome).toMatchObject({ kind: 'auth' });
    expect(JSON.stringify(outcome)).not.toContain('AQnot-the-token');
  });

  it('the statistics of another organization are refused 403, which the client reads as a missing permission', async () => {
    const share = await publish(
      h,
      linkedinClient,
      claimedShare('linkedin', { compose: composeLinkedIn }),
    );
    const elsewhere = { ...h.sandbox.credentials, author: 'urn:li:organization:1' };
    expect(await metrics(linkedinClient, h.call(share, { credentials: elsewhere }))).toMatchObject({
      kind: 'auth',
      permission: true,
    });
  });
});

/**
 * Answers the sandboxes do not give (an account that is not professional, too few
 * viewers, a token without the insights right, a member's post), from a loopback server
 * that answers each path with a body in the network's documented shape.
 */
describe('answers in the networks’ shapes that the sandboxes do not give', () => {
  type Canned = { status: number; body: unknown };
  let server: LoopbackServer;
  let answers: Record<string, Canned> = {};
  const asked: string[] = [];

  beforeAll(async () => {
    server = await listenOnLoopback(
      createServer((req, res) => {
        const path = new URL(req.url ?? '/', 'http://canned.invalid').pathname;
        asked.push(path);
        const canned = answers[path] ?? { status: 404, body: { error: 'not canned' } };
        res.writeHead(canned.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(canned.body));
      }),
    );
  });
  afterAll(() => server.close());

  const graphRefusal = (error: Record<string, unknown>): Canned => ({
    status: 400,
    body: { error: { type: 'OAuthException', fbtrace_id: 'AbCdEf', ...error } },
  });
  const share = (platform: Platform, remoteId: string): Share => ({
    ...claimedShare(platform),
    status: 'published',
    remoteId,
  });
  const call = (platform: Platform, remoteId: string, credentials: Record<string, unknown>) => ({
    share: share(platform, remoteId),
    account: 'newsroom',
    credentials: { ...credentials, apiBase: server.url },
    timeoutMs: 5_000,
  });
  const instagram = { accessToken: 'IGAAcanned', userId: '17841400000000001' };

  it('Instagram: too few viewers for insights reads the media’s own counts', async () => {
    answers = {
      '/v25.0/17900000000000001/insights': graphRefusal({
        message: '(#10) Not enough viewers for the media to show insights',
        code: 10,
      }),
      '/v25.0/17900000000000001': {
        status: 200,
        body: { like_count: 3, comments_count: 1, id: '17900000000000001' },
      },
    };
    expect(
      await metrics(instagramClient, call('instagram', '17900000000000001', instagram)),
    ).toEqual({ kind: 'read', counts: { likes: 3, replies: 1, reposts: 0 } });
  });

  it('Instagram: media posted before the business conversion is rejected, not a token matter', async () => {
    answers = {
      '/v25.0/17900000000000002/insights': graphRefusal({
        message: '(#10) Media Posted Before Business Account Conversion',
        code: 10,
        error_subcode: 2108006,
        error_user_title: 'Media Posted Before Business Account Conversion',
      }),
    };
    const outcome = await metrics(
      instagramClient,
      call('instagram', '17900000000000002', instagram),
    );
    expect(outcome).toMatchObject({ kind: 'rejected' });
    expect(JSON.stringify(outcome)).not.toContain('IGAAcanned');
  });

  it('Facebook: without the insights right the post’s own counts are read, without views or clicks', async () => {
    answers = {
      '/v25.0/1234_5678': {
        status: 200,
        body: {
          id: '1234_5678',
          reactions: { data: [], summary: { total_count: 12, viewer_reaction: 'NONE' } },
          comments: { data: [], summary: { order: 'ranked', total_count: 2, can_comment: true } },
          shares: { count: 1 },
        },
      },
      '/v25.0/1234_5678/insights': graphRefusal({
        message: '(#200) Requires read_insights permission',
        code: 200,
      }),
    };
    const facebook = { pageId: '1234', pageAccessToken: 'EAAGcanned' };
    expect(await metrics(facebookClient, call('facebook', '1234_5678', facebook))).toEqual({
      kind: 'read',
      counts: { likes: 12, replies: 2, reposts: 1 },
    });
  });

  it('LinkedIn: a member’s post reads its social actions alone, and a 403 there is rejected', async () => {
    const urn = 'urn:li:share:7141138937766391808';
    const member = {
      accessToken: 'AQcanned',
      author: 'urn:li:person:abc123XYZ',
      version: '202605',
    };
    answers = {
      [`/rest/socialActions/${encodeURIComponent(urn)}`]: {
        status: 200,
        body: {
          likesSummary: { selectedLikes: [], totalLikes: 8, aggregatedTotalLikes: 8 },
          commentsSummary: {
            selectedComments: [],
            totalFirstLevelComments: 1,
            aggregatedTotalComments: 2,
          },
          target: urn,
        },
      },
    };
    asked.length = 0;
    expect(await metrics(linkedinClient, call('linkedin', urn, member))).toEqual({
      kind: 'read',
      counts: { likes: 8, replies: 2, reposts: 0 },
    });
    expect(asked).toEqual([`/rest/socialActions/${encodeURIComponent(urn)}`]);

    answers = {
      [`/rest/socialActions/${encodeURIComponent(urn)}`]: {
        status: 403,
        body: {
          status: 403,
          serviceErrorCode: 100,
          code: 'ACCESS_DENIED',
          message: 'Not enough permissions to access: socialActions.GET.20260501',
        },
      },
    };
    expect(await metrics(linkedinClient, call('linkedin', urn, member))).toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining('r_member_social'),
    });
  });
});
