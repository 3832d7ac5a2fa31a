/**
 * A site's engagement over a period, for the desk: totals per channel, per section and
 * per day, the top posts, and the period's posts as CSV. Read from the per-day figures
 * (shared/store/engagement-store.ts): one query per day of the period.
 */
import * as z from 'zod';
import { siteOf } from '../domain/article';
import { type EngagementReader, engagementPostSchema } from '../domain/engagement';
import { NotFoundError, ValidationError } from '../domain/errors';
import type { Counts, Reading } from '../domain/metrics';
import { PLATFORMS } from '../domain/platform';
import type { ArticleStore, Clock, ShareStore } from '../domain/ports';
import { parseShareKey } from '../domain/share-key';
import { READING_RETENTION_DAYS } from '../store/metrics-store';

/** The longest period one request covers, in days. */
export const MAX_ENGAGEMENT_DAYS = 92;
/** The period when none is asked: the last seven days, today included. */
export const DEFAULT_ENGAGEMENT_DAYS = 7;
export const DEFAULT_TOP = 10;
export const MAX_TOP = 50;

/**
 * A post's engagement: the interactions it drew, likes + reposts + replies + quotes +
 * link clicks (a count the network does not report adds nothing). Views are reach, not
 * engagement, and are left out.
 */
export const engagementOf = (counts: Counts): number =>
  counts.likes + counts.reposts + counts.replies + (counts.quotes ?? 0) + (counts.clicks ?? 0);

const count = z.number().int();
/** Summed counts; an optional count is null when no post of the group reports it. */
export const figuresSchema = z.object({
  posts: count,
  likes: count,
  reposts: count,
  replies: count,
  quotes: count.nullable(),
  views: count.nullable(),
  clicks: count.nullable(),
  /** likes + reposts + replies + quotes + clicks */
  engagement: count,
});
export type Figures = z.output<typeof figuresSchema>;

export const engagementPostViewSchema = engagementPostSchema
  .omit({ siteId: true })
  .extend({ engagement: count });
export type EngagementPostView = z.output<typeof engagementPostViewSchema>;

export const engagementAnswerSchema = z.object({
  siteId: z.string(),
  /** the period's first and last publication days (UTC), inclusive */
  from: z.iso.date(),
  to: z.iso.date(),
  channelId: z.string().nullable(),
  section: z.string().nullable(),
  totals: figuresSchema,
  /** per channel, most engagement first */
  channels: z.array(figuresSchema.extend({ channelId: z.string(), platform: z.enum(PLATFORMS) })),
  /** per section (null: posts of no section), most engagement first */
  sections: z.array(figuresSchema.extend({ section: z.string().nullable() })),
  /** every day of the period, in order, zero where nothing was published */
  days: z.array(figuresSchema.extend({ day: z.iso.date() })),
  /** the posts with the most engagement, most first (then the most recent) */
  top: z.array(engagementPostViewSchema),
});
export type EngagementAnswer = z.output<typeof engagementAnswerSchema>;

export type EngagementQuery = {
  siteId: string;
  /** `yyyy-mm-dd`; default: six days before `to` */
  from?: string;
  /** `yyyy-mm-dd`; default: today (UTC) */
  to?: string;
  channelId?: string;
  section?: string;
  top?: number;
};

export type EngagementDeps = { engagement: EngagementReader; clock: Clock };

const DAY_MS = 86_400_000;
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00.000Z`) / DAY_MS;
const dayAt = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);

/**
 * The period's days, checked: `to` not before `from`, at most MAX_ENGAGEMENT_DAYS long,
 * `from` not before the figures' retention, `to` not after tomorrow (UTC: a reader
 * ahead of UTC). A bad bound is a 400 naming it.
 */
export function periodDays(query: Pick<EngagementQuery, 'from' | 'to'>, now: Date): string[] {
  const today = Math.floor(now.getTime() / DAY_MS);
  const to = query.to ? dayNumber(query.to) : today;
  const from = query.from ? dayNumber(query.from) : to - (DEFAULT_ENGAGEMENT_DAYS - 1);
  const refuse = (field: 'from' | 'to', message: string) =>
    new ValidationError(`Invalid ${field}: ${message}`, [{ field, message }]);
  if (to > today + 1) throw refuse('to', 'must not be after tomorrow');
  if (from > to) throw refuse('to', 'must not be before from');
  if (to - from + 1 > MAX_ENGAGEMENT_DAYS) {
    throw refuse(
      query.from ? 'to' : 'from',
      `the period is at most ${MAX_ENGAGEMENT_DAYS} days (from ${dayAt(from)} to ${dayAt(to)} is ${to - from + 1})`,
    );
  }
  if (from < today - READING_RETENTION_DAYS) {
    throw refuse(
      'from',
      `figures are kept ${READING_RETENTION_DAYS} days: not before ${dayAt(today - READING_RETENTION_DAYS)}`,
    );
  }
  return Array.from({ length: to - from + 1 }, (_, i) => dayAt(from + i));
}

/** The site a request reads: the one asked for, if the caller may; else their only one. */
export async function engagementSite(
  caller: { sites: 'all' | readonly string[] },
  asked: string | undefined,
  exists: (siteId: string) => Promise<boolean>,
  defaultSite: string,
): Promise<string> {
  if (asked !== undefined) {
    // Another site's figures are as good as absent, as its articles are.
    const allowed = caller.sites === 'all' || caller.sites.includes(asked);
    if (!allowed || !(await exists(asked))) throw new NotFoundError(`No site ${asked}`);
    return asked;
  }
  if (caller.sites === 'all') return defaultSite;
  const [only, ...more] = caller.sites;
  if (!only || more.length > 0) {
    const message = 'name the site: you edit more than one';
    throw new ValidationError(`Invalid siteId: ${message}`, [{ field: 'siteId', message }]);
  }
  return only;
}

const sameSection = (a: string | undefined, b: string) =>
  a !== undefined && a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/** The period's posts, filtered, each with its engagement; oldest first. */
export async function periodPosts(
  deps: EngagementDeps,
  query: EngagementQuery,
): Promise<{ days: string[]; posts: EngagementPostView[] }> {
  const days = periodDays(query, deps.clock.now());
  const stored = await deps.engagement.postsOn(query.siteId, days);
  const posts = stored
    .filter((post) => query.channelId === undefined || post.channelId === query.channelId)
    .filter((post) => query.section === undefined || sameSection(post.section, query.section))
    .map(({ siteId: _site, ...post }) => ({ ...post, engagement: engagementOf(post) }))
    .sort(
      (a, b) =>
        a.publishedAt.localeCompare(b.publishedAt) ||
        a.channelId.localeCompare(b.channelId) ||
        a.key.localeCompare(b.key),
    );
  return { days, posts };
}

const empty = (): Figures => ({
  posts: 0,
  likes: 0,
  reposts: 0,
  replies: 0,
  quotes: null,
  views: null,
  clicks: null,
  engagement: 0,
});

const addOptional = (sum: number | null, value: number | undefined) =>
  value === undefined ? sum : (sum ?? 0) + value;

function add(figures: Figures, post: EngagementPostView): void {
  figures.posts += 1;
  figures.likes += post.likes;
  figures.reposts += post.reposts;
  figures.replies += post.replies;
  figures.quotes = addOptional(figures.quotes, post.quotes);
  figures.views = addOptional(figures.views, post.views);
  figures.clicks = addOptional(figures.clicks, post.clicks);
  figures.engagement += post.engagement;
}

function grouped<K>(posts: readonly EngagementPostView[], keyOf: (post: EngagementPostView) => K) {
  const groups = new Map<K, Figures>();
  for (const post of posts) {
    const key = keyOf(post);
    const figures = groups.get(key) ?? empty();
    add(figures, post);
    groups.set(key, figures);
  }
  return groups;
}

const byEngagement = (a: Figures, b: Figures) => b.engagement - a.engagement || b.posts - a.posts;

export async function readEngagement(
  deps: EngagementDeps,
  query: EngagementQuery,
): Promise<EngagementAnswer> {
  const { days, posts } = await periodPosts(deps, query);
  const totals = empty();
  for (const post of posts) add(totals, post);
  const platformOf = new Map(posts.map((post) => [post.channelId, post.platform]));
  const perDay = grouped(posts, (post) => post.publishedAt.slice(0, 10));
  const top = [...posts]
    .sort((a, b) => b.engagement - a.engagement || b.publishedAt.localeCompare(a.publishedAt))
    .slice(0, query.top ?? DEFAULT_TOP);
  return {
    siteId: query.siteId,
    from: days[0] ?? '',
    to: days.at(-1) ?? '',
    channelId: query.channelId ?? null,
    section: query.section ?? null,
    totals,
    channels: [...grouped(posts, (post) => post.channelId)]
      .map(([channelId, figures]) => ({
        channelId,
        // Every channel in the map has a post, and so a platform.
        platform: platformOf.get(channelId) ?? 'x',
        ...figures,
      }))
      .sort((a, b) => byEngagement(a, b) || a.channelId.localeCompare(b.channelId)),
    sections: [...grouped(posts, (post) => post.section ?? null)]
      .map(([section, figures]) => ({ section, ...figures }))
      .sort((a, b) => byEngagement(a, b) || (a.section ?? '').localeCompare(b.section ?? '')),
    days: days.map((day) => ({ day, ...(perDay.get(day) ?? empty()) })),
    top,
  };
}

export const CSV_COLUMNS = [
  'publishedAt',
  'channelId',
  'platform',
  'section',
  'title',
  'url',
  'remoteUrl',
  'likes',
  'reposts',
  'replies',
  'quotes',
  'views',
  'clicks',
  'engagement',
  'collectedAt',
  'articleId',
  'share',
] as const;

/**
 * One CSV cell (RFC 4180). A text a spreadsheet would take for a formula (starting with
 * = + - @, a tab or a carriage return) is prefixed with a single quote, so opening the
 * export runs nothing.
 */
export function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The posts as CSV: a header line, then one line per post (CRLF, as RFC 4180 has it). */
export function engagementCsv(posts: readonly EngagementPostView[]): string {
  const lines = posts.map((post) =>
    [
      post.publishedAt,
      post.channelId,
      post.platform,
      post.section,
      post.title,
      post.url,
      post.remoteUrl,
      post.likes,
      post.reposts,
      post.replies,
      post.quotes,
      post.views,
      post.clicks,
      post.engagement,
      post.collectedAt,
      post.articleId,
      post.key,
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}

export type ReadingsDeps = {
  articles: Pick<ArticleStore, 'get'>;
  shares: Pick<ShareStore, 'get'>;
  readings: {
    readingsOf(share: { articleId: string; channelId: string; round?: number }): Promise<Reading[]>;
  };
};

/**
 * Every reading of one share, oldest first; another site's article, for a caller who may
 * not read it, is as good as absent.
 */
export async function readShareReadings(
  deps: ReadingsDeps,
  ref: { articleId: string; key: string },
  mayRead: (siteId: string) => boolean,
): Promise<{ readings: Reading[] }> {
  const record = await deps.articles.get(ref.articleId);
  if (!record || !mayRead(siteOf(record.article))) {
    throw new NotFoundError(`No article ${ref.articleId}`);
  }
  const parts = parseShareKey(ref.key);
  const share = parts && (await deps.shares.get({ articleId: ref.articleId, ...parts }));
  if (!parts || !share) throw new NotFoundError(`No share ${ref.key} of article ${ref.articleId}`);
  return { readings: await deps.readings.readingsOf({ articleId: ref.articleId, ...parts }) };
}
