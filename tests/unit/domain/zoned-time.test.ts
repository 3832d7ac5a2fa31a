import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  dateKey,
  instantOf,
  localDateOf,
  localParts,
  offsetMinutes,
  startOfDay,
  weekdayOf,
} from '../../../shared/domain/zoned-time';

const at = (iso: string) => Date.parse(iso);
const iso = (instant: number) => new Date(instant).toISOString();
const local = (date: string, time: string) => {
  const [year, month, day] = date.split('-').map(Number);
  const [hour, minute] = time.split(':').map(Number);
  return {
    year: year ?? 0,
    month: month ?? 0,
    day: day ?? 0,
    hour: hour ?? 0,
    minute: minute ?? 0,
  };
};
const instant = (date: string, time: string, zone: string) =>
  iso(instantOf(local(date, time), zone));

describe('America/La_Paz (UTC-4 all year, no daylight saving)', () => {
  it('is four hours behind UTC on both of Europe’s 2026 change days and in between', () => {
    for (const day of ['2026-03-29T12:00:00Z', '2026-07-01T12:00:00Z', '2026-10-25T12:00:00Z']) {
      expect(offsetMinutes(at(day), 'America/La_Paz')).toBe(-240);
    }
    expect(instant('2026-03-29', '02:30', 'America/La_Paz')).toBe('2026-03-29T06:30:00.000Z');
    expect(instant('2026-10-25', '21:00', 'America/La_Paz')).toBe('2026-10-26T01:00:00.000Z');
  });

  it('reads the local date and weekday across UTC midnight', () => {
    const lateSaturday = at('2026-03-29T01:00:00Z');
    expect(localParts(lateSaturday, 'America/La_Paz')).toMatchObject({ day: 28, hour: 21 });
    expect(weekdayOf(localDateOf(lateSaturday, 'America/La_Paz'))).toBe(6);
  });
});

describe('Europe/Berlin on 29 March 2026 (clocks go forward at 02:00 CET)', () => {
  const zone = 'Europe/Berlin';

  it('is UTC+1 before the change and UTC+2 after it', () => {
    expect(offsetMinutes(at('2026-03-29T00:59:59Z'), zone)).toBe(60);
    expect(offsetMinutes(at('2026-03-29T01:00:00Z'), zone)).toBe(120);
  });

  it('moves a time inside the missing hour to the moment the clocks jump (03:00 CEST)', () => {
    expect(instant('2026-03-29', '02:00', zone)).toBe('2026-03-29T01:00:00.000Z');
    expect(instant('2026-03-29', '02:30', zone)).toBe('2026-03-29T01:00:00.000Z');
    expect(instant('2026-03-29', '02:59', zone)).toBe('2026-03-29T01:00:00.000Z');
    expect(localParts(at('2026-03-29T01:00:00Z'), zone)).toMatchObject({ hour: 3, minute: 0 });
  });

  it('keeps the times either side of the gap where the clock says', () => {
    expect(instant('2026-03-29', '01:59', zone)).toBe('2026-03-29T00:59:00.000Z');
    expect(instant('2026-03-29', '03:00', zone)).toBe('2026-03-29T01:00:00.000Z');
    expect(instant('2026-03-29', '09:00', zone)).toBe('2026-03-29T07:00:00.000Z');
    expect(instant('2026-03-28', '09:00', zone)).toBe('2026-03-28T08:00:00.000Z');
  });

  it('has a local day of 23 hours', () => {
    const day = local('2026-03-29', '00:00');
    expect(startOfDay(addDays(day, 1), zone) - startOfDay(day, zone)).toBe(23 * 3600_000);
  });
});

describe('Europe/Berlin on 25 October 2026 (clocks go back at 03:00 CEST)', () => {
  const zone = 'Europe/Berlin';

  it('takes the first of the two 02:30s, in summer time', () => {
    expect(instant('2026-10-25', '02:30', zone)).toBe('2026-10-25T00:30:00.000Z');
    // The second 02:30 (CET) exists, and reads the same on the wall.
    expect(localParts(at('2026-10-25T01:30:00Z'), zone)).toMatchObject({ hour: 2, minute: 30 });
  });

  it('is UTC+2 until 01:00 UTC and UTC+1 after, with a local day of 25 hours', () => {
    expect(offsetMinutes(at('2026-10-25T00:59:00Z'), zone)).toBe(120);
    expect(offsetMinutes(at('2026-10-25T01:00:00Z'), zone)).toBe(60);
    expect(instant('2026-10-25', '03:00', zone)).toBe('2026-10-25T02:00:00.000Z');
    const day = local('2026-10-25', '00:00');
    expect(startOfDay(addDays(day, 1), zone) - startOfDay(day, zone)).toBe(25 * 3600_000);
  });
});

describe('America/New_York in 2026', () => {
  const zone = 'America/New_York';

  it('moves 02:30 on 8 March to 03:00 EDT, and takes the first 01:30 on 1 November', () => {
    expect(instant('2026-03-08', '02:30', zone)).toBe('2026-03-08T07:00:00.000Z');
    expect(instant('2026-11-01', '01:30', zone)).toBe('2026-11-01T05:30:00.000Z');
    expect(instant('2026-11-01', '02:30', zone)).toBe('2026-11-01T07:30:00.000Z');
  });
});

describe('Australia/Lord_Howe in 2026 (a 30-minute daylight-saving change)', () => {
  const zone = 'Australia/Lord_Howe';

  it('is UTC+10:30 in winter and UTC+11 in summer', () => {
    expect(offsetMinutes(at('2026-07-01T00:00:00Z'), zone)).toBe(630);
    expect(offsetMinutes(at('2026-12-01T00:00:00Z'), zone)).toBe(660);
  });

  it('moves 02:15 on 4 October (02:00 jumps to 02:30) to 02:30', () => {
    expect(instant('2026-10-04', '02:15', zone)).toBe('2026-10-03T15:30:00.000Z');
    expect(localParts(at('2026-10-03T15:30:00Z'), zone)).toMatchObject({ hour: 2, minute: 30 });
  });

  it('takes the first 01:45 on 5 April (02:00 goes back to 01:30)', () => {
    expect(instant('2026-04-05', '01:45', zone)).toBe('2026-04-04T14:45:00.000Z');
  });
});

describe('a change at midnight (America/Santiago, 6 September 2026)', () => {
  it('starts the local day at 01:00, the first minute that exists', () => {
    const start = startOfDay(local('2026-09-06', '00:00'), 'America/Santiago');
    expect(iso(start)).toBe('2026-09-06T04:00:00.000Z');
    expect(localParts(start, 'America/Santiago')).toMatchObject({ day: 6, hour: 1, minute: 0 });
  });
});

describe('local dates', () => {
  it('add days across month and year ends and name them YYYY-MM-DD', () => {
    expect(dateKey(addDays(local('2026-12-31', '00:00'), 1))).toBe('2027-01-01');
    expect(dateKey(addDays(local('2026-03-01', '00:00'), -1))).toBe('2026-02-28');
  });
});

describe('any instant, in any of these zones', () => {
  const zones = [
    'America/La_Paz',
    'Europe/Berlin',
    'America/New_York',
    'Australia/Lord_Howe',
    'America/Santiago',
    'Asia/Kolkata',
  ];

  it('reads back to the same wall time, at the earliest instant showing it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) }),
        fc.constantFrom(...zones),
        (ms, zone) => {
          const minute = ms - (ms % 60_000);
          const wall = localParts(minute, zone);
          const back = instantOf(wall, zone);
          expect(localParts(back, zone)).toMatchObject({ ...wall, second: 0 });
          // Only a repeated hour has an earlier instant with the same wall time.
          expect(back).toBeLessThanOrEqual(minute);
          if (back < minute)
            expect(offsetMinutes(back, zone)).toBeGreaterThan(offsetMinutes(minute, zone));
        },
      ),
      { numRuns: 500 },
    );
  });
});
