/**
 * The local table after a kill -9: dynalite writes index entries and items apart, so a
 * killed process can leave a share the in-flight index no longer lists, and nothing
 * would ever sweep it. The next start puts the lost entries back from the items.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../infra/local/local-aws';
import { loadChannelsConfig } from '../../../shared/config/channels';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import type { Share } from '../../../shared/domain/share';
import { TABLE } from '../../../shared/resources';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { newShare } from '../../../shared/usecases/compose-article';
import { startTestStack, type TestStack } from '../../support/stack';

const dataDir = mkdtempSync(join(tmpdir(), 'crier-index-repair-'));
let stack: TestStack | undefined;

afterAll(async () => {
  await stack?.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

function shareStoreOf(running: TestStack): DynamoShareStore {
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: running.dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  return new DynamoShareStore(db, running.tableName);
}

/**
 * What a kill -9 between an index write and its item's write leaves: the item, without
 * its in-flight entry. Done on dynalite's own LevelDB folder while no stack runs.
 */
async function loseInFlightIndex(): Promise<number> {
  // dynalite's own LevelDB package, as dynalite opens the folder.
  const { Level } = createRequire(createRequire(import.meta.url).resolve('dynalite'))('level') as {
    Level: new (
      path: string,
      options: { valueEncoding: string },
    ) => {
      keys(): AsyncIterable<string>;
      del(key: string): Promise<void>;
      close(): Promise<void>;
    };
  };
  const level = new Level(join(dataDir, 'dynamodb'), { valueEncoding: 'json' });
  const prefix = `index-global~${TABLE.localName}~${TABLE.indexes.inFlight.name}~`;
  let lost = 0;
  for await (const key of level.keys()) {
    if (!key.startsWith(prefix)) continue;
    await level.del(key);
    lost += 1;
  }
  await level.close();
  return lost;
}

it('puts back the in-flight entry of a queued share the index lost, so the sweep finds it', async () => {
  stack = await startTestStack({ dataDir, functions: {}, sandboxes: false });
  const [channel] = loadChannelsConfig(undefined).channels;
  if (!channel) throw new Error('no channel');
  const now = new Date();
  const article = parseGenericArticle({
    id: 'index-repair',
    url: 'https://www.example.org/news/index-repair',
    title: 'Queued when the stack was killed',
    publishedAt: '2026-12-07T08:00:00Z',
  });
  const share: Share = {
    ...newShare(
      {
        articleId: 'c'.repeat(32),
        article,
        receivedAt: now.toISOString(),
        updatedAt: now.toISOString(),
      },
      channel,
      now,
    ),
    status: 'queued',
    leaseUntil: new Date(now.getTime() - 60_000).toISOString(),
  };
  expect(await shareStoreOf(stack).createIfAbsent(share)).toBe(true);
  expect(await shareStoreOf(stack).leasesEndedBy(now.toISOString(), 10)).toHaveLength(1);
  await stack.dispose();
  stack = undefined;

  expect(await loseInFlightIndex()).toBe(1);

  stack = await startTestStack({ dataDir, functions: {}, sandboxes: false });
  const swept = await shareStoreOf(stack).leasesEndedBy(new Date().toISOString(), 10);
  expect(swept).toEqual([
    expect.objectContaining({ articleId: share.articleId, channelId: channel.id }),
  ]);
});
