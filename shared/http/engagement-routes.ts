/**
 * The editor API's engagement routes, as data: a share's readings, and a site's figures
 * over a period (JSON, and its posts as CSV), beside the article routes of editor-routes.ts.
 */
import * as z from 'zod';
import { readingSchema } from '../domain/metrics';
import {
  DEFAULT_ENGAGEMENT_DAYS,
  DEFAULT_TOP,
  engagementAnswerSchema,
  MAX_ENGAGEMENT_DAYS,
  MAX_TOP,
} from '../usecases/engagement';
import {
  channelIdSchema,
  type EditorRoute,
  errorSchema,
  refused,
  sharePathSchema,
  siteIdSchema,
} from './route-kit';

export const readingsAnswerSchema = z.object({
  readings: z.array(readingSchema).meta({ description: 'Every reading kept, oldest first' }),
});

const day = z.iso.date();

const periodFields = {
  siteId: siteIdSchema.optional().meta({
    description:
      "The site whose posts to count; absent: the caller's only site, or the default site for an admin. Another site than the caller's is a 404",
  }),
  from: day.optional().meta({
    description: `The period's first publication day (UTC, \`yyyy-mm-dd\`), inclusive; absent: ${DEFAULT_ENGAGEMENT_DAYS - 1} days before \`to\``,
  }),
  to: day.optional().meta({
    description: `The period's last publication day (UTC), inclusive; absent: today. The period is at most ${MAX_ENGAGEMENT_DAYS} days, from not before the figures' retention`,
  }),
  channelId: channelIdSchema.optional().meta({ description: "Only this channel's posts" }),
  section: z.string().trim().min(1).max(200).optional().meta({
    description: 'Only posts of articles of this section (compared without regard to case)',
  }),
};

export const engagementQuerySchema = z
  .object({
    ...periodFields,
    top: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_TOP)
      .default(DEFAULT_TOP)
      .meta({ description: `How many top posts, 1-${MAX_TOP} (default ${DEFAULT_TOP})` }),
  })
  .superRefine(toNotBeforeFrom);

export const engagementCsvQuerySchema = z.object(periodFields).superRefine(toNotBeforeFrom);

function toNotBeforeFrom(query: { from?: string; to?: string }, ctx: z.RefinementCtx): void {
  if (query.from && query.to && query.from > query.to) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  }
}

export const ENGAGEMENT_COMPONENTS = {
  Readings: readingsAnswerSchema,
  Engagement: engagementAnswerSchema,
} as const;

const periodRefusals = {
  400: {
    description: `A bad bound, naming it: \`to\` before \`from\` or after tomorrow, a period over ${MAX_ENGAGEMENT_DAYS} days, \`from\` before the figures' retention; or no \`siteId\` from an editor of several sites`,
    schema: errorSchema,
  },
  ...refused,
  404: { description: 'No such site, or not one of the caller’s', schema: errorSchema },
} as const;

export const ENGAGEMENT_ROUTES = [
  {
    routeKey: 'GET /api/articles/{articleId}/shares/{channelId}/metrics',
    operationId: 'getShareReadings',
    summary: 'Every reading of a published post’s counts, oldest first',
    description:
      'The time series behind the share’s `metrics` (its latest reading): each reading’s `collectedAt` and counts, a count the network does not report absent. Empty until the first reading; readings age out after their retention.',
    path: sharePathSchema,
    responses: {
      200: { description: 'The readings, oldest first', schema: readingsAnswerSchema },
      400: { description: 'A bad share key', schema: errorSchema },
      ...refused,
      404: {
        description: 'No such article (or another site’s), or no such share',
        schema: errorSchema,
      },
    },
  },
  {
    routeKey: 'GET /api/engagement',
    operationId: 'getEngagement',
    summary: 'A site’s engagement over a period: per channel, per section, per day, top posts',
    description:
      'Counts the posts published in the period (by publication day, UTC), each with its latest reading. A post’s `engagement` is likes + reposts + replies + quotes + link clicks (a count its network does not report adds nothing; views are reach and are left out). In the totals, `quotes`, `views` and `clicks` are null where no post counted reports them. A post shows up once its first reading is in.',
    query: engagementQuerySchema,
    responses: {
      200: { description: 'The period’s figures', schema: engagementAnswerSchema },
      ...periodRefusals,
    },
  },
  {
    routeKey: 'GET /api/engagement/posts.csv',
    operationId: 'getEngagementCsv',
    summary: 'The period’s posts with their latest counts, as CSV',
    description:
      'The same posts as GET /api/engagement counts, oldest first: a header line, then one post per line (RFC 4180, CRLF). Columns: publishedAt, channelId, platform, section, title, url, remoteUrl, likes, reposts, replies, quotes, views, clicks, engagement, collectedAt, articleId, share; a count the network does not report is empty. A text cell a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage return) is prefixed with a single quote.',
    query: engagementCsvQuerySchema,
    responses: {
      200: {
        description: 'The CSV file, sent as an attachment',
        contentType: 'text/csv',
      },
      ...periodRefusals,
    },
  },
] as const satisfies readonly EditorRoute[];
