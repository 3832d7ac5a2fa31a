/** The preview cache in the table (dynalite), with the real fetcher on an unreachable page. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startDynamo } from '../../../infra/local/dynamo';
import { createLogger } from '../../../infra/local/logger';
import { getPreview, type PreviewEntry } from '../../../shared/preview/cache';
import { createSafeFetch, type SafeFetcher } from '../../../shared/preview/fetch';
import { DynamoPreviewStore, previewKey } from '../../../shared/store/preview-store';

let dynamo: LocalDynamo;
let db: DynamoDBDocumentClient;
let store: DynamoPreviewStore;
let dataDir: string;
const fetchers: SafeFetcher[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'crier-preview-'));
  dynamo = await startDynamo({ dataDir, log: createLogger({ quiet: true }) });
  db = DynamoDBDocumentClient.from(dynamo.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  store = new DynamoPreviewStore(db, dynamo.tableName);
});

afterAll(async () => {
  await Promise.all(fetchers.map((f) => f.close()));
  await dynamo?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const card = {
  url: 'https://news.example/a',
  canonicalUrl: 'https://news.example/a',
  title: 'Une histoire «vraie»',
  image: 'https://news.example/a.jpg',
  imageWidth: 1200,
  imageHeight: 630,
  warnings: ['og:title appears 2 times (duplicate tags)'],
};

describe('DynamoPreviewStore', () => {
  it('keeps an entry under URL#<sha256(url)> / P with the TTL attribute expiresAt', async () => {
    const entry: PreviewEntry = {
      status: 'ok',
      url: 'https://news.example/a',
      card,
      fetchedAt: '2024-06-01T12:00:00.000Z',
      expiresAt: 1_717_264_800,
    };
    await store.put(entry);
    expect(await store.get('https://news.example/a')).toEqual(entry);
    const key = previewKey('https://news.example/a');
    expect(key).toEqual({
      PK: `URL#${createHash('sha256').update('https://news.example/a').digest('hex')}`,
      SK: 'P',
    });
    const raw = await db.send(new GetCommand({ TableName: dynamo.tableName, Key: key }));
    expect(raw.Item).toMatchObject({ ...key, type: 'preview', expiresAt: 1_717_264_800 });
  });

  it('keeps failures too, and reads a missing URL as a miss', async () => {
    const failed: PreviewEntry = {
      status: 'failed',
      url: 'https://news.example/gone',
      reason: 'status',
      fetchedAt: '2024-06-01T12:00:00.000Z',
      expiresAt: 1_717_243_800,
    };
    await store.put(failed);
    expect(await store.get(failed.url)).toEqual(failed);
    expect(await store.get('https://news.example/never')).toBeUndefined();
  });
});

describe('getPreview on an offline machine', () => {
  it('returns undefined for a page it cannot reach, then answers from the cached failure', async () => {
    const fetch = createSafeFetch();
    fetchers.push(fetch);
    // .invalid never resolves (RFC 2606), here or on a machine with a network
    const url = 'https://www.newsroom.invalid/2024/06/01/story/';
    expect(await getPreview(url, { fetch, store })).toBeUndefined();
    const failure = await store.get(url);
    expect(failure).toMatchObject({ status: 'failed', reason: 'network' });
    expect(await getPreview(url, { fetch, store })).toBeUndefined();
    // The second answer came from the cached failure: the entry was not written again.
    expect(await store.get(url)).toEqual(failure);
  });
});
