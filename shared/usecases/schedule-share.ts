/**
 * Places a new share on its channel's calendar: the lane's earliest instant, then the
 * next free one the schedule allows among the channel's other posts, held by a slot
 * reservation. Breaking news goes at once and moves the normal shares it overtakes.
 */
import { randomUUID } from 'node:crypto';
import type { Channel } from '../domain/channel';
import type {
  ArticleRecord,
  ArticleStore,
  Clock,
  ShareRef,
  ShareStore,
  SlotReservation,
  SlotStore,
  TimelineEntry,
} from '../domain/ports';
import {
  earliestFor,
  HORIZON_DAYS,
  type Lane,
  nextFreeInstant,
  type PlanRequest,
  usesCalendar,
} from '../domain/schedule';
import { applyEvent, type Share } from '../domain/share';
import { refOf } from '../domain/share-key';
import type { ShareStatus } from '../domain/share-state';

export type SchedulingDeps = {
  slots: SlotStore;
  shares: ShareStore;
  articles: ArticleStore;
  clock: Clock;
  /** jitter for the pause before asking again for a channel's planning lease */
  random?: () => number;
  /**
   * For a `best` channel: a draw from its learned estimate (shared/usecases/best-times.ts,
   * bestScores), seeded by the share; without it every hour counts the same.
   */
  bestScores?: (channel: Channel, seed: string) => Promise<readonly number[]>;
};

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const BY = 'scheduler';

/** How long a reservation counts without its share on the timeline (a compose in flight). */
export const RESERVATION_GRACE_MS = 5 * MINUTE;
/** Plans tried before compose gives up and lets its message be retried. */
const MAX_ATTEMPTS = 8;
/** How long one planner may hold a channel's calendar, and how long another waits for it. */
const LEASE_MS = 10_000;
const LEASE_WAIT_MS = 20_000;
/** A share that breaking news overtakes goes out at least this long after it. */
export const BREAKING_LEAD_MS = MINUTE;

/** Shares that hold their place on the calendar: everything but what never went out. */
const COUNTED: readonly ShareStatus[] = [
  'draft',
  'scheduled',
  'queued',
  'publishing',
  'published',
  'unknown',
];
/** Shares that have not gone out and may still move. */
const PENDING: readonly ShareStatus[] = ['draft', 'scheduled', 'queued'];

/** The channel's calendar stayed busy (its lease held, its times taken): the message is retried later. */
export class CalendarBusyError extends Error {
  override name = 'CalendarBusyError';
}

export type SharePlanner = {
  /** The share with its dueAt (and, if nothing is free, as a draft for an editor). */
  place(
    share: Share,
    channel: Channel,
    record: ArticleRecord,
    options?: { notBefore?: string },
  ): Promise<Share>;
  /** After a placed share was not written (one was there already): frees what it took. */
  abandon(placed: Share, stored: Share | undefined): Promise<void>;
};

export function sharePlanner(deps: SchedulingDeps): SharePlanner {
  return {
    place: (share, channel, record, options) => placeShare(deps, share, channel, record, options),
    abandon: async (placed, stored) => {
      if (stored?.dueAt !== placed.dueAt) await releaseSlot(deps, placed);
    },
  };
}

/**
 * Frees the slot a share holds at its dueAt: call it when the share is cancelled or
 * before its dueAt moves (an editor's reschedule). Idempotent.
 */
export async function releaseSlot(
  deps: Pick<SchedulingDeps, 'slots'>,
  share: Share,
): Promise<void> {
  await deps.slots.release(share.channelId, share.dueAt, refOf(share));
}

/**
 * Holds the slot at the share's dueAt for it, whoever else planned there: for a time an
 * editor chose by hand, so later plans go around it. Idempotent.
 */
export async function holdSlot(
  deps: Pick<SchedulingDeps, 'slots' | 'clock'>,
  share: Share,
): Promise<boolean> {
  const wanted = reservationFor(share, share.dueAt, deps.clock.now());
  const held = await deps.slots.reserve(wanted);
  return sameRef(held.holder, wanted.holder) || deps.slots.takeOver(held, wanted);
}

async function placeShare(
  deps: SchedulingDeps,
  share: Share,
  channel: Channel,
  record: ArticleRecord,
  options: { notBefore?: string } = {},
): Promise<Share> {
  const lane: Lane = record.article.priority === 'breaking' ? 'breaking' : 'normal';
  const now = deps.clock.now();
  const earliest = Math.max(
    earliestFor(channel.schedule, lane, {
      now,
      receivedAt: record.receivedAt,
      shareAt: record.article.shareAt,
    }),
    options.notBefore ? Date.parse(options.notBefore) : 0,
  );
  if (lane === 'breaking') {
    // A draft waits for an editor: it overtakes nothing until it is approved.
    if (share.status === 'scheduled') await makeWay(deps, channel, refOf(share), earliest);
    return { ...share, dueAt: iso(earliest) };
  }
  const at = await planAndReserve(deps, channel, refOf(share), earliest, []);
  if (at !== undefined) return { ...share, dueAt: iso(at) };
  const reason = `no free time on ${channel.id} within ${HORIZON_DAYS} days: waits for an editor`;
  const history = share.history.map((entry, i) =>
    i === share.history.length - 1
      ? { ...entry, to: 'draft' as const, reason: `${entry.reason ?? ''}; ${reason}` }
      : entry,
  );
  return { ...share, status: 'draft', dueAt: iso(earliest), lastError: reason, history };
}

/**
 * The next free instant for `ref` from `earliest`, held by a reservation. One planner
 * at a time per channel (a short lease), so two composes never plan from the same view
 * of the calendar; the reservation's condition still keeps a slot to one share if a
 * lease runs out or an editor holds a time meanwhile.
 */
async function planAndReserve(
  deps: SchedulingDeps,
  channel: Channel,
  ref: ShareRef,
  earliest: number,
  extraBusy: readonly number[],
): Promise<number | undefined> {
  if (!usesCalendar(channel.schedule)) return earliest;
  const scores =
    channel.schedule.type === 'best' && deps.bestScores
      ? await deps.bestScores(channel, holderKey(ref))
      : undefined;
  return withPlanningLease(deps, channel.id, async () => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const found = await findFree(deps, channel, ref, earliest, extraBusy, scores);
      if (!found) return undefined;
      const { at, calendar } = found;
      const now = deps.clock.now();
      const wanted = reservationFor(ref, iso(at), now);
      const held = await deps.slots.reserve(wanted);
      if (sameRef(held.holder, ref)) return at;
      // Left behind by a compose that stopped before writing its share: taken over.
      const stale =
        isStale(held, calendar.entries, now) &&
        calendar.reservations.some((r) => sameReservation(r, held));
      if (stale && (await deps.slots.takeOver(held, wanted))) return at;
      // Taken meanwhile: the next look at the calendar counts it.
    }
    throw new CalendarBusyError(
      `could not hold a time on ${channel.id} after ${MAX_ATTEMPTS} tries`,
    );
  });
}

async function withPlanningLease<T>(
  deps: SchedulingDeps,
  channelId: string,
  plan: () => Promise<T>,
): Promise<T> {
  const owner = randomUUID();
  const giveUpAt = Date.now() + LEASE_WAIT_MS;
  for (let attempt = 0; ; attempt += 1) {
    const now = deps.clock.now();
    const until = new Date(now.getTime() + LEASE_MS).toISOString();
    if (await deps.slots.lock(channelId, owner, now.toISOString(), until)) break;
    if (Date.now() > giveUpAt) {
      throw new CalendarBusyError(`another planner kept ${channelId}'s calendar too long`);
    }
    await pause(deps, attempt);
  }
  try {
    return await plan();
  } finally {
    await deps.slots.unlock(channelId, owner);
  }
}

type CalendarView = { entries: TimelineEntry[]; reservations: SlotReservation[] };

async function readCalendar(
  deps: SchedulingDeps,
  channelId: string,
  from: number,
  to: number,
): Promise<CalendarView> {
  const [entries, reservations] = await Promise.all([
    deps.slots.timeline(channelId, iso(from), iso(to)),
    deps.slots.reservations(channelId, iso(from), iso(to)),
  ]);
  return { entries, reservations };
}

/**
 * The instants of the channel's other posts: shares that went out or may still go, and
 * reservations that are fresh or whose share holds them, each counted once.
 */
function busyOf(
  calendar: CalendarView,
  ref: ShareRef,
  now: Date,
  extra: readonly number[],
): number[] {
  const busy = new Map<string, number>();
  for (const entry of calendar.entries) {
    if (!COUNTED.includes(entry.status) || sameRef(entry, ref)) continue;
    busy.set(`${holderKey(entry)}@${entry.dueAt}`, Date.parse(entry.dueAt));
  }
  for (const reservation of calendar.reservations) {
    if (sameRef(reservation.holder, ref) || isStale(reservation, calendar.entries, now)) continue;
    busy.set(
      `${holderKey(reservation.holder)}@${reservation.instant}`,
      Date.parse(reservation.instant),
    );
  }
  return [...busy.values(), ...extra];
}

/** Past its grace, and no share on the timeline holds it: nobody is coming for it. */
function isStale(reservation: SlotReservation, entries: TimelineEntry[], now: Date): boolean {
  if (now.getTime() - Date.parse(reservation.createdAt) < RESERVATION_GRACE_MS) return false;
  return !entries.some(
    (entry) =>
      COUNTED.includes(entry.status) &&
      sameRef(entry, reservation.holder) &&
      entry.dueAt === reservation.instant,
  );
}

/** Reads a week of the calendar, then, if that is full, the whole horizon. */
async function findFree(
  deps: SchedulingDeps,
  channel: Channel,
  ref: ShareRef,
  earliest: number,
  extraBusy: readonly number[],
  scores?: readonly number[],
): Promise<{ at: number; calendar: CalendarView } | undefined> {
  const margin = marginOf(channel);
  for (const days of [7, HORIZON_DAYS]) {
    const until = earliest + days * DAY;
    const calendar = await readCalendar(deps, channel.id, earliest - margin, until + margin);
    const at = nextFreeInstant({
      ...requestFor(channel, earliest, busyOf(calendar, ref, deps.clock.now(), extraBusy)),
      until,
      scores,
    });
    if (at !== undefined) return { at, calendar };
  }
  return undefined;
}

/** Enough calendar either side of an instant for its spacing and its whole local day. */
function marginOf(channel: Channel): number {
  return Math.max((channel.schedule.minSpacingMinutes ?? 0) * MINUTE, 2 * DAY);
}

function requestFor(channel: Channel, earliest: number, busy: number[]): PlanRequest {
  return {
    schedule: channel.schedule,
    timeZone: channel.timezone,
    lane: 'normal',
    earliest,
    busy,
  };
}

/**
 * Breaking news jumps the queue: every normal share of the channel that has not gone out
 * and would go before it (or within a minute after) moves to its next free time after it.
 * A time an editor set by hand stays exactly as they set it.
 */
async function makeWay(
  deps: SchedulingDeps,
  channel: Channel,
  breaking: ShareRef,
  at: number,
): Promise<void> {
  const lead = Math.max((channel.schedule.minSpacingMinutes ?? 0) * MINUTE, BREAKING_LEAD_MS);
  const entries = await deps.slots.timeline(channel.id, iso(at - 2 * DAY), iso(at + lead - 1));
  const records = new Map<string, ArticleRecord | undefined>();
  for (const entry of entries) {
    if (!PENDING.includes(entry.status) || entry.articleId === breaking.articleId) continue;
    if (!records.has(entry.articleId)) {
      records.set(entry.articleId, await deps.articles.get(entry.articleId));
    }
    const record = records.get(entry.articleId);
    if (!record || record.article.priority === 'breaking') continue;
    const share = await deps.shares.get(refOf(entry));
    if (!share || !PENDING.includes(share.status) || share.dueAt !== entry.dueAt) continue;
    if (share.edited?.dueAt) continue;
    await moveAfter(deps, channel, share, record, at + lead, [at], breaking);
  }
}

async function moveAfter(
  deps: SchedulingDeps,
  channel: Channel,
  share: Share,
  record: ArticleRecord,
  notBefore: number,
  extraBusy: readonly number[],
  breaking: ShareRef,
): Promise<void> {
  const now = deps.clock.now();
  const earliest = Math.max(
    notBefore,
    earliestFor(channel.schedule, 'normal', {
      now,
      receivedAt: record.receivedAt,
      shareAt: record.article.shareAt,
    }),
  );
  const at = await planAndReserve(deps, channel, refOf(share), earliest, extraBusy);
  const dueAt = iso(at ?? earliest);
  const reason = `breaking news (article ${breaking.articleId}) goes first`;
  const moved =
    share.status === 'queued'
      ? applyEvent(share, 'reschedule', { at: now, by: BY, reason, patch: { dueAt } })
      : {
          ...share,
          dueAt,
          version: share.version + 1,
          updatedAt: iso(now.getTime()),
          history: [
            ...share.history,
            {
              at: iso(now.getTime()),
              event: 'reschedule' as const,
              from: share.status,
              to: share.status,
              by: BY,
              reason,
            },
          ],
        };
  if (await deps.shares.replace(share, moved)) {
    await releaseSlot(deps, share);
  } else if (at !== undefined) {
    // It moved on meanwhile (claimed, edited): the new place is not needed.
    await deps.slots.release(channel.id, dueAt, refOf(share));
  }
}

function reservationFor(ref: ShareRef, instant: string, now: Date): SlotReservation {
  return { channelId: ref.channelId, instant, holder: refOf(ref), createdAt: now.toISOString() };
}

const holderKey = (ref: ShareRef) => `${ref.articleId}#${ref.channelId}#${ref.round ?? 1}`;

const sameRef = (a: ShareRef, b: ShareRef) => holderKey(a) === holderKey(b);

const sameReservation = (a: SlotReservation, b: SlotReservation) =>
  a.instant === b.instant && a.createdAt === b.createdAt && sameRef(a.holder, b.holder);

const iso = (instant: number) => new Date(instant).toISOString();

async function pause(deps: SchedulingDeps, attempt: number): Promise<void> {
  const ms = (5 + (deps.random ?? Math.random)() * 20) * 2 ** Math.min(attempt, 3);
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The next time the channel's schedule and calendar allow for a share that is already
 * stored (an editor's "to the next slots"), planned as compose plans a new one: from
 * the lane's earliest instant (now, the delay after receipt, the embargo), around the
 * channel's other posts, and held by a reservation. Undefined when nothing is free
 * within the horizon. Breaking news takes its earliest instant and moves nobody.
 */
export async function nextFreeTime(
  deps: SchedulingDeps,
  share: Share,
  channel: Channel,
  record: ArticleRecord,
): Promise<string | undefined> {
  const lane: Lane = record.article.priority === 'breaking' ? 'breaking' : 'normal';
  const earliest = earliestFor(channel.schedule, lane, {
    now: deps.clock.now(),
    receivedAt: record.receivedAt,
    shareAt: record.article.shareAt,
  });
  if (lane === 'breaking') return iso(earliest);
  const at = await planAndReserve(deps, channel, refOf(share), earliest, []);
  return at === undefined ? undefined : iso(at);
}
