/**
 * The best times learned: per channel, an estimate of how well a post does in each hour of
 * the week, from the channel's own posts, with the site's channels as the prior for a new
 * one, and a seeded draw from it (Thompson sampling) so the planner keeps exploring.
 *
 * The week is counted in the channel's own time zone (168 cells, Monday 00:00 first): its
 * readers live by the local clock, so a daylight-saving change moves no habit from one
 * cell to the next. A post's value is the log of its engagement (every interaction but a
 * view), so an article's appeal and the account's size multiply in and come out as
 * offsets; the channel's level and the article's appeal, as far as its other channels
 * tell it, are taken out before a value enters the site's prior.
 */
import type { ReadingEvent } from './metrics';
import { localParts, weekdayOf } from './zoned-time';

export const WEEK_CELLS = 168;
const HOUR = 3_600_000;

/** The reading a post is learned from: the first at least this old, else its last. */
export const LEARN_AT_MS = 24 * HOUR;

/** Running sums of posts' values per cell of the week: one channel's, or its site's. */
export type EngagementStats = {
  /** the sum of the values in each cell */
  sums: number[];
  /** the posts in each cell */
  counts: number[];
  /** the sum of every value's square, for the spread of the posts around their cell */
  squares: number;
};

export const emptyStats = (): EngagementStats => ({
  sums: new Array<number>(WEEK_CELLS).fill(0),
  counts: new Array<number>(WEEK_CELLS).fill(0),
  squares: 0,
});

/** The cell of the week an instant falls in, in `timeZone`: 0 is Monday 00:00-01:00. */
export function cellOf(instant: number, timeZone: string): number {
  const wall = localParts(instant, timeZone);
  const weekday = (weekdayOf(wall) + 6) % 7;
  return weekday * 24 + wall.hour;
}

/** A post's engagement in a reading: every interaction but a view. */
export function engagementOfReading(reading: ReadingEvent['reading']): number {
  return (
    reading.likes +
    reading.reposts +
    reading.replies +
    (reading.quotes ?? 0) +
    (reading.clicks ?? 0)
  );
}

/** The value learned from a post: the log of its engagement, so appeal and size are offsets. */
export const postValue = (engagement: number): number => Math.log1p(Math.max(0, engagement));

/**
 * Whether this reading is the one its post is learned from: the first taken at least
 * LEARN_AT_MS after publication (most of a post's engagement has come by then), else the
 * post's last one. Every post of a channel is so learned at about the same age, and once.
 */
export function isLearnedReading(event: ReadingEvent, offsetsMs: readonly number[]): boolean {
  const index = offsetsMs.findIndex((offset) => offset >= LEARN_AT_MS);
  return event.offsetIndex === (index < 0 ? offsetsMs.length - 1 : index);
}

/** The mean value of a channel's posts, 0 before its first. */
export function levelOf(stats: EngagementStats): number {
  const posts = postsOf(stats);
  return posts === 0 ? 0 : stats.sums.reduce((a, b) => a + b, 0) / posts;
}

export const postsOf = (stats: EngagementStats): number => stats.counts.reduce((a, b) => a + b, 0);

/**
 * How much a cell learns from its neighbours: the hours either side the same day, and the
 * same hours on the other days (weekdays with weekdays, the weekend with the weekend,
 * and a little across): audiences keep their habits from one weekday to the next.
 */
const NEAR_HOURS = [1, 0.5, 0.2];
const SAME_KIND_DAY = 0.3;
const OTHER_KIND_DAY = 0.06;

const KERNEL: readonly (readonly [number, number])[][] = (() => {
  const rows: [number, number][][] = [];
  for (let cell = 0; cell < WEEK_CELLS; cell++) {
    const day = Math.floor(cell / 24);
    const row: [number, number][] = [];
    for (let other = 0; other < WEEK_CELLS; other++) {
      const otherDay = Math.floor(other / 24);
      const hourGap = Math.abs((cell % 24) - (other % 24));
      // the same day, or across midnight into the day before or after
      const straight = Math.min(Math.abs(other - cell), WEEK_CELLS - Math.abs(other - cell));
      let weight = straight < NEAR_HOURS.length ? (NEAR_HOURS[straight] ?? 0) : 0;
      if (weight === 0 && otherDay !== day && hourGap < NEAR_HOURS.length) {
        const sameKind = day >= 5 === otherDay >= 5;
        weight = (NEAR_HOURS[hourGap] ?? 0) * (sameKind ? SAME_KIND_DAY : OTHER_KIND_DAY);
      }
      if (weight > 0) row.push([other, weight]);
    }
    rows.push(row);
  }
  return rows;
})();

/** The sums and counts of each cell pooled with its neighbours'. */
function pooled(stats: EngagementStats): { sums: number[]; counts: number[] } {
  const sums: number[] = [];
  const counts: number[] = [];
  for (const row of KERNEL) {
    let s = 0;
    let n = 0;
    for (const [other, weight] of row) {
      s += weight * (stats.sums[other] ?? 0);
      n += weight * (stats.counts[other] ?? 0);
    }
    sums.push(s);
    counts.push(n);
  }
  return { sums, counts };
}

/** How many posts' worth the prior weighs in each cell. */
const PRIOR_WEIGHT = 2;
/** The spread of a post's value around its cell's until enough posts tell it. */
const DEFAULT_SPREAD = 0.8;

/** A channel's estimate: per cell the expected value and how sure it is. */
export type Estimate = {
  /** the expected value of a post in each cell, on the log scale */
  means: number[];
  /** the uncertainty of each mean (a standard deviation) */
  spreads: number[];
  /** the channel's own posts it rests on */
  posts: number;
  /** the share of the estimate, over the week, that still comes from the prior */
  priorShare: number;
};

/**
 * The site's estimate, relative to each channel's level: what a channel with no posts of
 * its own starts from. Flat where the site has nothing.
 */
function priorMeans(site: EngagementStats | undefined): number[] {
  if (!site) return new Array<number>(WEEK_CELLS).fill(0);
  const pool = pooled(site);
  return pool.sums.map((s, cell) => s / ((pool.counts[cell] ?? 0) + PRIOR_WEIGHT));
}

function spreadOf(stats: EngagementStats): number {
  const posts = postsOf(stats);
  if (posts < 10) return DEFAULT_SPREAD;
  let explained = 0;
  stats.sums.forEach((s, cell) => {
    const n = stats.counts[cell] ?? 0;
    if (n > 0) explained += (s * s) / n;
  });
  const used = stats.counts.filter((n) => n > 0).length;
  const variance = (stats.squares - explained) / Math.max(1, posts - used);
  // Few posts per cell leave the spread underestimated: never trust it below a floor.
  return Math.max(0.3, Math.sqrt(Math.max(0, variance)));
}

/** The channel's estimate from its own sums and its site's (the prior). */
export function estimate(channel: EngagementStats, site?: EngagementStats): Estimate {
  const level = levelOf(channel);
  const prior = priorMeans(site);
  const own = pooled(channel);
  const spread = spreadOf(channel);
  const means: number[] = [];
  const spreads: number[] = [];
  let priorShare = 0;
  for (let cell = 0; cell < WEEK_CELLS; cell++) {
    const n = own.counts[cell] ?? 0;
    const weight = n + PRIOR_WEIGHT;
    means.push(((own.sums[cell] ?? 0) + PRIOR_WEIGHT * ((prior[cell] ?? 0) + level)) / weight);
    spreads.push(spread / Math.sqrt(weight));
    priorShare += PRIOR_WEIGHT / weight / WEEK_CELLS;
  }
  return { means, spreads, posts: postsOf(channel), priorShare };
}

/** 32-bit FNV-1a: a stable seed from a string. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small, seeded generator of numbers in [0, 1). */
function generator(seed: string): () => number {
  let state = hash(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * One draw from the estimate (Thompson sampling), the same for the same seed: the
 * planner places a share at the best free cell of the draw, so a cell it is unsure of
 * still wins now and then, and what it learns there corrects the estimate.
 */
export function draw(estimate: Estimate, seed: string): number[] {
  const next = generator(seed);
  return estimate.means.map((mean, cell) => {
    const u = Math.max(next(), 1e-12);
    const v = next();
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return mean + normal * (estimate.spreads[cell] ?? 0);
  });
}

/** The estimate as the heatmap shows it: each cell's expected engagement, the best at 1. */
export function relativeWeek(estimate: Estimate): number[] {
  const top = Math.max(...estimate.means);
  return estimate.means.map((mean) => Math.exp(mean - top));
}

/** What one learned post adds: to its channel's cell, and (relative) to its site's. */
export type Learning = {
  cell: number;
  /** the post's value less its article's appeal, for the channel's own sums */
  value: number;
  /** the same against its channel's level, for the site's prior */
  relative: number;
  /**
   * how much better or worse the post did than its channel's estimate for its hour: what
   * it tells of its article's appeal, for the article's other channels
   */
  residual: number;
};

/**
 * What the article's posts learned so far on its other channels say of its appeal (on
 * the log scale; 0 is a typical article): their mean residual, shrunk towards 0 as if
 * one more channel had found it typical.
 */
export type ArticleAppeal = { sum: number; count: number };

export const appealFrom = (appeal: ArticleAppeal | undefined): number =>
  appeal && appeal.count > 0 ? appeal.sum / (appeal.count + 1) : 0;

/**
 * What a post teaches: its value in its cell, less its article's appeal as its other
 * channels told it (an article that did well everywhere says little about the hour);
 * for the site's prior the same value less the channel's level (channels of one site
 * differ in size, not in when a reader is there), so a new channel starts from the
 * shape of its site's week; and for the article, how far the post beat its channel's
 * estimate.
 */
export function learning(
  channel: EngagementStats,
  post: { publishedAt: number; engagement: number; timeZone: string },
  context: { site?: EngagementStats; appeal?: ArticleAppeal } = {},
): Learning {
  const raw = postValue(post.engagement);
  const value = raw - appealFrom(context.appeal);
  const cell = cellOf(post.publishedAt, post.timeZone);
  const posts = postsOf(channel);
  const expected = posts === 0 ? raw : (estimate(channel, context.site).means[cell] ?? raw);
  return {
    cell,
    value,
    relative: posts === 0 ? 0 : value - levelOf(channel),
    residual: raw - expected,
  };
}

/** The sums with one more post in `cell`: what the store's update does, for in-memory use. */
export function addTo(stats: EngagementStats, cell: number, value: number): EngagementStats {
  const sums = [...stats.sums];
  const counts = [...stats.counts];
  sums[cell] = (sums[cell] ?? 0) + value;
  counts[cell] = (counts[cell] ?? 0) + 1;
  return { sums, counts, squares: stats.squares + value * value };
}

/** Where the sums live (shared/store/best-times-store.ts). */
export interface BestTimesStore {
  channelStats(channelId: string): Promise<EngagementStats>;
  siteStats(siteId: string): Promise<EngagementStats>;
  /** Notes the post as learned; false when it was already (a retried reading). */
  markLearned(
    post: { channelId: string; articleId: string; round?: number },
    now: Date,
  ): Promise<boolean>;
  addToChannel(channelId: string, cell: number, value: number): Promise<void>;
  addToSite(siteId: string, cell: number, value: number): Promise<void>;
  /** what the article's posts learned so far told of its appeal; undefined before the first */
  articleAppeal(articleId: string): Promise<ArticleAppeal | undefined>;
  addToArticle(articleId: string, residual: number, now: Date): Promise<void>;
}
