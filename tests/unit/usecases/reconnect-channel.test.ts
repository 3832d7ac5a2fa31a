/**
 * Releasing a reconnected channel's waiting shares: the first round of a share and every
 * evergreen round after it become due now; other channels' and unmarked shares stay put.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../shared/domain/channel';
import type { ArticleRecord } from '../../../shared/domain/ports';
import { releaseWaitingShares } from '../../../shared/usecases/reconnect-channel';
import { channelOf, composedShare, refOf, storeArticle } from '../../support/in-memory/fixtures';
import { type InMemoryWorld, inMemoryWorld } from '../../support/in-memory/index';

const START = '2026-03-02T09:00:00.000Z';
const at = (offsetMs: number) => new Date(Date.parse(START) + offsetMs).toISOString();
const DAY = 86_400_000;

let world: InMemoryWorld;
let desk: Channel;
let other: Channel;
let record: ArticleRecord;

beforeEach(async () => {
  world = inMemoryWorld(START);
  desk = channelOf({ id: 'x-desk', platform: 'x' });
  other = channelOf({ id: 'bsky-desk', platform: 'bluesky' });
  record = await storeArticle(world);
});

const release = () =>
  releaseWaitingShares(
    { timeline: world.timeline, shares: world.shares, clock: world.clock },
    desk.id,
  );

describe('releasing the shares that wait for a reconnect', () => {
  it('makes an evergreen round that waits due now, beside its published first round', async () => {
    await composedShare(world, record, desk, { status: 'published', dueAt: at(-30 * DAY) });
    const round = await composedShare(world, record, desk, {
      round: 2,
      dueAt: at(2 * 3_600_000),
      waitingForReconnect: at(-3_600_000),
    });
    expect(await release()).toBe(1);
    const due = await world.shares.get(refOf(round));
    expect(due).toMatchObject({ status: 'scheduled', round: 2, dueAt: START });
    expect(due?.waitingForReconnect).toBeUndefined();
    expect(due?.history.at(-1)?.reason).toMatch(/reconnected/);
    expect(await release()).toBe(0);
  });

  it('releases a first round and a later round of the same article, each once', async () => {
    const first = await composedShare(world, record, desk, {
      dueAt: at(3_600_000),
      waitingForReconnect: START,
    });
    const third = await composedShare(world, record, desk, {
      round: 3,
      dueAt: at(5 * 3_600_000),
      waitingForReconnect: START,
    });
    expect(await release()).toBe(2);
    for (const share of [first, third]) {
      expect((await world.shares.get(refOf(share)))?.dueAt).toBe(START);
    }
  });

  it('leaves another channel’s waiting share and an unmarked round alone', async () => {
    const elsewhere = await composedShare(world, record, other, {
      dueAt: at(3_600_000),
      waitingForReconnect: START,
    });
    const plain = await composedShare(world, record, desk, { round: 2, dueAt: at(3_600_000) });
    expect(await release()).toBe(0);
    expect(await world.shares.get(refOf(elsewhere))).toMatchObject({
      dueAt: at(3_600_000),
      waitingForReconnect: START,
    });
    expect((await world.shares.get(refOf(plain)))?.dueAt).toBe(at(3_600_000));
  });
});
