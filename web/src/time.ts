/** Times as the editor reads and types them: in the browser's own time zone. */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The editor's time zone, e.g. `Europe/London`. */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayHeading = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
});
const longDate = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export const formatDateTime = (iso: string) => dateTime.format(new Date(iso));
export const formatTime = (iso: string) => timeOnly.format(new Date(iso));
export const formatDay = (date: Date) => dayHeading.format(date);
export const formatLongDate = (date: Date) => longDate.format(date);

/** `in 5 minutes`, `2 hours ago`, `tomorrow`: the largest unit that fits. */
export function formatRelative(iso: string, now = Date.now()): string {
  const difference = new Date(iso).getTime() - now;
  const minutes = Math.round(difference / MINUTE);
  if (Math.abs(minutes) < 1) return difference >= 0 ? 'now' : 'just now';
  if (Math.abs(minutes) < 60) return relative.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return relative.format(hours, 'hour');
  return relative.format(Math.round(hours / 24), 'day');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as a `datetime-local` input's value (`2026-05-12T14:05`), in local time. */
export function toDateTimeLocal(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value, read in local time, as an ISO instant; undefined if invalid. */
export function fromDateTimeLocal(value: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  if (y === undefined || mo === undefined || d === undefined || h === undefined) return undefined;
  const date = new Date(y, mo - 1, d, h, mi ?? 0, s || 0);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Monday 00:00, local time, of the week `date` falls in. */
export function startOfWeek(date: Date): Date {
  const start = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  const sinceMonday = (start.getDay() + 6) % 7;
  return addDays(start, -sinceMonday);
}

/** `days` calendar days later, at the same local time (a DST change is not 24 hours). */
export function addDays(date: Date, days: number): Date {
  const next = new Date(date);
  next.setDate(next.getDate() + days);
  return next;
}

/** `2026-05-12`: a local calendar day, as the calendar's address names it. */
export function dayKey(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The local midnight a `2026-05-12` day key names; undefined if it names none. */
export function fromDayKey(key: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!match) return undefined;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export const isSameDay = (a: Date, b: Date) => dayKey(a) === dayKey(b);

export { DAY };

/*
 * A share's time as the editor reads it, in their own zone, with the channel's wall clock
 * beside it where the two clocks read differently: `09:30 · 15:30 Europe/Berlin`. The
 * zones and the locale are parameters so that the formatting can be tested anywhere.
 */

export type ZoneOptions = {
  /** the editor's zone; the browser's by default */
  zone?: string;
  /** the locale the times are written in; the browser's by default */
  locale?: string;
};

const zoned = new Map<string, Intl.DateTimeFormat>();

function zonedFormat(
  kind: 'time' | 'dateTime' | 'weekdayTime',
  timeZone: string,
  locale: string | undefined,
): Intl.DateTimeFormat {
  const name = `${kind}|${timeZone}|${locale ?? ''}`;
  let format = zoned.get(name);
  if (!format) {
    const time = { hour: '2-digit', minute: '2-digit' } as const;
    const options: Intl.DateTimeFormatOptions =
      kind === 'time'
        ? time
        : kind === 'weekdayTime'
          ? { weekday: 'short', ...time }
          : { weekday: 'short', day: 'numeric', month: 'short', ...time };
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    zoned.set(name, format);
  }
  return format;
}

/** The wall clock `iso` reads in `timeZone`, as `2026-05-12T14:05`, for comparing clocks. */
function wallClock(iso: string, timeZone: string): string {
  const parts: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  for (const part of format.formatToParts(new Date(iso))) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/**
 * The channel's clock at `iso` with its zone (`15:30 Europe/Berlin`), or undefined where
 * it reads as the editor's does. The weekday is added when the channel's day is another.
 */
export function channelClock(
  iso: string,
  channelZone: string | undefined,
  options: ZoneOptions = {},
): string | undefined {
  const zone = options.zone ?? localZone();
  if (!channelZone || channelZone === zone) return undefined;
  const theirs = wallClock(iso, channelZone);
  const ours = wallClock(iso, zone);
  if (theirs === ours) return undefined;
  const kind = theirs.slice(0, 10) === ours.slice(0, 10) ? 'time' : 'weekdayTime';
  return `${zonedFormat(kind, channelZone, options.locale).format(new Date(iso))} ${channelZone}`;
}

/** `09:30 · 15:30 Europe/Berlin`: the time in the editor's zone, the channel's beside it. */
export function formatTimeWithZone(
  iso: string,
  channelZone?: string,
  options: ZoneOptions = {},
): string {
  const ours = zonedFormat('time', options.zone ?? localZone(), options.locale).format(
    new Date(iso),
  );
  const theirs = channelClock(iso, channelZone, options);
  return theirs ? `${ours} · ${theirs}` : ours;
}

/** `Tue, 12 May, 09:30 · 15:30 Europe/Berlin`: the date and time, the channel's beside them. */
export function formatDateTimeWithZone(
  iso: string,
  channelZone?: string,
  options: ZoneOptions = {},
): string {
  const ours = zonedFormat('dateTime', options.zone ?? localZone(), options.locale).format(
    new Date(iso),
  );
  const theirs = channelClock(iso, channelZone, options);
  return theirs ? `${ours} · ${theirs}` : ours;
}
