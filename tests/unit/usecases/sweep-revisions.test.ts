import { describe, expect, it } from 'vitest';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { articleIdFor } from '../../../shared/domain/ids';
import type { ComposeQueue } from '../../../shared/domain/ports';
import { receiveArticle } from '../../../shared/usecases/receive-article';
import { checkAtAfter, sweepRevisions } from '../../../shared/usecases/sweep-revisions';
import { inMemoryWorld } from '../../support/in-memory';

const CONFIG = { graceSeconds: 300, maxGraceSeconds: 3600 };

const article = parseGenericArticle({
  id: 'sweep-unit',
  url: 'https://www.example.org/news/sweep-unit',
  title: 'A revision whose message was lost',
  publishedAt: '2026-03-02T08:00:00Z',
});
const articleId = articleIdFor('generic', 'sweep-unit', article.siteId);

function world() {
  const w = inMemoryWorld();
  const sweep = () =>
    sweepRevisions({
      articles: w.articles,
      markers: w.markers,
      composeQueue: w.composeQueue,
      clock: w.clock,
      config: CONFIG,
    });
  const ingest = (composeQueue: ComposeQueue = w.composeQueue) =>
    receiveArticle(
      { ...w, composeQueue, composeGraceSeconds: CONFIG.graceSeconds },
      { source: 'generic', deliveryId: `d-${Math.random()}`, article },
    );
  return { ...w, sweep, ingest };
}

const failing: ComposeQueue = {
  send: async () => {
    throw new Error('the queue is down');
  },
};

describe('the revision sweep', () => {
  it('sends a revision whose message failed after the write again, after its grace only', async () => {
    const w = world();
    await expect(w.ingest(failing)).rejects.toThrow('the queue is down');
    w.clock.advanceSeconds(299);
    expect(await w.sweep()).toEqual({ resent: 0, cleared: 0 });
    w.clock.advanceSeconds(1);
    expect(await w.sweep()).toEqual({ resent: 1, cleared: 0 });
    expect(w.composeQueue.sent).toEqual([{ articleId, revision: article.revision }]);
    // The next look waits twice the grace; one marker stays, not two.
    expect([...w.markers.items.values()]).toEqual([
      { articleId, checkAt: checkAtAfter(CONFIG, w.clock.now(), 1), resends: 1 },
    ]);
    w.clock.advanceSeconds(599);
    expect(await w.sweep()).toEqual({ resent: 0, cleared: 0 });
  });

  it('only clears the marker once the revision is composed', async () => {
    const w = world();
    await w.ingest();
    await w.articles.markComposed(articleId, article.revision);
    w.clock.advanceSeconds(300);
    expect(await w.sweep()).toEqual({ resent: 0, cleared: 1 });
    expect(w.markers.items.size).toBe(0);
    expect(w.composeQueue.sent).toHaveLength(1);
  });

  it('clears a marker whose article was never stored (a crash between the two writes)', async () => {
    const w = world();
    await w.markers.mark({ articleId, checkAt: w.clock.now().toISOString(), resends: 0 });
    expect(await w.sweep()).toEqual({ resent: 0, cleared: 1 });
    expect(w.composeQueue.sent).toEqual([]);
  });

  it('waits at most the longest grace between two sends of a revision that keeps failing', () => {
    const from = new Date('2026-03-02T09:00:00.000Z');
    expect(checkAtAfter(CONFIG, from, 0)).toBe('2026-03-02T09:05:00.000Z');
    expect(checkAtAfter(CONFIG, from, 2)).toBe('2026-03-02T09:20:00.000Z');
    expect(checkAtAfter(CONFIG, from, 30)).toBe('2026-03-02T10:00:00.000Z');
  });
});
