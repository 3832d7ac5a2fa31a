/**
 * When a share falls due: the channel's schedule (asap, a delay, or weekday slots in its
 * time zone), its spacing, daily cap and quiet hours, the article's lane and its embargo.
 * Pure: the channel's calendar comes in as the instants of its other posts.
 */
import type { Article } from './article';
import { cellOf } from './best-times';
import type { Schedule } from './channel';
import {
  addDays,
  dateKey,
  instantOf,
  type LocalDate,
  localDateOf,
  localParts,
  minutesOf,
  startOfDay,
  weekdayOf,
} from './zoned-time';

/** The article's lane: breaking news, the normal run, or evergreen (re-shared later). */
export type Lane = Article['priority'];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * 60 * MINUTE;

/** How far ahead a free instant is looked for before the share waits for an editor. */
export const HORIZON_DAYS = 62;

/** Schedule keys of the weekdays, in Date's order (0 is Sunday). */
export const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export type PlanRequest = {
  schedule: Schedule;
  timeZone: string;
  lane: Lane;
  /** nothing before this: now, the embargo, the delay, an evergreen wait (epoch ms) */
  earliest: number;
  /** the channel's other posts, planned or gone out (epoch ms) */
  busy: readonly number[];
  /** look no further than this (epoch ms); default HORIZON_DAYS after `earliest` */
  until?: number;
  /**
   * For a `best` channel: how good each hour of the week is, in the channel's time zone
   * (168 values, Monday 00:00 first, higher is better; a draw from the learned estimate,
   * shared/domain/best-times.ts). Without it every hour is as good as another.
   */
  scores?: readonly number[];
};

/**
 * Whether the channel's plan depends on its other posts: slots, spacing, a cap or quiet
 * hours. A channel without any of them needs no calendar and no reservation.
 */
export function usesCalendar(schedule: Schedule): boolean {
  return (
    schedule.type === 'slots' ||
    schedule.type === 'best' ||
    (schedule.minSpacingMinutes ?? 0) > 0 ||
    schedule.dailyCap !== undefined ||
    schedule.quietHours !== undefined
  );
}

/**
 * The earliest a share may go out before the calendar is consulted: breaking news now,
 * a delay channel's minutes after the article arrived, never before the embargo.
 */
export function earliestFor(
  schedule: Schedule,
  lane: Lane,
  { now, receivedAt, shareAt }: { now: Date; receivedAt: string; shareAt?: string },
): number {
  const embargo = shareAt ? Date.parse(shareAt) : 0;
  const delayed =
    schedule.type === 'delay' && lane !== 'breaking'
      ? Date.parse(receivedAt) + schedule.minutes * MINUTE
      : 0;
  return Math.max(now.getTime(), embargo, delayed);
}

/**
 * The first instant at or after `earliest` that the schedule allows, or undefined when
 * none is free before `until`. Breaking news ignores slots, spacing, cap and quiet hours.
 */
export function nextFreeInstant(request: PlanRequest): number | undefined {
  const { schedule, earliest } = request;
  if (request.lane === 'breaking') return earliest;
  const until = request.until ?? earliest + HORIZON_DAYS * DAY;
  const calendar = new Calendar(request);
  if (schedule.type === 'slots') {
    for (const slot of slotsFrom(schedule.slots, earliest, until, request.timeZone)) {
      if (calendar.blockedUntil(slot) === undefined) return slot;
    }
    return undefined;
  }
  if (schedule.type === 'best') {
    const windowEnd = Math.min(until, earliest + schedule.withinHours * HOUR);
    const best = bestInstant(calendar, request, windowEnd);
    if (best !== undefined) return best;
    // Nothing free within the window: the first free time after it.
  }
  let at = earliest;
  // Each step moves past one blocker, so the walk only goes forward and ends.
  while (at <= until) {
    const next = calendar.blockedUntil(at);
    if (next === undefined) return at;
    at = Math.max(next, at + 1);
  }
  return undefined;
}

/** When a new share falls due with nothing else on its channel's calendar. */
export function firstDueAt(
  schedule: Schedule,
  options: {
    now: Date;
    receivedAt: string;
    shareAt?: string;
    timeZone?: string;
    lane?: Lane;
  },
): string {
  const lane = options.lane ?? 'normal';
  const earliest = earliestFor(schedule, lane, options);
  const at = nextFreeInstant({
    schedule,
    timeZone: options.timeZone ?? 'UTC',
    lane,
    earliest,
    busy: [],
  });
  return new Date(at ?? earliest).toISOString();
}

/**
 * The free instant within the window whose hour scores best: the first free instant of
 * each local hour is its candidate, and of two equal hours the earlier wins.
 */
function bestInstant(calendar: Calendar, request: PlanRequest, windowEnd: number) {
  let best: { at: number; score: number } | undefined;
  let hourStart = request.earliest;
  while (hourStart <= windowEnd) {
    const hourEnd = Math.min(nextLocalHour(hourStart, request.timeZone), windowEnd + 1);
    let at = hourStart;
    while (at < hourEnd) {
      const next = calendar.blockedUntil(at);
      if (next === undefined) break;
      at = Math.max(next, at + 1);
    }
    if (at < hourEnd) {
      const score = request.scores?.[cellOf(at, request.timeZone)] ?? 0;
      if (!best || score > best.score) best = { at, score };
    }
    hourStart = hourEnd;
  }
  return best?.at;
}

/** The start of the local hour after the one `instant` falls in. */
function nextLocalHour(instant: number, timeZone: string): number {
  const wall = localParts(instant, timeZone);
  const intoHour = (wall.minute * 60 + wall.second) * 1000 + (((instant % 1000) + 1000) % 1000);
  return instant - intoHour + HOUR;
}

type Slots = Extract<Schedule, { type: 'slots' }>['slots'];

/** The slot instants from `from` to `until`, in order, each once. */
export function* slotsFrom(
  slots: Slots,
  from: number,
  until: number,
  timeZone: string,
): Generator<number> {
  let date: LocalDate = addDays(localDateOf(from, timeZone), -1);
  let last = -Infinity;
  // A day early: a slot that a gap moved can land on the next local day.
  while (startOfDay(date, timeZone) <= until) {
    const times = slots[WEEKDAY_KEYS[weekdayOf(date)] ?? 'sun'] ?? [];
    for (const time of times) {
      const minutes = minutesOf(time);
      const at = instantOf(
        { ...date, hour: Math.floor(minutes / 60), minute: minutes % 60 },
        timeZone,
      );
      // Two slots inside one gap land on the same instant: it is one slot.
      if (at >= from && at <= until && at > last) {
        last = at;
        yield at;
      }
    }
    date = addDays(date, 1);
  }
}

/** The channel's other posts, and what each constraint makes of an instant. */
class Calendar {
  private readonly perDay = new Map<string, number>();

  constructor(private readonly request: PlanRequest) {
    for (const at of request.busy) {
      const key = dateKey(localDateOf(at, request.timeZone));
      this.perDay.set(key, (this.perDay.get(key) ?? 0) + 1);
    }
  }

  /** Undefined if `at` is free; else the first instant the blocker found no longer blocks. */
  blockedUntil(at: number): number | undefined {
    const { schedule, busy, timeZone } = this.request;
    const quiet = schedule.quietHours ? quietUntil(at, schedule.quietHours, timeZone) : undefined;
    if (quiet !== undefined) return quiet;
    const spacing = (schedule.minSpacingMinutes ?? 0) * MINUTE;
    // Two posts never share an instant (a reservation names one share): without spacing,
    // the next one goes a second later, or at the next slot.
    const near = busy.filter((b) => Math.abs(b - at) < Math.max(spacing, 1));
    if (near.length) return Math.max(...near) + Math.max(spacing, 1000);
    if (schedule.dailyCap !== undefined) {
      const date = localDateOf(at, timeZone);
      if ((this.perDay.get(dateKey(date)) ?? 0) >= schedule.dailyCap) {
        return startOfDay(addDays(date, 1), timeZone);
      }
    }
    return undefined;
  }
}

/**
 * If `at` falls within the quiet hours (local, `from` inclusive, `to` exclusive, wrapping
 * midnight when `from` is later than `to`), the instant they end; else undefined.
 */
export function quietUntil(
  at: number,
  quiet: { from: string; to: string },
  timeZone: string,
): number | undefined {
  const wall = localParts(at, timeZone);
  const clock = wall.hour * 60 + wall.minute + wall.second / 60;
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  const inside = from < to ? clock >= from && clock < to : clock >= from || clock < to;
  if (!inside) return undefined;
  const date: LocalDate = { year: wall.year, month: wall.month, day: wall.day };
  const end = instantOf(
    { ...(clock < to ? date : addDays(date, 1)), hour: Math.floor(to / 60), minute: to % 60 },
    timeZone,
  );
  // In the hour a fall-back repeats, `to` names its first occurrence, which is already
  // past: the quiet hours end at its second, as far ahead as the wall clock says.
  return end > at ? end : at + Math.ceil((to - clock) * MINUTE);
}
