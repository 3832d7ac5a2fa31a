/**
 * Bulk reschedules (bulk-shares.ts) on a slotted channel, in memory: "to the next slots"
 * plans on the channel's calendar as compose does, holds the new time and frees the
 * old one; an offset moves each share from its own dueAt.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../shared/domain/channel';
import { ConflictError } from '../../../shared/domain/errors';
import type { Share } from '../../../shared/domain/share';
import { type BulkDeps, bulkShares } from '../../../shared/usecases/bulk-shares';
import { composeArticle } from '../../../shared/usecases/compose-article';
import { enqueueIfDue } from '../../../shared/usecases/dispatch';
import {
  CalendarBusyError,
  nextFreeTime,
  releaseSlot,
} from '../../../shared/usecases/schedule-share';
import {
  channelOf,
  composeDeps,
  dispatchDeps,
  storeArticle,
} from '../../support/in-memory/fixtures';
import { type InMemoryWorld, inMemoryWorld } from '../../support/in-memory/index';

let world: InMemoryWorld;
const editor = { by: 'eve', role: 'editor' as const };

beforeEach(() => {
  // Monday 2 March 2026, 07:30 in Berlin.
  world = inMemoryWorld('2026-03-02T06:30:00.000Z');
});

const channel = channelOf({
  id: 'masto-desk',
  timezone: 'Europe/Berlin',
  schedule: { type: 'slots', slots: { mon: ['08:00', '12:00'], tue: ['08:00'] } },
});

function bulkDeps(channels: readonly Channel[]): BulkDeps {
  const scheduling = {
    slots: world.slots,
    shares: world.shares,
    articles: world.articles,
    clock: world.clock,
  };
  return {
    articles: world.articles,
    shares: world.shares,
    channels,
    clock: world.clock,
    enqueueIfDue: (share) => enqueueIfDue(dispatchDeps(world), share),
    releasePostingSlot: (share) => releaseSlot({ slots: world.slots }, share),
    slots: world.slots,
    nextFreeTime: (share, on, record) => nextFreeTime(scheduling, share, on, record),
  };
}

async function composed(count: number): Promise<Share[]> {
  const deps = composeDeps(world, [channel]);
  const shares: Share[] = [];
  for (let i = 0; i < count; i += 1) {
    const record = await storeArticle(world, { id: `bulk-${i}` });
    await composeArticle(deps, { articleId: record.articleId, revision: 1 });
    const share = await world.shares.get({ articleId: record.articleId, channelId: channel.id });
    if (!share) throw new Error('no share');
    shares.push(share);
  }
  return shares;
}

const holders = async () =>
  (
    await world.slots.reservations(
      channel.id,
      '2026-03-01T00:00:00.000Z',
      '2026-03-09T00:00:00.000Z',
    )
  ).map((r) => [r.instant, r.holder.articleId]);

describe('a bulk reschedule to the next slots', () => {
  it('moves a share into the earliest slot freed, holds it, and gives back the one it left', async () => {
    const [first, second, third] = await composed(3);
    if (!first || !second || !third) throw new Error('three shares');
    expect([first.dueAt, second.dueAt, third.dueAt]).toEqual([
      '2026-03-02T07:00:00.000Z',
      '2026-03-02T11:00:00.000Z',
      '2026-03-03T07:00:00.000Z',
    ]);
    const deps = bulkDeps([channel]);
    const ref = (share: Share) => ({ articleId: share.articleId, channelId: share.channelId });

    const cancelled = await bulkShares(deps, { action: 'cancel', shares: [ref(first)] }, editor);
    expect(cancelled[0]).toMatchObject({ ok: true });

    const moved = await bulkShares(
      deps,
      { action: 'reschedule', toNextSlots: true, shares: [ref(third), ref(second)] },
      editor,
    );
    // The third takes the freed 08:00 or the second keeps its 12:00: never the same slot.
    expect(moved.map((m) => m.ok)).toEqual([true, true]);
    const after = await Promise.all([third, second].map((s) => world.shares.get(ref(s))));
    const dues = after.map((s) => s?.dueAt);
    expect(new Set(dues).size).toBe(2);
    expect(dues.sort()).toEqual(['2026-03-02T07:00:00.000Z', '2026-03-02T11:00:00.000Z']);
    // Each holds its time, and Tuesday's slot is free again.
    expect((await holders()).sort()).toEqual(after.map((s) => [s?.dueAt, s?.articleId]).sort());
  });

  it('leaves a share already in its next free slot as it was', async () => {
    const [only] = await composed(1);
    if (!only) throw new Error('no share');
    const [result] = await bulkShares(
      bulkDeps([channel]),
      {
        action: 'reschedule',
        toNextSlots: true,
        shares: [{ articleId: only.articleId, channelId: channel.id }],
      },
      editor,
    );
    expect(result).toMatchObject({ ok: true, share: { dueAt: only.dueAt, version: only.version } });
    expect(await holders()).toEqual([[only.dueAt, only.articleId]]);
  });

  it('refuses a share that is no longer pending with a 409 and holds no new time', async () => {
    const [first, second] = await composed(2);
    if (!first || !second) throw new Error('two shares');
    await world.shares.replace(second, {
      ...second,
      status: 'published',
      version: second.version + 1,
    });
    const [result] = await bulkShares(
      bulkDeps([channel]),
      {
        action: 'reschedule',
        toNextSlots: true,
        shares: [{ articleId: second.articleId, channelId: channel.id }],
      },
      editor,
    );
    expect(result).toMatchObject({ ok: false });
    expect(result?.ok === false && (result.error as Error).name).toBe('ConflictError');
    expect((await holders()).sort()).toEqual(
      [
        [first.dueAt, first.articleId],
        [second.dueAt, second.articleId],
      ].sort(),
    );
  });

  it('answers a calendar kept busy by other planners with a 409 to try again', async () => {
    const [only] = await composed(1);
    if (!only) throw new Error('no share');
    const deps = {
      ...bulkDeps([channel]),
      nextFreeTime: async () => {
        throw new CalendarBusyError('another planner kept masto-desk too long');
      },
    };
    const [result] = await bulkShares(
      deps,
      {
        action: 'reschedule',
        toNextSlots: true,
        shares: [{ articleId: only.articleId, channelId: channel.id }],
      },
      editor,
    );
    expect(result?.ok).toBe(false);
    const error = result?.ok === false ? result.error : undefined;
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe("masto-desk's calendar is busy: try again");
    expect(await world.shares.get({ articleId: only.articleId, channelId: channel.id })).toEqual(
      only,
    );
  });
});

describe('a bulk reschedule by an offset', () => {
  it('moves each share from its own dueAt, exactly', async () => {
    const shares = await composed(2);
    const [a, b] = await bulkShares(
      bulkDeps([channel]),
      {
        action: 'reschedule',
        offsetMinutes: -30,
        shares: shares.map((s) => ({ articleId: s.articleId, channelId: s.channelId })),
      },
      editor,
    );
    expect(a).toMatchObject({ ok: true, share: { dueAt: '2026-03-02T06:30:00.000Z' } });
    expect(b).toMatchObject({ ok: true, share: { dueAt: '2026-03-02T10:30:00.000Z' } });
  });
});
