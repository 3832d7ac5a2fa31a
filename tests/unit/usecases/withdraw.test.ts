/**
 * An article the CMS withdraws (withdraw-article.ts, withdraw-post.ts), in memory: its
 * pending shares are cancelled, one being published is flagged, and each published post
 * is deleted or edited as its channel's onWithdraw says, once. The sandbox networks run
 * the same in tests/integration/handlers/publish-withdraw.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../shared/domain/channel';
import type { ArticleRecord } from '../../../shared/domain/ports';
import { applyEvent, type Share } from '../../../shared/domain/share';
import type { ShareStatus } from '../../../shared/domain/share-state';
import { composeArticle, newShare } from '../../../shared/usecases/compose-article';
import { handlePublishMessage } from '../../../shared/usecases/publish-share';
import { withdrawArticle } from '../../../shared/usecases/withdraw-article';
import { WithdrawPendingError } from '../../../shared/usecases/withdraw-post';
import { deskOf, START } from '../../support/in-memory/desk';
import {
  channelOf,
  composeDeps,
  moves,
  publishDeps,
  queuedShare,
  refOf,
  storeArticle,
  storeRevision,
} from '../../support/in-memory/fixtures';
import { type InMemoryWorld, outcome, type ScriptedClient } from '../../support/in-memory/index';

const SITE = {
  name: 'Desk News',
  brand: { background: '#111827', foreground: '#ffffff', accent: '#e11d48' },
};

let world: InMemoryWorld;
let client: ScriptedClient;
let record: ArticleRecord;

beforeEach(async () => {
  ({ world, client, record } = await deskOf({ article: { title: 'Bridge vote' } }));
});

/** withdrawArticle over `channels`, with the world's shares, publish queue and clock. */
const withdrawIn = (channels: Channel[], withdrawn: ArticleRecord) =>
  withdrawArticle(
    { shares: world.shares, channels, publishQueue: world.publishQueue, clock: world.clock },
    withdrawn,
  );

/** A share of `record` on `channel`, stored in `status` as if it got there (a published one has its post). */
async function shareIn(channel: Channel, status: ShareStatus, patch: Partial<Share> = {}) {
  const share: Share = {
    ...newShare(record, channel, world.clock.now()),
    status,
    version: 3,
    ...(status === 'published'
      ? { remoteId: `post-${channel.id}`, remoteUrl: `https://social.example/${channel.id}` }
      : {}),
    ...(status === 'queued' || status === 'publishing'
      ? { leaseUntil: '2026-03-02T09:01:30.000Z' }
      : {}),
    ...patch,
  };
  world.shares.put(share);
  const stored = await world.shares.get(refOf(share));
  if (!stored) throw new Error('not stored');
  return stored;
}

describe('withdrawArticle', () => {
  it('cancels what is pending, flags what is publishing, and sends each post its channel removes', async () => {
    const channels = [
      channelOf({ id: 'a-draft', approval: 'required' }),
      channelOf({ id: 'b-scheduled' }),
      channelOf({ id: 'c-queued' }),
      channelOf({ id: 'd-publishing', onWithdraw: 'delete' }),
      channelOf({ id: 'e-published-delete', onWithdraw: 'delete' }),
      channelOf({ id: 'f-published-keep' }),
      channelOf({ id: 'g-failed', onWithdraw: 'delete' }),
      channelOf({ id: 'h-unknown', onWithdraw: 'delete' }),
      channelOf({ id: 'i-withdrawn-already', onWithdraw: 'delete' }),
    ];
    const statuses: ShareStatus[] = [
      'draft',
      'scheduled',
      'queued',
      'publishing',
      'published',
      'published',
      'failed',
      'unknown',
      'published',
    ];
    const before: Share[] = [];
    for (const [i, channel] of channels.entries()) {
      const status = statuses[i] ?? 'scheduled';
      const done =
        channel.id === 'i-withdrawn-already'
          ? {
              withdrawal: {
                action: 'delete' as const,
                at: START,
                outcome: 'done' as const,
              },
            }
          : {};
      before.push(await shareIn(channel, status, done));
    }
    const withdrawn = await storeRevision(world, record, { status: 'unpublished' });

    const report = await withdrawIn(channels, withdrawn);

    expect(report).toEqual({
      cancelled: ['a-draft', 'b-scheduled', 'c-queued'],
      cancelRequested: ['d-publishing'],
      removing: ['e-published-delete'],
    });
    const after = await world.shares.listForArticle(record.articleId);
    expect(
      after.map((s) => [s.channelId, s.status, s.version, s.cancelRequested ?? false]),
    ).toEqual([
      ['a-draft', 'cancelled', 4, false],
      ['b-scheduled', 'cancelled', 4, false],
      ['c-queued', 'cancelled', 4, false],
      ['d-publishing', 'publishing', 4, true],
      ['e-published-delete', 'published', 3, false],
      ['f-published-keep', 'published', 3, false],
      ['g-failed', 'failed', 3, false],
      ['h-unknown', 'unknown', 3, false],
      ['i-withdrawn-already', 'published', 3, false],
    ]);
    const reason = 'the article was unpublished (revision 2)';
    for (const cancelled of after.slice(0, 3)) {
      expect(moves(cancelled, 1)).toEqual([
        {
          event: 'withdraw',
          from: before[after.indexOf(cancelled)]?.status,
          to: 'cancelled',
          by: 'crier',
          reason,
        },
      ]);
    }
    expect(after[2]?.leaseUntil).toBeUndefined();
    // A flag is no move: the publishing share's history is as it was.
    expect(after[3]?.history).toEqual(before[3]?.history);
    // The worker deletes the post under SQS's retries: one message, at once.
    expect(world.publishQueue.sent).toEqual([
      {
        message: { articleId: record.articleId, channelId: 'e-published-delete' },
        requestedDelaySeconds: 0,
        delaySeconds: 0,
      },
    ]);
  });

  it('re-reads a share the publisher claimed meanwhile, and flags it instead', async () => {
    const channel = channelOf({ id: 'masto-desk' });
    const queued = await queuedShare(world, record, channel);
    const withdrawn = await storeRevision(world, record, { status: 'deleted' });
    // The worker claims it between withdrawArticle's read and its write.
    world.shares.interceptNextReplace(async (previous) => {
      const claimed = applyEvent(previous, 'start', { at: world.clock.now(), by: 'publisher' });
      expect(await world.shares.replace(previous, claimed)).toBe(true);
    });

    const report = await withdrawIn([channel], withdrawn);

    expect(report).toEqual({ cancelled: [], cancelRequested: ['masto-desk'], removing: [] });
    expect(await world.shares.get(refOf(queued))).toMatchObject({
      status: 'publishing',
      version: 4,
      cancelRequested: true,
    });
  });

  it('runs from compose when the newest revision is a withdrawal', async () => {
    const channels = [channelOf({ id: 'masto-desk' }), channelOf({ id: 'x-desk', platform: 'x' })];
    const deps = composeDeps(world, channels, { schedule: false });
    world.clock.set('2026-03-02T08:30:00.000Z');
    const fresh = await storeArticle(world, { shareAt: '2026-03-02T12:00:00Z' });
    expect(await composeArticle(deps, { articleId: fresh.articleId, revision: 1 })).toMatchObject({
      created: ['masto-desk', 'x-desk'],
    });
    await storeRevision(world, fresh, { status: 'deleted' });

    const result = await composeArticle(deps, { articleId: fresh.articleId, revision: 2 });

    expect(result).toEqual({
      outcome: 'withdrawn',
      articleId: fresh.articleId,
      revision: 2,
      cancelled: ['masto-desk', 'x-desk'],
      cancelRequested: [],
      removing: [],
    });
    expect((await world.articles.get(fresh.articleId))?.composedRevision).toBe(2);
    // A late message of revision 1 changes nothing.
    expect(await composeArticle(deps, { articleId: fresh.articleId, revision: 1 })).toMatchObject({
      outcome: 'skipped',
    });
    expect((await world.shares.listForArticle(fresh.articleId)).map((s) => s.status)).toEqual([
      'cancelled',
      'cancelled',
    ]);
  });
});

describe("the publisher withdraws a published post as its channel's onWithdraw says", () => {
  const withdrawAs = async (
    channel: Channel,
    status: 'unpublished' | 'deleted' = 'unpublished',
  ) => {
    const share = await shareIn(channel, 'published');
    await storeRevision(world, record, { status });
    const deps = publishDeps(world, [channel], client, { site: SITE });
    return { share, publish: () => handlePublishMessage(deps, refOf(share)) };
  };

  it('deletes it once, and records it', async () => {
    const channel = channelOf({ id: 'masto-desk', onWithdraw: 'delete' });
    const { share, publish } = await withdrawAs(channel);
    client.onWithdraw(outcome.withdrawn());

    const result = await publish();

    const after = await world.shares.get(refOf(share));
    expect(result).toEqual({ outcome: 'withdrawn', share: after });
    expect(after).toMatchObject({
      status: 'published',
      version: share.version + 1,
      withdrawal: { action: 'delete', at: START, outcome: 'done' },
    });
    expect(moves(after, 1)).toEqual([
      {
        event: 'withdraw-post',
        from: 'published',
        to: 'published',
        by: 'publisher',
        reason: 'deleted on mastodon: the article was unpublished (revision 2)',
      },
    ]);
    expect(client.calls).toMatchObject([
      { method: 'withdraw', action: 'delete', share: { remoteId: 'post-masto-desk' } },
    ]);

    // Delivered again: nothing is deleted twice, nothing written.
    const writes = world.shares.writes.length;
    expect(await publish()).toEqual({ outcome: 'skipped', reason: 'the post was already done' });
    expect(client.calls).toHaveLength(1);
    expect(world.shares.writes).toHaveLength(writes);
  });

  it("edits it to the channel's withdrawnText", async () => {
    const channel = channelOf({
      id: 'masto-desk',
      onWithdraw: 'edit',
      withdrawnText: '{site} withdrew “{title}”.',
    });
    const { publish } = await withdrawAs(channel, 'deleted');
    client.onWithdraw(outcome.withdrawn());

    expect(await publish()).toMatchObject({
      outcome: 'withdrawn',
      share: {
        withdrawal: { action: 'edit', outcome: 'done', text: 'Desk News withdrew “Bridge vote”.' },
      },
    });
    expect(client.calls).toMatchObject([
      { method: 'withdraw', action: 'edit', text: 'Desk News withdrew “Bridge vote”.' },
    ]);
  });

  it('edits where the network refuses the delete and the channel has a withdrawnText (Telegram after 48 h)', async () => {
    const channel = channelOf({
      id: 'tg-desk',
      platform: 'telegram',
      account: '@desk',
      onWithdraw: 'delete',
      withdrawnText: 'Withdrawn: {title}',
    });
    const { publish } = await withdrawAs(channel);
    client.onWithdraw(outcome.rejected('message can’t be deleted'), outcome.withdrawn());

    expect(await publish()).toMatchObject({
      outcome: 'withdrawn',
      share: { withdrawal: { action: 'edit', outcome: 'done', text: 'Withdrawn: Bridge vote' } },
    });
    expect(client.calls.map((c) => c.action)).toEqual(['delete', 'edit']);
  });

  it('records a refusal for an editor, once', async () => {
    const channel = channelOf({
      id: 'x-desk',
      platform: 'x',
      account: 'desk',
      onWithdraw: 'delete',
    });
    const { share, publish } = await withdrawAs(channel);
    client.onWithdraw(outcome.rejected('HTTP 403: not your post'));

    const result = await publish();

    const reason = 'could not delete the post, delete it by hand: HTTP 403: not your post';
    expect(result).toMatchObject({
      outcome: 'refused',
      share: {
        status: 'published',
        version: share.version + 1,
        lastError: reason,
        withdrawal: { action: 'delete', outcome: 'refused', reason },
      },
    });
    expect(await publish()).toEqual({ outcome: 'skipped', reason: 'the post was already refused' });
    expect(client.calls).toHaveLength(1);
  });

  it('throws what did not finish, so SQS retries it, and records nothing until it does', async () => {
    const channel = channelOf({ id: 'masto-desk', onWithdraw: 'delete' });
    const { share, publish } = await withdrawAs(channel);
    const reset = '2026-03-02T09:15:00.000Z';
    client.onWithdraw(outcome.retry('HTTP 502'), outcome.rate(reset), outcome.withdrawn());

    await expect(publish()).rejects.toThrow(
      new WithdrawPendingError('delete not done (retry): HTTP 502'),
    );
    await expect(publish()).rejects.toThrow(
      new WithdrawPendingError(`delete rate limited until ${reset}: HTTP 429`),
    );
    expect(await world.shares.get(refOf(share))).toEqual(share);
    expect(await world.channelState.get(channel.id)).toEqual({ rateLimitedUntil: reset });

    expect(await publish()).toMatchObject({ outcome: 'withdrawn' });
    expect(client.calls).toHaveLength(3);
  });

  it('keeps the post where the channel keeps posts', async () => {
    const { share, publish } = await withdrawAs(channelOf({ id: 'fb-desk', platform: 'facebook' }));

    expect(await publish()).toEqual({
      outcome: 'skipped',
      reason: 'the channel keeps published posts',
    });
    expect(await world.shares.get(refOf(share))).toEqual(share);
    expect(client.calls).toEqual([]);
  });
});

describe('a withdrawal while the post is being made', () => {
  it('keeps the post record and the cancel request, and withdraws the post next', async () => {
    const channel = channelOf({ id: 'masto-desk', onWithdraw: 'delete' });
    const queued = await queuedShare(world, record, channel);
    const deps = publishDeps(world, [channel], client);
    // The CMS withdraws the article while the network call is out.
    client.onPublish(async () => {
      const withdrawn = await storeRevision(world, record, { status: 'unpublished' });
      expect(await withdrawIn([channel], withdrawn)).toEqual({
        cancelled: [],
        cancelRequested: ['masto-desk'],
        removing: [],
      });
      return outcome.posted('120');
    });

    const result = await handlePublishMessage(deps, refOf(queued));

    // claimed (3), flagged (4), recorded over the flag (5)
    const stored = await world.shares.get(refOf(queued));
    expect(result).toEqual({ outcome: 'published', share: stored });
    expect(stored).toMatchObject({
      status: 'published',
      version: 5,
      cancelRequested: true,
      remoteId: '120',
    });
    expect(moves(stored, 1)).toEqual([
      { event: 'succeed', from: 'publishing', to: 'published', by: 'publisher' },
    ]);
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(queued), requestedDelaySeconds: 0, delaySeconds: 0 },
    ]);

    client.onWithdraw(outcome.withdrawn());
    expect(await handlePublishMessage(deps, refOf(queued))).toMatchObject({
      outcome: 'withdrawn',
      share: { version: 6, withdrawal: { action: 'delete', outcome: 'done' } },
    });
  });

  it('cancels, at its next claim, a share whose attempt did not post', async () => {
    const channel = channelOf({ id: 'masto-desk' });
    const queued = await queuedShare(world, record, channel);
    const deps = publishDeps(world, [channel], client);
    // An editor cancels while the call is out; the network answers "try again".
    client.onPublish(async () => {
      const current = await world.shares.get(refOf(queued));
      if (!current) throw new Error('gone');
      const flagged = { ...current, cancelRequested: true, version: current.version + 1 };
      expect(await world.shares.replace(current, flagged)).toBe(true);
      return outcome.retry();
    });

    const deferred = await handlePublishMessage(deps, refOf(queued));
    expect(deferred).toMatchObject({
      outcome: 'deferred',
      share: { status: 'queued', cancelRequested: true },
    });
    world.clock.advance(4_000);

    const result = await handlePublishMessage(deps, refOf(queued));

    expect(result).toMatchObject({ outcome: 'cancelled', share: { status: 'cancelled' } });
    expect(moves(await world.shares.get(refOf(queued)), 1)).toEqual([
      {
        event: 'cancel',
        from: 'queued',
        to: 'cancelled',
        by: 'publisher',
        reason: 'cancelled: an editor asked while it was being published',
      },
    ]);
    expect(client.callsOf('publish')).toHaveLength(1);
  });
});

describe('an evergreen round', () => {
  // Each round is a share of its own: its withdrawal message names its round, or the first
  // share's post would be withdrawn twice and the round's would stay up.
  it('withdraws the post of every round, each by its own message', async () => {
    const channel = channelOf({ id: 'masto-desk', onWithdraw: 'delete' });
    const first = await shareIn(channel, 'published', { remoteId: 'post-round-1' });
    const second = await shareIn(channel, 'published', { round: 2, remoteId: 'post-round-2' });
    const withdrawn = await storeRevision(world, record, { status: 'unpublished' });
    const report = await withdrawIn([channel], withdrawn);
    expect(report.removing).toEqual(['masto-desk', 'masto-desk']);
    client.onWithdraw(outcome.withdrawn(), outcome.withdrawn());
    const deps = publishDeps(world, [channel], client);

    for (const { message } of world.publishQueue.take()) await handlePublishMessage(deps, message);

    expect(client.callsOf('withdraw').map((c) => c.share.remoteId)).toEqual([
      'post-round-1',
      'post-round-2',
    ]);
    expect((await world.shares.get(refOf(first)))?.withdrawal?.outcome).toBe('done');
    expect((await world.shares.get(refOf(second)))?.withdrawal?.outcome).toBe('done');
  });
});
