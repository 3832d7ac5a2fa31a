/**
 * The counter beside a share's text in a real browser agrees with the API to the
 * character: a Bluesky text with a long UTM URL counts as the label the post will show,
 * and a text with spaces around it counts as trimmed; once saved, the API's `length.used`
 * is the number the page showed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CHANNELS } from '../../shared/config/default-channels';
import { articleShare, articleShares } from '../support/article-api';
import { appLinkLabel } from '../support/bluesky-label';
import { launchChromium, PHONE, saveScreenshot, sidewaysOverflow } from '../support/browser';
import { channelConfigForFile, delayedDefaultChannels } from '../support/channel-config';
import { sendArticle } from '../support/handler-stack';
import { startTestStack, type TestStack } from '../support/stack';

type Facet = {
  index: { byteStart: number; byteEnd: number };
  features: { $type: string; uri?: string }[];
};
type ApiShare = {
  channelId: string;
  text: string;
  url: string;
  facets: Facet[] | null;
  length: { used: number; limit: number; unit: string } | null;
};

const temp = mkdtempSync(join(tmpdir(), 'crier-counter-e2e-'));
let stack: TestStack;
let desktop: BrowserContext;
let phone: BrowserContext;
let token: string;
let articleId: string;

// Every share waits 30 minutes: nothing goes out while the editor types.
channelConfigForFile(delayedDefaultChannels(30));

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (text: string) => [...segmenter.segment(text)].length;

beforeAll(async () => {
  stack = await startTestStack();
  token = stack.secrets.editorToken.value;
  desktop = await launchChromium(join(temp, 'desktop'));
  phone = await launchChromium(join(temp, 'phone'), PHONE);
  articleId = await sendArticle(stack);
  await vi.waitFor(async () => expect(await apiShares()).toHaveLength(DEFAULT_CHANNELS.length), {
    timeout: 60_000,
    interval: 500,
  });
}, 120_000);

afterAll(async () => {
  await desktop?.close();
  await phone?.close();
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

const apiShares = () => articleShares<ApiShare>(stack, token, articleId);

const apiShare = (channelId: string) => articleShare<ApiShare>(stack, token, articleId, channelId);

async function articlePage(browser: BrowserContext): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${stack.url}/#token=${encodeURIComponent(token)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  await page.goto(`${stack.url}/#/articles/${encodeURIComponent(articleId)}`);
  await shareCard(page, 'bluesky-newsroom').waitFor();
  return page;
}

const shareCard = (page: Page, channelId: string): Locator =>
  page.locator(`article.share[data-channel="${channelId}"]`);

/** The number the counter shows, as the editor reads it. */
async function shownCount(card: Locator): Promise<number> {
  const text = (await card.locator('.count strong').textContent()) ?? '';
  return Number(text.replace(/[^\d]/g, ''));
}

/** The text of each link facet's byte range, and where it leads. */
function linkedLabels(share: ApiShare): { label: string; uri: string | undefined }[] {
  const bytes = Buffer.from(share.text);
  return (share.facets ?? [])
    .filter((f) => f.features.some((x) => x.$type === 'app.bsky.richtext.facet#link'))
    .map((f) => ({
      label: bytes.subarray(f.index.byteStart, f.index.byteEnd).toString(),
      uri: f.features[0]?.uri,
    }));
}

async function save(card: Locator): Promise<void> {
  await card.getByRole('button', { name: 'Save changes' }).click();
  await expect.poll(() => card.getByRole('status').textContent()).toContain('Saved.');
}

describe('the counter beside a share’s text', () => {
  it('counts a Bluesky URL as its label, and the API keeps and counts the same text', async () => {
    const page = await articlePage(desktop);
    const card = shareCard(page, 'bluesky-newsroom');
    const composed = await apiShare('bluesky-newsroom');
    // As composed: the text shows the label, its facet leads to the URL with its UTM.
    const composedLabel = appLinkLabel(composed.url);
    expect(composed.url).toContain('utm_source=');
    expect(composed.text).toContain(`\n\n${composedLabel}\n\n#`);
    expect(composed.text).not.toContain('https://');
    expect(linkedLabels(composed)).toEqual([{ label: composedLabel, uri: composed.url }]);
    expect(await shownCount(card)).toBe(composed.length?.used);
    await saveScreenshot(page, 'counter-bluesky-composed');

    const url =
      'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/?utm_source=bluesky&utm_medium=social&utm_campaign=crier-latin-america-desk';
    const typed = `Bolivia: Trump backs the coup — 東京 🇧🇴 e\u0301 ${url}`;
    const kept = `Bolivia: Trump backs the coup — 東京 🇧🇴 e\u0301 ${appLinkLabel(url)}`.normalize(
      'NFC',
    );
    await card.getByLabel('Post text').fill(typed);
    await expect.poll(() => shownCount(card)).toBe(graphemes(kept));
    // The full URL alone is longer than the count shown for the whole text.
    expect(graphemes(url)).toBeGreaterThan(await shownCount(card));
    await saveScreenshot(page, 'counter-bluesky-typed');

    await save(card);
    const saved = await apiShare('bluesky-newsroom');
    expect(saved.length?.used).toBe(await shownCount(card));
    expect(saved.text).toBe(kept);
    expect(linkedLabels(saved)).toEqual([{ label: appLinkLabel(url), uri: url }]);
    // The page shows the text the server kept, and counts it the same; its preview links
    // the label to the full URL, as the post will.
    await expect.poll(() => card.getByLabel('Post text').inputValue()).toBe(kept);
    expect(await shownCount(card)).toBe(saved.length?.used);
    const link = card.locator('.pv-text a.pv-link');
    expect(await link.textContent()).toBe(appLinkLabel(url));
    expect(await link.getAttribute('href')).toBe(url);
    await saveScreenshot(page, 'counter-bluesky-saved');
    await page.close();
  });

  it('counts a text with spaces around it as trimmed, as the API keeps it', async () => {
    const page = await articlePage(desktop);
    const card = shareCard(page, 'mastodon-newsroom');
    await card.getByLabel('Post text').fill('   Hands off Bolivia 🇧🇴  \n\n ');
    await expect.poll(() => shownCount(card)).toBe(graphemes('Hands off Bolivia 🇧🇴'));
    await saveScreenshot(page, 'counter-trimmed-typed');
    await save(card);
    const saved = await apiShare('mastodon-newsroom');
    expect(saved.text).toBe('Hands off Bolivia 🇧🇴');
    expect(saved.length?.used).toBe(await shownCount(card));
    await page.close();
  });

  it('fits a phone: the Bluesky card, its text and counter within the screen', async () => {
    const page = await articlePage(phone);
    const card = shareCard(page, 'bluesky-newsroom');
    const saved = await apiShare('bluesky-newsroom');
    expect(await shownCount(card)).toBe(saved.length?.used);
    await card.scrollIntoViewIfNeeded();
    // Nothing sticks out sideways, the share's card nor the page.
    expect(await sidewaysOverflow(page)).toEqual({ overflow: 0, culprits: [] });
    for (const part of [card, card.getByLabel('Post text'), card.locator('.count')]) {
      const box = await part.boundingBox();
      expect(box && box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    }
    await saveScreenshot(page, 'counter-bluesky-phone');
    await page.close();
  });
});
