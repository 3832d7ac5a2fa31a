/**
 * The channel's rules on the editor's calendar: slots and quiet hours in the channel's
 * zone, and the nearest time a dragged share may go, by the server's own schedule code.
 */
import { describe, expect, it } from 'vitest';
import {
  type ChannelRules,
  proposeMove,
  quietSpans,
  rulesOf,
  slotsBetween,
} from '../../../web/src/calendar-plan';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

// Berlin posts at 09:30 and 15:30 on weekdays, never between 22:00 and 07:00.
const berlin: ChannelRules = rulesOf({
  id: 'x-berlin',
  platform: 'x',
  account: 'newsroom',
  timezone: 'Europe/Berlin',
  siteId: 'default',
  status: 'active',
  version: 1,
  schedule: {
    type: 'slots',
    slots: { mon: ['15:30', '09:30'], tue: ['09:30', '15:30'], wed: ['09:30', '15:30'] },
    quietHours: { from: '22:00', to: '07:00' },
  },
});

describe('slots and quiet hours on the calendar', () => {
  it("lists the channel's slots in its own zone, across the spring change", () => {
    // Monday 30 March 2026, a day after Berlin moved to summer time.
    const day = slotsBetween(berlin, at('2026-03-30T00:00:00Z'), at('2026-03-31T00:00:00Z'));
    expect(day.map(iso)).toEqual(['2026-03-30T07:30:00.000Z', '2026-03-30T13:30:00.000Z']);
    const before = slotsBetween(berlin, at('2026-03-23T00:00:00Z'), at('2026-03-24T00:00:00Z'));
    expect(before.map(iso)).toEqual(['2026-03-23T08:30:00.000Z', '2026-03-23T14:30:00.000Z']);
  });

  it('shades the quiet hours that fall within a day, cut at its ends', () => {
    // A New York day (05:00Z to 05:00Z next) in winter: Berlin's quiet 21:00Z to 06:00Z.
    const spans = quietSpans(berlin, at('2026-01-13T05:00:00Z'), at('2026-01-14T05:00:00Z'));
    expect(spans.map((s) => [iso(s.from), iso(s.to)])).toEqual([
      ['2026-01-13T05:00:00.000Z', '2026-01-13T06:00:00.000Z'],
      ['2026-01-13T21:00:00.000Z', '2026-01-14T05:00:00.000Z'],
    ]);
  });

  it('reads no rules from a channel without a schedule it knows', () => {
    expect(rulesOf(undefined)).toEqual({ timeZone: 'UTC' });
    expect(slotsBetween(rulesOf(undefined), 0, 10 * 86_400_000)).toEqual([]);
  });
});

describe('the nearest allowed time for a moved share', () => {
  const now = at('2026-03-30T06:00:00Z');

  it('is the nearest slot, later or earlier', () => {
    const after = proposeMove({ rules: berlin, wanted: at('2026-03-31T09:00:00Z'), now, busy: [] });
    expect(iso(after)).toBe('2026-03-31T07:30:00.000Z');
    const later = proposeMove({ rules: berlin, wanted: at('2026-03-31T12:00:00Z'), now, busy: [] });
    expect(iso(later)).toBe('2026-03-31T13:30:00.000Z');
  });

  it('skips a slot another post holds, and Thursday without slots', () => {
    const busy = [at('2026-03-31T13:30:00Z')];
    const moved = proposeMove({ rules: berlin, wanted: at('2026-03-31T13:00:00Z'), now, busy });
    expect(iso(moved)).toBe('2026-03-31T07:30:00.000Z');
    const thursday = proposeMove({ rules: berlin, wanted: at('2026-04-02T08:00:00Z'), now, busy });
    expect(iso(thursday)).toBe('2026-04-01T13:30:00.000Z');
  });

  it('is never in the past nor before the embargo', () => {
    const past = proposeMove({ rules: berlin, wanted: at('2026-03-27T08:00:00Z'), now, busy: [] });
    expect(iso(past)).toBe('2026-03-30T07:30:00.000Z');
    const shareAt = '2026-03-31T10:00:00Z';
    const embargoed = proposeMove({
      rules: berlin,
      wanted: at('2026-03-31T08:00:00Z'),
      now,
      shareAt,
      busy: [],
    });
    expect(iso(embargoed)).toBe('2026-03-31T13:30:00.000Z');
  });

  it('keeps the wanted time where no rule stands in the way, else leaves the quiet hours', () => {
    const quiet: ChannelRules = {
      timeZone: 'Europe/Berlin',
      schedule: { type: 'asap', quietHours: { from: '22:00', to: '07:00' } },
    };
    const free = proposeMove({ rules: quiet, wanted: at('2026-03-31T10:17:00Z'), now, busy: [] });
    expect(iso(free)).toBe('2026-03-31T10:17:00.000Z');
    // 23:00 Berlin: 21:59 is an hour away, 07:00 eight.
    const night = proposeMove({ rules: quiet, wanted: at('2026-03-31T21:00:00Z'), now, busy: [] });
    expect(iso(night)).toBe('2026-03-31T19:59:00.000Z');
    const early = proposeMove({ rules: quiet, wanted: at('2026-04-01T04:30:00Z'), now, busy: [] });
    expect(iso(early)).toBe('2026-04-01T05:00:00.000Z');
  });
});
