import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../shared/domain/errors';
import {
  canApply,
  cancelOutcome,
  isEditable,
  isFinal,
  nextStatus,
  SHARE_EVENTS,
  SHARE_STATUSES,
  SHARE_TRANSITIONS,
  type ShareEvent,
  type ShareStatus,
} from '../../../shared/domain/share-state';

// docs/architecture.md's state machine, written out independently of the module's table.
const allowed: [ShareStatus, ShareEvent, ShareStatus][] = [
  ['draft', 'approve', 'scheduled'],
  ['scheduled', 'enqueue', 'queued'],
  ['queued', 'start', 'publishing'],
  ['publishing', 'succeed', 'published'],
  ['publishing', 'defer', 'scheduled'],
  ['publishing', 'fail', 'failed'],
  ['publishing', 'lose', 'unknown'],
  ['queued', 'requeue', 'scheduled'],
  ['publishing', 'expire', 'unknown'],
  ['unknown', 'reconcile-found', 'published'],
  ['unknown', 'reconcile-absent', 'scheduled'],
  ['unknown', 'reconcile-unsure', 'unknown'],
  ['draft', 'cancel', 'cancelled'],
  ['scheduled', 'cancel', 'cancelled'],
  ['queued', 'cancel', 'cancelled'],
  ['draft', 'withdraw', 'cancelled'],
  ['scheduled', 'withdraw', 'cancelled'],
  ['queued', 'withdraw', 'cancelled'],
  ['failed', 'retry', 'scheduled'],
  ['queued', 'reschedule', 'scheduled'],
];

describe('share state machine', () => {
  it.each(allowed)('a %s share on %s becomes %s', (from, event, to) => {
    expect(canApply(from, event)).toBe(true);
    expect(nextStatus(from, event)).toBe(to);
  });

  it('allows nothing beyond the moves docs/architecture.md lists', () => {
    const pairs = SHARE_STATUSES.flatMap((from) =>
      SHARE_EVENTS.filter((event) => canApply(from, event)).map((event) => `${from} ${event}`),
    );
    expect(pairs.sort()).toEqual(allowed.map(([from, event]) => `${from} ${event}`).sort());
    expect(SHARE_TRANSITIONS.every((row) => SHARE_EVENTS.includes(row.event))).toBe(true);
  });

  it.each(
    SHARE_STATUSES.flatMap((from) =>
      SHARE_EVENTS.filter((event) => !canApply(from, event)).map((event) => [from, event] as const),
    ),
  )('refuses %s on %s with a conflict', (from, event) => {
    expect(() => nextStatus(from, event)).toThrow(ConflictError);
  });

  it('never lets a published share be edited, cancelled or published again', () => {
    expect(isEditable('published')).toBe(false);
    expect(cancelOutcome('published')).toBe('refuse');
    for (const event of SHARE_EVENTS) expect(canApply('published', event)).toBe(false);
  });

  it('never lets a cancelled share be published', () => {
    for (const event of ['enqueue', 'start', 'succeed', 'retry', 'approve'] as const) {
      expect(canApply('cancelled', event)).toBe(false);
    }
    expect(() => nextStatus('cancelled', 'start')).toThrow(/cancelled share cannot start/);
  });

  it('treats published, failed and cancelled as final, and unknown as parked, not final', () => {
    expect(SHARE_STATUSES.filter(isFinal)).toEqual(['published', 'failed', 'cancelled']);
    expect(isFinal('unknown')).toBe(false);
    expect(canApply('unknown', 'reconcile-found')).toBe(true);
    expect(canApply('unknown', 'reconcile-absent')).toBe(true);
  });

  it('lets text and dueAt change only while draft, scheduled or queued', () => {
    expect(SHARE_STATUSES.filter(isEditable)).toEqual(['draft', 'scheduled', 'queued']);
  });

  it('records a cancel request on a publishing share instead of cancelling it', () => {
    expect(cancelOutcome('publishing')).toBe('request');
    expect(cancelOutcome('scheduled')).toBe('cancel');
    expect(cancelOutcome('failed')).toBe('refuse');
  });
});
