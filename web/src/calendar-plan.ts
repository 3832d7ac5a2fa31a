/**
 * A channel's rules on the editor's calendar, from the same schedule code the server
 * plans with (shared/domain/schedule.ts): its weekday slots and quiet hours within a span
 * of the editor's days, and the nearest time a share may be moved to.
 */
import * as z from 'zod/mini';
import type { Schedule } from '../../shared/domain/channel';
import { HORIZON_DAYS, nextFreeInstant, quietUntil, slotsFrom } from '../../shared/domain/schedule';
import { addDays, instantOf, localDateOf, localParts } from '../../shared/domain/zoned-time';
import type { Channel } from './schemas';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const clock = z.string().check(z.regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/));
const times = z.optional(z.array(clock));
const constraints = {
  minSpacingMinutes: z.optional(z.number()),
  dailyCap: z.optional(z.number()),
  quietHours: z.optional(z.object({ from: clock, to: clock })),
};
const scheduleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('asap'), ...constraints }),
  z.object({ type: z.literal('delay'), minutes: z.number(), ...constraints }),
  z.object({
    type: z.literal('slots'),
    slots: z.object({
      mon: times,
      tue: times,
      wed: times,
      thu: times,
      fri: times,
      sat: times,
      sun: times,
    }),
    ...constraints,
  }),
]);

/** What the calendar needs of a channel: its schedule (if the API gave one) and its zone. */
export type ChannelRules = { schedule?: Schedule; timeZone: string };

export function rulesOf(channel: Channel | undefined): ChannelRules {
  const parsed = scheduleSchema.safeParse(channel?.schedule);
  const timeZone = channel?.timezone ?? 'UTC';
  if (!parsed.success) return { timeZone };
  const schedule = parsed.data;
  if (schedule.type !== 'slots') return { schedule, timeZone };
  // The planner walks each day's slots in order, as the server stores them.
  const slots = Object.fromEntries(
    Object.entries(schedule.slots).map(([day, list]) => [day, list ? [...list].sort() : list]),
  );
  return { schedule: { ...schedule, slots }, timeZone };
}

/** The channel's slot instants within [start, end), in order. */
export function slotsBetween(rules: ChannelRules, start: number, end: number): number[] {
  const { schedule } = rules;
  if (schedule?.type !== 'slots') return [];
  return [...slotsFrom(schedule.slots, start, end - 1, rules.timeZone)];
}

export type Span = { from: number; to: number };

/** The channel's quiet hours that fall within [start, end), cut to it. */
export function quietSpans(rules: ChannelRules, start: number, end: number): Span[] {
  const quiet = rules.schedule?.quietHours;
  if (!quiet) return [];
  const spans: Span[] = [];
  const add = (from: number) => {
    const to = Math.min(quietUntil(from, quiet, rules.timeZone) ?? from, end);
    if (to > from) spans.push({ from, to });
    return to;
  };
  let covered = start;
  if (quietUntil(start, quiet, rules.timeZone) !== undefined) covered = add(start);
  const [hour, minute] = quiet.from.split(':').map(Number);
  // Each local day's quiet hours begin at `from`; a day either side covers the zones' gap.
  for (let date = addDays(localDateOf(start, rules.timeZone), -1); ; date = addDays(date, 1)) {
    const from = instantOf({ ...date, hour: hour ?? 0, minute: minute ?? 0 }, rules.timeZone);
    if (from >= end) break;
    if (from >= covered) covered = add(from);
  }
  return spans;
}

/** Whether the channel's rules allow a post at exactly `at`. */
function allowed(rules: ChannelRules, at: number, busy: readonly number[]): boolean {
  if (!rules.schedule) return true;
  const plan = { schedule: rules.schedule, timeZone: rules.timeZone, lane: 'normal' as const };
  return nextFreeInstant({ ...plan, earliest: at, until: at, busy }) === at;
}

export type MoveRequest = {
  rules: ChannelRules;
  /** the instant the editor asked for (a drop, or a typed time) */
  wanted: number;
  now: number;
  /** the article's embargo: nothing before it */
  shareAt?: string | null;
  /** the channel's other posts (epoch ms), which spacing and a daily cap count */
  busy: readonly number[];
};

/**
 * The allowed instant nearest to `wanted`: the first free one at or after it, as the
 * server's planner finds it, or the last free one before it (an earlier slot, the
 * minute before quiet hours begin) when that is nearer. Never in the past nor before the
 * embargo; undefined when nothing is free within the planner's horizon.
 */
export function proposeMove(request: MoveRequest): number | undefined {
  const { rules, wanted, busy } = request;
  const embargo = request.shareAt ? Date.parse(request.shareAt) : 0;
  const floor = Math.max(Math.ceil(request.now / MINUTE) * MINUTE, embargo);
  const start = Math.max(wanted, floor);
  const { schedule } = rules;
  if (!schedule) return start;
  const later = nextFreeInstant({
    schedule,
    timeZone: rules.timeZone,
    lane: 'normal',
    earliest: start,
    busy,
  });
  const earlier = wanted > floor ? lastFreeBefore(rules, wanted, floor, busy) : undefined;
  if (earlier === undefined) return later;
  if (later === undefined) return earlier;
  return wanted - earlier < later - wanted ? earlier : later;
}

function lastFreeBefore(
  rules: ChannelRules,
  wanted: number,
  floor: number,
  busy: readonly number[],
): number | undefined {
  const { schedule } = rules;
  if (schedule?.type === 'slots') {
    const from = Math.max(floor, wanted - HORIZON_DAYS * DAY);
    const slots = [...slotsFrom(schedule.slots, from, wanted - 1, rules.timeZone)].reverse();
    return slots.find((slot) => allowed(rules, slot, busy));
  }
  const quiet = schedule?.quietHours;
  if (!quiet || quietUntil(wanted, quiet, rules.timeZone) === undefined) return undefined;
  // Inside quiet hours: the minute before they began, on the day they began.
  const wall = localParts(wanted, rules.timeZone);
  const [hour = 0, minute = 0] = quiet.from.split(':').map(Number);
  const sameDay = wall.hour * 60 + wall.minute >= hour * 60 + minute;
  const date = sameDay ? wall : addDays(wall, -1);
  const before = instantOf({ ...date, hour, minute }, rules.timeZone) - MINUTE;
  return before >= floor && allowed(rules, before, busy) ? before : undefined;
}
