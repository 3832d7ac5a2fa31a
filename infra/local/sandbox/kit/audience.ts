/**
 * The sandboxes' audience: a deterministic model of how many people see, like, share and
 * answer a post, so tests and benchmarks know the truth the metrics must find.
 *
 * Each account has its readers' week: a curve over the 168 hours of a UTC week (a morning
 * and an evening peak at hours of its own, a lunchtime bump, quiet nights, its own
 * weekend). A post's final reach is the account's size on its network, times the curve at
 * the hour it went out, times the article's appeal (the same on every network), times a
 * little noise of its own. Its counts grow with its age, most of them in the first hours.
 * Nothing here is random: the same post read at the same age gives the same counts.
 */
import type { Platform } from '../../../../shared/domain/platform';

const HOUR = 3_600_000;
export const HOURS_PER_WEEK = 168;

/** 32-bit FNV-1a of a string: stable, fast, good enough to spread seeds. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A number in [0, 1) drawn from `seed`, always the same for the same seed. */
const unit = (seed: string): number => hash(seed) / 2 ** 32;

/** The hour of the UTC week an instant falls in: 0 is Monday 00:00-01:00 UTC. */
export function hourOfWeek(instant: number): number {
  const date = new Date(instant);
  return ((date.getUTCDay() + 6) % 7) * 24 + date.getUTCHours();
}

const bump = (hour: number, centre: number, width: number): number => {
  // distance on the 24-hour clock, so a peak at 23:00 spills over midnight
  const d = Math.min(Math.abs(hour - centre), 24 - Math.abs(hour - centre));
  return Math.exp(-(d * d) / (2 * width * width));
};

const curves = new Map<string, readonly number[]>();

/**
 * The account's readers over the UTC week, 168 values in (0, 1], the best hour at 1:
 * how many of them are there to see a post made in that hour.
 */
export function weeklyCurve(account: string): readonly number[] {
  const known = curves.get(account);
  if (known) return known;
  const morning = 6 + Math.floor(unit(`${account}:morning`) * 4); // 06-09 UTC
  const evening = 17 + Math.floor(unit(`${account}:evening`) * 5); // 17-21 UTC
  const eveningWeight = 0.6 + unit(`${account}:evening-weight`) * 0.6;
  const weekend = 0.45 + unit(`${account}:weekend`) * 0.6; // 0.45-1.05 of a weekday
  const values: number[] = [];
  for (let h = 0; h < HOURS_PER_WEEK; h++) {
    const day = Math.floor(h / 24);
    const hour = h % 24;
    const daily =
      0.06 +
      bump(hour, morning, 1.5) +
      eveningWeight * bump(hour, evening, 2) +
      0.35 * bump(hour, 12.5, 1.2);
    const dayFactor = day >= 5 ? weekend : 1 - 0.08 * unit(`${account}:day${day}`);
    values.push(daily * dayFactor);
  }
  const top = Math.max(...values);
  const curve = values.map((v) => v / top);
  curves.set(account, curve);
  return curve;
}

/** How much readers care for an article, the same on every network: 0.3 to 3, from its URL. */
export function appealOf(articleUrl: string): number {
  // log-uniform, so most articles do middling and a few do very well
  return 0.3 * 10 ** unit(`appeal:${stripQuery(articleUrl)}`);
}

/** The article's address without its query (each channel adds its own UTM parameters). */
function stripQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut < 0 ? url : url.slice(0, cut);
}

/** Roughly how many people a post of average appeal at the best hour reaches, per network. */
export const REACH: Record<Platform, number> = {
  x: 4_000,
  bluesky: 900,
  mastodon: 500,
  threads: 1_500,
  linkedin: 1_200,
  facebook: 3_000,
  instagram: 2_500,
  telegram: 1_800,
};

/**
 * The share of a post's final counts it has at `ageMs`: a burst from the followers who are
 * there when it lands (a quarter, within a minute), then hours of tail.
 */
export function growth(ageMs: number): number {
  if (ageMs <= 0) return 0;
  return 0.25 * (1 - Math.exp(-ageMs / 15_000)) + 0.75 * (1 - Math.exp(-ageMs / (4 * HOUR)));
}

export type AudiencePost = {
  platform: Platform;
  /** the account (channel) it was posted as */
  account: string;
  /** the article's URL (the link it carries; its query is ignored) */
  url: string;
  /** when it went out (epoch ms) */
  publishedAt: number;
};

/**
 * The reach a post will end with (its views after a week), before rounding: what a
 * schedule that knows the audience maximises.
 */
export function expectedReach(post: AudiencePost): number {
  const curve = weeklyCurve(post.account);
  const own = 0.8 + 0.4 * unit(`${post.platform}:${post.account}:${stripQuery(post.url)}`);
  return (
    REACH[post.platform] * appealOf(post.url) * (curve[hourOfWeek(post.publishedAt)] ?? 0) * own
  );
}

export type AudienceCounts = {
  views: number;
  likes: number;
  reposts: number;
  replies: number;
  quotes: number;
  clicks: number;
};

/** What a reader does with a post they saw, per view; each post varies around these. */
const RATES = { likes: 0.04, reposts: 0.008, replies: 0.004, quotes: 0.0015, clicks: 0.012 };

/** The post's counts at instant `at` (epoch ms): whole numbers, never falling with age. */
export function countsAt(post: AudiencePost, at: number): AudienceCounts {
  const reach = expectedReach(post) * growth(at - post.publishedAt);
  const seed = `${post.platform}:${post.account}:${stripQuery(post.url)}`;
  const rate = (name: keyof typeof RATES) =>
    Math.floor(reach * RATES[name] * (0.7 + 0.6 * unit(`${seed}:${name}`)));
  return {
    views: Math.floor(reach),
    likes: rate('likes'),
    reposts: rate('reposts'),
    replies: rate('replies'),
    quotes: rate('quotes'),
    clicks: rate('clicks'),
  };
}

/** The engagement a benchmark scores: every interaction but a view. */
export const engagementOf = (counts: AudienceCounts): number =>
  counts.likes + counts.reposts + counts.replies + counts.quotes + counts.clicks;
