import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { type Sandboxes, startSandboxes } from '../../../infra/local/sandbox';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import { launchTelegramSandbox } from '../../../infra/local/sandbox/telegram';
import type { RunningSandbox } from '../../../infra/local/sandbox/types';
import type { Platform } from '../../../shared/domain/platform';
import type { Share } from '../../../shared/domain/share';
import { WITHDRAW_SUPPORT } from '../../../shared/domain/withdrawal';
import type { WithdrawCall } from '../../../shared/platforms/client';
import { clientFor } from '../../../shared/platforms/clients';
import { telegramClient } from '../../../shared/platforms/telegram/client';
import { claimedShare } from '../../support/sandbox-contract';

const log = createLogger({ quiet: true });
const NOTICE = 'This article has been withdrawn.';

/** The field of each sandbox's credentials that the network checks as the secret. */
const SECRET: Record<Platform, string> = {
  x: 'accessSecret',
  bluesky: 'password',
  mastodon: 'accessToken',
  threads: 'accessToken',
  linkedin: 'accessToken',
  facebook: 'pageAccessToken',
  instagram: 'accessToken',
  telegram: 'botToken',
};

describe('withdrawing posts on the sandbox networks', () => {
  let sandboxes: Sandboxes;
  const sandbox = (platform: Platform): RunningSandbox => {
    const found = sandboxes.byPlatform(platform);
    if (!found) throw new Error(`no ${platform} sandbox`);
    return found;
  };
  const client = async (platform: Platform) => {
    const found = await clientFor(platform);
    if (!found) throw new Error(`no ${platform} client`);
    return found;
  };
  const callFor = (
    share: Share,
    action: { action: 'delete' } | { action: 'edit'; text: string },
    credentials: unknown = sandbox(share.platform).credentials,
  ): WithdrawCall => ({
    share,
    account: sandbox(share.platform).account,
    credentials,
    timeoutMs: 5_000,
    ...action,
  });
  const postOf = (share: Share) =>
    sandboxes.posts
      .list()
      .find((p) => p.platform === share.platform && p.remoteId === share.remoteId);

  async function published(platform: Platform): Promise<Share> {
    const share = claimedShare(platform);
    const outcome = await (await client(platform)).publish({
      share,
      account: sandbox(platform).account,
      credentials: sandbox(platform).credentials,
      timeoutMs: 5_000,
    });
    if (outcome.kind !== 'published') throw new Error(`not published: ${JSON.stringify(outcome)}`);
    const done: Share = {
      ...share,
      status: 'published',
      remoteId: outcome.remoteId,
      remoteUrl: outcome.remoteUrl,
    };
    expect(postOf(done)).toBeDefined();
    return done;
  }

  beforeAll(async () => {
    sandboxes = await startSandboxes({ log });
  });
  afterAll(() => sandboxes?.stop());

  const deleting = (Object.keys(WITHDRAW_SUPPORT) as Platform[]).filter((p) =>
    WITHDRAW_SUPPORT[p].includes('delete'),
  );
  const editing = (Object.keys(WITHDRAW_SUPPORT) as Platform[]).filter((p) =>
    WITHDRAW_SUPPORT[p].includes('edit'),
  );

  it('covers every network that deletes or edits', () => {
    expect(deleting).toEqual([
      'x',
      'bluesky',
      'mastodon',
      'threads',
      'linkedin',
      'facebook',
      'telegram',
    ]);
    expect(editing).toEqual(['mastodon', 'linkedin', 'facebook', 'telegram']);
  });

  it.each(deleting)(
    '%s: deletes the post, which leaves the sandbox posts; a second delete finds it already gone',
    async (platform) => {
      const share = await published(platform);
      const first = await (await client(platform)).withdraw(callFor(share, { action: 'delete' }));
      expect(first).toMatchObject({ kind: 'withdrawn' });
      expect(postOf(share)).toBeUndefined();

      const again = await (await client(platform)).withdraw(callFor(share, { action: 'delete' }));
      expect(again).toMatchObject({ kind: 'withdrawn' });
    },
  );

  it.each(editing)(
    '%s: edits the post in place (same remote id and receivedAt, the new text); editing again is harmless',
    async (platform) => {
      const share = await published(platform);
      const before = postOf(share);
      // Telegram sent the sample article as a photo: its caption is what gets edited.
      if (platform === 'telegram') expect(before?.media).toHaveLength(1);
      const edited = await (await client(platform)).withdraw(
        callFor(share, { action: 'edit', text: NOTICE }),
      );
      expect(edited).toMatchObject({ kind: 'withdrawn' });
      expect(postOf(share)).toMatchObject({
        remoteId: share.remoteId,
        receivedAt: before?.receivedAt,
        text: NOTICE,
      });
      expect(
        await (await client(platform)).withdraw(callFor(share, { action: 'edit', text: NOTICE })),
      ).toMatchObject({ kind: 'withdrawn' });
      expect(postOf(share)?.text).toBe(NOTICE);
    },
  );

  it.each(
    (Object.keys(WITHDRAW_SUPPORT) as Platform[]).flatMap((platform) =>
      (['delete', 'edit'] as const)
        .filter((action) => !WITHDRAW_SUPPORT[platform].includes(action))
        .map((action) => [platform, action] as const),
    ),
  )('%s: refuses to %s (rejected, nothing sent), and the post stays', async (platform, action) => {
    const share = await published(platform);
    const outcome = await (await client(platform)).withdraw(
      callFor(share, action === 'edit' ? { action, text: NOTICE } : { action }),
    );
    expect(outcome).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/hand/) });
    expect(postOf(share)?.text).not.toBe(NOTICE);
    expect(postOf(share)).toBeDefined();
  });

  it.each(deleting)(
    '%s: answers auth to credentials the network refuses, and the post stays',
    async (platform) => {
      const share = await published(platform);
      const credentials = {
        ...sandbox(platform).credentials,
        [SECRET[platform]]: platform === 'telegram' ? '123456:not-the-token' : 'not-the-secret',
      };
      const outcome = await (await client(platform)).withdraw(
        callFor(share, { action: 'delete' }, credentials),
      );
      expect(outcome).toMatchObject({ kind: 'auth' });
      expect(postOf(share)).toBeDefined();
    },
  );
});

describe('Telegram: the 48 hours a channel post can be deleted in', () => {
  it('refuses the delete of an older text post (rejected, saying why) and still edits it', async () => {
    let now = Date.now();
    const posts = new SandboxPosts();
    const sandbox = await launchTelegramSandbox(
      { posts, faults: new FaultInjector(undefined, 1), log },
      { clock: () => now },
    );
    try {
      // Without an image the post is a text message: edited with editMessageText, where a
      // photo's caption (the test above) takes editMessageCaption.
      const share: Share = { ...claimedShare('telegram'), media: undefined };
      const call = { share, account: sandbox.account, credentials: sandbox.credentials };
      const outcome = await telegramClient.publish({ ...call, timeoutMs: 5_000 });
      if (outcome.kind !== 'published') throw new Error(JSON.stringify(outcome));
      const sent: Share = { ...share, status: 'published', remoteId: outcome.remoteId };
      expect(posts.list().find((p) => p.remoteId === outcome.remoteId)?.media).toBeUndefined();
      now += 48 * 60 * 60_000 + 1_000;

      const deleted = await telegramClient.withdraw({
        ...call,
        share: sent,
        timeoutMs: 5_000,
        action: 'delete',
      });
      expect(deleted).toMatchObject({
        kind: 'rejected',
        message: expect.stringMatching(/can't be deleted.*within 48 hours/),
      });
      const edited = await telegramClient.withdraw({
        ...call,
        share: sent,
        timeoutMs: 5_000,
        action: 'edit',
        text: NOTICE,
      });
      expect(edited).toMatchObject({ kind: 'withdrawn' });
      expect(posts.list().find((p) => p.remoteId === outcome.remoteId)?.text).toBe(NOTICE);
    } finally {
      await sandbox.stop();
    }
  });
});
