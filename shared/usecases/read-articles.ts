/** What the editor API shows of articles and their shares. */
import { NotFoundError } from '../domain/errors';
import type { ArticleRecord, ArticleStore, ShareStore } from '../domain/ports';
import type { Share } from '../domain/share';

export type ReadArticlesDeps = { articles: ArticleStore; shares: ShareStore };

export function articleView(record: ArticleRecord) {
  const { article } = record;
  return {
    id: record.articleId,
    source: article.source,
    sourceId: article.sourceId,
    url: article.url,
    title: article.title,
    summary: article.summary ?? null,
    imageUrl: article.imageUrl ?? null,
    imageAlt: article.imageAlt ?? null,
    imageCredit: article.imageCredit ?? null,
    authors: article.authors,
    section: article.section ?? null,
    tags: article.tags,
    language: article.language ?? null,
    revision: article.revision,
    priority: article.priority,
    status: article.status,
    publishedAt: article.publishedAt,
    shareAt: article.shareAt ?? null,
    receivedAt: record.receivedAt,
    updatedAt: record.updatedAt,
  };
}

export function shareView(share: Share) {
  return {
    channelId: share.channelId,
    platform: share.platform,
    status: share.status,
    text: share.text,
    dueAt: share.dueAt,
    remoteId: share.remoteId ?? null,
    remoteUrl: share.remoteUrl ?? null,
    preparedId: share.preparedId ?? null,
    url: share.url,
    hashtags: share.hashtags,
    card: share.card ?? null,
    facets: share.facets ?? null,
    thread: share.thread ?? null,
    media: share.media ?? null,
    warnings: share.warnings ?? [],
    language: share.language ?? null,
    length: share.length ?? null,
    articleRevision: share.articleRevision,
    attempt: share.attempt,
    version: share.version,
    lastError: share.lastError ?? null,
    cancelRequested: share.cancelRequested ?? false,
    withdrawal: share.withdrawal ?? null,
    createdAt: share.createdAt,
    updatedAt: share.updatedAt,
    history: share.history,
  };
}

export async function listArticles(
  deps: ReadArticlesDeps,
  options: { limit: number; cursor?: string },
) {
  const page = await deps.articles.list(options);
  const articles = await Promise.all(
    page.articles.map(async (record) => {
      const shares = await deps.shares.listForArticle(record.articleId);
      return {
        ...articleView(record),
        shares: shares.map((s) => ({
          channelId: s.channelId,
          platform: s.platform,
          status: s.status,
          dueAt: s.dueAt,
          remoteUrl: s.remoteUrl ?? null,
        })),
      };
    }),
  );
  return { articles, cursor: page.cursor ?? null };
}

export async function getArticle(deps: ReadArticlesDeps, articleId: string) {
  const record = await deps.articles.get(articleId);
  if (!record) throw new NotFoundError(`No article ${articleId}`);
  const shares = await deps.shares.listForArticle(articleId);
  return { article: articleView(record), shares: shares.map(shareView) };
}
