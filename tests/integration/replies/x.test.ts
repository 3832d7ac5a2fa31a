/**
 * Threads of posts on X through twitter-api-v2 against the X sandbox: each part a reply
 * to the one before, found again after an unknown outcome, never posted twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import type { RunningSandbox } from '../../../infra/local/sandbox/types';
import { startXSandbox } from '../../../infra/local/sandbox/x';
import { xClient } from '../../../shared/platforms/x/client';
import { atPart, claimedThreadShare, expectThread, postThread } from '../../support/thread';

let posts: SandboxPosts;
let faults: FaultInjector;
let sandbox: RunningSandbox;

// A sandbox per test: X refuses a text it already holds, and every test posts the same parts.
beforeEach(async () => {
  posts = new SandboxPosts();
  faults = new FaultInjector(undefined, 1);
  sandbox = await startXSandbox({ posts, faults, log: createLogger({ quiet: true }) });
});

afterEach(async () => {
  await sandbox.stop();
});

const base = () => ({
  account: sandbox.account,
  credentials: sandbox.credentials,
  timeoutMs: 3_000,
});

describe('X: a thread of posts', () => {
  it('posts a three-part thread as three posts, each replying to the one before', async () => {
    const share = claimedThreadShare('x');
    expect(share.thread).toHaveLength(2);
    const { share: done, outcomes } = await postThread(xClient, base(), share);
    expect(outcomes).toEqual(['published', 'published', 'published']);
    expectThread(posts.list(), done);
  });

  it('finds the second part after the connection drops once it is posted, and posts nothing twice', async () => {
    const { share: done, outcomes } = await postThread(
      xClient,
      base(),
      claimedThreadShare('x'),
      atPart(0, () => faults.set('x:crash-after-post:1:1')),
    );
    expect(outcomes).toEqual(['published', 'unknown', 'found', 'published']);
    expectThread(posts.list(), done);
  });

  it('posts the second part again after a 503 that committed nothing, once reconcile finds it absent', async () => {
    const { share: done, outcomes } = await postThread(
      xClient,
      base(),
      claimedThreadShare('x'),
      atPart(0, () => faults.set('x:503:1:1')),
    );
    expect(outcomes).toEqual(['published', 'unknown', 'absent', 'published', 'published']);
    expectThread(posts.list(), done);
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
    expect(posts.list()).toEqual([]);
  });
});
