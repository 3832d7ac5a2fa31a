/**
 * Threads of posts on Threads against the Threads sandbox: each part a TEXT container
 * with `reply_to_id`, published, and found again among its parent's replies after an
 * unknown outcome.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import { launchThreadsSandbox, type ThreadsSandbox } from '../../../infra/local/sandbox/threads';
import { threadsClient } from '../../../shared/platforms/threads/client';
import { atPart, claimedThreadShare, expectThread, postThread } from '../../support/thread';

let posts: SandboxPosts;
let faults: FaultInjector;
let sandbox: ThreadsSandbox;

beforeEach(async () => {
  posts = new SandboxPosts();
  faults = new FaultInjector(undefined, 1);
  sandbox = await launchThreadsSandbox(
    { posts, faults, log: createLogger({ quiet: true }) },
    { readyMs: 10 },
  );
});

afterEach(async () => {
  await sandbox.stop();
});

const base = () => ({
  account: sandbox.account,
  credentials: sandbox.credentials,
  timeoutMs: 5_000,
});

describe('Threads: a thread of posts', () => {
  it('posts a three-part thread as three posts, each replying to the one before', async () => {
    const share = claimedThreadShare('threads');
    expect(share.thread).toHaveLength(2);
    const { share: done, outcomes } = await postThread(threadsClient, base(), share);
    expect(outcomes).toEqual(['published', 'published', 'published']);
    expectThread(posts.list(), done);
    const replies = sandbox.containers().filter((c) => c.replyToId !== undefined);
    expect(replies.map((c) => [c.mediaType, c.linkAttachment, c.replyToId])).toEqual([
      ['TEXT', undefined, done.remoteId],
      ['TEXT', undefined, done.threadIds?.[0]],
    ]);
  });

  it('keeps the replies out of the user threads list that reconcile reads for the first post', async () => {
    const share = claimedThreadShare('threads');
    const { share: done } = await postThread(threadsClient, base(), share);
    const url = new URL(`${sandbox.url}/v1.0/me/threads`);
    url.searchParams.set('access_token', String(sandbox.credentials.accessToken));
    const body = (await (await fetch(url)).json()) as { data: { id: string }[] };
    expect(body.data.map((p) => p.id)).toEqual([done.remoteId]);
  });

  it('finds the second part among its parent replies after the connection drops once it is published', async () => {
    const { share: done, outcomes } = await postThread(
      threadsClient,
      base(),
      claimedThreadShare('threads'),
      atPart(0, () => faults.set('threads:crash-after-post:1:1')),
    );
    expect(outcomes).toEqual(['published', 'unknown', 'found', 'published']);
    expectThread(posts.list(), done);
  });

  it('finds the second part after Threads answers 500 once it is published', async () => {
    const { share: done, outcomes } = await postThread(
      threadsClient,
      base(),
      claimedThreadShare('threads'),
      atPart(0, () => faults.set('threads:500-after-post:1:1')),
    );
    expect(outcomes).toEqual(['published', 'unknown', 'found', 'published']);
    expectThread(posts.list(), done);
  });

  it('makes the second part again after a 503 on its container, which posted nothing', async () => {
    const { share: done, outcomes } = await postThread(
      threadsClient,
      base(),
      claimedThreadShare('threads'),
      atPart(0, () => faults.set('threads:503:1:1')),
    );
    expect(outcomes).toEqual(['published', 'retry', 'published', 'published']);
    expectThread(posts.list(), done);
  });

  it('refuses a reply to a post Threads does not have, and publishes nothing', async () => {
    const share = claimedThreadShare('threads');
    const outcome = await threadsClient.replies?.publish({
      ...base(),
      share: { ...share, remoteId: '17890000000000001' },
      index: 0,
      parentId: '17890000000000001',
    });
    expect(outcome).toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining('reply_to_id'),
    });
    expect(posts.list()).toEqual([]);
  });
});
