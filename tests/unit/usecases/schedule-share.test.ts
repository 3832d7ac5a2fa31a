/**
 * Placing shares on a channel's calendar (schedule-share.ts) through compose, in memory:
 * slots in the channel's time zone, spacing, a daily cap, reservations held and taken
 * over, and breaking news moving the normal shares it overtakes. The races run against
 * dynalite in tests/integration/schedules/calendar.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Channel, ChannelInput } from '../../../shared/domain/channel';
import { composeArticle } from '../../../shared/usecases/compose-article';
import { RESERVATION_GRACE_MS } from '../../../shared/usecases/schedule-share';
import { channelOf, composeDeps, moves, storeArticle } from '../../support/in-memory/fixtures';
import { type InMemoryWorld, inMemoryWorld } from '../../support/in-memory/index';

let world: InMemoryWorld;

beforeEach(() => {
  // Monday 2 March 2026.
  world = inMemoryWorld('2026-03-02T06:30:00.000Z');
});

const calendarChannel = (input: Omit<ChannelInput, 'id' | 'platform' | 'account' | 'template'>) =>
  channelOf({ id: 'masto-desk', ...input });

/** Composes one new article per `patches` entry, in order, and answers each share. */
async function composeEach(channel: Channel, patches: Record<string, unknown>[]) {
  const deps = composeDeps(world, [channel]);
  const placed = [];
  for (const patch of patches) {
    const record = await storeArticle(world, patch);
    const result = await composeArticle(deps, { articleId: record.articleId, revision: 1 });
    expect(result).toMatchObject({ outcome: 'composed', created: [channel.id] });
    const share = await world.shares.get({ articleId: record.articleId, channelId: channel.id });
    if (!share) throw new Error('no share');
    placed.push(share);
  }
  return placed;
}

const holders = async (channelId: string, from: string, to: string) =>
  (await world.slots.reservations(channelId, from, to)).map((r) => [r.instant, r.holder.articleId]);

describe('slots', () => {
  it("gives each article the channel's next free slot, in its time zone, and holds it", async () => {
    const channel = calendarChannel({
      timezone: 'Europe/Berlin',
      schedule: { type: 'slots', slots: { mon: ['08:00', '12:00'], tue: ['08:00'] } },
    });

    const shares = await composeEach(channel, [{}, {}, {}]);

    // Berlin is UTC+1 in March until the 29th.
    expect(shares.map((s) => [s.status, s.dueAt, s.version])).toEqual([
      ['scheduled', '2026-03-02T07:00:00.000Z', 1],
      ['scheduled', '2026-03-02T11:00:00.000Z', 1],
      ['scheduled', '2026-03-03T07:00:00.000Z', 1],
    ]);
    expect(
      await holders(channel.id, '2026-03-01T00:00:00.000Z', '2026-03-09T00:00:00.000Z'),
    ).toEqual(shares.map((s) => [s.dueAt, s.articleId]));
    // Nothing due within the look-ahead: no message yet.
    expect(world.publishQueue.sent).toEqual([]);
    // The planning lease is given back.
    expect(world.slots.lockOf(channel.id)).toBeUndefined();
  });

  it('respects a fresh reservation of a compose in flight, and takes over a stale one', async () => {
    const channel = calendarChannel({
      schedule: { type: 'slots', slots: { mon: ['08:00', '12:00'] } },
    });
    const ghost = { articleId: 'f'.repeat(32), channelId: channel.id };
    // A compose that reserved 08:00 a minute ago and has not written its share yet.
    await world.slots.reserve({
      channelId: channel.id,
      instant: '2026-03-02T08:00:00.000Z',
      holder: ghost,
      createdAt: '2026-03-02T06:29:00.000Z',
    });

    const [first] = await composeEach(channel, [{}]);
    expect(first?.dueAt).toBe('2026-03-02T12:00:00.000Z');

    // Past the grace, with no share of its own on the timeline, it is stale: taken over.
    world.clock.advance(RESERVATION_GRACE_MS);
    const [second] = await composeEach(channel, [{}]);
    expect(second?.dueAt).toBe('2026-03-02T08:00:00.000Z');
    expect(
      await holders(channel.id, '2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z'),
    ).toEqual([
      ['2026-03-02T08:00:00.000Z', second?.articleId],
      ['2026-03-02T12:00:00.000Z', first?.articleId],
    ]);
  });
});

describe('a slot taken in a race', () => {
  it('goes to the next free slot when another share reserved it after the planner read the calendar', async () => {
    const channel = calendarChannel({
      schedule: { type: 'slots', slots: { mon: ['08:00', '12:00'] } },
    });
    const rival = { articleId: 'e'.repeat(32), channelId: channel.id };
    // An editor holds 08:00 for another share between this planner's read and its write.
    world.slots.interceptNextReserve(async (wanted) => {
      expect(wanted.instant).toBe('2026-03-02T08:00:00.000Z');
      const held = await world.slots.reserve({ ...wanted, holder: rival });
      expect(held.holder).toEqual(rival);
    });

    const [share] = await composeEach(channel, [{}]);

    expect(share?.dueAt).toBe('2026-03-02T12:00:00.000Z');
    expect(
      await holders(channel.id, '2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z'),
    ).toEqual([
      ['2026-03-02T08:00:00.000Z', rival.articleId],
      ['2026-03-02T12:00:00.000Z', share?.articleId],
    ]);
  });
});

describe('spacing and caps', () => {
  it('spaces shares minSpacingMinutes apart, and claims the one due now', async () => {
    world.clock.set('2026-03-02T09:00:00.000Z');
    const channel = calendarChannel({ schedule: { type: 'asap', minSpacingMinutes: 30 } });

    const shares = await composeEach(channel, [{}, {}, {}]);

    expect(shares.map((s) => [s.status, s.dueAt])).toEqual([
      ['queued', '2026-03-02T09:00:00.000Z'],
      ['scheduled', '2026-03-02T09:30:00.000Z'],
      ['scheduled', '2026-03-02T10:00:00.000Z'],
    ]);
    expect(moves(shares[0])).toEqual([
      { event: 'compose', to: 'scheduled', by: 'crier', reason: 'revision 1' },
      { event: 'enqueue', from: 'scheduled', to: 'queued', by: 'dispatcher' },
    ]);
    expect(world.publishQueue.sent).toEqual([
      {
        message: { articleId: shares[0]?.articleId, channelId: channel.id },
        requestedDelaySeconds: 0,
        delaySeconds: 0,
      },
    ]);
  });

  it('moves what is over the daily cap to the next local day', async () => {
    world.clock.set('2026-03-02T22:00:00.000Z');
    const channel = calendarChannel({ schedule: { type: 'asap', dailyCap: 2 } });

    const shares = await composeEach(channel, [{}, {}, {}]);

    // Without spacing, two posts never share an instant: the next goes a second later.
    expect(shares.map((s) => s.dueAt)).toEqual([
      '2026-03-02T22:00:00.000Z',
      '2026-03-02T22:00:01.000Z',
      '2026-03-03T00:00:00.000Z',
    ]);
  });

  it('keeps quiet hours and an embargo', async () => {
    world.clock.set('2026-03-02T21:30:00.000Z');
    const channel = calendarChannel({
      schedule: { type: 'asap', quietHours: { from: '22:00', to: '07:00' } },
    });

    const shares = await composeEach(channel, [
      { shareAt: '2026-03-02T22:30:00Z' },
      { shareAt: '2026-03-02T21:45:00Z' },
    ]);

    expect(shares.map((s) => s.dueAt)).toEqual([
      '2026-03-03T07:00:00.000Z',
      '2026-03-02T21:45:00.000Z',
    ]);
  });
});

describe('breaking news', () => {
  it('goes at once and moves the normal shares it overtakes to their next free slot', async () => {
    world.clock.set('2026-03-02T08:58:30.000Z');
    const channel = calendarChannel({
      schedule: { type: 'slots', slots: { mon: ['09:00', '10:00', '11:00'] } },
    });
    const [queued, later] = await composeEach(channel, [{}, {}]);
    // 09:00 is within the look-ahead: claimed and sent already.
    expect([queued?.status, queued?.dueAt]).toEqual(['queued', '2026-03-02T09:00:00.000Z']);
    expect([later?.status, later?.dueAt]).toEqual(['scheduled', '2026-03-02T10:00:00.000Z']);

    // Half a minute before 09:00: the queued share would go out within its lead of a minute.
    world.clock.set('2026-03-02T08:59:30.000Z');
    const [breaking] = await composeEach(channel, [{ priority: 'breaking' }]);

    expect([breaking?.status, breaking?.dueAt]).toEqual(['queued', '2026-03-02T08:59:30.000Z']);
    const moved = await world.shares.get({
      articleId: queued?.articleId ?? '',
      channelId: channel.id,
    });
    // Next free slot after 09:00:30 (a minute after the breaking post): 10:00 is taken.
    expect(moved).toMatchObject({
      status: 'scheduled',
      dueAt: '2026-03-02T11:00:00.000Z',
      version: 3,
    });
    expect(moved?.leaseUntil).toBeUndefined();
    expect(moves(moved, 1)).toEqual([
      {
        event: 'reschedule',
        from: 'queued',
        to: 'scheduled',
        by: 'scheduler',
        reason: `breaking news (article ${breaking?.articleId}) goes first`,
      },
    ]);
    // The share after the breaking one's lead is not touched.
    expect(
      await world.shares.get({ articleId: later?.articleId ?? '', channelId: channel.id }),
    ).toEqual(later);
    // 09:00 is free again; 11:00 is the moved share's. Breaking news holds no slot.
    expect(
      await holders(channel.id, '2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z'),
    ).toEqual([
      ['2026-03-02T10:00:00.000Z', later?.articleId],
      ['2026-03-02T11:00:00.000Z', queued?.articleId],
    ]);
  });

  it('as a draft awaiting approval, overtakes nothing', async () => {
    world.clock.set('2026-03-02T08:58:30.000Z');
    const normal = calendarChannel({
      approval: 'required',
      schedule: { type: 'slots', slots: { mon: ['09:00', '10:00'] } },
    });
    const [first] = await composeEach(normal, [{}]);
    const [breaking] = await composeEach(normal, [{ priority: 'breaking' }]);

    expect([breaking?.status, breaking?.dueAt]).toEqual(['draft', '2026-03-02T08:58:30.000Z']);
    expect(
      await world.shares.get({ articleId: first?.articleId ?? '', channelId: normal.id }),
    ).toEqual(first);
  });
});
