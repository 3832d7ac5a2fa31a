/**
 * The articles index holds keys only: the list reads a page of keys and gets the
 * articles in batches of 100, in the index's order, leaving out an article gone from
 * the table; and where the list starts is written once per store, not every article.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, type LocalDynamo, startDynamo } from '../../../infra/local/dynamo';
import { createLogger } from '../../../infra/local/logger';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { articleIdFor } from '../../../shared/domain/ids';
import type { ArticleRecord } from '../../../shared/domain/ports';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { batchGetAll } from '../../../shared/store/client';
import { articleKey } from '../../../shared/store/keys';
import { ManualClock } from '../../support/in-memory/index';

const log = createLogger({ quiet: true });
const table = 'keys-only-list';
const clock = new ManualClock('2026-03-20T09:00:00.000Z');
const COUNT = 130;
let dataDir: string;
let dynamo: LocalDynamo;
let db: DynamoDBDocumentClient;
const commands: string[] = [];

function record(n: number): ArticleRecord {
  const receivedAt = new Date(Date.UTC(2026, 2, 1, 0, n)).toISOString();
  const sourceId = `keys-${String(n).padStart(3, '0')}`;
  return {
    articleId: articleIdFor('generic', sourceId),
    article: parseGenericArticle({
      id: sourceId,
      url: `https://news.example.org/${sourceId}`,
      title: `Story ${n}`,
      publishedAt: receivedAt,
    }),
    receivedAt,
    updatedAt: receivedAt,
  };
}
const records = Array.from({ length: COUNT }, (_, n) => record(n));

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'crier-keys-list-'));
  dynamo = await startDynamo({ dataDir, log });
  db = DynamoDBDocumentClient.from(dynamo.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  db.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(context.commandName ?? '');
      return next(args);
    },
    { step: 'initialize' },
  );
  await ensureTable(dynamo.client, log, dataDir, table);
});

afterAll(async () => {
  await dynamo?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the editors’ list over a keys-only index', () => {
  it('writes where the list starts with the first article only', async () => {
    const articles = new DynamoArticleStore(db, table, clock);
    commands.length = 0;
    for (const r of records) await articles.putRevision(r);
    // One update an article, and one more for the list's first month.
    expect(commands.filter((name) => name === 'UpdateItemCommand')).toHaveLength(COUNT + 1);
  });

  it('pages every article newest first, whole, a page of keys then one batch', async () => {
    const articles = new DynamoArticleStore(db, table, clock);
    commands.length = 0;
    const page = await articles.list({ limit: 120 });
    expect(page.articles.map((a) => a.articleId)).toEqual(
      records
        .slice(-120)
        .reverse()
        .map((r) => r.articleId),
    );
    expect(page.articles[0]?.article.title).toBe(`Story ${COUNT - 1}`);
    // BatchGetItem takes 100 keys at most: 120 articles are two batches.
    expect(commands.filter((name) => name === 'BatchGetItemCommand')).toHaveLength(2);
    const rest = await articles.list({ limit: 120, cursor: page.cursor });
    expect(rest.articles.map((a) => a.articleId)).toEqual(
      records
        .slice(0, COUNT - 120)
        .reverse()
        .map((r) => r.articleId),
    );
  });

  it('gets items in the keys’ order and leaves out what the table no longer holds', async () => {
    const [first, second, third] = records;
    if (!first || !second || !third) throw new Error('no records');
    await db.send(new DeleteCommand({ TableName: table, Key: articleKey(second.articleId) }));
    const items = await batchGetAll(db, table, [
      articleKey(third.articleId),
      articleKey(second.articleId),
      articleKey(first.articleId),
    ]);
    expect(items.map((item) => item.articleId)).toEqual([third.articleId, first.articleId]);
  });
});
