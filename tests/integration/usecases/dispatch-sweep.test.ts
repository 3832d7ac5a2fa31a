/**
 * The tick's sweep counts what SharesStuck reports: shares past their lease while queued
 * (a lost message) or publishing (a worker that died), not unknown shares waiting for
 * their next reconcile, nor shares whose lease still runs.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadChannelsConfig } from '../../../shared/config/channels';
import { readPublishingConfig } from '../../../shared/config/publishing';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { systemClock } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import type { ShareStatus } from '../../../shared/domain/share-state';
import { SqsPublishQueue } from '../../../shared/queue/publish-queue';
import { createDocumentClient } from '../../../shared/store/client';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { newShare } from '../../../shared/usecases/compose-article';
import { dispatchDue } from '../../../shared/usecases/dispatch';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
let store: DynamoShareStore;

beforeAll(async () => {
  stack = await startTestStack({ functions: {}, sandboxes: false });
  store = new DynamoShareStore(createDocumentClient(), stack.tableName);
});

afterAll(async () => {
  await stack?.dispose();
});

const [channel] = loadChannelsConfig(undefined).channels;
const article = parseGenericArticle({
  id: 'sweep-test',
  url: 'https://www.example.org/news/sweep',
  title: 'Stuck shares',
  publishedAt: '2024-05-01T10:00:00Z',
});

let serial = 0;
async function stored(status: ShareStatus, leaseUntil: string): Promise<Share> {
  if (!channel) throw new Error('no channel');
  serial += 1;
  const now = new Date();
  const share: Share = {
    ...newShare(
      {
        articleId: serial.toString(16).padStart(32, 'b'),
        article,
        receivedAt: now.toISOString(),
        updatedAt: now.toISOString(),
      },
      channel,
      now,
    ),
    status,
    leaseUntil,
  };
  await store.createIfAbsent(share);
  return share;
}

it('counts shares past their lease while queued or publishing as stuck, and puts them right', async () => {
  const past = new Date(Date.now() - 60_000).toISOString();
  const future = new Date(Date.now() + 60_000).toISOString();
  const lost = await stored('queued', past);
  const died = await stored('publishing', past);
  await stored('unknown', past);
  await stored('publishing', future);
  await stored('queued', future);

  const report = await dispatchDue({
    shares: store,
    publishQueue: new SqsPublishQueue(stack.sqs, stack.queueUrls.publish),
    clock: systemClock,
    config: readPublishingConfig({}),
  });

  expect(report).toMatchObject({ stuck: 2, requeued: 1, expired: 1, reconciling: 1 });
  expect((await store.get(lost))?.status).toBe('queued');
  expect((await store.get(died))?.status).toBe('unknown');
});
