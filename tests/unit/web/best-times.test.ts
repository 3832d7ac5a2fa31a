import { describe, expect, it } from 'vitest';
import {
  type BestTimes,
  basisOf,
  bestTimesSchema,
  cellLabel,
  levelOf,
  topHours,
} from '../../../web/src/best-times';
import { channelOf, checkForm, formOf } from '../../../web/src/channel-form';

const week = (best: [number, number]) =>
  Array.from({ length: 7 }, (_, d) =>
    Array.from({ length: 24 }, (_, h) => (d === best[0] && h === best[1] ? 1 : 0.1 + h / 100)),
  );

const times = (patch: Partial<BestTimes> = {}): BestTimes =>
  bestTimesSchema.parse({
    channelId: 'x-newsroom',
    timeZone: 'Europe/Berlin',
    days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
    week: week([2, 18]),
    posts: 40,
    priorShare: 0.3,
    mostlyPrior: false,
    ...patch,
  });

describe('the best-times heatmap model', () => {
  it("labels a cell with its day, its local hour and its value against the week's best", () => {
    expect(cellLabel('wed', 18, 0.843)).toBe('Wednesday 18:00-19:00: 84% of the best hour');
    expect(cellLabel('sun', 23, 1)).toBe('Sunday 23:00-00:00: 100% of the best hour');
  });

  it('shades in five steps, the best hours darkest', () => {
    expect([0, 0.2, 0.5, 0.7, 0.9, 1].map(levelOf)).toEqual([0, 1, 2, 3, 4, 4]);
  });

  it('names the best hours first', () => {
    expect(topHours(times(), 2)).toEqual([
      { day: 'wed', hour: 18, value: 1 },
      { day: 'mon', hour: 23, value: 0.33 },
    ]);
  });

  it('says what the estimate rests on', () => {
    expect(basisOf(times())).toBe('Learned from 40 posts of this channel.');
    expect(basisOf(times({ posts: 1, mostlyPrior: true }))).toBe(
      "Learned from 1 post of this channel; still mostly its site's other channels' week.",
    );
    expect(basisOf(times({ posts: 0, mostlyPrior: true }))).toContain('No posts of this channel');
  });
});

describe('the channel form’s best schedule', () => {
  const base = { ...formOf('north'), id: 'x-north', platform: 'x' as const, account: 'north' };

  it('makes a best schedule with its window, and reads it back', () => {
    const body = channelOf({ ...base, schedule: 'best', withinHours: '12' });
    expect(body.schedule).toEqual({ type: 'best', withinHours: 12 });
    expect(checkForm({ ...base, schedule: 'best', withinHours: '12' }).fields).toEqual({});
    const back = formOf('north', { ...body, id: 'x-north', platform: 'x', account: 'north' });
    expect(back).toMatchObject({ schedule: 'best', withinHours: '12' });
  });

  it('shows a bad window beside its field', () => {
    expect(checkForm({ ...base, schedule: 'best', withinHours: '0' }).fields.withinHours).toEqual([
      'Too small: expected number to be >=1',
    ]);
    expect(
      checkForm({ ...base, schedule: 'best', withinHours: 'soon' }).fields.withinHours?.length,
    ).toBe(1);
  });
});
