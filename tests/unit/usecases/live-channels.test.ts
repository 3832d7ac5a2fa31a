/**
 * Channels in the table as the live configuration (docs/configuring.md, "Pausing and
 * archiving"): the handlers read the directory through the cache, so compose and the
 * publisher see a pause, a resume, an archiving or a changed template within the TTL.
 * A paused channel's shares wait and go out once it is resumed; an archived one's pending
 * shares are cancelled with the reason, and its published posts can still be withdrawn.
 * In memory.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { CachedDirectory, liveChannels } from '../../../shared/config/directory-cache';
import type { ArticleRecord } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import { archiveChannel } from '../../../shared/usecases/archive-channel';
import { composeArticle } from '../../../shared/usecases/compose-article';
import { dispatchDue } from '../../../shared/usecases/dispatch';
import { handlePublishMessage } from '../../../shared/usecases/publish-share';
import { START } from '../../support/in-memory/desk';
import {
  composeDeps,
  dispatchDeps,
  moves,
  publishDeps,
  refOf,
  storeArticle,
  storeRevision,
} from '../../support/in-memory/fixtures';
import {
  type InMemoryWorld,
  inMemoryWorld,
  outcome,
  ScriptedClient,
} from '../../support/in-memory/index';

const who = 'editor@desk';
const CHANNEL = 'masto-desk';

let world: InMemoryWorld;
let client: ScriptedClient;
let cache: CachedDirectory;

beforeEach(async () => {
  world = inMemoryWorld(START);
  client = new ScriptedClient();
  cache = new CachedDirectory(world.directory, world.clock);
  await world.directory.putSite({ id: 'default', name: 'Desk News' }, { who });
  await world.directory.putChannel(
    {
      siteId: 'default',
      id: CHANNEL,
      platform: 'mastodon',
      account: '@desk@social.example',
      template: '{title} {url}',
      onWithdraw: 'delete',
    },
    { who },
  );
});

/** What each handler does per message: the directory as the cache has it now. */
const live = async () => liveChannels(await cache.snapshot());

async function compose(record: ArticleRecord) {
  const now = await live();
  const deps = {
    ...composeDeps(world, now.all, { schedule: false }),
    statusOf: now.statusOf,
  };
  return composeArticle(deps, { articleId: record.articleId, revision: record.article.revision });
}

async function publish(share: Pick<Share, 'articleId' | 'channelId'>) {
  const now = await live();
  const deps = publishDeps(world, now.all, client, { statusOf: now.statusOf });
  return handlePublishMessage(deps, refOf(share as Share));
}

const shareOf = (record: ArticleRecord) =>
  world.shares.get({ articleId: record.articleId, channelId: CHANNEL });

/** The TTL (60 s) passes: the next read of the cache sees the table as it is. */
const afterTtl = () => world.clock.advanceSeconds(60);

describe('a paused channel', () => {
  it('defers its shares without spending an attempt, and posts them once resumed', async () => {
    await world.directory.pauseChannel(CHANNEL, { who });
    const record = await storeArticle(world, { title: 'Bridge vote' });

    // Compose still makes the share, so resuming posts it: nothing is lost.
    const composed = await compose(record);
    expect(composed).toMatchObject({ outcome: 'composed', created: [CHANNEL] });
    expect((await shareOf(record))?.status).toBe('queued');
    world.publishQueue.take();

    const deferred = await publish({ articleId: record.articleId, channelId: CHANNEL });
    expect(deferred.outcome).toBe('deferred');
    const waiting = await shareOf(record);
    expect(waiting).toMatchObject({ status: 'scheduled', attempt: 0 });
    expect(moves(waiting, 1)).toEqual([
      {
        event: 'reschedule',
        from: 'queued',
        to: 'scheduled',
        by: 'publisher',
        reason: 'channel paused',
      },
    ]);
    expect(client.calls).toEqual([]);
    // Looked at again after the tick's look-ahead, not before.
    expect(Date.parse(waiting?.dueAt ?? '')).toBeGreaterThan(
      world.clock.now().getTime() + dispatchDeps(world).config.lookAheadSeconds * 1000,
    );

    // Still paused at the next look: deferred again, still no attempt spent.
    world.clock.advanceSeconds(120);
    await dispatchDue(dispatchDeps(world));
    world.publishQueue.take();
    expect((await publish(refOf(waiting as Share))).outcome).toBe('deferred');
    expect(await shareOf(record)).toMatchObject({ status: 'scheduled', attempt: 0 });

    // Resumed: seen within the TTL, and the share goes out at its next look.
    await world.directory.resumeChannel(CHANNEL, { who });
    afterTtl();
    world.clock.advanceSeconds(120);
    await dispatchDue(dispatchDeps(world));
    expect(world.publishQueue.take().map((m) => m.message.channelId)).toEqual([CHANNEL]);
    client.onPublish(outcome.posted('110', 'https://social.example/@desk/110'));
    const result = await publish({ articleId: record.articleId, channelId: CHANNEL });
    expect(result.outcome).toBe('published');
    expect(await shareOf(record)).toMatchObject({
      status: 'published',
      attempt: 0,
      remoteId: '110',
    });
    expect(client.calls).toHaveLength(1);
  });

  it('is paused by its site: the share waits as well', async () => {
    await world.directory.pauseSite('default', { who });
    const record = await storeArticle(world);
    await compose(record);
    world.publishQueue.take();
    expect((await publish({ articleId: record.articleId, channelId: CHANNEL })).outcome).toBe(
      'deferred',
    );
    expect(await shareOf(record)).toMatchObject({ status: 'scheduled', attempt: 0 });
    expect(client.calls).toEqual([]);
  });
});

describe('an archived channel', () => {
  it('cancels its pending shares with the reason; its published post can still be withdrawn', async () => {
    const published = await storeArticle(world, { title: 'Old news' });
    await compose(published);
    world.publishQueue.take();
    client.onPublish(outcome.posted('110', 'https://social.example/@desk/110'));
    expect((await publish({ articleId: published.articleId, channelId: CHANNEL })).outcome).toBe(
      'published',
    );
    const pending = await storeArticle(world, { title: 'Later news' });
    await compose(pending);
    world.publishQueue.take();
    expect((await shareOf(pending))?.status).toBe('queued');

    const report = await archiveChannel(
      {
        directory: world.directory,
        timeline: world.timeline,
        shares: world.shares,
        clock: world.clock,
      },
      CHANNEL,
      { who },
    );

    expect(report.channel.status).toBe('archived');
    expect(report.cancelled).toEqual([pending.articleId]);
    expect(report.contended).toEqual([]);
    const cancelled = await shareOf(pending);
    expect(cancelled?.status).toBe('cancelled');
    expect(moves(cancelled, 1)).toEqual([
      {
        event: 'cancel',
        from: 'queued',
        to: 'cancelled',
        by: 'crier',
        reason: `cancelled: channel ${CHANNEL} archived by ${who}`,
      },
    ]);
    expect((await shareOf(published))?.status).toBe('published');

    // Its message, still on the queue, posts nothing.
    afterTtl();
    expect((await publish({ articleId: pending.articleId, channelId: CHANNEL })).outcome).toBe(
      'skipped',
    );

    // A new article: no share on the archived channel.
    const next = await storeArticle(world);
    expect(await compose(next)).toMatchObject({ created: [], notTaken: [CHANNEL] });
    expect(await shareOf(next)).toBeUndefined();

    // The published post is still withdrawn: its channel's settings and credentials are read.
    await storeRevision(world, published, { status: 'unpublished' });
    client.onWithdraw(outcome.withdrawn());
    const withdrawn = await publish({ articleId: published.articleId, channelId: CHANNEL });
    expect(withdrawn.outcome).toBe('withdrawn');
    expect(await shareOf(published)).toMatchObject({
      status: 'published',
      withdrawal: { action: 'delete', outcome: 'done' },
    });
  });

  it('cancels at the claim a share composed before the archiving was seen', async () => {
    const record = await storeArticle(world);
    await compose(record);
    world.publishQueue.take();
    // Archived in the directory only (a function whose cache was older composed it).
    await world.directory.archiveChannel(CHANNEL, { who });
    afterTtl();

    const result = await publish({ articleId: record.articleId, channelId: CHANNEL });

    expect(result.outcome).toBe('cancelled');
    const share = await shareOf(record);
    expect(share?.status).toBe('cancelled');
    expect(share?.history.at(-1)?.reason).toBe(`cancelled: channel ${CHANNEL} is archived`);
    expect(client.calls).toEqual([]);
  });
});

describe('a change in the table', () => {
  it('composes the next article with the new template once the TTL has passed, not before', async () => {
    const first = await storeArticle(world, { title: 'First' });
    await compose(first);
    expect((await shareOf(first))?.text).toMatch(/^First /);

    const channel = await world.directory.getChannel(CHANNEL);
    await world.directory.putChannel(
      { ...(channel as NonNullable<typeof channel>), template: 'NEW {title} {url}' },
      { who, expectedVersion: channel?.version },
    );
    world.clock.advanceSeconds(59);
    const second = await storeArticle(world, { title: 'Second' });
    await compose(second);
    expect((await shareOf(second))?.text).toMatch(/^Second /);

    world.clock.advanceSeconds(1);
    const third = await storeArticle(world, { title: 'Third' });
    await compose(third);
    expect((await shareOf(third))?.text).toMatch(/^NEW Third /);
  });
});
