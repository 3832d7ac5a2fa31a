/**
 * Threads of posts on Threads against the Threads sandbox: each part a TEXT container
 * with `reply_to_id`, published, and found again among its parent's replies after an
 * unknown outcome.
 */
import { describe, expect, it } from 'vitest';
import { launchThreadsSandbox } from '../../../infra/local/sandbox/threads';
import { threadsClient } from '../../../shared/platforms/threads/client';
import { claimedThreadShare, expectThread, postThread } from '../../support/thread';
import { threadSandboxPerTest } from '../../support/thread-sandbox';

const net = threadSandboxPerTest(
  (context) => launchThreadsSandbox(context, { readyMs: 10 }),
  5_000,
);
const { base } = net;

describe('Threads: a thread of posts', () => {
  it('posts a three-part thread as three posts, each replying to the one before', async () => {
    const share = claimedThreadShare('threads');
    expect(share.thread).toHaveLength(2);
    const { share: done, outcomes } = await postThread(threadsClient, base(), share);
    expect(outcomes).toEqual(['published', 'published', 'published']);
    expectThread(net.posts.list(), done);
    const replies = net.sandbox.containers().filter((c) => c.replyToId !== undefined);
    expect(replies.map((c) => [c.mediaType, c.linkAttachment, c.replyToId])).toEqual([
      ['TEXT', undefined, done.remoteId],
      ['TEXT', undefined, done.threadIds?.[0]],
    ]);
  });

  it('keeps the replies out of the user threads list that reconcile reads for the first post', async () => {
    const share = claimedThreadShare('threads');
    const { share: done } = await postThread(threadsClient, base(), share);
    const url = new URL(`${net.sandbox.url}/v1.0/me/threads`);
    url.searchParams.set('access_token', String(net.sandbox.credentials.accessToken));
    const body = (await (await fetch(url)).json()) as { data: { id: string }[] };
    expect(body.data.map((p) => p.id)).toEqual([done.remoteId]);
  });

  it('finds the second part among its parent replies after the connection drops once it is published', async () => {
    const { share: done, outcomes } = await net.postWithFault(
      threadsClient,
      'threads:crash-after-post:1:1',
    );
    expect(outcomes).toEqual(['published', 'unknown', 'found', 'published']);
    expectThread(net.posts.list(), done);
  });

  it('finds the second part after Threads answers 500 once it is published', async () => {
    const { share: done, outcomes } = await net.postWithFault(
      threadsClient,
      'threads:500-after-post:1:1',
    );
    expect(outcomes).toEqual(['published', 'unknown', 'found', 'published']);
    expectThread(net.posts.list(), done);
  });

  it('makes the second part again after a 503 on its container, which posted nothing', async () => {
    const { share: done, outcomes } = await net.postWithFault(threadsClient, 'threads:503:1:1');
    expect(outcomes).toEqual(['published', 'retry', 'published', 'published']);
    expectThread(net.posts.list(), done);
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
    expect(net.posts.list()).toEqual([]);
  });
});
