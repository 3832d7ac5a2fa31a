/**
 * Threads of posts on Mastodon through masto against the Mastodon sandbox: each part a
 * reply (`in_reply_to_id`) under an Idempotency-Key of its own, so a resend of a part
 * returns that part; after the key's hour, reconcile reads the parent's replies.
 */
import { describe, expect, it } from 'vitest';
import { launchMastodonSandbox } from '../../../infra/local/sandbox/mastodon';
import { mastodonClient } from '../../../shared/platforms/mastodon/client';
import { claimedThreadShare, expectThread, postThread } from '../../support/thread';
import { threadSandboxPerTest } from '../../support/thread-sandbox';

const HOUR = 3_600_000;
const net = threadSandboxPerTest(launchMastodonSandbox);
const { base } = net;

describe('Mastodon: a thread of posts', () => {
  it('posts a three-part thread as three statuses, each replying to the one before', async () => {
    const share = claimedThreadShare('mastodon');
    expect(share.thread).toHaveLength(2);
    const { share: done, outcomes } = await postThread(mastodonClient, base(), share);
    expect(outcomes).toEqual(['published', 'published', 'published']);
    expectThread(net.posts.list(), done);
  });

  it('ends with one status per part after a 503 on the second: the resend under its key posts it once', async () => {
    const { share: done, outcomes } = await net.postWithFault(mastodonClient, 'mastodon:503:1:1');
    expect(outcomes).toEqual(['published', 'unknown', 'found', 'published']);
    expectThread(net.posts.list(), done);
  });

  it('finds the second part by resending its own key after the connection drops once it is posted', async () => {
    const { share: done, outcomes } = await net.postWithFault(
      mastodonClient,
      'mastodon:crash-after-post:1:1',
    );
    expect(outcomes).toEqual(['published', 'unknown', 'found', 'published']);
    expectThread(net.posts.list(), done);
  });

  it("after the key's hour, finds a part among its parent's replies, or says it is absent", async () => {
    const share = claimedThreadShare('mastodon');
    const { share: done } = await postThread(mastodonClient, base(), share);
    const late = { ...done, firstClaimedAt: new Date(Date.now() - 2 * HOUR).toISOString() };
    const look = (index: number, parentId: string) =>
      mastodonClient.replies?.reconcile({ ...base(), share: late, index, parentId });
    const [root = '', second = '', third = ''] = [done.remoteId, ...(done.threadIds ?? [])];
    expect(await look(0, root)).toMatchObject({ kind: 'found', remoteId: second });
    expect(await look(1, second)).toMatchObject({ kind: 'found', remoteId: third });
    expect(await look(1, third)).toEqual({ kind: 'absent' });
    expect(net.sandbox.requests().filter((r) => r.path.endsWith('/context'))).toHaveLength(3);
    expect(net.posts.list()).toHaveLength(3);
  });

  it('refuses a reply to a status the instance does not have, and posts nothing', async () => {
    const share = claimedThreadShare('mastodon');
    const outcome = await mastodonClient.replies?.publish({
      ...base(),
      share: { ...share, remoteId: '110000000000000000' },
      index: 0,
      parentId: '110000000000000000',
    });
    expect(outcome).toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining('does not appear to exist'),
    });
    expect(net.posts.list()).toEqual([]);
  });
});
