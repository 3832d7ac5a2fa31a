/**
 * How a published post did: the counts read back from its network at set ages after
 * publication (CRIER_METRICS_AFTER), kept as a time series per post.
 */
import * as z from 'zod';
import type { Platform } from './platform';

/** The counts every network reports in some form; the optional ones only where it does. */
export const countsSchema = z.object({
  likes: z.number().int().min(0),
  reposts: z.number().int().min(0),
  replies: z.number().int().min(0),
  quotes: z.number().int().min(0).optional(),
  /** views or impressions, where the network counts them */
  views: z.number().int().min(0).optional(),
  /** clicks on the post's link, where the network counts them */
  clicks: z.number().int().min(0).optional(),
});
export type Counts = z.infer<typeof countsSchema>;

/** One reading of a post's counts; a field the network does not report is absent. */
export const readingSchema = countsSchema.extend({ collectedAt: z.string() });
export type Reading = z.infer<typeof readingSchema>;

/** The ages after publication at which a post's counts are read, by default. */
export const DEFAULT_METRICS_AFTER = '1h,6h,24h,72h,7d';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * `1h,6h,24h,72h,7d` (or `5s,20s`) into milliseconds, ascending and without repeats.
 * Throws an Error naming the bad part.
 */
export function parseMetricsAfter(text: string = DEFAULT_METRICS_AFTER): number[] {
  const offsets = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const match = /^(\d+)(s|m|h|d)$/.exec(part);
      if (!match) throw new Error(`"${part}" is not an offset such as 30s, 15m, 6h or 7d`);
      const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
      if (ms <= 0) throw new Error(`"${part}" must be after publication`);
      return ms;
    });
  if (offsets.length === 0) throw new Error('at least one offset is needed, such as 1h');
  return [...new Set(offsets)].sort((a, b) => a - b);
}

/**
 * A reading just stored, with what the desk's figures and the best-time estimate need of
 * its post, so that neither has to read the share again.
 */
export type ReadingEvent = {
  siteId: string;
  channelId: string;
  platform: Platform;
  articleId: string;
  /** an evergreen re-share's round (absent for the first share) */
  round?: number;
  title: string;
  section?: string;
  /** the article's URL as shared (with the channel's UTM parameters) */
  url: string;
  remoteUrl?: string;
  /** when the post went out */
  publishedAt: string;
  reading: Reading;
  /** which of CRIER_METRICS_AFTER's offsets this reading is (0: the first) */
  offsetIndex: number;
  /** the post's last scheduled reading: its counts will not be read again */
  final: boolean;
};
