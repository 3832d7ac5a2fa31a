/**
 * The article list's walk through the months is bounded: a cursor must be one the list
 * gave for the same query, and one page reads a bounded number of months, answering with
 * a cursor to go on from rather than reading years of empty months in one call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, type LocalDynamo, startDynamo } from '../../../infra/local/dynamo';
import { createLogger } from '../../../infra/local/logger';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { ValidationError } from '../../../shared/domain/errors';
import { articleIdFor } from '../../../shared/domain/ids';
import type { ArticleRecord } from '../../../shared/domain/ports';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { DynamoChannelTimeline } from '../../../shared/store/channel-timeline';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { listArticles } from '../../../shared/usecases/read-articles';
import { ManualClock } from '../../support/in-memory/index';

const log = createLogger({ quiet: true });
let dataDir: string;
let dynamo: LocalDynamo;
let db: DynamoDBDocumentClient;
let queries = 0;
const MAX_MONTHS_PER_PAGE = 12;
const table = 'article-list-bounds';
const clock = new ManualClock('2026-02-10T09:00:00.000Z');

function record(sourceId: string, receivedAt: string): ArticleRecord {
  const article = parseGenericArticle({
    id: sourceId,
    url: `https://news.example.org/${sourceId}`,
    title: `Story ${sourceId}`,
    publishedAt: receivedAt,
  });
  return {
    articleId: articleIdFor('generic', sourceId),
    article,
    receivedAt,
    updatedAt: receivedAt,
  };
}

const cursorOf = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

// Two years apart: the months between them hold nothing.
const old = record('bounds-old', '2024-01-15T10:00:00.000Z');
const recent = record('bounds-recent', '2026-02-03T10:00:00.000Z');

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'crier-list-bounds-'));
  dynamo = await startDynamo({ dataDir, log });
  db = DynamoDBDocumentClient.from(dynamo.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  db.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') queries += 1;
      return next(args);
    },
    { step: 'initialize' },
  );
  await ensureTable(dynamo.client, log, dataDir, table);
  const articles = new DynamoArticleStore(db, table, clock);
  await articles.putRevision(old);
  await articles.putRevision(recent);
});

afterAll(async () => {
  await dynamo?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the article list walks a bounded number of months', () => {
  it('refuses a forged cursor from a month ahead of the list, reading nothing', async () => {
    const articles = new DynamoArticleStore(db, table, clock);
    queries = 0;
    const forged = cursorOf({ month: '2150-01', after: '2150-01-01T00:00:00.000Z#x' });
    await expect(articles.list({ limit: 5, cursor: forged })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(queries).toBe(0);
  }, 60_000);

  it("refuses a cursor whose position is not in its month, or a month beyond the query's `to`", async () => {
    const articles = new DynamoArticleStore(db, table, clock);
    const elsewhere = cursorOf({ month: '2025-06', after: '2019-01-01T00:00:00.000Z#x' });
    await expect(articles.list({ limit: 5, cursor: elsewhere })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const pastTo = cursorOf({ month: '2026-01' });
    await expect(
      articles.list({ limit: 5, cursor: pastTo, to: '2025-03-01T00:00:00.000Z' }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('ends a page after a bounded number of empty months with a cursor, and the cursors reach every article', async () => {
    const articles = new DynamoArticleStore(db, table, clock);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      queries = 0;
      const page = await articles.list({ limit: 10, cursor });
      expect(queries).toBeLessThanOrEqual(MAX_MONTHS_PER_PAGE);
      seen.push(...page.articles.map((a) => a.articleId));
      cursor = page.cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toEqual([recent.articleId, old.articleId]);
    // 26 months from February 2026 back to January 2024, twelve a page.
    expect(pages).toBe(3);
  });

  it('the editor list answers a short page with a cursor instead of walking every month', async () => {
    const deps = {
      articles: new DynamoArticleStore(db, table, clock),
      shares: new DynamoShareStore(db, table),
      timeline: new DynamoChannelTimeline(db, table),
    };
    queries = 0;
    const first = await listArticles(deps, { limit: 10 });
    expect(first.articles.map((a) => a.id)).toEqual([recent.articleId]);
    expect(first.cursor).not.toBeNull();
    // One query a month read, and one for the shares of each article listed.
    expect(queries).toBeLessThanOrEqual(MAX_MONTHS_PER_PAGE + 1);
  });
});
