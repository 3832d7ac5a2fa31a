import { describe, expect, it } from 'vitest';
import { channelSchema, type Schedule } from '../../../shared/domain/channel';
import {
  earliestFor,
  firstDueAt,
  nextFreeInstant,
  type PlanRequest,
  quietUntil,
  slotsFrom,
  usesCalendar,
} from '../../../shared/domain/schedule';

const now = new Date('2026-11-28T12:00:00.000Z');
const receivedAt = '2026-11-28T11:59:00.000Z';
const at = (iso: string) => Date.parse(iso);
const iso = (instant: number | undefined) =>
  instant === undefined ? undefined : new Date(instant).toISOString();

/** A schedule as the config file gives it, parsed (sorted slots, defaults). */
const schedule = (input: Record<string, unknown>): Schedule =>
  channelSchema.parse({
    id: 'c',
    platform: 'x',
    account: 'a',
    template: '{title}',
    schedule: input,
  }).schedule;

const plan = (
  request: Partial<PlanRequest> & { schedule: Schedule; earliest: number },
): string | undefined =>
  iso(nextFreeInstant({ timeZone: 'UTC', lane: 'normal', busy: [], ...request }));

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

  it('is the next slot in the channel’s time zone for a slots channel', () => {
    // Saturday 28 November 2026, 08:00 in La Paz: 09:00 there is 13:00 UTC.
    const slots = schedule({ type: 'slots', slots: { sat: ['18:30', '09:00'] } });
    expect(firstDueAt(slots, { now, receivedAt, timeZone: 'America/La_Paz' })).toBe(
      '2026-11-28T13:00:00.000Z',
    );
    expect(firstDueAt(slots, { now, receivedAt, timeZone: 'UTC' })).toBe(
      '2026-11-28T18:30:00.000Z',
    );
  });

  it('sends breaking news at once, whatever the delay, but never before the embargo', () => {
    const delay = schedule({
      type: 'delay',
      minutes: 30,
      quietHours: { from: '11:00', to: '13:00' },
    });
    expect(firstDueAt(delay, { now, receivedAt, lane: 'breaking' })).toBe(iso(now.getTime()));
    expect(
      firstDueAt(delay, { now, receivedAt, lane: 'breaking', shareAt: '2026-11-28T12:05:00Z' }),
    ).toBe('2026-11-28T12:05:00.000Z');
    expect(earliestFor(delay, 'normal', { now, receivedAt })).toBe(at('2026-11-28T12:29:00Z'));
  });
});

describe('weekday slots in America/La_Paz (UTC-4, no daylight saving)', () => {
  const slots = schedule({
    type: 'slots',
    slots: { mon: ['12:30', '08:00'], sat: ['10:00'], sun: ['21:00'] },
  });
  const zone = 'America/La_Paz';

  it('takes the next slot at or after the earliest instant, in local time', () => {
    // Monday 30 March 2026, 07:00 in La Paz.
    expect(plan({ schedule: slots, timeZone: zone, earliest: at('2026-03-30T11:00:00Z') })).toBe(
      '2026-03-30T12:00:00.000Z',
    );
    // Exactly on a slot: that slot.
    expect(plan({ schedule: slots, timeZone: zone, earliest: at('2026-03-30T12:00:00Z') })).toBe(
      '2026-03-30T12:00:00.000Z',
    );
    // After Monday's last slot: Saturday's.
    expect(plan({ schedule: slots, timeZone: zone, earliest: at('2026-03-30T16:31:00Z') })).toBe(
      '2026-04-04T14:00:00.000Z',
    );
  });

  it('counts the weekday on the local calendar, not UTC’s', () => {
    // Sunday 21:00 in La Paz is Monday 01:00 UTC.
    expect(plan({ schedule: slots, timeZone: zone, earliest: at('2026-03-29T12:00:00Z') })).toBe(
      '2026-03-30T01:00:00.000Z',
    );
  });

  it('skips a slot another share holds, and one too close to another post', () => {
    const busy = [at('2026-03-30T12:00:00Z')];
    expect(
      plan({ schedule: slots, timeZone: zone, earliest: at('2026-03-30T11:00:00Z'), busy }),
    ).toBe('2026-03-30T16:30:00.000Z');
    const spaced = schedule({ ...slots, minSpacingMinutes: 300 });
    expect(
      plan({ schedule: spaced, timeZone: zone, earliest: at('2026-03-30T11:00:00Z'), busy }),
    ).toBe('2026-04-04T14:00:00.000Z');
  });

  it('waits for the embargo, then takes the next slot', () => {
    const earliest = earliestFor(slots, 'normal', {
      now: new Date('2026-03-30T11:00:00Z'),
      receivedAt: '2026-03-30T11:00:00Z',
      shareAt: '2026-03-30T12:00:01Z',
    });
    expect(plan({ schedule: slots, timeZone: zone, earliest })).toBe('2026-03-30T16:30:00.000Z');
  });
});

describe('weekday slots in Europe/Berlin across the 2026 changes', () => {
  const zone = 'Europe/Berlin';
  const slots = schedule({ type: 'slots', slots: { sat: ['09:00'], sun: ['02:30', '09:00'] } });

  it('keeps 09:00 local on both sides of the spring-forward night', () => {
    expect(plan({ schedule: slots, timeZone: zone, earliest: at('2026-03-28T00:00:00Z') })).toBe(
      '2026-03-28T08:00:00.000Z',
    );
    expect(
      plan({
        schedule: slots,
        timeZone: zone,
        earliest: at('2026-03-29T01:00:01Z'),
      }),
    ).toBe('2026-03-29T07:00:00.000Z');
  });

  it('moves the 02:30 slot that does not exist on 29 March to 03:00 CEST', () => {
    expect(plan({ schedule: slots, timeZone: zone, earliest: at('2026-03-28T09:00:00Z') })).toBe(
      '2026-03-29T01:00:00.000Z',
    );
  });

  it('holds two slots inside the gap as one', () => {
    const twoInGap = schedule({ type: 'slots', slots: { sun: ['02:15', '02:45', '09:00'] } });
    const from = at('2026-03-29T00:00:00Z');
    const until = at('2026-03-29T23:00:00Z');
    expect(
      [...slotsFrom(twoInGap.type === 'slots' ? twoInGap.slots : {}, from, until, zone)].map(iso),
    ).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-29T07:00:00.000Z']);
    // Once taken, the next post goes to 09:00.
    expect(
      plan({
        schedule: twoInGap,
        timeZone: zone,
        earliest: from,
        busy: [at('2026-03-29T01:00:00Z')],
      }),
    ).toBe('2026-03-29T07:00:00.000Z');
  });

  it('posts at the first 02:30 on 25 October, and never at the second', () => {
    expect(plan({ schedule: slots, timeZone: zone, earliest: at('2026-10-24T12:00:00Z') })).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    // 02:45 CEST: the first 02:30 has passed; the second one (01:30 UTC) is not a slot.
    expect(plan({ schedule: slots, timeZone: zone, earliest: at('2026-10-25T00:45:00Z') })).toBe(
      '2026-10-25T08:00:00.000Z',
    );
    const sunday = [
      ...slotsFrom(
        slots.type === 'slots' ? slots.slots : {},
        at('2026-10-24T22:00:00Z'),
        at('2026-10-25T22:59:00Z'),
        zone,
      ),
    ];
    expect(sunday.map(iso)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T08:00:00.000Z']);
  });
});

describe('weekday slots in America/New_York and Australia/Lord_Howe', () => {
  it('moves New York’s 02:30 on 8 March 2026 to 03:00 EDT', () => {
    const slots = schedule({ type: 'slots', slots: { sun: ['02:30'] } });
    expect(
      plan({ schedule: slots, timeZone: 'America/New_York', earliest: at('2026-03-07T12:00:00Z') }),
    ).toBe('2026-03-08T07:00:00.000Z');
  });

  it('moves Lord Howe’s 02:15 on 4 October 2026 to 02:30, half an hour on', () => {
    const slots = schedule({ type: 'slots', slots: { sun: ['02:15'] } });
    expect(
      plan({
        schedule: slots,
        timeZone: 'Australia/Lord_Howe',
        earliest: at('2026-10-01T00:00:00Z'),
      }),
    ).toBe('2026-10-03T15:30:00.000Z');
  });
});

describe('spacing between posts', () => {
  const spaced = schedule({ type: 'asap', minSpacingMinutes: 30 });

  it('goes at once when no post is within the spacing', () => {
    const busy = [at('2026-11-28T11:30:00Z'), at('2026-11-28T12:30:00Z')];
    expect(plan({ schedule: spaced, earliest: now.getTime(), busy })).toBe(
      '2026-11-28T12:00:00.000Z',
    );
  });

  it('waits the spacing after the last post, and after one planned soon after', () => {
    expect(
      plan({ schedule: spaced, earliest: now.getTime(), busy: [at('2026-11-28T11:50:00Z')] }),
    ).toBe('2026-11-28T12:20:00.000Z');
    // 12:20 is too close to the post planned at 12:40: after that one.
    expect(
      plan({
        schedule: spaced,
        earliest: now.getTime(),
        busy: [at('2026-11-28T11:50:00Z'), at('2026-11-28T12:40:00Z')],
      }),
    ).toBe('2026-11-28T13:10:00.000Z');
  });

  it('never puts two posts on one instant, even without spacing', () => {
    const capped = schedule({ type: 'asap', dailyCap: 5 });
    expect(plan({ schedule: capped, earliest: now.getTime(), busy: [now.getTime()] })).toBe(
      '2026-11-28T12:00:01.000Z',
    );
  });

  it('fits a post into a gap just wide enough', () => {
    const busy = [at('2026-11-28T11:40:00Z'), at('2026-11-28T13:00:00Z')];
    expect(plan({ schedule: spaced, earliest: now.getTime(), busy })).toBe(
      '2026-11-28T12:10:00.000Z',
    );
  });
});

describe('a daily cap, per local calendar day', () => {
  const capped = schedule({ type: 'asap', dailyCap: 2 });

  it('moves to the start of the next local day once the day has its posts', () => {
    // In La Paz, 28 November runs from 04:00 UTC to 04:00 UTC on the 29th.
    const busy = [at('2026-11-28T05:00:00Z'), at('2026-11-28T10:00:00Z')];
    expect(
      plan({ schedule: capped, timeZone: 'America/La_Paz', earliest: now.getTime(), busy }),
    ).toBe('2026-11-29T04:00:00.000Z');
    // In UTC, 02:00 on the 28th is the same day as noon and 05:00 is too: the cap is full.
    expect(plan({ schedule: capped, timeZone: 'UTC', earliest: now.getTime(), busy })).toBe(
      '2026-11-29T00:00:00.000Z',
    );
    // A post late on the 27th in La Paz (02:00 UTC on the 28th) leaves room on the 28th.
    expect(
      plan({
        schedule: capped,
        timeZone: 'UTC',
        earliest: now.getTime(),
        busy: [at('2026-11-28T02:00:00Z')],
      }),
    ).toBe('2026-11-28T12:00:00.000Z');
  });

  it('counts the long fall-back day in Berlin as one day', () => {
    const busy = [at('2026-10-24T22:30:00Z'), at('2026-10-25T22:00:00Z')];
    // 00:30 CEST and 23:00 CET are both on 25 October: the cap is reached at 23:30 CET.
    expect(
      plan({
        schedule: capped,
        timeZone: 'Europe/Berlin',
        earliest: at('2026-10-25T22:30:00Z'),
        busy,
      }),
    ).toBe('2026-10-25T23:00:00.000Z');
  });

  it('takes the first slot of the next day with room', () => {
    const slots = schedule({
      type: 'slots',
      slots: { sat: ['09:00', '12:00', '18:00'], sun: ['10:00'] },
      dailyCap: 1,
    });
    expect(
      plan({
        schedule: slots,
        earliest: at('2026-11-28T08:00:00Z'),
        busy: [at('2026-11-28T07:00:00Z')],
      }),
    ).toBe('2026-11-29T10:00:00.000Z');
  });
});

describe('quiet hours', () => {
  const quiet = schedule({ type: 'asap', quietHours: { from: '23:00', to: '06:00' } });

  it('hold a post until they end, wrapping midnight', () => {
    expect(plan({ schedule: quiet, earliest: at('2026-11-28T23:30:00Z') })).toBe(
      '2026-11-29T06:00:00.000Z',
    );
    expect(plan({ schedule: quiet, earliest: at('2026-11-28T05:00:00Z') })).toBe(
      '2026-11-28T06:00:00.000Z',
    );
    expect(plan({ schedule: quiet, earliest: at('2026-11-28T22:59:00Z') })).toBe(
      '2026-11-28T22:59:00.000Z',
    );
  });

  it('are local: 23:00 in La Paz is 03:00 UTC', () => {
    expect(
      plan({ schedule: quiet, timeZone: 'America/La_Paz', earliest: at('2026-11-29T03:30:00Z') }),
    ).toBe('2026-11-29T10:00:00.000Z');
  });

  it('within one day when from is earlier than to', () => {
    const lunch = schedule({
      type: 'delay',
      minutes: 5,
      quietHours: { from: '12:00', to: '13:30' },
    });
    expect(plan({ schedule: lunch, earliest: at('2026-11-28T12:05:00Z') })).toBe(
      '2026-11-28T13:30:00.000Z',
    );
    expect(plan({ schedule: lunch, earliest: at('2026-11-28T13:30:00Z') })).toBe(
      '2026-11-28T13:30:00.000Z',
    );
  });

  it('that end inside the spring-forward gap end when the clocks jump', () => {
    const night = schedule({ type: 'asap', quietHours: { from: '22:00', to: '02:30' } });
    expect(
      plan({ schedule: night, timeZone: 'Europe/Berlin', earliest: at('2026-03-28T23:00:00Z') }),
    ).toBe('2026-03-29T01:00:00.000Z');
  });

  it('that end inside the repeated hour end at its second pass, as the wall clock says', () => {
    const night = schedule({ type: 'asap', quietHours: { from: '02:00', to: '02:30' } });
    const zone = 'Europe/Berlin';
    // 02:10 CET, in the repeated hour: the first 02:30 (00:30 UTC) is past.
    expect(quietUntil(at('2026-10-25T01:10:00Z'), { from: '02:00', to: '02:30' }, zone)).toBe(
      at('2026-10-25T01:30:00Z'),
    );
    expect(plan({ schedule: night, timeZone: zone, earliest: at('2026-10-25T00:10:00Z') })).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });

  it('together with spacing and a cap', () => {
    const all = schedule({
      type: 'asap',
      minSpacingMinutes: 60,
      dailyCap: 3,
      quietHours: { from: '22:00', to: '07:00' },
    });
    const busy = [at('2026-11-28T08:00:00Z'), at('2026-11-28T21:30:00Z')];
    // 21:30 + 60 min is 22:30, inside the quiet hours: 07:00 the next day.
    expect(plan({ schedule: all, earliest: at('2026-11-28T21:00:00Z'), busy })).toBe(
      '2026-11-29T07:00:00.000Z',
    );
  });
});

describe('lanes', () => {
  const strict = schedule({
    type: 'slots',
    slots: { sat: ['18:00'] },
    minSpacingMinutes: 120,
    dailyCap: 1,
    quietHours: { from: '20:00', to: '08:00' },
  });

  it('send breaking news at the earliest instant, ignoring slots, spacing, cap and quiet hours', () => {
    const earliest = at('2026-11-28T23:30:00Z');
    const busy = [at('2026-11-28T23:00:00Z')];
    expect(plan({ schedule: strict, earliest, busy, lane: 'breaking' })).toBe(iso(earliest));
    // Even onto another post's instant.
    expect(plan({ schedule: strict, earliest, busy: [earliest], lane: 'breaking' })).toBe(
      iso(earliest),
    );
  });

  it('plan evergreen articles as normal ones', () => {
    const earliest = at('2026-11-28T10:00:00Z');
    expect(plan({ schedule: strict, earliest, lane: 'evergreen' })).toBe(
      plan({ schedule: strict, earliest, lane: 'normal' }),
    );
  });

  it('give up when nothing is free before the horizon', () => {
    const earliest = at('2026-11-28T10:00:00Z');
    const busy = Array.from({ length: 80 }, (_, day) => earliest + day * 86_400_000);
    expect(plan({ schedule: strict, earliest, busy })).toBeUndefined();
  });
});

describe('which channels need their calendar', () => {
  it('only those with slots, spacing, a cap or quiet hours', () => {
    expect(usesCalendar(schedule({ type: 'asap' }))).toBe(false);
    expect(usesCalendar(schedule({ type: 'delay', minutes: 5 }))).toBe(false);
    expect(usesCalendar(schedule({ type: 'asap', minSpacingMinutes: 0 }))).toBe(false);
    expect(usesCalendar(schedule({ type: 'asap', dailyCap: 5 }))).toBe(true);
    expect(usesCalendar(schedule({ type: 'slots', slots: { mon: ['09:00'] } }))).toBe(true);
  });
});
