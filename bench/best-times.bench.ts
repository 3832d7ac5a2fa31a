/**
 * The best times learned, against the sandboxes' audience (infra/local/sandbox/kit/audience.ts,
 * the truth): eight weeks of a site's articles (20-40 a day at a newsroom's publication
 * hours, some breaking) on four channels, each planned by the real planner
 * (shared/domain/schedule.ts) under four schedules with the same rules (spacing, quiet
 * hours): `best`, learning from each post's 24-hour reading through the same estimator
 * the store feeds (shared/domain/best-times.ts); a newsroom's fixed slots; `asap`; and
 * the optimum, the same planner given the audience's true week. Prints per week the
 * engagement of each as a ratio to the optimum's.
 * Run: npx tsx bench/best-times.bench.ts [--quick]
 */

import {
  type AudiencePost,
  countsAt,
  engagementOf,
  hourOfWeek,
  weeklyCurve,
} from '../infra/local/sandbox/kit/audience';
import {
  type ArticleAppeal,
  addTo,
  cellOf,
  draw,
  type EngagementStats,
  emptyStats,
  estimate,
  learning,
} from '../shared/domain/best-times';
import { channelSchema, type Schedule } from '../shared/domain/channel';
import type { Platform } from '../shared/domain/platform';
import { nextFreeInstant } from '../shared/domain/schedule';
import { type BenchRow, QUICK, report } from './support/report';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEKS = QUICK ? 4 : 8;
const TIME_ZONE = 'Europe/Berlin';
/** Monday 4 May 2026, 00:00 in Berlin: eight weeks without a daylight-saving change. */
const START = Date.parse('2026-05-03T22:00:00Z');

const CHANNELS: { id: string; platform: Platform }[] = [
  { id: 'daily-x', platform: 'x' },
  { id: 'daily-bsky', platform: 'bluesky' },
  { id: 'daily-fb', platform: 'facebook' },
  { id: 'daily-masto', platform: 'mastodon' },
];
/** How likely a channel is to take an article (its sections and tags), breaking news always. */
const TAKES = 0.3;

const RULES = { minSpacingMinutes: 45, quietHours: { from: '23:00', to: '06:00' } };
/** A newsroom's fixed posting times, the same every day. */
const SLOTS = ['08:00', '10:00', '12:00', '15:00', '17:00', '18:30', '20:00', '21:30'];

const parse = (schedule: Record<string, unknown>): Schedule =>
  channelSchema.parse({ id: 'c', platform: 'x', account: 'a', template: '{title}', schedule })
    .schedule;

const STRATEGIES = {
  best: parse({ type: 'best', ...RULES }),
  slots: parse({
    type: 'slots',
    slots: Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, SLOTS]),
    ),
    ...RULES,
  }),
  asap: parse({ type: 'asap', ...RULES }),
  optimum: parse({ type: 'best', ...RULES }),
} as const;
type Strategy = keyof typeof STRATEGIES;
const NAMES = Object.keys(STRATEGIES) as Strategy[];

/** A seeded generator (mulberry32), so every run simulates the same site. */
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

/** When a newsroom publishes, by local hour: a morning push, a steady day, a thin night. */
const PUBLISHING = [
  0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 3, 4, 4, 3.5, 3, 2.5, 2.5, 3, 3, 2.5, 2, 1.5, 1.2, 1, 0.8, 0.5,
  0.3,
];

type Article = { id: string; url: string; at: number; breaking: boolean; channels: string[] };

function articles(): Article[] {
  const next = random(16);
  const list: Article[] = [];
  const total = PUBLISHING.reduce((a, b) => a + b, 0);
  for (let day = 0; day < WEEKS * 7; day++) {
    const weekend = day % 7 >= 5;
    const count = Math.round((20 + next() * 20) * (weekend ? 0.6 : 1));
    for (let i = 0; i < count; i++) {
      let pick = next() * total;
      let hour = 0;
      while (hour < 23 && pick > (PUBLISHING[hour] ?? 0)) pick -= PUBLISHING[hour++] ?? 0;
      const at = START + day * DAY + hour * HOUR + Math.floor(next() * HOUR);
      const breaking = next() < 0.05;
      const channels = CHANNELS.filter(() => next() < TAKES || breaking).map((c) => c.id);
      const id = `a${day}-${i}`;
      list.push({ id, url: `https://news.example/${id}`, at, breaking, channels });
    }
  }
  return list.sort((a, b) => a.at - b.at);
}

/** The audience's true week in the channel's cells: what only the optimum knows. */
function trueScores(account: string): number[] {
  const curve = weeklyCurve(account);
  return Array.from({ length: 168 }, (_, cell) => {
    const at = START + cell * HOUR;
    if (cellOf(at, TIME_ZONE) !== cell) throw new Error('the week does not start on a Monday');
    return Math.log(curve[hourOfWeek(at)] ?? 0);
  });
}

type Post = AudiencePost & { article: Article; channelId: string };

/** One schedule over the whole simulation: its posts, and what `best` has learned. */
class Run {
  readonly posts: Post[] = [];
  private readonly busy = new Map<string, number[]>();
  private readonly stats = new Map<string, EngagementStats>();
  private site = emptyStats();
  private readonly appeals = new Map<string, ArticleAppeal>();
  /** readings due to be learned, in time order (24 hours after each post) */
  private readonly pending: Post[] = [];
  private readonly truth = new Map(CHANNELS.map((c) => [c.id, trueScores(c.id)]));

  constructor(readonly strategy: Strategy) {}

  plan(article: Article): void {
    this.learnUntil(article.at);
    for (const channelId of article.channels) {
      const channel = CHANNELS.find((c) => c.id === channelId);
      if (!channel) continue;
      const busy = this.busy.get(channelId) ?? [];
      const scores =
        this.strategy === 'optimum'
          ? this.truth.get(channelId)
          : this.strategy === 'best'
            ? draw(
                estimate(this.stats.get(channelId) ?? emptyStats(), this.site),
                `${channelId}:${article.id}`,
              )
            : undefined;
      const at =
        nextFreeInstant({
          schedule: STRATEGIES[this.strategy],
          timeZone: TIME_ZONE,
          lane: article.breaking ? 'breaking' : 'normal',
          earliest: article.at,
          // the planning use case reads the calendar around the earliest instant, too
          busy: busy.filter((b) => b > article.at - 2 * DAY),
          scores,
        }) ?? article.at;
      busy.push(at);
      this.busy.set(channelId, busy);
      const post: Post = {
        platform: channel.platform,
        account: channelId,
        url: article.url,
        publishedAt: at,
        article,
        channelId,
      };
      this.posts.push(post);
      this.pending.push(post);
    }
  }

  /** Learns from every post whose 24-hour reading has come by `now`. */
  private learnUntil(now: number): void {
    if (this.strategy !== 'best') return;
    this.pending.sort((a, b) => a.publishedAt - b.publishedAt);
    while (this.pending.length && (this.pending[0]?.publishedAt ?? 0) + DAY <= now) {
      const post = this.pending.shift() as Post;
      const engagement = engagementOf(countsAt(post, post.publishedAt + DAY));
      const stats = this.stats.get(post.channelId) ?? emptyStats();
      const appeal = this.appeals.get(post.article.id);
      const learned = learning(
        stats,
        { publishedAt: post.publishedAt, engagement, timeZone: TIME_ZONE },
        { site: this.site, appeal },
      );
      this.stats.set(post.channelId, addTo(stats, learned.cell, learned.value));
      this.site = addTo(this.site, learned.cell, learned.relative);
      this.appeals.set(post.article.id, {
        sum: (appeal?.sum ?? 0) + learned.residual,
        count: (appeal?.count ?? 0) + 1,
      });
    }
  }
}

/** A post's engagement after a week: what the schedules are scored on. */
const finalEngagement = (post: AudiencePost) =>
  engagementOf(countsAt(post, post.publishedAt + 7 * DAY));

const started = performance.now();
const runs = NAMES.map((name) => new Run(name));
for (const article of articles()) for (const run of runs) run.plan(article);

const weekOf = (post: Post) => Math.floor((post.article.at - START) / (7 * DAY));
const totals = runs.map((run) => {
  const weeks = new Array<number>(WEEKS).fill(0);
  for (const post of run.posts) {
    const week = weekOf(post);
    weeks[week] = (weeks[week] ?? 0) + finalEngagement(post);
  }
  return weeks;
});
const optimum = totals[NAMES.indexOf('optimum')] ?? [];
const ratio = (name: Strategy, week: number) =>
  (totals[NAMES.indexOf(name)]?.[week] ?? 0) / (optimum[week] || 1);

const rows: BenchRow[] = [];
for (let week = 0; week < WEEKS; week++) {
  const best = ratio('best', week);
  const slots = ratio('slots', week);
  const asap = ratio('asap', week);
  rows.push({
    benchmark: 'best-times',
    measure: `week ${week + 1}, engagement of best / optimum`,
    crier: best.toFixed(3),
    baseline: slots.toFixed(3),
    ratio: best / slots,
    note: `baseline: fixed slots; asap ${asap.toFixed(3)}`,
  });
}
const last = ratio('best', WEEKS - 1);
const aboveSlots = Array.from({ length: WEEKS }, (_, w) => w)
  .filter((w) => w >= 2)
  .every((w) => ratio('best', w) > ratio('slots', w));
const posts = runs[0]?.posts.length ?? 0;
rows.push({
  benchmark: 'best-times',
  measure: `goal: best >= 0.9 of the optimum in week ${WEEKS}, above fixed slots from week 3`,
  crier: last >= 0.9 && aboveSlots ? 'met' : 'not met',
  baseline: '-',
  note: `${posts} posts on ${CHANNELS.length} channels; ${((performance.now() - started) / 1000).toFixed(1)} s`,
});
report(rows);
