/**
 * What the editor API answers about engagement (a share's readings, a site's figures over
 * a period), checked at the edge as schemas.ts checks the rest.
 */
import * as z from 'zod/mini';
import { PLATFORMS } from '../../shared/domain/platform';

const count = z.number();
const optionalCount = z.optional(z.number());

/** One reading of a post's counts; a count the network does not report is absent. */
const readingFields = {
  collectedAt: z.string(),
  likes: count,
  reposts: count,
  replies: count,
  quotes: optionalCount,
  views: optionalCount,
  clicks: optionalCount,
};
export const readingSchema = z.object(readingFields);
export type Reading = z.infer<typeof readingSchema>;

export const readingsAnswerSchema = z.object({ readings: z.array(readingSchema) });

const figures = {
  posts: count,
  likes: count,
  reposts: count,
  replies: count,
  quotes: z.nullable(count),
  views: z.nullable(count),
  clicks: z.nullable(count),
  engagement: count,
};
export type Figures = z.infer<z.ZodMiniObject<typeof figures>>;

export const engagementPostSchema = z.object({
  channelId: z.string(),
  platform: z.enum(PLATFORMS),
  articleId: z.string(),
  key: z.string(),
  title: z.string(),
  section: z.optional(z.string()),
  url: z.string(),
  remoteUrl: z.optional(z.string()),
  publishedAt: z.string(),
  // The post's latest reading, and its engagement from it.
  ...readingFields,
  engagement: count,
});
export type EngagementPost = z.infer<typeof engagementPostSchema>;

export const engagementSchema = z.object({
  siteId: z.string(),
  from: z.string(),
  to: z.string(),
  totals: z.object(figures),
  channels: z.array(z.object({ ...figures, channelId: z.string(), platform: z.enum(PLATFORMS) })),
  sections: z.array(z.object({ ...figures, section: z.nullable(z.string()) })),
  days: z.array(z.object({ ...figures, day: z.string() })),
  top: z.array(engagementPostSchema),
});
export type Engagement = z.infer<typeof engagementSchema>;
