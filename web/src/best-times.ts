/**
 * A channel's best times learned (`GET /api/channels/{id}/best-times`), checked at the
 * edge, and what the heatmap says of each cell: DOM-free, so it is tested without a page.
 */
import * as z from 'zod/mini';

export const bestTimesSchema = z.object({
  channelId: z.string(),
  timeZone: z.string(),
  days: z.array(z.string()),
  week: z.array(z.array(z.number())),
  posts: z.number(),
  priorShare: z.number(),
  mostlyPrior: z.boolean(),
});
export type BestTimes = z.infer<typeof bestTimesSchema>;

export const DAY_NAMES: Record<string, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

const pad = (hour: number) => String(hour % 24).padStart(2, '0');

/** `Monday 18:00-19:00: 84% of the best hour`, for a cell's title and aria-label. */
export function cellLabel(day: string, hour: number, value: number): string {
  return `${DAY_NAMES[day] ?? day} ${pad(hour)}:00-${pad(hour + 1)}:00: ${Math.round(value * 100)}% of the best hour`;
}

/** Five shades, so the map reads without telling colours apart finely. */
export function levelOf(value: number): 0 | 1 | 2 | 3 | 4 {
  if (value >= 0.85) return 4;
  if (value >= 0.6) return 3;
  if (value >= 0.35) return 2;
  if (value >= 0.15) return 1;
  return 0;
}

/** The week's best hours, best first: what the summary names. */
export function topHours(
  times: BestTimes,
  count = 3,
): { day: string; hour: number; value: number }[] {
  const cells = times.week.flatMap((hours, d) =>
    hours.map((value, hour) => ({ day: times.days[d] ?? '', hour, value })),
  );
  return cells.sort((a, b) => b.value - a.value).slice(0, count);
}

/** What the estimate rests on, in a sentence. */
export function basisOf(times: BestTimes): string {
  const posts = `${times.posts} post${times.posts === 1 ? '' : 's'}`;
  if (times.posts === 0) {
    return "No posts of this channel measured yet: the map is its site's other channels' week.";
  }
  return times.mostlyPrior
    ? `Learned from ${posts} of this channel; still mostly its site's other channels' week.`
    : `Learned from ${posts} of this channel.`;
}
