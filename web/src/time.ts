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
