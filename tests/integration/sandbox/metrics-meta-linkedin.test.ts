/**
 * The engagement counts of Threads, Instagram, Facebook and LinkedIn posts, read by
 * Crier's clients from the sandboxes, which answer from the audience model: a post
 * published at T and read at T + 6 h has exactly the model's counts for that age. The
 * clock is moved with Date alone faked, so sockets and deadlines keep real time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FacebookSandbox, launchFacebookSandbox } from '../../../infra/local/sandbox/facebook';
import {
  INSTAGRAM_INSIGHTS_LAG_MS,
  type InstagramSandbox,
  launchInstagramSandbox,
} from '../../../infra/local/sandbox/instagram';
import { type AudiencePost, countsAt } from '../../../infra/local/sandbox/kit/audience';
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
