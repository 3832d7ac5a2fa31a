/**
 * A share's time in the editor's zone with the channel's clock beside it, across the
 * daylight-saving changes where two zones' difference shifts for a few weeks.
 */
import { describe, expect, it } from 'vitest';
import { channelClock, formatDateTimeWithZone, formatTimeWithZone } from '../../../web/src/time';

const newYork = { zone: 'America/New_York', locale: 'en-GB' };
const london = { zone: 'Europe/London', locale: 'en-GB' };

describe("the channel's clock beside the editor's", () => {
  it('shows both clocks when the zones read differently', () => {
    expect(formatTimeWithZone('2026-03-30T13:30:00Z', 'Europe/Berlin', newYork)).toBe(
      '09:30 · 15:30 Europe/Berlin',
    );
    expect(formatDateTimeWithZone('2026-03-30T13:30:00Z', 'Europe/Berlin', newYork)).toBe(
      'Mon 30 Mar, 09:30 · 15:30 Europe/Berlin',
    );
  });

  it('follows the weeks when America has changed its clocks and Europe has not yet', () => {
    // New York moves on 8 March 2026, Berlin on 29 March: five hours apart in between.
    expect(formatTimeWithZone('2026-03-06T14:30:00Z', 'Europe/Berlin', newYork)).toBe(
      '09:30 · 15:30 Europe/Berlin',
    );
    expect(formatTimeWithZone('2026-03-10T14:30:00Z', 'Europe/Berlin', newYork)).toBe(
      '10:30 · 15:30 Europe/Berlin',
    );
    expect(formatTimeWithZone('2026-03-30T14:30:00Z', 'Europe/Berlin', newYork)).toBe(
      '10:30 · 16:30 Europe/Berlin',
    );
  });

  it('writes the hour that repeats in autumn twice the same, as both clocks read it', () => {
    // 25 October 2026: London and Berlin both fall back at 01:00 UTC.
    expect(formatTimeWithZone('2026-10-25T00:30:00Z', 'Europe/Berlin', london)).toBe(
      '01:30 · 02:30 Europe/Berlin',
    );
    expect(formatTimeWithZone('2026-10-25T01:30:00Z', 'Europe/Berlin', london)).toBe(
      '01:30 · 02:30 Europe/Berlin',
    );
  });

  it('names only the zone whose clock differs: UTC beside London in summer, not in winter', () => {
    expect(formatTimeWithZone('2026-01-15T09:30:00Z', 'UTC', london)).toBe('09:30');
    expect(formatTimeWithZone('2026-07-15T09:30:00Z', 'UTC', london)).toBe('10:30 · 09:30 UTC');
    // The spring-forward instant itself: London reads 02:00 BST, UTC 01:00.
    expect(formatTimeWithZone('2026-03-29T01:00:00Z', 'UTC', london)).toBe('02:00 · 01:00 UTC');
    expect(formatTimeWithZone('2026-03-29T00:59:00Z', 'UTC', london)).toBe('00:59');
  });

  it("adds the weekday when the channel's day is another", () => {
    const losAngeles = { zone: 'America/Los_Angeles', locale: 'en-GB' };
    expect(formatTimeWithZone('2026-03-30T20:00:00Z', 'Asia/Tokyo', losAngeles)).toBe(
      '13:00 · Tue 05:00 Asia/Tokyo',
    );
  });

  it('says nothing more for the same zone, another name for the same clock, or no channel', () => {
    expect(channelClock('2026-03-30T13:30:00Z', 'Europe/Berlin', { zone: 'Europe/Berlin' })).toBe(
      undefined,
    );
    expect(channelClock('2026-03-30T13:30:00Z', 'Europe/Paris', { zone: 'Europe/Berlin' })).toBe(
      undefined,
    );
    expect(formatTimeWithZone('2026-03-30T13:30:00Z', undefined, newYork)).toBe('09:30');
  });
});
