/** What the editor API shows of articles and their shares: the filtered list and one article. */
import { siteOf } from '../domain/article';
import { articleMatches, sectionMatches } from '../domain/article-search';
import { NotFoundError } from '../domain/errors';
import {
  type ArticleRecord,
  type ArticleStore,
  type ChannelTimeline,
  type Clock,
  type ShareStore,
  systemClock,
} from '../domain/ports';
import type { ShareStatus } from '../domain/share-state';
import {
  type ArticleDetail,
  type ArticleList,
  type ArticleSummary,
  articleView,
  type ShareView,
  shareSummary,
  shareView,
} from './views';

export { articleView, shareView } from './views';

export type ReadArticlesDeps = {
  articles: ArticleStore;
  shares: ShareStore;
  timeline: ChannelTimeline;
  /**
   * A short-lived link a browser can load a stored image from (a share names it by its
   * `s3://` URL), for the previews; undefined for a URL that is not a stored image.
   * None: images are shown as stored.
   */
  previewLink?: (url: string) => Promise<string | undefined>;
  /** what "now" is for an overdue draft (default: the system's clock) */
  clock?: Clock;
};

export type ListOptions = {
  limit: number;
  cursor?: string;
  /** articles with at least one share (on `channel`, if given) in one of these statuses */
  status?: readonly ShareStatus[];
  /** articles with a share on this channel, ordered by that share's dueAt */
  channel?: string;
  /** inclusive bounds: on receivedAt, or on the channel's dueAt when `channel` is given */
  from?: string;
  to?: string;
  /** only this site's articles */
  siteId?: string;
  /** only these sites' articles (default: every site's) */
  mayRead?: (siteId: string) => boolean;
  /** articles whose headline or URL holds this text, whatever its case and accents */
  q?: string;
  /** articles of this section (compared without regard to case) */
  section?: string;
};

/**
 * How many articles one page may read while a status filter drops them: a page can then
 * come back short (even empty) with a cursor, and the next page goes on from there.
 */
export const MAX_EXAMINED_PER_PAGE = 200;

type SourcePage = { records: ArticleRecord[]; cursor?: string };

/** Where the list reads from: the articles by time, or one channel's timeline. */
function sourceOf(
  deps: ReadArticlesDeps,
  options: ListOptions,
): (limit: number, cursor?: string) => Promise<SourcePage> {
  const { channel, from, to } = options;
  if (channel) {
    return async (limit, cursor) => {
      const page = await deps.timeline.list(channel, { limit, cursor, from, to });
      const records = await Promise.all(page.entries.map((e) => deps.articles.get(e.articleId)));
      return {
        records: records.filter((r): r is ArticleRecord => r !== undefined),
        cursor: page.cursor,
      };
    };
  }
  return async (limit, cursor) => {
    const page = await deps.articles.list({ limit, cursor, from, to });
    return { records: page.articles, cursor: page.cursor };
  };
}

/**
 * One page of the list. The filters on the article itself (site, `q`, `section`) and on
 * its shares (`status`) drop articles after the index read, as `status` always did: a
 * page may come back short with a cursor. Each read asks the index for no more articles than the page
 * still needs, so the cursor (the index position of the last article read, kept or
 * dropped by the status filter) never skips or repeats one.
 */
export async function listArticles(
  deps: ReadArticlesDeps,
  options: ListOptions,
): Promise<ArticleList> {
  const source = sourceOf(deps, options);
  const statuses = options.status?.length ? new Set(options.status) : undefined;
  const now = (deps.clock ?? systemClock).now();
  // The article's own fields are checked before its shares are read: a miss costs no query.
  const wanted = (record: ArticleRecord) =>
    (options.q === undefined || articleMatches(record.article, options.q)) &&
    (options.section === undefined || sectionMatches(record.article, options.section));
  const articles: ArticleSummary[] = [];
  let cursor = options.cursor;
  let examined = 0;
  let paused = false;
  do {
    const asked = Math.min(options.limit - articles.length, MAX_EXAMINED_PER_PAGE);
    const page = await source(asked, cursor);
    // A short read with a cursor: the source stopped at its own bound (months read).
    paused = page.records.length < asked && page.cursor !== undefined;
    const summaries = await Promise.all(
      page.records.map(async (record) => {
        const siteId = siteOf(record.article);
        if (options.siteId !== undefined && siteId !== options.siteId) return undefined;
        if (options.mayRead && !options.mayRead(siteId)) return undefined;
        if (!wanted(record)) return undefined;
        const shares = await deps.shares.listForArticle(record.articleId);
        const considered = options.channel
          ? shares.filter((s) => s.channelId === options.channel)
          : shares;
        const kept = !statuses || considered.some((s) => statuses.has(s.status));
        return kept
          ? { ...articleView(record), shares: shares.map((s) => shareSummary(s, now)) }
          : undefined;
      }),
    );
    for (const summary of summaries) {
      // An evergreen article has several shares on one channel: list it once a page.
      if (summary && !articles.some((a) => a.id === summary.id)) articles.push(summary);
    }
    examined += page.records.length;
    cursor = page.cursor;
  } while (
    cursor &&
    !paused &&
    articles.length < options.limit &&
    examined < MAX_EXAMINED_PER_PAGE
  );
  return { articles, cursor: cursor ?? null };
}

/** One article; another site's, for a caller who may not read it, is as good as absent. */
export async function getArticle(
  deps: ReadArticlesDeps,
  articleId: string,
  mayRead: (siteId: string) => boolean = () => true,
): Promise<ArticleDetail> {
  const record = await deps.articles.get(articleId);
  if (!record || !mayRead(siteOf(record.article)))
    throw new NotFoundError(`No article ${articleId}`);
  const shares = await deps.shares.listForArticle(articleId);
  const views = shares.map(shareView);
  return {
    article: articleView(record),
    shares: deps.previewLink ? await Promise.all(views.map((v) => linked(v, deps))) : views,
  };
}

/** The view with each stored image a link the editors' browser can load, for the preview. */
export async function linked(
  view: ShareView,
  deps: Pick<ReadArticlesDeps, 'previewLink'>,
): Promise<ShareView> {
  const link = async (url: string) => (await deps.previewLink?.(url).catch(() => undefined)) ?? url;
  const media = view.media
    ? await Promise.all(view.media.map(async (m) => ({ ...m, url: await link(m.url) })))
    : view.media;
  const card =
    view.card?.imageUrl !== undefined
      ? { ...view.card, imageUrl: await link(view.card.imageUrl) }
      : view.card;
  return { ...view, media, card };
}
