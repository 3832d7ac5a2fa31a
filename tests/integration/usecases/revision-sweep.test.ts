/**
 * The revision sweep against the local emulators: a revision stored but never composed
 * (the compose message failed after the write, or a local queue restarted with it) is
 * sent again once its grace has passed, never before, and a composed one only loses its
 * marker. What the article item says decides, not the marker.
 */
import { PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import type { ComposeQueue } from '../../../shared/domain/ports';
import { SqsComposeQueue } from '../../../shared/queue/compose-queue';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { createDocumentClient } from '../../../shared/store/client';
import { DynamoComposeMarkers } from '../../../shared/store/compose-markers';
import { DynamoDeliveryGuard } from '../../../shared/store/delivery-guard';
import { receiveArticle } from '../../../shared/usecases/receive-article';
import { type RevisionSweepDeps, sweepRevisions } from '../../../shared/usecases/sweep-revisions';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
let articles: DynamoArticleStore;
let markers: DynamoComposeMarkers;
let composeQueue: SqsComposeQueue;

const GRACE_SECONDS = 120;
/** A clock the test moves: the sweep's grace is minutes, the test's seconds. */
let now = new Date('2026-12-07T09:00:00.000Z');
const clock = { now: () => now };

beforeAll(async () => {
  stack = await startTestStack({ functions: {}, sandboxes: false });
  const db = createDocumentClient();
  articles = new DynamoArticleStore(db, stack.tableName, clock);
  markers = new DynamoComposeMarkers(db, stack.tableName);
  composeQueue = new SqsComposeQueue(stack.sqs, stack.queueUrls.compose);
});

afterAll(async () => {
  await stack?.dispose();
});

beforeEach(async () => {
  await stack.sqs.send(new PurgeQueueCommand({ QueueUrl: stack.queueUrls.compose }));
});

const sweepDeps = (): RevisionSweepDeps => ({
  articles,
  markers,
  composeQueue,
  clock,
  config: { graceSeconds: GRACE_SECONDS, maxGraceSeconds: 3600 },
});

/** A queue whose send fails after the article was written, as a network fault would. */
const failingQueue: ComposeQueue = {
  send: async () => {
    throw new Error('connect ECONNREFUSED');
  },
};

let serial = 0;
async function ingest(queue: ComposeQueue): Promise<string> {
  serial += 1;
  const article = parseGenericArticle({
    id: `sweep-revision-${serial}`,
    url: `https://www.example.org/news/sweep-${serial}`,
    title: 'A revision nobody composed',
    publishedAt: '2026-12-07T08:00:00Z',
  });
  const deps = {
    articles,
    deliveries: new DynamoDeliveryGuard(createDocumentClient(), stack.tableName, clock),
    composeQueue: queue,
    markers,
    composeGraceSeconds: GRACE_SECONDS,
    clock,
  };
  const input = { source: 'generic' as const, deliveryId: `delivery-${serial}`, article };
  try {
    return (await receiveArticle(deps, input)).articleId;
  } catch {
    const id = (await articles.list({ limit: 1 })).articles[0]?.articleId;
    if (!id) throw new Error('the article was not stored');
    return id;
  }
}

async function composeMessages(): Promise<unknown[]> {
  const found: unknown[] = [];
  for (let round = 0; round < 5; round++) {
    const { Messages = [] } = await stack.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.queueUrls.compose,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
      }),
    );
    found.push(...Messages.map((m) => JSON.parse(m.Body ?? 'null') as unknown));
    if (Messages.length === 0) break;
  }
  return found;
}

const later = (seconds: number) => {
  now = new Date(now.getTime() + seconds * 1000);
};

describe('the revision sweep', () => {
  // First: the other case's article stays uncomposed, and a long jump would send it.
  it('only clears the marker of a revision that was composed', async () => {
    const articleId = await ingest(composeQueue);
    const revision = (await articles.get(articleId))?.article.revision ?? 0;
    await articles.markComposed(articleId, revision);
    await stack.sqs.send(new PurgeQueueCommand({ QueueUrl: stack.queueUrls.compose }));

    later(GRACE_SECONDS * 100);
    const report = await sweepRevisions(sweepDeps());
    expect(report.resent).toBe(0);
    expect(report.cleared).toBeGreaterThanOrEqual(1);
    expect(await composeMessages()).toEqual([]);
    // Cleared: the next tick reads nothing for it.
    expect(await sweepRevisions(sweepDeps())).toMatchObject({ resent: 0, cleared: 0 });
  });

  it('sends a stored revision whose compose message failed again, once its grace has passed', async () => {
    const articleId = await ingest(failingQueue);
    expect((await articles.get(articleId))?.composedRevision).toBeUndefined();

    // Within the grace its message may still be on its way: nothing is sent twice.
    later(GRACE_SECONDS - 10);
    expect(await sweepRevisions(sweepDeps())).toMatchObject({ resent: 0 });
    expect(await composeMessages()).toEqual([]);

    later(20);
    expect(await sweepRevisions(sweepDeps())).toMatchObject({ resent: 1 });
    const revision = (await articles.get(articleId))?.article.revision;
    expect(await composeMessages()).toEqual([{ articleId, revision }]);

    // Sent again, it waits a longer grace before the next try, not every tick.
    later(60);
    expect(await sweepRevisions(sweepDeps())).toMatchObject({ resent: 0 });
  });
});
