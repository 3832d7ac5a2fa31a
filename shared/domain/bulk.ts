/**
 * What one request may do to many shares at once (POST /api/shares/bulk): its actions
 * and bounds, apart from the use case so the route's schema loads without it.
 */

export const BULK_ACTIONS = ['approve', 'cancel', 'retry', 'reschedule'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** The most shares one request may name. */
export const MAX_BULK_SHARES = 100;
/** The longest move of a reschedule by an offset, either way: a week, in minutes. */
export const MAX_OFFSET_MINUTES = 7 * 24 * 60;
