/**
 * Threads of posts on X through twitter-api-v2 against the X sandbox: each part a reply
 * to the one before, found again after an unknown outcome, never posted twice.
 */
import { describe, expect, it } from 'vitest';
import { startXSandbox } from '../../../infra/local/sandbox/x';
import { xClient } from '../../../shared/platforms/x/client';
import { claimedThreadShare, expectThread, postThread } from '../../support/thread';
import { threadSandboxPerTest } from '../../support/thread-sandbox';

const net = threadSandboxPerTest(startXSandbox);
const { base } = net;

describe('X: a thread of posts', () => {
  it('posts a three-part thread as three posts, each replying to the one before', async () => {
    const share = claimedThreadShare('x');
    expect(share.thread).toHaveLength(2);
    const { share: done, outcomes } = await postThread(xClient, base(), share);
    expect(outcomes).toEqual(['published', 'published', 'published']);
    expectThread(net.posts.list(), done);
  });

  it('finds the second part after the connection drops once it is posted, and posts nothing twice', async () => {
    const { share: done, outcomes } = await net.postWithFault(xClient, 'x:crash-after-post:1:1');
    expect(outcomes).toEqual(['published', 'unknown', 'found', 'published']);
    expectThread(net.posts.list(), done);
  });

  it('posts the second part again after a 503 that committed nothing, once reconcile finds it absent', async () => {
    const { share: done, outcomes } = await net.postWithFault(xClient, 'x:503:1:1');
    expect(outcomes).toEqual(['published', 'unknown', 'absent', 'published', 'published']);
    expectThread(net.posts.list(), done);
  });

  it('refuses a reply to a post X does not have, and posts nothing', async () => {
    const share = claimedThreadShare('x');
    const outcome = await xClient.replies?.publish({
      ...base(),
      share: { ...share, remoteId: '1880028106020515840' },
      index: 0,
      parentId: '1880028106020515840',
    });
    expect(outcome).toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining('deleted or not visible'),
    });
    expect(net.posts.list()).toEqual([]);
  });
});
