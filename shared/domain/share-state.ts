/**
 * The share state machine of docs/architecture.md, as data: every allowed move is one row, and
 * `nextStatus` is the only way code decides where a share goes next.
 */
import { ConflictError } from './errors';

export const SHARE_STATUSES = [
  'draft',
  'scheduled',
  'queued',
  'publishing',
  'published',
  'failed',
  'cancelled',
  'unknown',
] as const;

export type ShareStatus = (typeof SHARE_STATUSES)[number];

export const FINAL_STATUSES: ReadonlySet<ShareStatus> = new Set([
  'published',
  'failed',
  'cancelled',
]);

/** What can happen to a share; each row of SHARE_TRANSITIONS below says from where to where. */
export const SHARE_EVENTS = [
  /** an editor approves a draft */
  'approve',
  /** the dispatcher claims a due share and sends its message */
  'enqueue',
  /** a publish worker claims a queued share before calling the network */
  'start',
  /** the network accepted the post */
  'succeed',
  /** retryable error or rate limit: back to scheduled with attempt + 1 */
  'defer',
  /** rejected by the network, or attempts exhausted */
  'fail',
  /** the outcome of the call cannot be known (timeout, reset, 5xx after create) */
  'lose',
  /** a queued share's lease expired and it was never claimed (message lost) */
  'requeue',
  /** a publishing share's lease expired with no result recorded */
  'expire',
  /** reconcile found the post on the account */
  'reconcile-found',
  /** reconcile is certain the post was not made */
  'reconcile-absent',
  /** reconcile cannot tell: the share stays parked for an editor */
  'reconcile-unsure',
  /** an editor cancels */
  'cancel',
  /** the article was unpublished or deleted */
  'withdraw',
  /** an editor retries a failed share */
  'retry',
  /** an editor moves a queued share's dueAt: it goes back to scheduled */
  'reschedule',
] as const;

export type ShareEvent = (typeof SHARE_EVENTS)[number];

type Row = { event: ShareEvent; from: readonly ShareStatus[]; to: ShareStatus };

export const SHARE_TRANSITIONS: readonly Row[] = [
  { event: 'approve', from: ['draft'], to: 'scheduled' },
  { event: 'enqueue', from: ['scheduled'], to: 'queued' },
  { event: 'start', from: ['queued'], to: 'publishing' },
  { event: 'succeed', from: ['publishing'], to: 'published' },
  { event: 'defer', from: ['publishing'], to: 'scheduled' },
  { event: 'fail', from: ['publishing'], to: 'failed' },
  { event: 'lose', from: ['publishing'], to: 'unknown' },
  { event: 'requeue', from: ['queued'], to: 'scheduled' },
  { event: 'expire', from: ['publishing'], to: 'unknown' },
  { event: 'reconcile-found', from: ['unknown'], to: 'published' },
  { event: 'reconcile-absent', from: ['unknown'], to: 'scheduled' },
  { event: 'reconcile-unsure', from: ['unknown'], to: 'unknown' },
  { event: 'cancel', from: ['draft', 'scheduled', 'queued'], to: 'cancelled' },
  { event: 'withdraw', from: ['draft', 'scheduled', 'queued'], to: 'cancelled' },
  { event: 'retry', from: ['failed'], to: 'scheduled' },
  { event: 'reschedule', from: ['queued'], to: 'scheduled' },
];

/** Where `event` takes a share in `from`, or a ConflictError naming both. */
export function nextStatus(from: ShareStatus, event: ShareEvent): ShareStatus {
  const row = SHARE_TRANSITIONS.find((r) => r.event === event && r.from.includes(from));
  if (!row) {
    throw new ConflictError(`A ${from} share cannot ${event}`);
  }
  return row.to;
}

export function canApply(from: ShareStatus, event: ShareEvent): boolean {
  return SHARE_TRANSITIONS.some((r) => r.event === event && r.from.includes(from));
}

/** Final states never change again; `unknown` is parked, not final. */
export function isFinal(status: ShareStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/** Text and dueAt may change only before the share is claimed for publishing. */
export function isEditable(status: ShareStatus): boolean {
  return status === 'draft' || status === 'scheduled' || status === 'queued';
}

/**
 * Cancelling a share that is being published cannot stop the call already made: it is
 * recorded as `cancelRequested`, and the outcome tells whether the post went out.
 */
export function cancelOutcome(status: ShareStatus): 'cancel' | 'request' | 'refuse' {
  if (canApply(status, 'cancel')) return 'cancel';
  if (status === 'publishing') return 'request';
  return 'refuse';
}
