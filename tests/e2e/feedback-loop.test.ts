/**
 * The feedback loop as a newsroom runs it locally, with CRIER_METRICS_AFTER=5s,20s: the
 * sample article goes out on the eight sandboxes, the metrics collector reads every post's
 * counts back from its network at both ages through the real clients (Telegram's as
 * reactions only), the editor API shows the latest reading on each share and the whole
 * series under `…/metrics`, the desk's period figures count the eight posts, and the
 * article page in a real browser shows each post's numbers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Reading } from '../../shared/domain/metrics';
import { launchChromium, PHONE, saveScreenshot, sidewaysOverflow } from '../support/browser';
import { CHANNEL_COUNT, DEFAULT_CHANNELS } from '../support/channels';
import { sendArticle } from '../support/handler-stack';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson } from '../support/webhook';

type ApiShare = {
  channelId: string;
  platform: string;
  status: string;
  metrics?: Reading | null;
  metricsSkipped?: string;
};

const temp = mkdtempSync(join(tmpdir(), 'crier-feedback-loop-'));
let stack: TestStack;
let token: string;
let desktop: BrowserContext;
let phone: BrowserContext;
let articleId: string;

async function shares(): Promise<ApiShare[]> {
  const { status, body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
  expect(status).toBe(200);
  return (body as { shares: ApiShare[] }).shares;
}

async function readingsOf(channelId: string): Promise<Reading[]> {
  const { status, body } = await getJson(
    stack.url,
    `/api/articles/${articleId}/shares/${channelId}/metrics`,
    token,
  );
  expect(status).toBe(200);
  return (body as { readings: Reading[] }).readings;
}

beforeAll(async () => {
  stack = await startTestStack({ metricsAfter: '5s,20s' });
  token = stack.secrets.editorToken.value;
  [desktop, phone] = await Promise.all([
    launchChromium(join(temp, 'desktop')),
    launchChromium(join(temp, 'phone'), PHONE),
  ]);
  articleId = await sendArticle(stack);
  await vi.waitFor(
    async () =>
      expect((await shares()).map((s) => s.status)).toEqual(
        DEFAULT_CHANNELS.map(() => 'published'),
      ),
    { timeout: 60_000, interval: 250 },
  );
}, 120_000);

afterAll(async () => {
  await desktop?.close();
  await phone?.close();
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

describe('engagement read back on the local stack', () => {
  it('shows every post’s counts within a minute of publication', async () => {
    const published = Date.now();
    const read = await vi.waitFor(
      async () => {
        const all = await shares();
        for (const share of all) expect(share.metrics, share.channelId).toBeTruthy();
        return all;
      },
      { timeout: 60_000, interval: 500 },
    );
    expect(Date.now() - published).toBeLessThan(60_000);
    expect(read).toHaveLength(CHANNEL_COUNT);
    for (const share of read) {
      expect(share.metricsSkipped, share.channelId).toBeUndefined();
      const reading = share.metrics as Reading;
      expect(reading.likes, share.channelId).toBeGreaterThanOrEqual(0);
      expect(reading.reposts, share.channelId).toBeGreaterThanOrEqual(0);
      expect(reading.replies, share.channelId).toBeGreaterThanOrEqual(0);
    }
    const by = (platform: string) => read.find((s) => s.platform === platform)?.metrics as Reading;
    // What each network reports: views on X, Threads, Facebook; none on Bluesky or Mastodon.
    expect(by('x').views).toBeGreaterThan(0);
    expect(by('threads').views).toBeGreaterThan(0);
    expect(by('bluesky')).not.toHaveProperty('views');
    expect(by('mastodon')).not.toHaveProperty('views');
    // Telegram: reactions (as likes) and nothing else the network does not give.
    const telegram = by('telegram');
    expect(telegram).not.toHaveProperty('views');
    expect(telegram).not.toHaveProperty('clicks');
    expect(telegram).not.toHaveProperty('quotes');
    expect(telegram.reposts).toBe(0);
    expect(telegram.replies).toBe(0);
  }, 90_000);

  it('keeps both readings of each post, oldest first, the counts never falling', async () => {
    await vi.waitFor(
      async () => {
        for (const { id } of DEFAULT_CHANNELS) expect(await readingsOf(id), id).toHaveLength(2);
      },
      { timeout: 60_000, interval: 1_000 },
    );
    let grew = 0;
    for (const { id } of DEFAULT_CHANNELS) {
      const [first, second] = (await readingsOf(id)) as [Reading, Reading];
      expect(Date.parse(first.collectedAt)).toBeLessThan(Date.parse(second.collectedAt));
      // The audience keeps coming: the later reading holds at least as much of everything.
      for (const key of ['likes', 'reposts', 'replies', 'views'] as const) {
        expect(second[key] ?? 0, `${id} ${key}`).toBeGreaterThanOrEqual(first[key] ?? 0);
      }
      if ((second.views ?? second.likes) > (first.views ?? first.likes)) grew += 1;
      // The share carries the latest.
      const share = (await shares()).find((s) => s.channelId === id);
      expect(share?.metrics).toEqual(second);
    }
    expect(grew).toBeGreaterThan(0);
  }, 90_000);

  it('counts the eight posts in the desk’s figures for the day', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const { status, body } = await getJson(
      stack.url,
      `/api/engagement?from=${today}&to=${today}`,
      token,
    );
    expect(status).toBe(200);
    const figures = body as { channels: { channelId: string; posts: number }[] };
    expect(figures.channels.map((c) => c.channelId).sort()).toEqual(
      DEFAULT_CHANNELS.map((c) => c.id).sort(),
    );
    for (const channel of figures.channels) expect(channel.posts, channel.channelId).toBe(1);
  });

  it('shows each post’s numbers on the article page, on a desktop and on a phone', async () => {
    for (const [context, name] of [
      [desktop, 'desktop'],
      [phone, 'phone'],
    ] as const) {
      const page = await context.newPage();
      await page.goto(`${stack.url}/#token=${encodeURIComponent(token)}`);
      await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
      await page.goto(`${stack.url}/#/articles/${encodeURIComponent(articleId)}`);
      await expect
        .poll(() => page.locator('.share-metrics .metrics-counts').count(), { timeout: 15_000 })
        .toBe(CHANNEL_COUNT);
      expect(await page.locator('.share-metrics .metrics-none').count()).toBe(0);
      const telegram = page.locator('article.share[data-channel="telegram-newsroom"]');
      expect(await telegram.locator('.metrics-note').textContent()).toContain('reactions');
      if (name === 'phone') expect((await sidewaysOverflow(page)).overflow).toBe(0);
      await saveScreenshot(page, `feedback-loop-article-${name}`);
      await page.close();
    }
  }, 60_000);
});
