/**
 * The queue's pages of `GET /api/articles`: filters may leave a page short (even empty)
 * with a cursor, so a load follows the cursor until it has enough, within a few requests.
 */
import type { ArticleQuery } from './queue-filters';
import type { ArticleSummary } from './schemas';

/** The API's list, as the queue calls it (api.ts's `listArticles`). */
export type ListArticles = (
  query: ArticleQuery & { limit?: number; cursor?: string },
) => Promise<{ articles: ArticleSummary[]; cursor?: string | null }>;

/** Requests one load may make while filters leave pages short. */
export const MAX_REQUESTS = 5;

export type Loaded = { articles: ArticleSummary[]; cursor: string | null };

/**
 * At least `wanted` articles from `cursor` on, following the cursor while the filters
 * leave pages short, within MAX_REQUESTS; the cursor to go on from (null: the end).
 */
export async function loadFrom(
  api: { listArticles: ListArticles },
  filters: ArticleQuery,
  cursor: string | undefined,
  wanted: number,
): Promise<Loaded> {
  const articles: ArticleSummary[] = [];
  let next = cursor;
  for (let request = 0; request < MAX_REQUESTS; request += 1) {
    const page = await api.listArticles({
      ...filters,
      limit: Math.min(100, Math.max(1, wanted - articles.length)),
      cursor: next,
    });
    articles.push(...page.articles);
    next = page.cursor ?? undefined;
    if (!next || articles.length >= wanted) break;
  }
  return { articles, cursor: next ?? null };
}

/** Articles already listed are not listed twice (a later page may repeat an evergreen one). */
export function merged(before: ArticleSummary[], after: ArticleSummary[]): ArticleSummary[] {
  const seen = new Set(before.map((a) => a.id));
  return [...before, ...after.filter((a) => !seen.has(a.id))];
}
