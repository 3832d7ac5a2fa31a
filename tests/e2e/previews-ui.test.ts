import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { DEFAULT_CHANNELS } from '../../shared/config/default-channels';
import { launchChromium, saveScreenshot } from '../support/browser';
import { channelConfigForFile, delayedDefaultChannels } from '../support/channel-config';
import { sendArticle } from '../support/handler-stack';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson } from '../support/webhook';

const temp = mkdtempSync(join(tmpdir(), 'crier-pv-e2e-'));
let stack: TestStack;
let browser: BrowserContext;
let token: string;
let articleId: string;
channelConfigForFile(delayedDefaultChannels(30));

beforeAll(async () => {
  stack = await startTestStack();
  token = stack.secrets.editorToken.value;
  browser = await launchChromium(temp);
  articleId = await sendArticle(stack);
  await vi.waitFor(async () => {
    const { body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
    expect((body as { shares: unknown[] }).shares).toHaveLength(DEFAULT_CHANNELS.length);
  }, { timeout: 60_000, interval: 500 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

it('explores', async () => {
  const { body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
  writeFileSync('/tmp/explore/article.json', JSON.stringify(body, null, 2));
  const ch = await getJson(stack.url, `/api/channels`, token);
  writeFileSync('/tmp/explore/channels.json', JSON.stringify(ch.body, null, 2));
  const page = await browser.newPage();
  page.on('console', (m) => console.log('console', m.text()));
  page.on('requestfailed', (r) => console.log('failed', r.url(), r.failure()?.errorText));
  await page.goto(`${stack.url}/#token=${encodeURIComponent(token)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  await page.goto(`${stack.url}/#/articles/${encodeURIComponent(articleId)}`);
  await page.locator('article.share').first().waitFor();
  await page.waitForTimeout(3000);
  process.env.CRIER_SCREENSHOTS = '/tmp/explore';
  await saveScreenshot(page, 'article-desktop');
  const imgs = await page.evaluate(`[...document.querySelectorAll('img')].map(i => [i.src, i.naturalWidth])`);
  console.log(JSON.stringify(imgs, null, 1));
  console.log(stack.url);
});
