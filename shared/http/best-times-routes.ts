/** The editor API's route for a channel's best times learned (the desk's heatmap). */
import * as z from 'zod';
import { channelPathSchema } from './directory-routes';
import { type EditorRoute, errorSchema, refused } from './route-kit';

export const bestTimesAnswerSchema = z.object({
  channelId: z.string(),
  timeZone: z
    .string()
    .meta({ description: 'The channel’s time zone: the hours are its local hours' }),
  days: z
    .array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']))
    .meta({ description: 'The rows of `week`, Monday first' }),
  week: z.array(z.array(z.number().min(0).max(1))).meta({
    description:
      'Seven rows of 24 hours: the expected engagement of a post made in that local hour, relative to the best hour of the week (1)',
  }),
  posts: z
    .number()
    .int()
    .min(0)
    .meta({ description: 'The channel’s own posts the estimate rests on' }),
  priorShare: z.number().min(0).max(1).meta({
    description:
      'How much of the estimate, over the week, still comes from the site’s other channels',
  }),
  mostlyPrior: z.boolean().meta({
    description: 'Whether the site’s prior still weighs more than the channel’s own posts',
  }),
});

export const BEST_TIMES_ROUTES = [
  {
    routeKey: 'GET /api/channels/{id}/best-times',
    operationId: 'getChannelBestTimes',
    summary: 'A channel’s best times learned: its expected engagement by weekday and hour',
    description:
      'Learned from each of its posts’ readings (the first a day old), smoothed across neighbouring hours and like days, with the site’s other channels as the prior while the channel has few posts. A `best` schedule places normal shares by a draw from it. Editors see the channels of their sites.',
    path: channelPathSchema,
    responses: {
      200: { description: 'The 7 x 24 estimate', schema: bestTimesAnswerSchema },
      ...refused,
      404: { description: 'No such channel, or one of another site', schema: errorSchema },
    },
  },
] as const satisfies readonly EditorRoute[];
