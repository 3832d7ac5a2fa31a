/**
 * The editor API's bulk route: one action on many shares, each answered with its own
 * outcome (shared/usecases/bulk-shares.ts).
 */
import * as z from 'zod';
import { BULK_ACTIONS, MAX_BULK_SHARES, MAX_OFFSET_MINUTES } from '../domain/bulk';
import type { BulkOutcome } from '../usecases/bulk-shares';
import { shareView, shareViewSchema } from '../usecases/views';
import { refusalOf } from './responses';
import { type EditorRoute, errorSchema, refused, shareKeySchema } from './route-kit';

const shareRef = z.strictObject({
  articleId: z.string().min(1).max(128).meta({ description: "The article's id" }),
  channelId: shareKeySchema.meta({
    description: 'The share key: its channel id, or `<channelId>~<round>` for a re-share',
  }),
});

export const bulkSharesSchema = z
  .strictObject({
    action: z.enum(BULK_ACTIONS).meta({ description: 'What to do with every share named' }),
    shares: z
      .array(shareRef)
      .min(1)
      .max(MAX_BULK_SHARES)
      .meta({
        description: `The shares, 1-${MAX_BULK_SHARES}, each named once`,
      }),
    offsetMinutes: z
      .number()
      .int()
      .min(-MAX_OFFSET_MINUTES)
      .max(MAX_OFFSET_MINUTES)
      .optional()
      .meta({
        description: `reschedule: move each share's dueAt by this many minutes (negative: earlier), at most ${MAX_OFFSET_MINUTES} (a week) either way`,
      }),
    toNextSlots: z.literal(true).optional().meta({
      description:
        "reschedule: each share to its channel's next free time, as compose plans a new share (schedule, slots, spacing, cap, quiet hours)",
    }),
  })
  .superRefine((body, ctx) => {
    const seen = new Map<string, number>();
    body.shares.forEach((share, index) => {
      const name = `${share.articleId}\u0000${share.channelId}`;
      const first = seen.get(name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['shares', index],
          message: `names the same share as shares.${first}`,
        });
      } else seen.set(name, index);
    });
    const ways = (body.offsetMinutes !== undefined ? 1 : 0) + (body.toNextSlots ? 1 : 0);
    if (body.action === 'reschedule' && ways !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [body.offsetMinutes !== undefined ? 'toNextSlots' : 'offsetMinutes'],
        message:
          ways === 0
            ? 'a reschedule needs offsetMinutes or toNextSlots'
            : 'give offsetMinutes or toNextSlots, not both',
      });
    }
    if (body.action !== 'reschedule') {
      for (const field of ['offsetMinutes', 'toNextSlots'] as const) {
        if (body[field] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [field], message: 'is only for reschedule' });
        }
      }
    }
  });

export const bulkResultSchema = z.object({
  articleId: z.string(),
  channelId: z.string(),
  ok: z.boolean(),
  /** what the share's own route would have answered: 200, 202, 400, 403, 404, 409 */
  status: z.number().int(),
  error: errorSchema.shape.error.optional(),
  message: z.string().optional(),
  fields: errorSchema.shape.fields,
  length: errorSchema.shape.length,
  share: shareViewSchema.optional(),
});

export const bulkAnswerSchema = z.object({ results: z.array(bulkResultSchema) });
export type BulkAnswer = z.output<typeof bulkAnswerSchema>;

/** The outcomes as the route answers them: each share's status, and its share or reason. */
export function bulkAnswer(outcomes: readonly BulkOutcome[]): BulkAnswer {
  return {
    results: outcomes.map((outcome) => {
      const { articleId, channelId } = outcome;
      if (outcome.ok) {
        return {
          articleId,
          channelId,
          ok: true,
          status: outcome.accepted ? 202 : 200,
          share: shareView(outcome.share),
        };
      }
      const { status, body } = refusalOf(outcome.error);
      return { articleId, channelId, ok: false, status, ...body };
    }),
  };
}

export const BULK_ROUTES = [
  {
    routeKey: 'POST /api/shares/bulk',
    operationId: 'bulkShares',
    summary: 'Approve, cancel, retry or reschedule many shares at once',
    description:
      "Each share is handled exactly as its own route would handle it alone (`POST /api/articles/{articleId}/shares/{channelId}/{action}`, or a PATCH of its dueAt for `reschedule`), a few at a time, and gets its own result, in the order named: `ok`, the `status` it would have had alone (200, 202, 400, 403, 404, 409), and the share as it now stands, or `error` and `message` saying why it was refused. A share of another site's article is a 404 in its own result. A bad body (an unknown action, no shares, more than 100, a share named twice, a reschedule without exactly one of `offsetMinutes` and `toNextSlots`) is a 400 and nothing is written.",
    body: bulkSharesSchema,
    bodyRequired: true,
    responses: {
      200: {
        description: "Every share's own result, in the order named",
        schema: bulkAnswerSchema,
      },
      400: { description: 'A bad body, naming the fields: nothing written', schema: errorSchema },
      ...refused,
      413: { description: 'A body over 512 KiB', schema: errorSchema },
    },
  },
] as const satisfies readonly EditorRoute[];
