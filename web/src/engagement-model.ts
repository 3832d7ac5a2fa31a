/**
 * What the engagement views show, without the DOM: which counts a network reports, the
 * notes beside them, a post's growth as chart series, and the periods an editor picks.
 */
import type { Platform } from '../../shared/domain/platform';
import type { Reading } from './engagement-schemas';

export const COUNT_FIELDS = [
  { key: 'likes', label: 'Likes' },
  { key: 'reposts', label: 'Reposts' },
  { key: 'replies', label: 'Replies' },
  { key: 'quotes', label: 'Quotes' },
  { key: 'views', label: 'Views' },
  { key: 'clicks', label: 'Link clicks' },
] as const;
export type CountKey = (typeof COUNT_FIELDS)[number]['key'];

/**
 * Counts a network never reports, whatever a reading holds: Telegram's Bot API gives a
 * bot the reactions to a channel post and nothing else (they are counted as likes).
 */
const NEVER_REPORTED: Partial<Record<Platform, readonly CountKey[]>> = {
  telegram: ['reposts', 'replies', 'quotes', 'views', 'clicks'],
};

/** Whether a network reports this count at all (Telegram: its reactions, as likes, only). */
export const reports = (platform: Platform, key: CountKey): boolean =>
  !(NEVER_REPORTED[platform] ?? []).includes(key);

/** Each count of a reading, undefined where the network does not report it. */
export function countRows(
  platform: Platform,
  reading: Reading,
): { key: CountKey; label: string; value: number | undefined }[] {
  const never = NEVER_REPORTED[platform] ?? [];
  return COUNT_FIELDS.map(({ key, label }) => ({
    key,
    label: platform === 'telegram' && key === 'likes' ? 'Reactions' : label,
    value: never.includes(key) ? undefined : reading[key],
  }));
}

/** What the desk says beside a network's numbers, where there is something to say. */
export function networkNote(platform: Platform, hasReading: boolean): string | undefined {
  if (platform === 'telegram') {
    return 'Telegram gives a bot only the reactions to a channel post: no views, reposts, replies or link clicks.';
  }
  if (platform === 'x' && !hasReading) {
    return 'On X, readings are a per-channel choice with a monthly budget: none come while they are off for this channel or the month’s budget is spent.';
  }
  return undefined;
}

/** A post's engagement, as the API sums it: likes + reposts + replies + quotes + clicks. */
export const engagementOf = (reading: Reading): number =>
  reading.likes + reading.reposts + reading.replies + (reading.quotes ?? 0) + (reading.clicks ?? 0);

/** The readings as chart columns: times in seconds, then one column per count shown. */
export function growthSeries(
  platform: Platform,
  readings: readonly Reading[],
): { times: number[]; series: { label: string; values: number[] }[] } {
  const times = readings.map((r) => Date.parse(r.collectedAt) / 1000);
  const first = readings[0];
  if (!first) return { times, series: [] };
  const shown = countRows(platform, first).filter(
    (row) => row.value !== undefined && row.key !== 'views',
  );
  return {
    times,
    series: shown.map((row) => ({
      label: row.label,
      values: readings.map((r) => r[row.key] ?? 0),
    })),
  };
}

/** A count in the editor's locale (12,480), or a dash for nothing counted. */
export const formatCount = (value: number | null | undefined): string =>
  value === null || value === undefined ? '–' : value.toLocaleString();

const DAY_MS = 86_400_000;

/** A UTC day `yyyy-mm-dd`, `days` after `day` (before it when negative). */
export const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);

export const todayUtc = (now: Date = new Date()): string => now.toISOString().slice(0, 10);

/** The periods offered, each ending today. */
export const PERIODS = [
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
] as const;

/** A period of `days` days ending on `to`, both days included. */
export const periodEnding = (to: string, days: number) => ({ from: addDays(to, -(days - 1)), to });

/** A day as a chart's x value: its start, in seconds. */
export const daySeconds = (day: string): number => Date.parse(`${day}T00:00:00.000Z`) / 1000;

/** A label short enough for a chart's axis on a phone. */
export const shortLabel = (label: string, max = 12): string =>
  label.length > max ? `${label.slice(0, max - 1)}…` : label;
