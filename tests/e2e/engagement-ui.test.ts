/**
 * Engagement in the desk, in a real browser (Debian's chromium through playwright-core)
 * against the local stack: the sample article goes out on the eight sandboxes, readings
 * of its posts are stored as the metrics collector stores them (the share's latest
 * reading, the time series, the per-day figures), and the article page shows each post's
 * numbers and their growth, while the Engagement page charts the period, ranks the top
 * posts and downloads them as CSV, on a desktop and on a phone.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/local-aws';
import { DEFAULT_CHANNELS } from '../../shared/config/default-channels';
import type { Reading } from '../../shared/domain/metrics';
import type { Share } from '../../shared/domain/share';
import { DynamoEngagementStore } from '../../shared/store/engagement-store';
import { DynamoMetricsStore } from '../../shared/store/metrics-store';
import { DynamoShareStore } from '../../shared/store/share-store';
import { launchChromium, PHONE, saveScreenshot, sidewaysOverflow } from '../support/browser';
import { sendArticle } from '../support/handler-stack';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson, sampleArticle } from '../support/webhook';

const temp = mkdtempSync(join(tmpdir(), 'crier-engagement-e2e-'));
const UNREAD = 'linkedin-newsroom';
const SECOND = {
  id: 'engagement-port-strike',
  url: 'https://www.leftvoice.org/port-strike-ends-after-nine-days/',
  title: '=Port strike ends after nine days',
  section: 'Economy',
  channels: { only: ['mastodon-newsroom', 'bluesky-newsroom'] },
};

let stack: TestStack;
let desktop: BrowserContext;
let phone: BrowserContext;
let token: string;
let firstId: string;
let secondId: string;

type ApiShare = { channelId: string; status: string; metrics?: Reading | null };

async function sharesOf(articleId: string): Promise<ApiShare[]> {
  const { status, body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
  expect(status).toBe(200);
  return (body as { shares: ApiShare[] }).shares;
}

/** Three readings an hour apart, growing; Telegram's hold reactions only. */
function readingsFor(share: Share, scale: number): Reading[] {
  const out = Date.parse(
    share.history.findLast((entry) => entry.to === 'published')?.at ?? share.updatedAt,
  );
  return [1, 2, 3].map((step) => {
    const counts = {
      collectedAt: new Date(out + step * 60_000).toISOString(),
      likes: 4 * step * scale,
      reposts: share.platform === 'telegram' ? 0 : step * scale,
      replies: share.platform === 'telegram' ? 0 : step,
    };
    if (share.platform === 'telegram') return counts;
    if (share.platform === 'x') {
      return { ...counts, quotes: step, views: 120 * step * scale, clicks: 3 * step };
    }
    if (share.platform === 'linkedin' || share.platform === 'facebook') {
      return { ...counts, views: 80 * step * scale, clicks: 2 * step };
    }
    if (share.platform === 'bluesky') return { ...counts, quotes: step };
    return counts;
  });
}

/** Stores a post's readings as the collector does: the series, the figures, the share's latest. */
async function storeReadings(
  db: DynamoDBDocumentClient,
  articleId: string,
  channelId: string,
  scale: number,
  article: { title: string; section: string },
): Promise<void> {
  const shares = new DynamoShareStore(db, stack.tableName);
  const metrics = new DynamoMetricsStore(db, stack.tableName);
  const figures = new DynamoEngagementStore(db, stack.tableName);
  const share = await shares.get({ articleId, channelId });
  if (share?.status !== 'published') throw new Error(`${channelId} is not published`);
  const readings = readingsFor(share, scale);
  const publishedAt =
    share.history.findLast((entry) => entry.to === 'published')?.at ?? share.updatedAt;
  for (const [index, reading] of readings.entries()) {
    await metrics.putReading({ articleId, channelId }, reading);
    await figures.recordReading({
      siteId: 'default',
      channelId,
      platform: share.platform,
      articleId,
      title: article.title,
      section: article.section,
      url: share.url,
      ...(share.remoteUrl ? { remoteUrl: share.remoteUrl } : {}),
      publishedAt,
      reading,
      offsetIndex: index,
      final: index === readings.length - 1,
    });
  }
  const latest = readings.at(-1);
  // The share may still be changing (the CMS told of its post): read it again and retry.
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await shares.get({ articleId, channelId });
    if (current && (await shares.replace(current, { ...current, metrics: latest }))) return;
  }
  throw new Error(`${channelId}: the share kept changing`);
}

beforeAll(async () => {
  stack = await startTestStack();
  token = stack.secrets.editorToken.value;
  [desktop, phone] = await Promise.all([
    launchChromium(join(temp, 'desktop')),
    launchChromium(join(temp, 'phone'), PHONE),
  ]);
  firstId = await sendArticle(stack);
  secondId = await sendArticle(stack, SECOND);
  await vi.waitFor(
    async () => {
      const first = await sharesOf(firstId);
      const second = await sharesOf(secondId);
      expect(first.filter((s) => s.status === 'published')).toHaveLength(DEFAULT_CHANNELS.length);
      expect(second.filter((s) => s.status === 'published')).toHaveLength(2);
    },
    { timeout: 60_000, interval: 500 },
  );
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const sample = sampleArticle() as { title: string; section: string };
  for (const { id } of DEFAULT_CHANNELS) {
    if (id !== UNREAD) await storeReadings(db, firstId, id, 2, sample);
  }
  await storeReadings(db, secondId, 'mastodon-newsroom', 5, SECOND);
  await storeReadings(db, secondId, 'bluesky-newsroom', 1, SECOND);
}, 120_000);

afterAll(async () => {
  await desktop?.close();
  await phone?.close();
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${stack.url}/#token=${encodeURIComponent(token)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
}

const card = (page: Page, channelId: string) =>
  page.locator(`article.share[data-channel="${channelId}"]`);

const metricText = async (page: Page, channelId: string, key: string) =>
  (await card(page, channelId).locator(`.metric-${key} dd`).textContent())?.trim();

async function openArticle(page: Page, articleId: string): Promise<void> {
  await page.goto(`${stack.url}/#/articles/${encodeURIComponent(articleId)}`);
  await page
    .getByRole('heading', { level: 1, name: 'Trump Declares Support for Coup in Bolivia' })
    .waitFor();
  await expect.poll(() => page.locator('.share-metrics').count()).toBe(DEFAULT_CHANNELS.length);
}

describe('a post’s numbers on the article page', () => {
  it('shows each published post’s counts, what its network does not report, and the growth of its readings', async () => {
    const page = await desktop.newPage();
    await signIn(page);
    await openArticle(page, firstId);

    // Mastodon: likes, reposts, replies; no quotes, views or clicks.
    expect(await metricText(page, 'mastodon-newsroom', 'likes')).toBe('24');
    expect(await metricText(page, 'mastodon-newsroom', 'reposts')).toBe('6');
    expect(await metricText(page, 'mastodon-newsroom', 'replies')).toBe('3');
    expect(await metricText(page, 'mastodon-newsroom', 'views')).toBe('not reported');
    expect(await metricText(page, 'mastodon-newsroom', 'engagement')).toBe('33');
    // X: every count, views too.
    expect(await metricText(page, 'x-newsroom', 'views')).toBe((720).toLocaleString());
    expect(await metricText(page, 'x-newsroom', 'clicks')).toBe('9');
    // Telegram: reactions only, and the page says so.
    const telegram = card(page, 'telegram-newsroom');
    expect(await telegram.locator('.metric-likes dt').textContent()).toBe('Reactions');
    expect(await metricText(page, 'telegram-newsroom', 'likes')).toBe('24');
    for (const key of ['reposts', 'replies', 'views', 'clicks']) {
      expect(await metricText(page, 'telegram-newsroom', key)).toBe('not reported');
    }
    expect(await telegram.locator('.metrics-note').textContent()).toContain('only the reactions');
    // A post not read yet says so.
    expect(await card(page, UNREAD).locator('.metrics-none').textContent()).toContain(
      'No reading yet',
    );
    // The growth chart: a canvas and its legend, from the three readings.
    const mastodon = card(page, 'mastodon-newsroom');
    await mastodon.locator('.share-metrics canvas').waitFor();
    const legend = await mastodon.locator('.u-legend .u-label').allTextContents();
    expect(legend).toEqual(expect.arrayContaining(['Likes', 'Reposts', 'Replies']));
    await mastodon.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'engagement-article-desktop');
    await page.close();
  });

  it('fits a phone: the numbers and the chart without sideways scrolling', async () => {
    const page = await phone.newPage();
    await signIn(page);
    await openArticle(page, firstId);
    await card(page, 'mastodon-newsroom').locator('.share-metrics canvas').waitFor();
    const overflow = await sidewaysOverflow(page);
    expect(overflow.culprits).toEqual([]);
    expect(overflow.overflow).toBe(0);
    await saveScreenshot(page, 'engagement-article-phone');
    await page.close();
  });
});

describe('the Engagement page', () => {
  it('charts the period per day, channel and section, ranks the top posts, and downloads them as CSV', async () => {
    const page = await desktop.newPage();
    await signIn(page);
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('link', { name: 'Engagement' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Engagement' }).waitFor();
    await page.locator('.top-post').first().waitFor();

    // Totals: the nine read posts.
    expect((await page.locator('.total-posts dd').textContent())?.trim()).toBe('9');
    // Three charts, each a canvas with its legend.
    await expect
      .poll(() => page.locator('.engagement-block canvas').count())
      .toBeGreaterThanOrEqual(3);
    const legends = await page.locator('.engagement-block .u-legend .u-label').allTextContents();
    expect(legends).toEqual(expect.arrayContaining(['Engagement', 'Likes', 'Reposts', 'Replies']));
    // Telegram's row: no reposts counted, rather than 0.
    const telegramRow = page
      .getByRole('region', { name: 'Per channel' })
      .locator('.figures-table tbody tr', { hasText: 'telegram-newsroom' });
    expect(await telegramRow.locator('td[data-label="Reposts"]').textContent()).toBe('–');
    expect(await telegramRow.locator('td[data-label="Likes"]').textContent()).toBe('24');
    // The section table names both sections.
    const sections = await page
      .getByRole('region', { name: 'Per section' })
      .locator('.figures-table tbody th')
      .allTextContents();
    expect(sections.sort()).toEqual(['Economy', 'Latin America']);

    // The top post: the second article on Mastodon (scale 5), linking to its article.
    const top = page.locator('.top-post').first();
    expect(await top.locator('.top-title').textContent()).toBe(SECOND.title);
    expect(await top.locator('.top-title').getAttribute('href')).toBe(
      `#/articles/${encodeURIComponent(secondId)}`,
    );
    expect(await top.locator('.top-live').getAttribute('href')).toMatch(/^https?:\/\//);
    await saveScreenshot(page, 'engagement-page-desktop');

    // The CSV: a header, then one post a line; the headline that looks like a formula defused.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      /^engagement-default-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/,
    );
    const file = join(temp, 'engagement.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^publishedAt,channelId,platform,section,title,/);
    expect(lines).toHaveLength(1 + 9);
    expect(lines.filter((line) => line.includes(",'=Port strike ends"))).toHaveLength(2);

    // One channel only: its figures alone.
    await page.getByLabel('Channel', { exact: true }).selectOption('telegram-newsroom');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.locator('.total-posts dd').textContent()).toBe('1');
    expect(await page.locator('.top-post').count()).toBe(1);
    await page.close();
  });

  it('fits a phone: the period picker, the charts and the top posts without sideways scrolling', async () => {
    const page = await phone.newPage();
    await signIn(page);
    await page.goto(`${stack.url}/#/engagement`);
    await page.locator('.top-post').first().waitFor();
    await expect
      .poll(() => page.locator('.engagement-block canvas').count())
      .toBeGreaterThanOrEqual(3);
    const overflow = await sidewaysOverflow(page);
    expect(overflow.culprits).toEqual([]);
    expect(overflow.overflow).toBe(0);
    await saveScreenshot(page, 'engagement-page-phone');
    await page.close();
  });
});
