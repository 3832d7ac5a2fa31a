/**
 * The desk's engagement figures: one item per published post with its latest counts,
 * kept per site and publication day, and the port that reads a period's days of them.
 */
import * as z from 'zod';
import { countsSchema } from './metrics';
import { PLATFORMS } from './platform';

/** One post's latest counts, with what the desk shows of it. */
export const engagementPostSchema = countsSchema.extend({
  siteId: z.string(),
  channelId: z.string(),
  platform: z.enum(PLATFORMS),
  articleId: z.string(),
  /** the share's name within its article (`<channelId>~<round>` for an evergreen round) */
  key: z.string(),
  title: z.string(),
  section: z.string().optional(),
  url: z.string(),
  remoteUrl: z.string().optional(),
  publishedAt: z.string(),
  /** when these counts were read */
  collectedAt: z.string(),
  /** the post's last scheduled reading is in: these counts are final */
  final: z.boolean(),
});
export type EngagementPost = z.infer<typeof engagementPostSchema>;

/** What the engagement figures read: the posts published on each day of a period. */
export interface EngagementReader {
  /** every post of the site published on these days (`yyyy-mm-dd`, UTC), days in order */
  postsOn(siteId: string, days: readonly string[]): Promise<EngagementPost[]>;
}

export const dayOf = (instant: string): string => new Date(instant).toISOString().slice(0, 10);
