import { describe, expect, it } from 'vitest';
import {
  countsAt,
  engagementOf,
  hourOfWeek,
  weeklyCurve,
} from '../../../infra/local/sandbox/kit/audience';
import {
  addTo,
  cellOf,
  draw,
  emptyStats,
  estimate,
  isLearnedReading,
  learning,
  relativeWeek,
} from '../../../shared/domain/best-times';
import { channelSchema, type Schedule } from '../../../shared/domain/channel';
import type { ReadingEvent } from '../../../shared/domain/metrics';
import { nextFreeInstant } from '../../../shared/domain/schedule';

const HOUR = 3_600_000;
/** Monday 2 March 2026, 00:00 UTC. */
const MONDAY = Date.parse('2026-03-02T00:00:00Z');

/** A seeded generator, so the synthetic history is the same every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** `posts` posts of the account at random hours over six weeks, learned as the store does. */
function history(account: string, posts: number, seed = 7) {
  const next = random(seed);
  let stats = emptyStats();
  let site = emptyStats();
  for (let i = 0; i < posts; i++) {
    const publishedAt = MONDAY + Math.floor(next() * 42 * 24) * HOUR + Math.floor(next() * HOUR);
    const post = {
      platform: 'bluesky' as const,
      account,
      url: `https://news.example/story-${i}`,
      publishedAt,
    };
    const engagement = engagementOf(countsAt(post, publishedAt + 24 * HOUR));
    const learned = learning(stats, { publishedAt, engagement, timeZone: 'UTC' });
    stats = addTo(stats, learned.cell, learned.value);
    site = addTo(site, learned.cell, learned.relative);
  }
  return { stats, site };
}

const ranked = (values: readonly number[]) =>
  values.map((value, cell) => ({ value, cell })).sort((a, b) => b.value - a.value);

describe('the best-times estimate', () => {
  it("ranks the audience's best hours near the top from a history of 400 posts", () => {
    const account = 'daily-bsky';
    const { stats } = history(account, 400);
    const learned = estimate(stats);
    const truth = weeklyCurve(account);
    // UTC cells are the audience model's hours of the week.
    const order = ranked(learned.means).map((entry) => entry.cell);
    for (const { cell } of ranked(truth).slice(0, 5)) {
      expect(order.indexOf(cell)).toBeLessThan(25);
    }
    // Its ten best cells are all good hours for this audience, its ten worst all poor ones.
    for (const cell of order.slice(0, 10)) expect(truth[cell]).toBeGreaterThan(0.75);
    for (const cell of order.slice(-10)) expect(truth[cell]).toBeLessThan(0.3);
    expect(learned.posts).toBe(400);
    expect(learned.priorShare).toBeLessThan(0.5);
  });

  it("starts a new channel from its site's week, and says it is mostly the prior", () => {
    const { site } = history('daily-x', 600, 3);
    const fresh = estimate(emptyStats(), site);
    expect(fresh.posts).toBe(0);
    expect(fresh.priorShare).toBeCloseTo(1, 9);
    const truth = weeklyCurve('daily-x');
    const top = ranked(fresh.means)[0]?.cell ?? -1;
    expect(truth[top]).toBeGreaterThan(0.75);
    // With neither its own posts nor a site's, every hour is as good as another.
    expect(new Set(estimate(emptyStats()).means).size).toBe(1);
  });

  it('draws the same scores for the same seed and explores more where it knows less', () => {
    const { stats } = history('daily-fb', 200, 11);
    const learned = estimate(stats);
    expect(draw(learned, 'a#x')).toEqual(draw(learned, 'a#x'));
    expect(draw(learned, 'a#x')).not.toEqual(draw(learned, 'b#x'));
    const knownLess = estimate(emptyStats());
    expect(Math.min(...knownLess.spreads)).toBeGreaterThan(Math.max(...learned.spreads));
  });

  it("takes out an article's appeal as its other channels told it, and tells its own", () => {
    const { stats } = history('daily-bsky', 100);
    const post = { publishedAt: MONDAY + 8 * HOUR, engagement: 200, timeZone: 'UTC' };
    const plain = learning(stats, post);
    // Two channels found the article e (2.7) times better than they expected: shrunk, 2/3.
    const loved = learning(stats, post, { appeal: { sum: 2, count: 2 } });
    expect(loved.value).toBeCloseTo(plain.value - 2 / 3, 9);
    expect(plain.residual).toBeCloseTo(plain.value - (estimate(stats).means[8] ?? 0), 9);
    // A channel's first post tells nothing of the article: it has nothing to compare with.
    expect(learning(emptyStats(), post).residual).toBe(0);
  });

  it('shows the week relative to its best hour', () => {
    const week = relativeWeek(estimate(history('daily-fb', 100).stats));
    expect(week).toHaveLength(168);
    expect(Math.max(...week)).toBe(1);
    expect(Math.min(...week)).toBeGreaterThan(0);
  });

  it('counts the week in the channel’s own time zone, Monday first', () => {
    // Monday 00:30 in Berlin is Sunday 22:30 UTC (summer time).
    expect(cellOf(Date.parse('2026-05-03T22:30:00Z'), 'Europe/Berlin')).toBe(0);
    expect(cellOf(Date.parse('2026-05-03T22:30:00Z'), 'UTC')).toBe(6 * 24 + 22);
    expect(cellOf(MONDAY + 5 * HOUR, 'UTC')).toBe(hourOfWeek(MONDAY + 5 * HOUR));
  });

  it('learns a post once: from its first reading a day old, else from its last', () => {
    const event = (offsetIndex: number) => ({ offsetIndex }) as ReadingEvent;
    const daily = [HOUR, 6 * HOUR, 24 * HOUR, 72 * HOUR, 168 * HOUR];
    expect(daily.map((_, i) => isLearnedReading(event(i), daily))).toEqual([
      false,
      false,
      true,
      false,
      false,
    ]);
    const quick = [5_000, 20_000];
    expect(quick.map((_, i) => isLearnedReading(event(i), quick))).toEqual([false, true]);
  });
});

const best = (input: Record<string, unknown> = {}): Schedule =>
  channelSchema.parse({
    id: 'c',
    platform: 'x',
    account: 'a',
    template: '{title}',
    schedule: { type: 'best', ...input },
  }).schedule;

/** Scores that favour one hour of the day on every day (UTC cells). */
const favouring = (hour: number) =>
  Array.from({ length: 168 }, (_, cell) => -Math.abs((cell % 24) - hour));

const iso = (instant: number | undefined) =>
  instant === undefined ? undefined : new Date(instant).toISOString();

describe('the best schedule', () => {
  const earliest = Date.parse('2026-03-02T06:10:00Z');

  it('defaults to a 24-hour window and refuses an empty one', () => {
    expect(best()).toEqual({ type: 'best', withinHours: 24 });
    const bad = channelSchema.safeParse({
      id: 'c',
      platform: 'x',
      account: 'a',
      template: '{title}',
      schedule: { type: 'best', withinHours: 0 },
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['schedule', 'withinHours']);
  });

  it('places a normal share at the best-scoring free hour within the window', () => {
    const request = { timeZone: 'UTC', lane: 'normal' as const, earliest, busy: [] };
    expect(iso(nextFreeInstant({ ...request, schedule: best(), scores: favouring(18) }))).toBe(
      '2026-03-02T18:00:00.000Z',
    );
    // The best hour is past the window: the best one within it.
    expect(
      iso(
        nextFreeInstant({ ...request, schedule: best({ withinHours: 4 }), scores: favouring(18) }),
      ),
    ).toBe('2026-03-02T10:00:00.000Z');
    // The earliest hour is the best: its first instant.
    expect(iso(nextFreeInstant({ ...request, schedule: best(), scores: favouring(6) }))).toBe(
      iso(earliest),
    );
    // Without an estimate every hour is as good: the first free instant, as asap.
    expect(iso(nextFreeInstant({ ...request, schedule: best() }))).toBe(iso(earliest));
  });

  it("keeps the channel's spacing, cap and quiet hours, and its other posts", () => {
    const taken = Date.parse('2026-03-02T18:00:00Z');
    const spaced = nextFreeInstant({
      schedule: best({ minSpacingMinutes: 30 }),
      timeZone: 'UTC',
      lane: 'normal',
      earliest,
      busy: [taken],
      scores: favouring(18),
    });
    expect(iso(spaced)).toBe('2026-03-02T18:30:00.000Z');
    const quiet = nextFreeInstant({
      schedule: best({ quietHours: { from: '17:00', to: '20:00' } }),
      timeZone: 'UTC',
      lane: 'normal',
      earliest,
      busy: [],
      scores: favouring(18),
    });
    // 16:00 and 20:00 score alike, either side of the quiet hours: the earlier wins.
    expect(iso(quiet)).toBe('2026-03-02T16:00:00.000Z');
    const capped = nextFreeInstant({
      schedule: best({ dailyCap: 1 }),
      timeZone: 'UTC',
      lane: 'normal',
      earliest,
      busy: [Date.parse('2026-03-02T01:00:00Z')],
      scores: favouring(18),
    });
    // Today is full: of tomorrow's hours within the 24-hour window, 06:00 is nearest 18:00.
    expect(iso(capped)).toBe('2026-03-03T06:00:00.000Z');
  });

  it('counts hours in the channel’s time zone', () => {
    // 18:00 in Berlin (winter, UTC+1) is 17:00 UTC.
    expect(
      iso(
        nextFreeInstant({
          schedule: best(),
          timeZone: 'Europe/Berlin',
          lane: 'normal',
          earliest,
          busy: [],
          scores: favouring(18),
        }),
      ),
    ).toBe('2026-03-02T17:00:00.000Z');
  });

  it('sends breaking news at once, whatever the scores', () => {
    expect(
      nextFreeInstant({
        schedule: best(),
        timeZone: 'UTC',
        lane: 'breaking',
        earliest,
        busy: [],
        scores: favouring(18),
      }),
    ).toBe(earliest);
  });

  it('takes the first free time after the window when nothing is free within it', () => {
    const at = nextFreeInstant({
      schedule: best({ withinHours: 2, quietHours: { from: '06:00', to: '12:00' } }),
      timeZone: 'UTC',
      lane: 'normal',
      earliest,
      busy: [],
      scores: favouring(18),
    });
    expect(iso(at)).toBe('2026-03-02T12:00:00.000Z');
  });
});
