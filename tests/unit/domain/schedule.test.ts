import { describe, expect, it } from 'vitest';
import { firstDueAt } from '../../../shared/domain/schedule';

const now = new Date('2026-11-28T12:00:00.000Z');
const receivedAt = '2026-11-28T11:59:00.000Z';

describe('first due time', () => {
  it('is now for an asap channel', () => {
    expect(firstDueAt({ type: 'asap' }, { now, receivedAt })).toBe('2026-11-28T12:00:00.000Z');
  });

  it('waits for the article embargo', () => {
    expect(
      firstDueAt({ type: 'asap' }, { now, receivedAt, shareAt: '2026-11-28T15:00:00.000Z' }),
    ).toBe('2026-11-28T15:00:00.000Z');
  });

  it("adds a delay channel's minutes to the arrival time, never earlier than now", () => {
    expect(firstDueAt({ type: 'delay', minutes: 30 }, { now, receivedAt })).toBe(
      '2026-11-28T12:29:00.000Z',
    );
    expect(
      firstDueAt({ type: 'delay', minutes: 1 }, { now, receivedAt: '2026-11-28T10:00:00.000Z' }),
    ).toBe('2026-11-28T12:00:00.000Z');
  });
});
