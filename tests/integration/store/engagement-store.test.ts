/**
 * The desk's engagement figures against DynamoDB: each reading keeps its post's latest
 * counts under its site and publication day, a late older reading changes nothing, and a
 * period's figures (per channel, section, day, the top posts, the CSV) cost one query per
 * day of the period.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, type LocalDynamo, startDynamo } from '../../../infra/local/dynamo';
import { createLogger } from '../../../infra/local/logger';
import { ValidationError } from '../../../shared/domain/errors';
import type { ReadingEvent } from '../../../shared/domain/metrics';
import { DynamoEngagementStore, engagementKey } from '../../../shared/store/engagement-store';
import {
  engagementCsv,
  MAX_ENGAGEMENT_DAYS,
  periodPosts,
  readEngagement,
} from '../../../shared/usecases/engagement';
import { ManualClock } from '../../support/in-memory/index';

const log = createLogger({ quiet: true });
const table = 'engagement-figures';
let dataDir: string;
let dynamo: LocalDynamo;
let db: DynamoDBDocumentClient;
let queries = 0;
let store: DynamoEngagementStore;
const clock = new ManualClock('2026-03-12T09:00:00.000Z');

function event(over: Partial<ReadingEvent> & Pick<ReadingEvent, 'articleId' | 'channelId'>) {
  return {
    siteId: 'north',
    platform: 'mastodon',
    title: `Story ${over.articleId}`,
    section: 'Politics',
    url: `https://news.example.org/${over.articleId}?utm_source=mastodon`,
    remoteUrl: `https://social.example/@north/${over.articleId}`,
    publishedAt: '2026-03-10T08:00:00.000Z',
    offsetIndex: 0,
    final: false,
    reading: { collectedAt: '2026-03-10T09:00:00.000Z', likes: 1, reposts: 0, replies: 0 },
    ...over,
  } satisfies ReadingEvent;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'crier-engagement-'));
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
  store = new DynamoEngagementStore(db, table);
  const readings: ReadingEvent[] = [
    event({
      articleId: 'a1',
      channelId: 'north-masto',
      reading: {
        collectedAt: '2026-03-10T09:00:00.000Z',
        likes: 10,
        reposts: 4,
        replies: 2,
        quotes: 1,
      },
    }),
    event({
      articleId: 'a1',
      channelId: 'north-x',
      platform: 'x',
      reading: {
        collectedAt: '2026-03-10T09:00:00.000Z',
        likes: 3,
        reposts: 1,
        replies: 0,
        quotes: 0,
        views: 500,
        clicks: 7,
      },
    }),
    event({
      articleId: 'a2',
      channelId: 'north-tg',
      platform: 'telegram',
      section: 'sport',
      publishedAt: '2026-03-11T22:30:00.000Z',
      reading: { collectedAt: '2026-03-11T23:30:00.000Z', likes: 5, reposts: 0, replies: 0 },
    }),
    // A title a spreadsheet would run, and a post of no section.
    event({
      articleId: 'a3',
      channelId: 'north-masto',
      title: '=HYPERLINK("http://evil.example","click")',
      section: undefined,
      publishedAt: '2026-03-12T07:00:00.000Z',
      reading: { collectedAt: '2026-03-12T08:00:00.000Z', likes: 0, reposts: 0, replies: 1 },
    }),
    // Another site's post, the same day: never counted for north.
    event({ articleId: 'b1', channelId: 'south-masto', siteId: 'south' }),
  ];
  for (const reading of readings) await store.recordReading(reading);
});

afterAll(async () => {
  await dynamo?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('recordReading keeps each post’s latest counts under its site and publication day', () => {
  it('writes one item per post at ENG#<site>#<day> / <channel>#<article>#<share key>, with a TTL', async () => {
    const key = engagementKey({
      siteId: 'north',
      publishedAt: '2026-03-10T08:00:00.000Z',
      channelId: 'north-masto',
      articleId: 'a1',
    });
    expect(key).toEqual({ PK: 'ENG#north#2026-03-10', SK: 'north-masto#a1#north-masto' });
    const item = (await db.send(new GetCommand({ TableName: table, Key: key }))).Item;
    expect(item).toMatchObject({ likes: 10, reposts: 4, replies: 2, quotes: 1, title: 'Story a1' });
    expect(item?.views).toBeUndefined();
    expect(Number(item?.expiresAt)).toBeGreaterThan(Date.parse('2027-01-01') / 1000);
  });

  it('replaces the counts with a newer reading, and ignores an older one arriving late', async () => {
    const later = event({
      articleId: 'a1',
      channelId: 'north-masto',
      offsetIndex: 1,
      reading: {
        collectedAt: '2026-03-10T14:00:00.000Z',
        likes: 20,
        reposts: 6,
        replies: 3,
        quotes: 2,
      },
    });
    await store.recordReading(later);
    await store.recordReading(
      event({
        articleId: 'a1',
        channelId: 'north-masto',
        reading: { collectedAt: '2026-03-10T09:30:00.000Z', likes: 11, reposts: 4, replies: 2 },
      }),
    );
    const [post] = (await store.postsOn('north', ['2026-03-10'])).filter(
      (p) => p.channelId === 'north-masto',
    );
    expect(post).toMatchObject({ likes: 20, reposts: 6, replies: 3, quotes: 2 });
    expect(post?.collectedAt).toBe('2026-03-10T14:00:00.000Z');
  });

  it('keeps an evergreen round apart from the first share, under its share key', async () => {
    await store.recordReading(
      event({
        articleId: 'a1',
        channelId: 'north-masto',
        round: 2,
        publishedAt: '2026-03-10T20:00:00.000Z',
        reading: { collectedAt: '2026-03-10T21:00:00.000Z', likes: 2, reposts: 0, replies: 0 },
      }),
    );
    const keys = (await store.postsOn('north', ['2026-03-10'])).map((p) => p.key).sort();
    expect(keys).toEqual(['north-masto', 'north-masto~2', 'north-x']);
  });
});

describe('a period’s figures', () => {
  const deps = () => ({ engagement: store, clock });

  it('sums per channel, per section and per day with one query per day, and ranks the top posts', async () => {
    queries = 0;
    const answer = await readEngagement(deps(), {
      siteId: 'north',
      from: '2026-03-09',
      to: '2026-03-12',
      top: 3,
    });
    expect(queries).toBe(4);
    expect(answer.days.map((d) => [d.day, d.posts])).toEqual([
      ['2026-03-09', 0],
      ['2026-03-10', 3],
      ['2026-03-11', 1],
      ['2026-03-12', 1],
    ]);
    // Engagement: likes + reposts + replies + quotes + clicks.
    expect(answer.totals).toEqual({
      posts: 5,
      likes: 20 + 2 + 3 + 5 + 0,
      reposts: 6 + 1,
      replies: 3 + 1,
      quotes: 2 + 0,
      views: 500,
      clicks: 7,
      engagement: 31 + 2 + 11 + 5 + 1,
    });
    expect(answer.channels.map((c) => [c.channelId, c.platform, c.posts, c.engagement])).toEqual([
      ['north-masto', 'mastodon', 3, 31 + 2 + 1],
      ['north-x', 'x', 1, 11],
      ['north-tg', 'telegram', 1, 5],
    ]);
    // Telegram reports no quotes, views or clicks: null, not zero.
    expect(answer.channels[2]).toMatchObject({ quotes: null, views: null, clicks: null });
    expect(answer.sections.map((s) => [s.section, s.posts])).toEqual([
      ['Politics', 3],
      ['sport', 1],
      [null, 1],
    ]);
    expect(answer.top.map((p) => [p.articleId, p.key, p.engagement])).toEqual([
      ['a1', 'north-masto', 31],
      ['a1', 'north-x', 11],
      ['a2', 'north-tg', 5],
    ]);
    expect(answer.top[0]).not.toHaveProperty('siteId');
  });

  it('filters by channel and by section, whatever its case', async () => {
    const bySection = await readEngagement(deps(), {
      siteId: 'north',
      from: '2026-03-10',
      to: '2026-03-12',
      section: 'SPORT',
    });
    expect(bySection.top.map((p) => p.articleId)).toEqual(['a2']);
    const byChannel = await readEngagement(deps(), {
      siteId: 'north',
      from: '2026-03-10',
      to: '2026-03-12',
      channelId: 'north-x',
    });
    expect(byChannel.totals.posts).toBe(1);
    expect(byChannel.sections).toEqual([expect.objectContaining({ section: 'Politics' })]);
  });

  it('defaults to the last seven days, today included', async () => {
    const answer = await readEngagement(deps(), { siteId: 'north' });
    expect([answer.from, answer.to]).toEqual(['2026-03-06', '2026-03-12']);
    expect(answer.totals.posts).toBe(5);
  });

  it('refuses a period too long, reversed, in the future or before the retention, naming the bound, before any query', async () => {
    queries = 0;
    const refusal = async (query: { from?: string; to?: string }) => {
      const error = await readEngagement(deps(), { siteId: 'north', ...query }).catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues.map((i) => i.field);
    };
    expect(await refusal({ from: '2026-01-01', to: '2026-04-02' })).toEqual(['to']);
    expect(await refusal({ to: '2026-03-10', from: '2026-03-11' })).toEqual(['to']);
    expect(await refusal({ to: '2026-03-20' })).toEqual(['to']);
    expect(await refusal({ from: '2024-01-01', to: '2024-01-02' })).toEqual(['from']);
    expect(queries).toBe(0);
    const longest = await readEngagement(deps(), {
      siteId: 'north',
      to: '2026-03-12',
      from: new Date(Date.parse('2026-03-12') - (MAX_ENGAGEMENT_DAYS - 1) * 86_400_000)
        .toISOString()
        .slice(0, 10),
    });
    expect(longest.days).toHaveLength(MAX_ENGAGEMENT_DAYS);
  });

  it('exports the posts as CSV: a header, one line per post, formulas defused and quotes doubled', async () => {
    const { posts } = await periodPosts(deps(), {
      siteId: 'north',
      from: '2026-03-10',
      to: '2026-03-12',
    });
    const lines = engagementCsv(posts).split('\r\n');
    expect(lines[0]).toBe(
      'publishedAt,channelId,platform,section,title,url,remoteUrl,likes,reposts,replies,quotes,views,clicks,engagement,collectedAt,articleId,share',
    );
    expect(lines).toHaveLength(1 + 5 + 1);
    expect(lines.at(-1)).toBe('');
    const formula = lines.find((line) => line.includes('HYPERLINK'));
    expect(formula).toContain(`,"'=HYPERLINK(""http://evil.example"",""click"")",`);
    const telegram = lines.find((line) => line.includes('north-tg'));
    expect(telegram).toBe(
      '2026-03-11T22:30:00.000Z,north-tg,telegram,sport,Story a2,https://news.example.org/a2?utm_source=mastodon,https://social.example/@north/a2,5,0,0,,,,5,2026-03-11T23:30:00.000Z,a2,north-tg',
    );
  });
});
