/**
 * Engagement through the editor API on the local stack: a published share's `metrics`,
 * its readings oldest first, a site's figures over a period with its bounds, each editor
 * kept to their own sites, and the CSV export safe to open in a spreadsheet.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../infra/local/local-aws';
import type { ArticleRecord } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import { FUNCTIONS } from '../../../shared/resources';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { DynamoEngagementStore } from '../../../shared/store/engagement-store';
import { DynamoMetricsStore } from '../../../shared/store/metrics-store';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { newShare } from '../../../shared/usecases/compose-article';
import { callEditorApi } from '../../support/editor-api';
import { articleRecord, channelOf } from '../../support/in-memory/fixtures';
import { ManualClock } from '../../support/in-memory/index';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
let admin: string;
let editorA: string;
let editorB: string;
const clock = new ManualClock(new Date().toISOString());
const today = new Date().toISOString().slice(0, 10);
const publishedAt = new Date(Date.now() - 3 * 3_600_000).toISOString();

const call = (method: string, path: string, token: string | undefined) =>
  callEditorApi(stack.url, { method, path, token });

let record: ArticleRecord;
let published: Share;

beforeAll(async () => {
  stack = await startTestStack({
    functions: { 'editor-api': FUNCTIONS['editor-api'] },
    sandboxes: false,
  });
  admin = stack.secrets.editorToken.value;
  for (const id of ['site-a', 'site-b']) {
    expect(
      (
        await callEditorApi(stack.url, {
          method: 'POST',
          path: '/api/sites',
          token: admin,
          body: { id, name: id },
        })
      ).status,
    ).toBe(201);
  }
  const editor = async (name: string, site: string) => {
    const made = await callEditorApi(stack.url, {
      method: 'POST',
      path: '/api/editors',
      token: admin,
      body: { name, role: 'editor', sites: [site] },
    });
    expect(made.status).toBe(201);
    return String(made.body.token);
  };
  editorA = await editor('ana', 'site-a');
  editorB = await editor('bo', 'site-b');

  // As the functions' own client writes: undefined fields left out.
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const articles = new DynamoArticleStore(db, stack.tableName, clock);
  const shares = new DynamoShareStore(db, stack.tableName);
  const base = articleRecord({ clock }, { id: 'engagement-a', section: 'City' });
  record = {
    ...base,
    article: { ...base.article, siteId: 'site-a', title: '-2+3 ways the council voted' },
  };
  await articles.putRevision(record);
  const masto = channelOf({ id: 'a-masto', platform: 'mastodon', siteId: 'site-a' });
  const tg = channelOf({ id: 'a-tg', platform: 'telegram', siteId: 'site-a' });
  const xChannel = channelOf({ id: 'a-x', platform: 'x', siteId: 'site-a' });
  const reading = {
    collectedAt: new Date().toISOString(),
    likes: 7,
    reposts: 2,
    replies: 1,
    quotes: 0,
  };
  published = {
    ...newShare(record, masto, clock.now()),
    status: 'published',
    remoteId: '1001',
    remoteUrl: 'https://social.example/@a/1001',
    metrics: reading,
  };
  await shares.createIfAbsent(published);
  await shares.createIfAbsent({
    ...newShare(record, tg, clock.now()),
    status: 'published',
    remoteId: '55',
    remoteUrl: 'https://t.me/a/55',
  });
  await shares.createIfAbsent(newShare(record, xChannel, clock.now()));
  const readings = new DynamoMetricsStore(db, stack.tableName);
  const ref = { articleId: record.articleId, channelId: 'a-masto' };
  // Written out of order: the answer is oldest first.
  await readings.putReading(ref, reading);
  await readings.putReading(ref, {
    collectedAt: new Date(Date.now() - 3_600_000).toISOString(),
    likes: 3,
    reposts: 1,
    replies: 0,
    quotes: 0,
  });
  await new DynamoEngagementStore(db, stack.tableName).recordReading({
    siteId: 'site-a',
    channelId: 'a-masto',
    platform: 'mastodon',
    articleId: record.articleId,
    title: record.article.title,
    section: 'City',
    url: published.url,
    remoteUrl: published.remoteUrl,
    publishedAt,
    reading,
    offsetIndex: 1,
    final: false,
  });
}, 120_000);

afterAll(async () => {
  await stack?.dispose();
});

describe('a share’s metrics', () => {
  it('shows the latest reading on a published share, null before the first, and nothing on a share not yet out', async () => {
    const answer = await call('GET', `/api/articles/${record.articleId}`, editorA);
    expect(answer.status).toBe(200);
    const shares = answer.body.shares as Array<Record<string, unknown>>;
    const byChannel = Object.fromEntries(shares.map((s) => [s.channelId, s]));
    expect(byChannel['a-masto']?.metrics).toEqual(published.metrics);
    expect(byChannel['a-tg']?.metrics).toBeNull();
    expect(byChannel['a-x']).not.toHaveProperty('metrics');
  });

  it('lists every reading oldest first; an unknown share is 404, another site’s article 404, no token 401', async () => {
    const path = `/api/articles/${record.articleId}/shares/a-masto/metrics`;
    const answer = await call('GET', path, editorA);
    expect(answer.status).toBe(200);
    const readings = answer.body.readings as Array<{ collectedAt: string; likes: number }>;
    expect(readings.map((r) => r.likes)).toEqual([3, 7]);
    expect((readings[0]?.collectedAt ?? '') < (readings[1]?.collectedAt ?? '')).toBe(true);
    expect(
      (await call('GET', `/api/articles/${record.articleId}/shares/a-tg/metrics`, editorA)).body,
    ).toEqual({ readings: [] });
    expect(
      (await call('GET', `/api/articles/${record.articleId}/shares/a-li/metrics`, editorA)).status,
    ).toBe(404);
    expect((await call('GET', path, editorB)).status).toBe(404);
    expect((await call('GET', path, undefined)).status).toBe(401);
    expect(
      (await call('GET', `/api/articles/${record.articleId}/shares/A_B/metrics`, editorA)).status,
    ).toBe(400);
  });
});

describe('a site’s engagement over a period', () => {
  it('answers the caller’s only site by default, with totals, channels, sections, days and the top posts', async () => {
    const answer = await call('GET', '/api/engagement', editorA);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      siteId: 'site-a',
      to: today,
      totals: {
        posts: 1,
        likes: 7,
        reposts: 2,
        replies: 1,
        quotes: 0,
        views: null,
        clicks: null,
        engagement: 10,
      },
      channels: [{ channelId: 'a-masto', platform: 'mastodon', posts: 1, engagement: 10 }],
      sections: [{ section: 'City', posts: 1 }],
    });
    expect(answer.body.days).toHaveLength(7);
    expect(answer.body.top).toEqual([
      expect.objectContaining({
        articleId: record.articleId,
        key: 'a-masto',
        engagement: 10,
        remoteUrl: published.remoteUrl,
      }),
    ]);
  });

  it('keeps an editor to their sites: another site’s or an unknown one is 404; an admin reads any', async () => {
    expect((await call('GET', '/api/engagement?siteId=site-a', editorB)).status).toBe(404);
    expect((await call('GET', '/api/engagement/posts.csv?siteId=site-a', editorB)).status).toBe(
      404,
    );
    const empty = await call('GET', '/api/engagement', editorB);
    expect(empty.body).toMatchObject({ siteId: 'site-b', totals: { posts: 0 }, top: [] });
    expect((await call('GET', '/api/engagement?siteId=nowhere', admin)).status).toBe(404);
    const asAdmin = await call('GET', '/api/engagement?siteId=site-a', admin);
    expect(asAdmin.body).toMatchObject({ siteId: 'site-a', totals: { posts: 1 } });
    expect((await call('GET', '/api/engagement', undefined)).status).toBe(401);
  });

  it('refuses bad bounds with a 400 naming the field', async () => {
    const fields = async (query: string) => {
      const answer = await call('GET', `/api/engagement?${query}`, editorA);
      expect(answer.status).toBe(400);
      return (answer.body.fields as Array<{ field: string }>).map((f) => f.field);
    };
    expect(await fields('from=2026-01-01&to=2026-06-30')).toEqual(['to']);
    expect(await fields('from=yesterday')).toEqual(['from']);
    expect(await fields(`from=${today}&to=2020-01-01`)).toEqual(['to']);
    expect(await fields('to=2999-01-01')).toEqual(['to']);
    expect(await fields('top=500')).toEqual(['top']);
  });

  it('exports the period’s posts as CSV, a header first, a formula-like title defused', async () => {
    const response = await fetch(new URL('/api/engagement/posts.csv', stack.url), {
      headers: { authorization: `Bearer ${editorA}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="engagement-site-a-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    const lines = (await response.text()).split('\r\n');
    expect(lines[0]?.startsWith('publishedAt,channelId,platform,section,title,')).toBe(true);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`,mastodon,City,'-2+3 ways the council voted,`);
    expect(lines[1]).toContain(',7,2,1,0,,,10,');
  });
});
