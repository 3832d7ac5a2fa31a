/** What `POST /api/shares/bulk` answers: each share's own result, checked at the edge. */
import * as z from 'zod/mini';
import { shareSchema } from './schemas';

export const BULK_ACTIONS = ['approve', 'cancel', 'retry', 'reschedule'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export const bulkResultSchema = z.object({
  articleId: z.string(),
  channelId: z.string(),
  ok: z.boolean(),
  status: z.number(),
  error: z.optional(z.string()),
  message: z.optional(z.string()),
  share: z.optional(shareSchema),
});
export type BulkResult = z.infer<typeof bulkResultSchema>;

export const bulkAnswerSchema = z.object({ results: z.array(bulkResultSchema) });

/** The request: an action on shares, and for a reschedule its offset or the next slots. */
export type BulkRequest = {
  action: BulkAction;
  shares: { articleId: string; channelId: string }[];
  offsetMinutes?: number;
  toNextSlots?: true;
};
