/**
 * When a post's counts are read (CRIER_METRICS_AFTER's offsets from the moment it went
 * out), which channels are read, and what the collector makes of each network answer.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseChannelsConfig } from '../../../shared/config/channels';
import { readMetricsAfter } from '../../../shared/config/metrics';
import { readPublishingConfig } from '../../../shared/config/publishing';
import { parseMetricsAfter } from '../../../shared/domain/metrics';
import {
  firstReading,
  nextReading,
  postedAtOf,
  readingMonth,
  readsMetrics,
  roundAt,
} from '../../../shared/domain/readings';
import type { Share } from '../../../shared/domain/share';
import { decideReading, MAX_READING_TRIES } from '../../../shared/usecases/collect-metrics';

const OFFSETS = parseMetricsAfter('1h,6h,24h,72h,7d');
const POSTED = '2026-03-02T10:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(POSTED) + hours * 3_600_000);

describe('the readings of a post', () => {
  it('schedules the first at the first offset after it went out', () => {
    expect(firstReading({ platform: 'mastodon' }, new Date(POSTED), OFFSETS)).toEqual({
      metricsDueAt: '2026-03-02T11:00:00.000Z',
      metricsRound: 0,
    });
  });

  it('moves on to the next offset after each, and ends after the last', () => {
    expect(nextReading(POSTED, OFFSETS, 0, at(1))).toEqual({
      metricsDueAt: at(6).toISOString(),
      metricsRound: 1,
    });
    expect(nextReading(POSTED, OFFSETS, 3, at(72))).toEqual({
      metricsDueAt: at(168).toISOString(),
      metricsRound: 4,
    });
    expect(nextReading(POSTED, OFFSETS, 4, at(168))).toBeUndefined();
  });

  it('skips the ages a late reading overran, but always keeps the last', () => {
    // Read 30 h late (a channel waited for its reconnect): the 6 h and 24 h are past.
    expect(roundAt(POSTED, OFFSETS, 0, at(31))).toBe(2);
    expect(nextReading(POSTED, OFFSETS, 2, at(31))).toEqual({
      metricsDueAt: at(72).toISOString(),
      metricsRound: 3,
    });
    // Past every age: the last reading is still taken, at once.
    expect(nextReading(POSTED, OFFSETS, 0, at(500))).toEqual({
      metricsDueAt: at(168).toISOString(),
      metricsRound: 4,
    });
    expect(roundAt(POSTED, OFFSETS, 0, at(500))).toBe(4);
  });

  it('dates a post from its move into published, not from later writes', () => {
    const history: Share['history'] = [
      { at: '2026-03-02T09:00:00.000Z', event: 'compose', to: 'scheduled', by: 'composer' },
      { at: POSTED, event: 'succeed', from: 'publishing', to: 'published', by: 'publisher' },
      {
        at: '2026-03-03T09:00:00.000Z',
        event: 'withdraw-post',
        from: 'published',
        to: 'published',
        by: 'publisher',
      },
    ];
    expect(postedAtOf({ history, updatedAt: '2026-03-04T00:00:00.000Z' })).toBe(POSTED);
  });

  it('counts reads by UTC month', () => {
    expect(readingMonth(new Date('2026-03-31T23:59:59Z'))).toBe('2026-03');
  });
});

describe("a channel's readings", () => {
  it('are on by default, except on X, whose reads cost money', () => {
    expect(readsMetrics({ platform: 'bluesky' })).toBe(true);
    expect(readsMetrics({ platform: 'x' })).toBe(false);
    expect(readsMetrics({ platform: 'x', metrics: { enabled: true, monthlyReads: 500 } })).toBe(
      true,
    );
    expect(readsMetrics({ platform: 'mastodon', metrics: { enabled: false } })).toBe(false);
  });

  it('leave an X post unread, saying why, unless the channel turned them on', () => {
    const first = firstReading({ platform: 'x' }, new Date(POSTED), OFFSETS);
    expect(first.metricsDueAt).toBeUndefined();
    expect(first.metricsSkipped).toMatch(/X charges for reads/);
  });

  const channel = (platform: string, metrics?: object) => ({
    id: `${platform}-desk`,
    platform,
    account: 'newsroom',
    template: '{title} {url}',
    ...(metrics ? { metrics } : {}),
  });

  it('need a monthly budget to be turned on for X', () => {
    expect(() =>
      parseChannelsConfig({ channels: [channel('x', { enabled: true })] }, 'channels.json'),
    ).toThrow(/channels\.0\.metrics\.monthlyReads: X charges for reads/);
    const parsed = parseChannelsConfig(
      { channels: [channel('x', { enabled: true, monthlyReads: 1000 })] },
      'channels.json',
    );
    expect(parsed.channels[0]?.metrics).toEqual({ enabled: true, monthlyReads: 1000 });
  });

  it('refuse a budget that is not a positive whole number, and unknown fields', () => {
    for (const metrics of [{ monthlyReads: 0 }, { monthlyReads: 2.5 }, { every: '1h' }]) {
      expect(() =>
        parseChannelsConfig({ channels: [channel('mastodon', metrics)] }, 'channels.json'),
      ).toThrow(ConfigError);
    }
  });
});

describe('CRIER_METRICS_AFTER', () => {
  it('defaults to 1h,6h,24h,72h,7d and takes short offsets', () => {
    expect(readMetricsAfter({})).toEqual(OFFSETS);
    expect(readMetricsAfter({ CRIER_METRICS_AFTER: '5s,20s' })).toEqual([5_000, 20_000]);
    expect(readPublishingConfig({ CRIER_METRICS_AFTER: '5s,20s' }).metricsAfterMs).toEqual([
      5_000, 20_000,
    ]);
  });

  it('stops the start with an error naming the variable and the bad part', () => {
    expect(() => readMetricsAfter({ CRIER_METRICS_AFTER: '5s,soon' })).toThrow(
      /Invalid CRIER_METRICS_AFTER: "soon" is not an offset/,
    );
    expect(() => readPublishingConfig({ CRIER_METRICS_AFTER: '0s' })).toThrow(
      /CRIER_METRICS_AFTER/,
    );
  });
});

describe("the collector's decision on a network's answer", () => {
  const share = {
    articleId: 'a1',
    channelId: 'mastodon-desk',
    platform: 'mastodon',
    status: 'published',
    metricsDueAt: at(1).toISOString(),
    metricsRound: 0,
    updatedAt: POSTED,
    history: [
      { at: POSTED, event: 'succeed', from: 'publishing', to: 'published', by: 'publisher' },
    ],
  } as Share;

  it('stores a reading and schedules the next age', () => {
    const counts = { likes: 3, reposts: 1, replies: 0 };
    const decision = decideReading(share, { kind: 'read', counts }, at(1.02), OFFSETS);
    expect(decision).toMatchObject({
      kind: 'record',
      reading: { ...counts, collectedAt: at(1.02).toISOString() },
      offsetIndex: 0,
      final: false,
      patch: { metricsDueAt: at(6).toISOString(), metricsRound: 1 },
    });
  });

  it('marks the last reading final and ends the schedule', () => {
    const last = { ...share, metricsRound: 4, metricsDueAt: at(168).toISOString() };
    const decision = decideReading(
      last,
      { kind: 'read', counts: { likes: 1, reposts: 0, replies: 0 } },
      at(168.1),
      OFFSETS,
    );
    expect(decision).toMatchObject({ kind: 'record', final: true, offsetIndex: 4 });
    if (decision.kind === 'record') expect(decision.patch.metricsDueAt).toBeUndefined();
  });

  it('stops reading a post gone from its network', () => {
    const decision = decideReading(share, { kind: 'gone', message: 'deleted' }, at(1), OFFSETS);
    expect(decision.kind).toBe('stop');
    if (decision.kind === 'stop') {
      expect(decision.patch.metricsDueAt).toBeUndefined();
      expect(decision.patch.metricsSkipped).toMatch(/gone from mastodon/);
    }
  });

  it('puts the channel off until a rate limit ends, the reading still due', () => {
    const until = at(1.5).toISOString();
    expect(decideReading(share, { kind: 'rate', until, message: '429' }, at(1), OFFSETS)).toEqual({
      kind: 'pause',
      until,
    });
  });

  it('asks for a fresh token on a dead one, and notes a missing permission', () => {
    expect(decideReading(share, { kind: 'auth', message: 'expired' }, at(1), OFFSETS).kind).toBe(
      'auth',
    );
    const denied = decideReading(
      share,
      { kind: 'auth', message: 'no insights scope', permission: true },
      at(1),
      OFFSETS,
    );
    expect(denied).toMatchObject({ kind: 'skip', patch: { metricsRound: 1 } });
  });

  it('tries a failed reading again later, then gives that age up', () => {
    const first = decideReading(share, { kind: 'retry', message: '503' }, at(1), OFFSETS);
    expect(first).toMatchObject({
      kind: 'retry',
      patch: { metricsTries: 1, metricsDueAt: new Date(at(1).getTime() + 300_000).toISOString() },
    });
    const tired = { ...share, metricsTries: MAX_READING_TRIES - 1 };
    const last = decideReading(tired, { kind: 'retry', message: '503' }, at(1), OFFSETS);
    expect(last).toMatchObject({ kind: 'skip', patch: { metricsRound: 1 } });
  });

  it('notes a refusal and moves on to the next age', () => {
    const decision = decideReading(
      share,
      { kind: 'rejected', message: 'not a business account' },
      at(1),
      OFFSETS,
    );
    expect(decision).toMatchObject({
      kind: 'skip',
      patch: { metricsRound: 1, metricsSkipped: expect.stringMatching(/business account/) },
    });
  });
});
