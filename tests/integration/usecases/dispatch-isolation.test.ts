/**
 * One share the tick cannot handle (an item it cannot read, a write the table refuses)
 * is skipped, counted and told, and every other share of the tick still goes out.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadChannelsConfig } from '../../../shared/config/channels';
import { readPublishingConfig } from '../../../shared/config/publishing';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { StoreWriteError } from '../../../shared/domain/errors';
import { systemClock } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import type { ShareStatus } from '../../../shared/domain/share-state';
import { SqsPublishQueue } from '../../../shared/queue/publish-queue';
import { createDocumentClient } from '../../../shared/store/client';
import { DynamoShareStore, shareItem } from '../../../shared/store/share-store';
import { newShare } from '../../../shared/usecases/compose-article';
import { dispatchDue, type ShareFailure } from '../../../shared/usecases/dispatch';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
const db = createDocumentClient();
let store: DynamoShareStore;

beforeAll(async () => {
  stack = await startTestStack({ functions: {}, sandboxes: false });
  store = new DynamoShareStore(db, stack.tableName);
});

afterAll(async () => {
  await stack?.dispose();
});

const [channel] = loadChannelsConfig(undefined).channels;
const article = parseGenericArticle({
  id: 'isolation-test',
  url: 'https://www.example.org/news/isolation',
  title: 'One bad share',
  publishedAt: '2024-05-01T10:00:00Z',
});

let serial = 0;
function share(status: ShareStatus, dueAt: Date, leaseUntil?: string): Share {
  if (!channel) throw new Error('no channel');
  serial += 1;
  const now = new Date();
  return {
    ...newShare(
      {
        articleId: serial.toString(16).padStart(32, 'c'),
        article,
        receivedAt: now.toISOString(),
        updatedAt: now.toISOString(),
      },
      channel,
      now,
    ),
    status,
    dueAt: dueAt.toISOString(),
    ...(leaseUntil ? { leaseUntil } : {}),
  };
}

/** A share stored with a field the schema refuses: every read of it throws. */
async function unreadable(status: ShareStatus, dueAt: Date, leaseUntil?: string): Promise<Share> {
  const bad = share(status, dueAt, leaseUntil);
  await db.send(
    new PutCommand({
      TableName: stack.tableName,
      Item: { ...shareItem(bad), version: 'seven' },
    }),
  );
  return bad;
}

it('skips a share it cannot read or write, counts it, and sends every other due share', async () => {
  const earliest = new Date(Date.now() - 10 * 60_000);
  const past = new Date(Date.now() - 60_000).toISOString();
  // The bad shares fall due first, so that any share after them in the tick would wait.
  const badDue = await unreadable('scheduled', earliest);
  const badLease = await unreadable('queued', earliest, past);
  const refused = share('scheduled', earliest);
  await store.createIfAbsent(refused);
  const good: Share[] = [];
  for (let n = 0; n < 6; n += 1) {
    const next = share('scheduled', new Date(Date.now() - 60_000 + n));
    await store.createIfAbsent(next);
    good.push(next);
  }
  const lost = share('queued', new Date(Date.now() - 5 * 60_000), past);
  await store.createIfAbsent(lost);

  // The table refuses this one share's writes, as it refuses an item over 400 KB.
  const shares = new (class extends DynamoShareStore {
    override replace(previous: Share, next: Share): Promise<boolean> {
      if (next.articleId !== refused.articleId) return super.replace(previous, next);
      return super.replace(previous, {
        ...next,
        card: { url: next.url, title: 'x'.repeat(410 * 1024) },
      });
    }
  })(db, stack.tableName);

  const failures: ShareFailure[] = [];
  const report = await dispatchDue(
    {
      shares,
      publishQueue: new SqsPublishQueue(stack.sqs, stack.queueUrls.publish),
      clock: systemClock,
      config: readPublishingConfig({}),
    },
    (failure) => failures.push(failure),
  );

  expect(report).toMatchObject({ failed: 3, enqueued: good.length, requeued: 1 });
  for (const one of [...good, lost]) expect((await store.get(one))?.status).toBe('queued');
  expect((await store.get(refused))?.status).toBe('scheduled');
  expect(failures.map((f) => `${f.step} ${f.share.articleId}`).sort()).toEqual(
    [`due ${badDue.articleId}`, `due ${refused.articleId}`, `sweep ${badLease.articleId}`].sort(),
  );
  const refusal = failures.find((f) => f.share.articleId === refused.articleId)?.error;
  expect(refusal).toBeInstanceOf(StoreWriteError);
  expect(((refusal as Error).cause as Error).message).toMatch(/size/i);
});
