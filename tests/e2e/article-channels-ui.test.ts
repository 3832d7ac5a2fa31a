/**
 * The article page's channel choice in a real browser (Debian's chromium through
 * playwright-core) against the local stack: an editor drops the article from one
 * channel, adds it to one it skipped and adds the dropped one back, and the shares on
 * the page and in the API follow.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CHANNELS } from '../../shared/config/default-channels';
import { launchChromium } from '../support/browser';
import { channelConfigForFile, delayedDefaultChannels } from '../support/channel-config';
import { sendArticle } from '../support/handler-stack';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson } from '../support/webhook';

type ApiDetail = {
  article: { channelOverrides: { added: string[]; dropped: string[] } };
  shares: { channelId: string; status: string; history: { by: string; reason?: string }[] }[];
};

const SKIPPED = 'telegram-newsroom';
const DROPPED = 'x-newsroom';

const temp = mkdtempSync(join(tmpdir(), 'crier-channels-e2e-'));
let stack: TestStack;
let browser: BrowserContext;
let token: string;
let articleId: string;

// Every share waits 30 minutes: nothing goes out while the editor chooses.
channelConfigForFile(delayedDefaultChannels(30));

beforeAll(async () => {
  stack = await startTestStack();
  token = stack.secrets.editorToken.value;
  browser = await launchChromium(temp);
  // The CMS leaves Telegram out of this article.
  articleId = await sendArticle(stack, { channels: { skip: [SKIPPED] } });
  await vi.waitFor(
    async () => expect((await detail()).shares).toHaveLength(DEFAULT_CHANNELS.length - 1),
    { timeout: 30_000, interval: 300 },
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

async function detail(): Promise<ApiDetail> {
  const { status, body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
  expect(status).toBe(200);
  return body as ApiDetail;
}

const statusOf = async (channelId: string) =>
  (await detail()).shares.find((s) => s.channelId === channelId)?.status;

const shareCard = (page: Page, channelId: string): Locator =>
  page.locator(`article.share[data-channel="${channelId}"]`);

const badge = (card: Locator) => card.locator('.share-head .badge');

/** The choices of the "Add a channel" list, by channel id. */
const addable = (page: Page) =>
  page.locator('#add-channel-choice option').evaluateAll((options) =>
    options
      .map((o) => o.getAttribute('value') ?? '')
      .filter((value) => value !== '')
      .sort(),
  );

async function addChannel(page: Page, channelId: string): Promise<void> {
  const section = page.getByRole('region', { name: 'Add a channel' });
  await section.getByLabel('Channel').selectOption(channelId);
  await section.getByRole('button', { name: 'Add to this article' }).click();
}

describe('adding and dropping channels on the article page', () => {
  it('drops one channel, adds the skipped one, adds the dropped one back, and the shares follow', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.url}/#token=${encodeURIComponent(token)}`);
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    await page.goto(`${stack.url}/#/articles/${encodeURIComponent(articleId)}`);
    await page
      .getByRole('heading', { level: 1, name: 'Trump Declares Support for Coup in Bolivia' })
      .waitFor();
    await expect
      .poll(() => page.locator('article.share').count())
      .toBe(DEFAULT_CHANNELS.length - 1);
    // Only the channel the CMS skipped can be added.
    await expect.poll(() => addable(page)).toEqual([SKIPPED]);

    // Drop X: asked once more, then its share is cancelled, naming the editor.
    const x = shareCard(page, DROPPED);
    await x.getByRole('button', { name: 'Drop from this channel' }).click();
    await x.getByRole('button', { name: 'Yes, drop it' }).click();
    await expect.poll(() => badge(x).textContent()).toBe('Cancelled');
    await expect.poll(() => x.getByRole('status').textContent()).toContain('Dropped from');
    expect(await statusOf(DROPPED)).toBe('cancelled');
    // A cancelled share offers no drop; its channel can be added back.
    expect(await x.getByRole('button', { name: 'Drop from this channel' }).count()).toBe(0);
    await expect.poll(() => addable(page)).toEqual([SKIPPED, DROPPED].sort());

    // Add Telegram, which the CMS skipped: a new share on the page.
    await addChannel(page, SKIPPED);
    const telegram = shareCard(page, SKIPPED);
    await expect.poll(() => badge(telegram).textContent()).toBe('Scheduled');
    await expect
      .poll(() =>
        page.getByRole('region', { name: 'Add a channel' }).getByRole('status').textContent(),
      )
      .toContain('added: its post is composed');
    expect(await telegram.getByLabel('Post text').inputValue()).toContain(
      'Trump Declares Support for Coup in Bolivia',
    );

    // Add X back: its cancelled share is composed again.
    await addChannel(page, DROPPED);
    await expect.poll(() => badge(x).textContent()).toBe('Scheduled');
    await expect.poll(() => addable(page)).toEqual([]);
    expect(await page.locator('article.share').count()).toBe(DEFAULT_CHANNELS.length);

    const after = await detail();
    expect(after.article.channelOverrides).toEqual({ added: [SKIPPED, DROPPED], dropped: [] });
    expect(after.shares.every((s) => s.status === 'scheduled')).toBe(true);
    const revived = after.shares.find((s) => s.channelId === DROPPED);
    expect(revived?.history.map((h) => h.reason)).toEqual(
      expect.arrayContaining([
        'dropped from this article by editor',
        expect.stringMatching(/^added back to this article by editor/),
      ]),
    );
    await page.screenshot({ path: '/tmp/ui-article-channels.png', fullPage: true });
    await page.close();
  }, 45_000);
});
