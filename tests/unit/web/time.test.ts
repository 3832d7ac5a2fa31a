/** Times as the editor types and reads them, in the browser's time zone (here, the test's). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  dayKey,
  fromDateTimeLocal,
  fromDayKey,
  startOfWeek,
  toDateTimeLocal,
} from '../../../web/src/time';

describe('datetime-local values', () => {
  it('round-trip any whole minute through the input and back to the same instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_600_000_000, max: 2_200_000_000 }), (seconds) => {
        const minute = new Date(Math.floor(seconds / 60) * 60_000);
        // A time that a DST change skips cannot round-trip; every other one does.
        const back = fromDateTimeLocal(toDateTimeLocal(minute.toISOString()));
        if (back) expect(Math.abs(new Date(back).getTime() - minute.getTime()) % 3_600_000).toBe(0);
        expect(toDateTimeLocal(minute.toISOString())).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
      }),
    );
    const now = new Date(2026, 4, 12, 14, 5);
    expect(fromDateTimeLocal('2026-05-12T14:05')).toBe(now.toISOString());
  });

  it('refuses what is not a date and a time', () => {
    expect(fromDateTimeLocal('')).toBeUndefined();
    expect(fromDateTimeLocal('tomorrow')).toBeUndefined();
    expect(fromDateTimeLocal('2026-05-12')).toBeUndefined();
  });
});

describe('weeks', () => {
  it('start on the Monday at midnight of the week a day falls in, seven days long', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(2000, 0, 1), max: new Date(2100, 0, 1), noInvalidDate: true }),
        (date) => {
          const start = startOfWeek(date);
          expect(start.getDay()).toBe(1);
          expect([start.getHours(), start.getMinutes()]).toEqual([0, 0]);
          expect(start.getTime()).toBeLessThanOrEqual(date.getTime());
          expect(addDays(start, 7).getTime()).toBeGreaterThan(date.getTime());
        },
      ),
    );
  });

  it('are named by their first day, and that name leads back to it', () => {
    const monday = new Date(2026, 4, 11);
    expect(dayKey(monday)).toBe('2026-05-11');
    expect(fromDayKey('2026-05-11')?.getTime()).toBe(monday.getTime());
    expect(fromDayKey('next week')).toBeUndefined();
  });
});
