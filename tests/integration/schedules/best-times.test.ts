/**
 * The best times learned against dynalite: readings add to the channel's and the site's
 * sums once each, and a `best` channel's share is composed into the hour its readings
 * say is best, breaking news still at once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../infra/local/local-aws';
import { readPublishingConfig } from '../../../shared/config/publishing';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { cellOf } from '../../../shared/domain/best-times';
import { type Channel, channelSchema } from '../../../shared/domain/channel';
import { articleIdFor } from '../../../shared/domain/ids';
import { parseMetricsAfter, type ReadingEvent } from '../../../shared/domain/metrics';
import type { Clock } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import { SqsPublishQueue } from '../../../shared/queue/publish-queue';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { DynamoBestTimesStore } from '../../../shared/store/best-times-store';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { DynamoSlotStore } from '../../../shared/store/slot-store';
import {
  bestScores,
  bestTimesOf,
  learnFromReading,
  readingLearner,
} from '../../../shared/usecases/best-times';
import { composeArticle } from '../../../shared/usecases/compose-article';
import { enqueueIfDue } from '../../../shared/usecases/dispatch';
import { sharePlanner } from '../../../shared/usecases/schedule-share';
import { startTestStack, type TestStack } from '../../support/stack';
import { sampleArticle } from '../../support/webhook';

const HOUR = 3_600_000;
let stack: TestStack;
let db: DynamoDBDocumentClient;
let engagement: DynamoBestTimesStore;
let articles: DynamoArticleStore;
let shares: DynamoShareStore;
let slots: DynamoSlotStore;

beforeAll(async () => {
  stack = await startTestStack({ functions: {}, sandboxes: false });
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  engagement = new DynamoBestTimesStore(db, stack.tableName);
  articles = new DynamoArticleStore(db, stack.tableName);
  shares = new DynamoShareStore(db, stack.tableName);
  slots = new DynamoSlotStore(db, stack.tableName);
});

afterAll(async () => {
  await stack?.dispose();
});

const clock: Clock = { now: () => new Date('2026-03-10T12:00:00Z') };

const channelOf = (id: string, timezone = 'UTC'): Channel =>
  channelSchema.parse({
    id,
    platform: 'bluesky',
    account: 'desk.example.org',
    template: '{title} {url}',
    timezone,
    siteId: 'best-site',
    schedule: { type: 'best', minSpacingMinutes: 10 },
  });

const learnDeps = (zones: Record<string, string>) => ({
  engagement,
  timeZoneOf: async (channelId: string) => zones[channelId],
  metricsAfterMs: parseMetricsAfter('1h,6h,24h,72h,7d'),
  clock,
});

const event = (patch: Partial<ReadingEvent> & { likes: number }): ReadingEvent => ({
  siteId: 'best-site',
  channelId: 'best-bsky',
  platform: 'bluesky',
  articleId: 'art-1',
  title: 'A story',
  url: 'https://news.example/story',
  publishedAt: '2026-03-02T18:20:00.000Z',
  offsetIndex: 2,
  final: false,
  ...patch,
  reading: {
    collectedAt: '2026-03-03T18:20:00.000Z',
    likes: patch.likes,
    reposts: 2,
    replies: 1,
  },
});

const item = async (PK: string, SK: string) =>
  (await db.send(new GetCommand({ TableName: stack.tableName, Key: { PK, SK } }))).Item;

describe('learning from readings', () => {
  it("adds a post's day-old reading to its channel's and its site's sums, once", async () => {
    const deps = learnDeps({ 'learn-once': 'Europe/Berlin' });
    const reading = event({ channelId: 'learn-once', likes: 40 });
    // The 1-hour reading teaches nothing; the 24-hour one does, and only the first time.
    expect(await learnFromReading(deps, { ...reading, offsetIndex: 0 })).toBe(false);
    expect(await learnFromReading(deps, reading)).toBe(true);
    expect(await learnFromReading(deps, reading)).toBe(false);
    // Monday 18:20 UTC is 19:20 in Berlin: the cell of Monday 19:00.
    const cell = cellOf(Date.parse(reading.publishedAt), 'Europe/Berlin');
    expect(cell).toBe(19);
    const stored = await item('CH#learn-once', 'ENGAGE');
    expect(stored).toMatchObject({ [`n${cell}`]: 1, [`s${cell}`]: Math.log1p(43) });
    expect(await item('SITE#best-site', 'ENGAGE')).toMatchObject({ [`n${cell}`]: 1 });
    // What the post told of its article's appeal waits for the article's other channels.
    expect(await item('ART#art-1', 'ENGAGE')).toMatchObject({ count: 1, sum: 0 });
    expect(await engagement.articleAppeal('art-1')).toEqual({ sum: 0, count: 1 });
    const stats = await engagement.channelStats('learn-once');
    expect(stats.counts.reduce((a, b) => a + b, 0)).toBe(1);
    // A channel the directory no longer has teaches nothing.
    expect(await learnFromReading(deps, { ...reading, channelId: 'gone' })).toBe(false);
  });

  it('is ready as the metrics collector’s onReading hook', async () => {
    const onReading = readingLearner(learnDeps({ hooked: 'UTC' }));
    await onReading(event({ channelId: 'hooked', articleId: 'art-h', likes: 3 }));
    expect((await engagement.channelStats('hooked')).counts[18]).toBe(1);
  });
});

describe('a best channel', () => {
  it('has its share composed into the hour its readings say is best', async () => {
    const channel = channelOf('best-bsky');
    const deps = learnDeps({ [channel.id]: 'UTC' });
    // Six weeks of posts: those at 18:00 did far better than those in the morning.
    for (let day = 0; day < 21; day += 1) {
      for (const [hour, likes] of [
        [18, 300],
        [8, 4],
        [12, 8],
      ] as const) {
        const publishedAt = Date.parse('2026-01-26T00:00:00Z') + (day * 24 + hour) * HOUR;
        await learnFromReading(
          deps,
          event({
            channelId: channel.id,
            articleId: `past-${day}-${hour}`,
            publishedAt: new Date(publishedAt).toISOString(),
            likes,
          }),
        );
      }
    }
    const view = await bestTimesOf({ engagement }, channel);
    expect(view.posts).toBe(63);
    // Three hours a day are known; the rest of the week still leans on the prior.
    expect(view.priorShare).toBeLessThan(0.9);
    expect(view.week[1]?.[18]).toBe(1);
    expect(view.week[1]?.[8]).toBeLessThan(0.1);

    const planner = sharePlanner({
      slots,
      shares,
      articles,
      clock,
      bestScores: (c, seed) => bestScores({ engagement }, c, seed),
    });
    const compose = async (id: string, priority?: string) => {
      const article = {
        ...parseGenericArticle({ ...sampleArticle(), id, priority }),
        siteId: 'best-site',
      };
      const articleId = articleIdFor('generic', article.sourceId);
      const at = clock.now().toISOString();
      await articles.putRevision({ articleId, article, receivedAt: at, updatedAt: at });
      const publishQueue = new SqsPublishQueue(stack.sqs, stack.queueUrls.publish);
      const dispatch = { shares, publishQueue, clock, config: readPublishingConfig({}) };
      await composeArticle(
        {
          articles,
          shares,
          channels: [channel],
          clock,
          publishQueue,
          schedule: planner,
          enqueueIfDue: (share: Share) => enqueueIfDue(dispatch, share),
        },
        { articleId, revision: 1 },
      );
      return shares.get({ articleId, channelId: channel.id });
    };
    // Tuesday 10 March, 12:00 UTC: the best hour within the day is 18:00.
    expect((await compose('best-normal'))?.dueAt).toBe('2026-03-10T18:00:00.000Z');
    // The next one keeps the channel's spacing after it.
    expect((await compose('best-second'))?.dueAt).toBe('2026-03-10T18:10:00.000Z');
    // Breaking news goes now.
    expect((await compose('best-breaking', 'breaking'))?.dueAt).toBe('2026-03-10T12:00:00.000Z');
  });

  it("starts a new channel of the site from the site's week", async () => {
    const fresh = channelOf('best-fresh');
    const view = await bestTimesOf({ engagement }, fresh);
    expect(view.posts).toBe(0);
    expect(view.mostlyPrior).toBe(true);
    const scores = await bestScores({ engagement }, fresh, 'x');
    expect(scores).toHaveLength(168);
    // The site's other channel learned that 18:00 is good; the prior says so too.
    const best = view.week.flat().indexOf(1);
    expect(best % 24).toBe(18);
  });
});
