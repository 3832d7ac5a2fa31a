/**
 * The best times learned, at the edges: a stored reading teaches its channel's estimate
 * (`learnFromReading`, what the metrics collector calls for each reading it stores), the
 * planner draws from the estimate for a `best` channel (`bestScores`), and the desk shows
 * it as a heatmap (`bestTimesOf`).
 */
import {
  type BestTimesStore,
  draw,
  engagementOfReading,
  estimate,
  isLearnedReading,
  learning,
  relativeWeek,
} from '../domain/best-times';
import type { Channel } from '../domain/channel';
import type { ReadingEvent } from '../domain/metrics';
import type { Clock } from '../domain/ports';

export type LearnDeps = {
  engagement: BestTimesStore;
  /** the channel's time zone, from the directory; undefined for a channel it no longer has */
  timeZoneOf(channelId: string): Promise<string | undefined>;
  /** CRIER_METRICS_AFTER's offsets, in milliseconds (parseMetricsAfter) */
  metricsAfterMs: readonly number[];
  clock: Clock;
};

/**
 * Adds a post to its channel's sums and its site's, from the one reading each post is
 * learned from (the first a day old, else its last); every other reading changes nothing.
 * Its value is taken less its article's appeal as the article's other channels told it,
 * and what it tells of that appeal is added for the channels still to come. At most
 * three reads and four writes: the post's marker (so a retried reading counts once) and
 * one atomic ADD on each of the channel's, the site's and the article's sums. Answers
 * whether the post was learned now.
 */
export async function learnFromReading(deps: LearnDeps, event: ReadingEvent): Promise<boolean> {
  if (!isLearnedReading(event, deps.metricsAfterMs)) return false;
  const timeZone = await deps.timeZoneOf(event.channelId);
  if (!timeZone) return false;
  const [stats, site, appeal] = await Promise.all([
    deps.engagement.channelStats(event.channelId),
    deps.engagement.siteStats(event.siteId),
    deps.engagement.articleAppeal(event.articleId),
  ]);
  const now = deps.clock.now();
  const post = { channelId: event.channelId, articleId: event.articleId, round: event.round };
  if (!(await deps.engagement.markLearned(post, now))) return false;
  const learned = learning(
    stats,
    {
      publishedAt: Date.parse(event.publishedAt),
      engagement: engagementOfReading(event.reading),
      timeZone,
    },
    { site, appeal },
  );
  await deps.engagement.addToChannel(event.channelId, learned.cell, learned.value);
  await deps.engagement.addToSite(event.siteId, learned.cell, learned.relative);
  await deps.engagement.addToArticle(event.articleId, learned.residual, now);
  return true;
}

/** `learnFromReading` as the metrics collector's `onReading` hook takes it. */
export const readingLearner =
  (deps: LearnDeps) =>
  async (event: ReadingEvent): Promise<void> => {
    await learnFromReading(deps, event);
  };

/**
 * One draw from the channel's estimate for the planner (168 scores in its time zone),
 * the same for the same seed, so a retried compose plans the same time.
 */
export async function bestScores(
  deps: { engagement: BestTimesStore },
  channel: Pick<Channel, 'id' | 'siteId'>,
  seed: string,
): Promise<number[]> {
  const [own, site] = await Promise.all([
    deps.engagement.channelStats(channel.id),
    deps.engagement.siteStats(channel.siteId),
  ]);
  return draw(estimate(own, site), `${channel.id}:${seed}`);
}

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export type BestTimesView = {
  channelId: string;
  timeZone: string;
  days: typeof DAYS;
  /** per day (Monday first) the 24 hours' expected engagement, the best hour of the week at 1 */
  week: number[][];
  /** the channel's own posts the estimate rests on */
  posts: number;
  /** the share of the estimate that still comes from the site's other channels (0-1) */
  priorShare: number;
  /** whether the site's prior still weighs more than the channel's own posts */
  mostlyPrior: boolean;
};

/** The channel's estimate as the heatmap shows it. */
export async function bestTimesOf(
  deps: { engagement: BestTimesStore },
  channel: Pick<Channel, 'id' | 'siteId' | 'timezone'>,
): Promise<BestTimesView> {
  const [own, site] = await Promise.all([
    deps.engagement.channelStats(channel.id),
    deps.engagement.siteStats(channel.siteId),
  ]);
  const learned = estimate(own, site);
  const relative = relativeWeek(learned).map((value) => Math.round(value * 1000) / 1000);
  return {
    channelId: channel.id,
    timeZone: channel.timezone,
    days: DAYS,
    week: DAYS.map((_, day) => relative.slice(day * 24, day * 24 + 24)),
    posts: learned.posts,
    priorShare: Math.round(learned.priorShare * 1000) / 1000,
    mostlyPrior: learned.priorShare > 0.5,
  };
}
