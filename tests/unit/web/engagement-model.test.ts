/** What the engagement views show of a post's readings, without the DOM. */
import { describe, expect, it } from 'vitest';
import {
  addDays,
  countRows,
  engagementOf,
  growthSeries,
  networkNote,
  periodEnding,
  shortLabel,
} from '../../../web/src/engagement-model';
import { parseRoute } from '../../../web/src/router';

const reading = (at: string, likes: number) => ({
  collectedAt: at,
  likes,
  reposts: 2,
  replies: 1,
  quotes: 1,
  views: 300,
});

describe('a post’s counts', () => {
  it('marks what the network leaves out as not reported, never as 0', () => {
    const rows = countRows('mastodon', { collectedAt: 'x', likes: 5, reposts: 0, replies: 0 });
    expect(rows.map((r) => [r.key, r.value])).toEqual([
      ['likes', 5],
      ['reposts', 0],
      ['replies', 0],
      ['quotes', undefined],
      ['views', undefined],
      ['clicks', undefined],
    ]);
  });

  it('shows Telegram’s reactions only, whatever the reading holds, with a note saying so', () => {
    const rows = countRows('telegram', { collectedAt: 'x', likes: 9, reposts: 0, replies: 0 });
    expect(rows.filter((r) => r.value !== undefined)).toEqual([
      { key: 'likes', label: 'Reactions', value: 9 },
    ]);
    expect(networkNote('telegram', true)).toContain('only the reactions');
  });

  it('notes X’s budget only while an X post has no reading', () => {
    expect(networkNote('x', false)).toContain('monthly budget');
    expect(networkNote('x', true)).toBeUndefined();
    expect(networkNote('bluesky', false)).toBeUndefined();
  });

  it('sums engagement as the API does: likes, reposts, replies, quotes and clicks, not views', () => {
    expect(engagementOf({ ...reading('x', 10), clicks: 4 })).toBe(10 + 2 + 1 + 1 + 4);
  });

  it('draws the growth of the reported counts, views apart, one point per reading', () => {
    const growth = growthSeries('bluesky', [
      reading('2026-05-01T10:00:00.000Z', 3),
      reading('2026-05-01T16:00:00.000Z', 8),
    ]);
    expect(growth.times).toEqual([
      Date.parse('2026-05-01T10:00:00.000Z') / 1000,
      Date.parse('2026-05-01T16:00:00.000Z') / 1000,
    ]);
    expect(growth.series.map((s) => s.label)).toEqual(['Likes', 'Reposts', 'Replies', 'Quotes']);
    expect(growth.series[0]?.values).toEqual([3, 8]);
    expect(growthSeries('x', []).series).toEqual([]);
  });
});

describe('the Engagement page’s period', () => {
  it('counts days in UTC, across a month and a daylight-saving change alike', () => {
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(periodEnding('2026-05-07', 7)).toEqual({ from: '2026-05-01', to: '2026-05-07' });
  });

  it('has its own address, and shortens long names for a chart’s axis', () => {
    const route = parseRoute('#/engagement?from=2026-05-01&channel=x-newsroom');
    expect(route.view).toBe('engagement');
    expect(route.params.get('channel')).toBe('x-newsroom');
    expect(shortLabel('mastodon-newsroom-sport', 12)).toBe('mastodon-ne…');
    expect(shortLabel('Economy', 12)).toBe('Economy');
  });
});
