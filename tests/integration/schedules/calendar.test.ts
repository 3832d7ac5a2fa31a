/**
 * Shares placed on their channel's calendar against dynalite: slot reservations under
 * concurrent composes, spacing and caps that hold in a race, breaking news overtaking a
 * normal share, drafts with a planned time, and evergreen rounds.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../infra/local/local-aws';
import { ChannelCredentials } from '../../../shared/config/credentials';
import { readPublishingConfig } from '../../../shared/config/publishing';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Channel, type ChannelInput, channelSchema } from '../../../shared/domain/channel';
import { articleIdFor } from '../../../shared/domain/ids';
import type { Clock } from '../../../shared/domain/ports';
import { applyEvent, type Share } from '../../../shared/domain/share';
import { applyEdit } from '../../../shared/domain/share-edit';
import { SqsPublishQueue } from '../../../shared/queue/publish-queue';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { DynamoChannelStateStore } from '../../../shared/store/channel-state-store';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { DynamoSlotStore } from '../../../shared/store/slot-store';
import { composeArticle } from '../../../shared/usecases/compose-article';
import { dispatchDue, enqueueIfDue } from '../../../shared/usecases/dispatch';
import { scheduleReshare } from '../../../shared/usecases/evergreen';
import { handlePublishMessage } from '../../../shared/usecases/publish-share';
import { holdSlot, releaseSlot, sharePlanner } from '../../../shared/usecases/schedule-share';
import { startTestStack, type TestStack } from '../../support/stack';
import { sampleArticle } from '../../support/webhook';

let stack: TestStack;
let articles: DynamoArticleStore;
let shares: DynamoShareStore;
let slots: DynamoSlotStore;
let channelState: DynamoChannelStateStore;

beforeAll(async () => {
  // Only the emulators: the test calls the use cases itself.
  stack = await startTestStack({ functions: {}, sandboxes: false });
  // As the functions make theirs (shared/store/client.ts).
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  articles = new DynamoArticleStore(db, stack.tableName);
  shares = new DynamoShareStore(db, stack.tableName);
  slots = new DynamoSlotStore(db, stack.tableName);
  channelState = new DynamoChannelStateStore(db, stack.tableName);
});

afterAll(async () => {
  await stack?.dispose();
});

const fixedClock = (iso: string): Clock & { set(iso: string): void } => {
  let now = new Date(iso);
  return {
    now: () => now,
    set: (next) => {
      now = new Date(next);
    },
  };
};

const channelOf = (input: Omit<ChannelInput, 'platform' | 'account' | 'template'>): Channel =>
  channelSchema.parse({
    platform: 'mastodon',
    account: '@desk@example.social',
    template: '{title} {url}',
    ...input,
  });

let sequence = 0;

/** Stores a new article revision as ingest would, and returns its id. */
async function storeArticle(clock: Clock, patch: Record<string, unknown> = {}): Promise<string> {
  sequence += 1;
  const article = parseGenericArticle({ ...sampleArticle(), id: `cal-${sequence}`, ...patch });
  const articleId = articleIdFor('generic', article.sourceId);
  const at = clock.now().toISOString();
  await articles.putRevision({ articleId, article, receivedAt: at, updatedAt: at });
  return articleId;
}

function composer(channels: Channel[], clock: Clock) {
  const dispatch = {
    shares,
    publishQueue: new SqsPublishQueue(stack.sqs, stack.queueUrls.publish),
    clock,
    config: readPublishingConfig({}),
  };
  const deps = {
    articles,
    shares,
    channels,
    clock,
    publishQueue: dispatch.publishQueue,
    schedule: sharePlanner({ slots, shares, articles, clock, random: () => Math.random() }),
    enqueueIfDue: (share: Share) => enqueueIfDue(dispatch, share),
  };
  return {
    dispatch,
    compose: (articleId: string) => composeArticle(deps, { articleId, revision: 1 }),
  };
}

const shareOf = async (articleId: string, channelId: string, round?: number) => {
  const share = await shares.get({ articleId, channelId, round });
  if (!share) throw new Error(`no share ${articleId}/${channelId}`);
  return share;
};

const slotItem = async (channelId: string, instant: string) =>
  (
    await stack.db.send(
      new GetCommand({
        TableName: stack.tableName,
        Key: { PK: `CH#${channelId}`, SK: `SLOT#${instant}` },
      }),
    )
  ).Item;

describe('slot reservations', () => {
  it('give five articles composed at once five different slots, in slot order', async () => {
    // Monday 30 March 2026, 06:00 in La Paz.
    const clock = fixedClock('2026-03-30T10:00:00Z');
    const channel = channelOf({
      id: 'lapaz-race',
      timezone: 'America/La_Paz',
      schedule: { type: 'slots', slots: { mon: ['08:00', '10:00', '12:30', '17:00', '20:00'] } },
    });
    const { compose } = composer([channel], clock);
    const ids = await Promise.all(Array.from({ length: 5 }, () => storeArticle(clock)));
    await Promise.all(ids.map(compose));

    const placed = await Promise.all(ids.map((id) => shareOf(id, channel.id)));
    expect(placed.map((s) => s.dueAt).sort()).toEqual([
      '2026-03-30T12:00:00.000Z',
      '2026-03-30T14:00:00.000Z',
      '2026-03-30T16:30:00.000Z',
      '2026-03-30T21:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
    ]);
    for (const share of placed) {
      expect(await slotItem(channel.id, share.dueAt)).toMatchObject({
        holder: `${share.articleId}#${channel.id}`,
      });
    }
  });

  it('keep the spacing and the daily cap between articles composed at once', async () => {
    const clock = fixedClock('2026-04-01T09:00:00Z');
    const spaced = channelOf({
      id: 'spaced-race',
      schedule: { type: 'asap', minSpacingMinutes: 30 },
    });
    const capped = channelOf({ id: 'capped-race', schedule: { type: 'asap', dailyCap: 2 } });
    const { compose } = composer([spaced, capped], clock);
    const ids = await Promise.all(Array.from({ length: 4 }, () => storeArticle(clock)));
    await Promise.all(ids.map(compose));

    const spacedAt = (await Promise.all(ids.map((id) => shareOf(id, spaced.id))))
      .map((s) => Date.parse(s.dueAt))
      .sort((a, b) => a - b);
    for (let i = 1; i < spacedAt.length; i += 1) {
      expect((spacedAt[i] ?? 0) - (spacedAt[i - 1] ?? 0)).toBeGreaterThanOrEqual(30 * 60_000);
    }
    const cappedDays = (await Promise.all(ids.map((id) => shareOf(id, capped.id)))).map((s) =>
      s.dueAt.slice(0, 10),
    );
    expect(cappedDays.filter((day) => day === '2026-04-01')).toHaveLength(2);
    expect(cappedDays.filter((day) => day === '2026-04-02')).toHaveLength(2);
  });

  it('take over a slot whose share never appeared, but not one a compose has just taken', async () => {
    const clock = fixedClock('2026-04-06T10:00:00Z');
    const channel = channelOf({
      id: 'stale-slots',
      schedule: { type: 'slots', slots: { mon: ['11:00', '12:00', '13:00'] } },
    });
    const orphan = { articleId: 'f'.repeat(32), channelId: channel.id };
    // Left by a compose that stopped before writing its share, ten minutes ago.
    await slots.reserve({
      channelId: channel.id,
      instant: '2026-04-06T11:00:00.000Z',
      holder: orphan,
      createdAt: '2026-04-06T09:50:00.000Z',
    });
    // Taken a moment ago by a compose still running.
    await slots.reserve({
      channelId: channel.id,
      instant: '2026-04-06T12:00:00.000Z',
      holder: { articleId: 'e'.repeat(32), channelId: channel.id },
      createdAt: '2026-04-06T09:59:58.000Z',
    });
    const { compose } = composer([channel], clock);
    const first = await storeArticle(clock);
    const second = await storeArticle(clock);
    await compose(first);
    await compose(second);
    expect((await shareOf(first, channel.id)).dueAt).toBe('2026-04-06T11:00:00.000Z');
    expect(await slotItem(channel.id, '2026-04-06T11:00:00.000Z')).toMatchObject({
      holder: `${first}#${channel.id}`,
    });
    expect((await shareOf(second, channel.id)).dueAt).toBe('2026-04-06T13:00:00.000Z');
  });

  it('free a cancelled share’s slot for the next article, and free it only once', async () => {
    const clock = fixedClock('2026-04-13T06:00:00Z');
    const channel = channelOf({
      id: 'cancel-slots',
      schedule: { type: 'slots', slots: { mon: ['09:00', '15:00'] } },
    });
    const { compose } = composer([channel], clock);
    const first = await storeArticle(clock);
    await compose(first);
    const held = await shareOf(first, channel.id);
    expect(held.dueAt).toBe('2026-04-13T09:00:00.000Z');

    const cancelled = applyEvent(held, 'cancel', { at: clock.now(), by: 'editor' });
    expect(await shares.replace(held, cancelled)).toBe(true);
    await releaseSlot({ slots }, cancelled);
    await releaseSlot({ slots }, cancelled);
    expect(await slotItem(channel.id, held.dueAt)).toBeUndefined();

    const second = await storeArticle(clock);
    await compose(second);
    expect((await shareOf(second, channel.id)).dueAt).toBe('2026-04-13T09:00:00.000Z');
    // The cancelled share cannot free the slot its successor holds.
    await releaseSlot({ slots }, cancelled);
    expect(await slotItem(channel.id, held.dueAt)).toMatchObject({
      holder: `${second}#${channel.id}`,
    });
  });

  it('give a share awaiting approval its planned slot, and hold it', async () => {
    const clock = fixedClock('2026-04-20T06:00:00Z');
    const channel = channelOf({
      id: 'approval-slots',
      approval: 'required',
      timezone: 'Europe/Berlin',
      schedule: { type: 'slots', slots: { mon: ['10:00'], tue: ['10:00'] } },
    });
    const { compose } = composer([channel], clock);
    const first = await storeArticle(clock);
    const second = await storeArticle(clock);
    await compose(first);
    await compose(second);
    expect(await shareOf(first, channel.id)).toMatchObject({
      status: 'draft',
      dueAt: '2026-04-20T08:00:00.000Z',
    });
    expect(await shareOf(second, channel.id)).toMatchObject({
      status: 'draft',
      dueAt: '2026-04-21T08:00:00.000Z',
    });
  });

  it('hold a time an editor chose by hand, so the next article goes around it', async () => {
    const clock = fixedClock('2026-04-27T06:00:00Z');
    const channel = channelOf({
      id: 'editor-slots',
      schedule: { type: 'slots', slots: { mon: ['09:00', '10:00'] } },
    });
    const { compose } = composer([channel], clock);
    const moved = await storeArticle(clock);
    await compose(moved);
    const share = await shareOf(moved, channel.id);
    expect(share.dueAt).toBe('2026-04-27T09:00:00.000Z');
    // The editor moves it to 10:00: the old slot is freed and the new time held.
    const edited = { ...share, dueAt: '2026-04-27T10:00:00.000Z', version: share.version + 1 };
    expect(await shares.replace(share, edited)).toBe(true);
    await releaseSlot({ slots }, share);
    expect(await holdSlot({ slots, clock }, edited)).toBe(true);
    expect(await holdSlot({ slots, clock }, edited)).toBe(true);

    const next = await storeArticle(clock);
    await compose(next);
    expect((await shareOf(next, channel.id)).dueAt).toBe('2026-04-27T09:00:00.000Z');
    expect(await slotItem(channel.id, '2026-04-27T10:00:00.000Z')).toMatchObject({
      holder: `${moved}#${channel.id}`,
    });
  });

  it('change nothing when the same revision is composed again', async () => {
    const clock = fixedClock('2026-05-25T06:00:00Z');
    const channel = channelOf({
      id: 'again-slots',
      schedule: { type: 'slots', slots: { mon: ['09:00', '10:00'] } },
    });
    const { compose } = composer([channel], clock);
    const articleId = await storeArticle(clock);
    await compose(articleId);
    const before = await stack.items();
    // As if the compose ran again before it marked the revision composed.
    await stack.db.send(
      new PutCommand({
        TableName: stack.tableName,
        Item: {
          ...before.find((i) => i.PK === `ART#${articleId}` && i.SK === 'A'),
          composedRevision: 0,
        },
      }),
    );
    await compose(articleId);
    const after = await stack.items();
    expect(
      after.filter((i) => String(i.SK).startsWith('SLOT#') && i.PK === `CH#${channel.id}`),
    ).toEqual(
      before.filter((i) => String(i.SK).startsWith('SLOT#') && i.PK === `CH#${channel.id}`),
    );
    expect((await shareOf(articleId, channel.id)).dueAt).toBe('2026-05-25T09:00:00.000Z');
  });
});

describe('breaking news on a channel', () => {
  it('goes before a normal share that is due but has not gone out, which waits a minute after it', async () => {
    const clock = fixedClock('2026-05-04T12:00:00Z');
    const channel = channelOf({ id: 'breaking-order', schedule: { type: 'asap' } });
    const { compose, dispatch } = composer([channel], clock);
    const normal = await storeArticle(clock);
    await compose(normal);
    // Claimed on the direct path: its message is on the queue.
    expect(await shareOf(normal, channel.id)).toMatchObject({
      status: 'queued',
      dueAt: '2026-05-04T12:00:00.000Z',
    });

    clock.set('2026-05-04T12:00:02Z');
    const breaking = await storeArticle(clock, { priority: 'breaking' });
    await compose(breaking);

    const first = await shareOf(breaking, channel.id);
    const second = await shareOf(normal, channel.id);
    expect(first).toMatchObject({ status: 'queued', dueAt: '2026-05-04T12:00:02.000Z' });
    expect(second).toMatchObject({ status: 'scheduled', dueAt: '2026-05-04T12:01:02.000Z' });
    expect(second.history.at(-1)).toMatchObject({
      event: 'reschedule',
      from: 'queued',
      to: 'scheduled',
      reason: `breaking news (article ${breaking}) goes first`,
    });

    // The normal share's old message finds it scheduled; the tick sends it at its new time.
    clock.set('2026-05-04T12:00:30Z');
    await dispatchDue(dispatch);
    expect((await shareOf(normal, channel.id)).status).toBe('queued');
    expect(Date.parse((await shareOf(normal, channel.id)).dueAt)).toBeGreaterThan(
      Date.parse(first.dueAt),
    );
  });

  it('moves an overtaken share to its next free slot, and leaves later ones and other breaking news alone', async () => {
    const clock = fixedClock('2026-05-11T06:00:00Z');
    const channel = channelOf({
      id: 'breaking-slots',
      schedule: {
        type: 'slots',
        slots: { mon: ['08:00', '09:00', '12:00'] },
        minSpacingMinutes: 30,
      },
    });
    const { compose } = composer([channel], clock);
    const early = await storeArticle(clock);
    const late = await storeArticle(clock);
    await compose(early);
    await compose(late);
    expect((await shareOf(early, channel.id)).dueAt).toBe('2026-05-11T08:00:00.000Z');
    expect((await shareOf(late, channel.id)).dueAt).toBe('2026-05-11T09:00:00.000Z');

    clock.set('2026-05-11T07:59:50Z');
    const breaking = await storeArticle(clock, { priority: 'breaking' });
    await compose(breaking);
    expect((await shareOf(breaking, channel.id)).dueAt).toBe('2026-05-11T07:59:50.000Z');
    // 08:00 is overtaken: 09:00 is taken, so the next free slot is 12:00.
    expect((await shareOf(early, channel.id)).dueAt).toBe('2026-05-11T12:00:00.000Z');
    expect((await shareOf(late, channel.id)).dueAt).toBe('2026-05-11T09:00:00.000Z');
    expect(await slotItem(channel.id, '2026-05-11T08:00:00.000Z')).toBeUndefined();
    expect(await slotItem(channel.id, '2026-05-11T12:00:00.000Z')).toMatchObject({
      holder: `${early}#${channel.id}`,
    });

    clock.set('2026-05-11T07:59:55Z');
    const breakingToo = await storeArticle(clock, { priority: 'breaking' });
    await compose(breakingToo);
    expect((await shareOf(breaking, channel.id)).dueAt).toBe('2026-05-11T07:59:50.000Z');
  });

  it('leaves a time an editor set by hand where it is when breaking news overtakes it', async () => {
    const clock = fixedClock('2026-05-18T06:00:00Z');
    const channel = channelOf({
      id: 'breaking-edited',
      schedule: { type: 'slots', slots: { mon: ['08:00', '12:00'] }, minSpacingMinutes: 30 },
    });
    const { compose } = composer([channel], clock);
    const pinned = await storeArticle(clock);
    await compose(pinned);
    const share = await shareOf(pinned, channel.id);
    expect(share.dueAt).toBe('2026-05-18T08:00:00.000Z');
    // The editor moves it to 08:10 (PATCH dueAt): applyEdit stamps the edit.
    const record = await articles.get(pinned);
    if (!record) throw new Error('the article is stored');
    const edited = applyEdit(
      share,
      { dueAt: '2026-05-18T08:10:00.000Z' },
      { by: 'editor', role: 'editor', at: clock.now(), article: record.article },
    );
    expect(await shares.replace(share, edited)).toBe(true);

    clock.set('2026-05-18T07:59:00Z');
    const breaking = await storeArticle(clock, { priority: 'breaking' });
    await compose(breaking);
    expect((await shareOf(breaking, channel.id)).dueAt).toBe('2026-05-18T07:59:00.000Z');
    expect((await shareOf(pinned, channel.id)).dueAt).toBe('2026-05-18T08:10:00.000Z');
  });
});

describe('evergreen rounds', () => {
  async function publish(share: Share, at: Date): Promise<Share> {
    const queued =
      share.status === 'queued' ? share : applyEvent(share, 'enqueue', { at, by: 'test' });
    const publishing = applyEvent(queued, 'start', { at, by: 'test' });
    const published = applyEvent(publishing, 'succeed', {
      at,
      by: 'test',
      patch: { remoteId: `post-${share.round ?? 1}` },
    });
    expect(await shares.replace(share, published)).toBe(true);
    return published;
  }

  it('re-shares an evergreen article after afterDays, on a slot, with a fresh text, once per round', async () => {
    const clock = fixedClock('2026-06-01T06:00:00Z');
    const channel = channelOf({
      id: 'evergreen-desk',
      timezone: 'Europe/Berlin',
      schedule: { type: 'slots', slots: { mon: ['09:00'], thu: ['09:00'] } },
      evergreen: { afterDays: 10, max: 2 },
    });
    const { compose, dispatch } = composer([channel], clock);
    const articleId = await storeArticle(clock, { priority: 'evergreen' });
    await compose(articleId);
    const first = await shareOf(articleId, channel.id);
    expect(first.dueAt).toBe('2026-06-01T07:00:00.000Z');
    expect(first.round).toBeUndefined();

    const reshare = {
      articles,
      shares,
      channels: [channel],
      clock,
      schedule: sharePlanner({ slots, shares, articles, clock }),
    };
    const published = await publish(first, new Date('2026-06-01T07:00:00Z'));
    const second = await scheduleReshare(reshare, published);
    // Ten days after Monday 1 June is Thursday 11 June: its 09:00 slot.
    expect(second).toMatchObject({
      round: 2,
      status: 'scheduled',
      dueAt: '2026-06-11T07:00:00.000Z',
    });
    expect(second?.text).toMatch(/^From our archive: Trump Declares Support for Coup in Bolivia/);
    expect(await scheduleReshare(reshare, published)).toEqual(second);
    const items = await stack.items();
    expect(items.filter((i) => i.PK === `ART#${articleId}`).map((i) => i.SK)).toEqual([
      'A',
      'S#evergreen-desk',
      'S#evergreen-desk~2',
    ]);
    expect(items.find((i) => i.SK === 'S#evergreen-desk~2')).toMatchObject({
      dueSK: `2026-06-11T07:00:00.000Z#${articleId}#evergreen-desk~2`,
      timelinePK: 'CH#evergreen-desk',
    });

    // The tick finds round 2 by its key and its message names the round.
    expect(await shares.dueBy('2026-06-11T07:00:00.000Z', 100)).toContainEqual({
      articleId,
      channelId: channel.id,
      round: 2,
    });
    clock.set('2026-06-11T07:00:00Z');
    await dispatchDue(dispatch);
    expect((await shareOf(articleId, channel.id, 2)).status).toBe('queued');
    const bodies: unknown[] = [];
    for (
      let batch = await stack.receive('publish');
      batch.length;
      batch = await stack.receive('publish')
    ) {
      bodies.push(...batch.map((m) => JSON.parse(m.Body ?? '{}')));
    }
    expect(bodies).toContainEqual({ articleId, channelId: channel.id, round: 2 });

    const third = await scheduleReshare(
      reshare,
      await publish(await shareOf(articleId, channel.id, 2), new Date('2026-06-11T07:00:00Z')),
    );
    expect(third).toMatchObject({ round: 3, dueAt: '2026-06-22T07:00:00.000Z' });
    const fourth = await scheduleReshare(
      reshare,
      await publish(await shareOf(articleId, channel.id, 3), new Date('2026-06-22T07:00:00Z')),
    );
    expect(fourth).toBeUndefined();
  });

  it('writes the next round when a message about a published round comes again', async () => {
    const clock = fixedClock('2026-08-03T06:00:00Z');
    const channel = channelOf({ id: 'evergreen-retry', evergreen: { afterDays: 7 } });
    const { compose, dispatch } = composer([channel], clock);
    const articleId = await storeArticle(clock, { priority: 'evergreen' });
    await compose(articleId);
    // Published, and the step after it failed: no round 2 yet.
    await publish(await shareOf(articleId, channel.id), clock.now());
    expect(await shares.get({ articleId, channelId: channel.id, round: 2 })).toBeUndefined();

    const reshare = {
      articles,
      shares,
      channels: [channel],
      clock,
      schedule: sharePlanner({ slots, shares, articles, clock }),
    };
    const result = await handlePublishMessage(
      {
        ...dispatch,
        articles,
        channelState,
        credentials: new ChannelCredentials({}),
        channels: [channel],
        clientFor: () => undefined,
        afterPublished: (share) => scheduleReshare(reshare, share),
      },
      { articleId, channelId: channel.id },
    );
    expect(result).toMatchObject({ outcome: 'skipped', reason: 'share is published' });
    expect(await shares.get({ articleId, channelId: channel.id, round: 2 })).toMatchObject({
      round: 2,
      dueAt: '2026-08-10T06:00:00.000Z',
    });
  });

  it('rotates the configured templates, and re-shares nothing for a normal article', async () => {
    const clock = fixedClock('2026-07-01T06:00:00Z');
    const channel = channelOf({
      id: 'evergreen-templates',
      evergreen: {
        afterDays: 1,
        max: 3,
        templates: ['Still worth a read: {title}', 'Back by demand: {title}'],
      },
    });
    const { compose } = composer([channel], clock);
    const reshare = {
      articles,
      shares,
      channels: [channel],
      clock,
      schedule: sharePlanner({ slots, shares, articles, clock }),
    };
    const evergreen = await storeArticle(clock, { priority: 'evergreen' });
    const normal = await storeArticle(clock);
    await compose(evergreen);
    await compose(normal);

    const texts: string[] = [];
    let share = await shareOf(evergreen, channel.id);
    for (const day of ['02', '03', '04']) {
      const next = await scheduleReshare(
        reshare,
        await publish(share, new Date(`2026-07-${day}T06:00:00Z`)),
      );
      if (!next) throw new Error('no next round');
      texts.push(next.text);
      share = next;
    }
    expect(texts.map((t) => t.split(':')[0])).toEqual([
      'Still worth a read',
      'Back by demand',
      'Still worth a read',
    ]);
    expect(
      await scheduleReshare(reshare, await publish(await shareOf(normal, channel.id), clock.now())),
    ).toBeUndefined();
  });
});
