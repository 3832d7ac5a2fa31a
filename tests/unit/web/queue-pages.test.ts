/** The queue's loads: the cursor followed while filters leave pages short, within bounds. */
import { describe, expect, it } from 'vitest';
import { type ArticleQuery, dayBound } from '../../../web/src/queue-filters';
import { loadFrom, MAX_REQUESTS, merged } from '../../../web/src/queue-pages';
import type { ArticleSummary } from '../../../web/src/schemas';

const article = (id: string): ArticleSummary => ({
  id,
  url: `https://example.org/${id}`,
  title: id,
  siteId: 'default',
  tags: [],
  priority: 'normal',
  authors: [],
  status: 'published',
  shares: [],
});

/** An API whose pages are given in advance; the queries it was asked, in order. */
function pagedApi(pages: { ids: string[]; cursor: string | null }[]) {
  const asked: (ArticleQuery & { limit?: number; cursor?: string })[] = [];
  return {
    asked,
    listArticles: async (query: ArticleQuery & { limit?: number; cursor?: string }) => {
      asked.push(query);
      const page = pages[asked.length - 1] ?? { ids: [], cursor: null };
      return { articles: page.ids.map(article), cursor: page.cursor };
    },
  };
}

describe('a queue load', () => {
  it('follows the cursor through short pages until it has enough, asking only for what it lacks', async () => {
    const api = pagedApi([
      { ids: [], cursor: 'c1' },
      { ids: ['a', 'b'], cursor: 'c2' },
      { ids: ['c', 'd', 'e'], cursor: 'c3' },
    ]);
    const loaded = await loadFrom(api, { status: 'draft' }, undefined, 5);
    expect(loaded).toEqual({ articles: ['a', 'b', 'c', 'd', 'e'].map(article), cursor: 'c3' });
    expect(api.asked.map((q) => [q.limit, q.cursor, q.status])).toEqual([
      [5, undefined, 'draft'],
      [5, 'c1', 'draft'],
      [3, 'c2', 'draft'],
    ]);
  });

  it(`stops after ${MAX_REQUESTS} requests with the cursor to load more from`, async () => {
    const api = pagedApi(Array.from({ length: 10 }, (_, i) => ({ ids: [], cursor: `c${i}` })));
    const loaded = await loadFrom(api, {}, 'start', 25);
    expect(loaded).toEqual({ articles: [], cursor: `c${MAX_REQUESTS - 1}` });
    expect(api.asked[0]?.cursor).toBe('start');
  });

  it('ends with a null cursor on the last page', async () => {
    const loaded = await loadFrom(pagedApi([{ ids: ['a'], cursor: null }]), {}, undefined, 25);
    expect(loaded.cursor).toBeNull();
  });

  it('lists an article once when a later page repeats it', () => {
    expect(merged(['a', 'b'].map(article), ['b', 'c'].map(article)).map((a) => a.id)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('bounds a day by its local start and end', () => {
    const start = new Date(dayBound('2026-12-07', 'start'));
    const end = new Date(dayBound('2026-12-07', 'end'));
    expect([start.getFullYear(), start.getMonth(), start.getDate(), start.getHours()]).toEqual([
      2026, 11, 7, 0,
    ]);
    expect(end.getTime() - start.getTime()).toBe(24 * 3_600_000 - 1);
  });
});
