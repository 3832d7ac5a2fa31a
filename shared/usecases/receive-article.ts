/**
 * Takes a verified, parsed article from a CMS: stores the revision, queues its
 * composition, and remembers the delivery, in that order (docs/architecture.md, "Ingest order"),
 * so a retry after a crash at any step completes the set instead of duplicating it.
 */
import type { Article, ArticleChange, ArticleSource } from '../domain/article';
import { articleIdFor } from '../domain/ids';
import type {
  ArticleStore,
  Clock,
  ComposeMarkers,
  ComposeQueue,
  DeliveryGuard,
} from '../domain/ports';

export type ReceiveArticleDeps = {
  articles: ArticleStore;
  deliveries: DeliveryGuard;
  composeQueue: ComposeQueue;
  /** the revision sweep's markers (sweep-revisions.ts) */
  markers: ComposeMarkers;
  /** how long the compose message may take before the sweep looks at the revision */
  composeGraceSeconds: number;
  clock: Clock;
};

export type ReceiveOutcome =
  /** first time this article was seen */
  | 'created'
  /** a newer revision of a known article */
  | 'revised'
  /** the same or an older revision: nothing changed */
  | 'duplicate'
  /** the same delivery again */
  | 'redelivered'
  /** the withdrawal of an article Crier never had: nothing to withdraw */
  | 'ignored';

export async function receiveArticle(
  deps: ReceiveArticleDeps,
  input: { source: ArticleSource; deliveryId: string } & ArticleChange,
): Promise<{ articleId: string; outcome: ReceiveOutcome }> {
  const { source, deliveryId } = input;
  const seen = await deps.deliveries.find(source, deliveryId);
  if (seen) return { articleId: seen.articleId, outcome: 'redelivered' };

  const { sourceId, siteId } = 'article' in input ? input.article : input.withdrawal;
  const articleId = articleIdFor(source, sourceId, siteId);
  let article: Article;
  if ('article' in input) {
    article = input.article;
  } else {
    // A withdrawal keeps what was last published and changes its status: the revision
    // decides, as for any other change, whether it is newer than what is stored.
    const stored = await deps.articles.get(articleId);
    if (!stored) {
      await deps.deliveries.remember(source, deliveryId, articleId);
      return { articleId, outcome: 'ignored' };
    }
    const { status, revision } = input.withdrawal;
    article = { ...stored.article, status, revision };
  }
  const at = deps.clock.now();
  const now = at.toISOString();
  // Marked before the revision is stored: a crash or a failed send after the write
  // leaves the sweep a pointer to it (a marker with nothing to do is only cleared).
  await deps.markers.mark({
    articleId,
    checkAt: new Date(at.getTime() + deps.composeGraceSeconds * 1000).toISOString(),
    resends: 0,
  });
  const { written, current } = await deps.articles.putRevision({
    articleId,
    article,
    receivedAt: now,
    updatedAt: now,
  });
  // A stored revision that was never composed means an earlier attempt stopped before
  // its message went out: send it again (composing is idempotent).
  const uncomposed =
    current.article.revision === article.revision &&
    (current.composedRevision ?? 0) < current.article.revision;
  if (written || uncomposed) {
    await deps.composeQueue.send({ articleId, revision: current.article.revision });
  }
  await deps.deliveries.remember(source, deliveryId, articleId);

  // receivedAt keeps the first arrival's time, so a new one means a new article.
  const outcome: ReceiveOutcome = !written
    ? 'duplicate'
    : current.receivedAt === now
      ? 'created'
      : 'revised';
  return { articleId, outcome };
}
