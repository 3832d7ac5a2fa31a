/**
 * Wall-clock time in an IANA time zone, with nothing but Intl: what an instant reads on a
 * local clock, and which instant a local date and time names, across daylight-saving changes.
 */

/** A local calendar date. */
export type LocalDate = { year: number; month: number; day: number };

/** A local date and wall-clock time, to the minute. */
export type LocalDateTime = LocalDate & { hour: number; minute: number };

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    // h23: some ICU versions write midnight as 24 with hour12: false.
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall clock at `instant` (epoch ms) in `timeZone`, seconds included. */
export function localParts(instant: number, timeZone: string): LocalDateTime & { second: number } {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The zone's offset from UTC at `instant`, in minutes (Berlin in summer: 120). */
export function offsetMinutes(instant: number, timeZone: string): number {
  const wall = localParts(instant, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const whole = instant - (((instant % 1000) + 1000) % 1000);
  return Math.round((asUtc - whole) / MINUTE);
}

/**
 * The instant a local date and time names in `timeZone`:
 * - a time that happens twice (clocks going back) names its first occurrence;
 * - a time that never happens (clocks going forward) names the moment the clocks jump,
 *   so 02:30 on Berlin's spring-forward day is 03:00 local, the first minute after the gap.
 */
export function instantOf(local: LocalDateTime, timeZone: string): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  // No zone changes its offset twice within two days: the offsets a day either side are
  // the only ones this wall time can have.
  const before = offsetMinutes(wall - DAY, timeZone);
  const after = offsetMinutes(wall + DAY, timeZone);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset * MINUTE)
    .filter((instant) => wallTime(instant, timeZone) === wall)
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) return first;
  // In the gap: the jump lies between the two readings; find it to the second.
  let low = wall - Math.max(before, after) * MINUTE;
  let high = wall - Math.min(before, after) * MINUTE;
  while (high - low > 1000) {
    const middle = low + Math.floor((high - low) / 2000) * 1000;
    if (offsetMinutes(middle, timeZone) === before) low = middle;
    else high = middle;
  }
  return high;
}

/** The wall clock at `instant`, as if it were UTC, to the minute. */
function wallTime(instant: number, timeZone: string): number {
  const w = localParts(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
}

/** The local calendar date at `instant`. */
export function localDateOf(instant: number, timeZone: string): LocalDate {
  const { year, month, day } = localParts(instant, timeZone);
  return { year, month, day };
}

/** `YYYY-MM-DD`, for comparing and grouping local dates. */
export function dateKey({ year, month, day }: LocalDate): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** 0 for Sunday to 6 for Saturday, as Date's getDay. */
export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** The first instant of a local day (not always 00:00 where a change happens at midnight). */
export function startOfDay(date: LocalDate, timeZone: string): number {
  return instantOf({ ...date, hour: 0, minute: 0 }, timeZone);
}

/** `HH:MM` into minutes after midnight. */
export function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}
