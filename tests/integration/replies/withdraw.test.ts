/**
 * Withdrawing a thread against the sandbox networks that take threads: every part goes,
 * the replies from the last to the first and then the first post, and a withdrawal cut
 * short resumes at the part it had not recorded, a part already gone counting as deleted.
 */
import { describe, expect, it } from 'vitest';
import { startBlueskySandbox } from '../../../infra/local/sandbox/bluesky';
import { launchMastodonSandbox } from '../../../infra/local/sandbox/mastodon';
import { launchThreadsSandbox } from '../../../infra/local/sandbox/threads';
import type { RunningSandbox, SandboxContext } from '../../../infra/local/sandbox/types';
import { startXSandbox } from '../../../infra/local/sandbox/x';
import { readPublishingConfig } from '../../../shared/config/publishing';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import type { Platform } from '../../../shared/domain/platform';
import type { Share } from '../../../shared/domain/share';
import { refOf } from '../../../shared/domain/share-key';
import { createBlueskyClient } from '../../../shared/platforms/bluesky/client';
import type { NetworkClient, WithdrawCall } from '../../../shared/platforms/client';
import { mastodonClient } from '../../../shared/platforms/mastodon/client';
import { threadsClient } from '../../../shared/platforms/threads/client';
import { xClient } from '../../../shared/platforms/x/client';
import { WithdrawPendingError, withdrawPost } from '../../../shared/usecases/withdraw-post';
import {
  InMemoryArticleStore,
  InMemoryChannelStateStore,
  InMemoryShareStore,
  ManualClock,
} from '../../support/in-memory';
import { claimedThreadShare, postThread, threadChannel } from '../../support/thread';
import { threadSandboxPerTest } from '../../support/thread-sandbox';
import { sampleArticle } from '../../support/webhook';

const NETWORKS: [Platform, (context: SandboxContext) => Promise<RunningSandbox>, NetworkClient][] =
  [
    ['x', startXSandbox, xClient],
    ['bluesky', startBlueskySandbox, createBlueskyClient()],
    ['mastodon', launchMastodonSandbox, mastodonClient],
    ['threads', (context) => launchThreadsSandbox(context, { readyMs: 10 }), threadsClient],
  ];

/** Answers `retry` once, for the `nth` delete, after the network did it: an answer lost. */
function losingAnswer(client: NetworkClient, nth: number) {
  const deleted: (string | undefined)[] = [];
  const wrapped: NetworkClient = {
    ...client,
    withdraw: async (call: WithdrawCall) => {
      deleted.push(call.share.remoteId);
      const outcome = await client.withdraw(call);
      return deleted.length === nth ? { kind: 'retry', message: 'connection reset' } : outcome;
    },
  };
  return { client: wrapped, deleted };
}

describe.each(NETWORKS)('%s: withdrawing a thread', (platform, launch, networkClient) => {
  const net = threadSandboxPerTest(launch, 5_000);

  async function publishedThread(onWithdraw: 'delete' | 'edit') {
    const claimed = claimedThreadShare(platform);
    const { share: posted } = await postThread(networkClient, net.base(), claimed);
    expect(posted.threadIds).toHaveLength(2);
    expect(net.posts.list()).toHaveLength(3);
    const share: Share = { ...posted, status: 'published' };
    const shares = new InMemoryShareStore();
    shares.put(share);
    const articles = new InMemoryArticleStore();
    const now = new Date().toISOString();
    await articles.putRevision({
      articleId: share.articleId,
      article: { ...parseGenericArticle(sampleArticle()), status: 'unpublished', revision: 2 },
      receivedAt: now,
      updatedAt: now,
    });
    const channel = threadChannel(platform, 3, {
      onWithdraw,
      ...(onWithdraw === 'edit' ? { withdrawnText: 'Withdrawn: {title}' } : {}),
    });
    const deps = (client: NetworkClient) => ({
      shares,
      articles,
      channelState: new InMemoryChannelStateStore(),
      credentials: { get: async () => net.base().credentials },
      channels: [channel],
      clientFor: () => client,
      clock: new ManualClock(),
      config: readPublishingConfig({}),
    });
    return { share, shares, deps };
  }

  it('deletes every part, the replies from the last to the first, and the sandbox holds none', async () => {
    const { share, shares, deps } = await publishedThread('delete');
    const { client, deleted } = losingAnswer(networkClient, 0);
    const result = await withdrawPost(deps(client), share);
    expect(result).toMatchObject({ outcome: 'withdrawn' });
    expect(deleted).toEqual([share.threadIds?.[1], share.threadIds?.[0], share.remoteId]);
    expect(net.posts.list()).toEqual([]);
    expect((await shares.get(refOf(share)))?.withdrawal).toMatchObject({
      action: 'delete',
      outcome: 'done',
    });
  });

  it('resumes after an answer lost on the second part: the part recorded as deleted is not asked again, the one already gone counts as deleted', async () => {
    const { share, shares, deps } = await publishedThread('delete');
    const first = losingAnswer(networkClient, 2);
    await expect(withdrawPost(deps(first.client), share)).rejects.toThrow(WithdrawPendingError);
    expect(first.deleted).toEqual([share.threadIds?.[1], share.threadIds?.[0]]);
    const stopped = await shares.get(refOf(share));
    expect(stopped).toMatchObject({ threadWithdrawn: 1 });
    expect(stopped?.withdrawal).toBeUndefined();
    // The network did delete part 2: only the first post is left.
    expect(net.posts.list().map((p) => p.remoteId)).toEqual([share.remoteId]);

    const retry = losingAnswer(networkClient, 0);
    const result = await withdrawPost(deps(retry.client), stopped as Share);
    expect(result).toMatchObject({ outcome: 'withdrawn' });
    expect(retry.deleted).toEqual([share.threadIds?.[0], share.remoteId]);
    expect(net.posts.list()).toEqual([]);
  });

  if (platform === 'mastodon') {
    it('edits the first post into the notice and deletes the replies', async () => {
      const { share, deps } = await publishedThread('edit');
      const result = await withdrawPost(deps(networkClient), share);
      expect(result).toMatchObject({
        outcome: 'withdrawn',
        share: { withdrawal: { action: 'edit' } },
      });
      const left = net.posts.list();
      expect(left.map((p) => p.remoteId)).toEqual([share.remoteId]);
      expect(left[0]?.text).toMatch(/^Withdrawn: /);
    });
  }
});
