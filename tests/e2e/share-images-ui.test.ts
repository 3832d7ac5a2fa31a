/**
 * A share's image and alt text in a real browser (Debian's chromium through
 * playwright-core) against the local stack: an editor uploads a photo for the X share,
 * chooses the share card for Mastodon and no image for Bluesky, writes alt text (the
 * count turning red exactly past the network's limit), saves, and publishes now; the
 * API's `media` and the sandbox networks show what was chosen, alt text included. The
 * page is looked at on a desktop and on a phone, where nothing scrolls sideways.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CHANNELS } from '../../shared/config/default-channels';
import {
  articleShare,
  articleShares,
  sandboxPosts as postsOfSandboxes,
} from '../support/article-api';
import { launchChromium, PHONE, saveScreenshot, sidewaysOverflow } from '../support/browser';
import { channelConfigForFile, delayedDefaultChannels } from '../support/channel-config';
import { sendArticle } from '../support/handler-stack';
import { startTestStack, type TestStack } from '../support/stack';

type ApiShare = {
  channelId: string;
  status: string;
  media:
    | {
        url: string;
        alt?: string;
        width?: number;
        height?: number;
        bytes?: number;
        mimeType?: string;
      }[]
    | null;
  card: { imageUrl?: string } | null;
  edited: { image?: { source: string; upload?: string }; imageAlt?: string } | null;
};
type SandboxPost = {
  platform: string;
  remoteId: string;
  card?: { thumb?: string };
  media?: { mimeType: string; bytes: number; alt?: string }[];
};

const X_ALT = 'A red square on a white page, the photo the desk chose';
const MASTODON_ALT = 'The share card: the headline on the newsroom’s colours';
const INSTAGRAM_ALT = 'The headline in white on dark blue, over the section’s name';

const temp = mkdtempSync(join(tmpdir(), 'crier-images-e2e-'));
const photoPath = join(temp, 'desk-photo.png');
let stack: TestStack;
let desktop: BrowserContext;
let phone: BrowserContext;
let token: string;
let articleId: string;

// Every share waits 30 minutes: nothing goes out until the editor says so.
channelConfigForFile(delayedDefaultChannels(30));

beforeAll(async () => {
  stack = await startTestStack();
  token = stack.secrets.editorToken.value;
  desktop = await launchChromium(join(temp, 'desktop'));
  phone = await launchChromium(join(temp, 'phone'), PHONE);
  // The editor's own photo: a red square on white, as a PNG file on their disk.
  const square = await sharp({
    create: { width: 1200, height: 1200, channels: 3, background: '#ffffff' },
  })
    .composite([
      {
        input: await sharp({
          create: { width: 600, height: 600, channels: 3, background: '#e11d48' },
        })
          .png()
          .toBuffer(),
        left: 300,
        top: 300,
      },
    ])
    .png()
    .toBuffer();
  writeFileSync(photoPath, square);
  articleId = await sendArticle(stack, { id: 'images-ui-1' });
  await vi.waitFor(async () => expect(await apiShares()).toHaveLength(DEFAULT_CHANNELS.length), {
    timeout: 30_000,
    interval: 300,
  });
}, 90_000);

afterAll(async () => {
  await desktop?.close();
  await phone?.close();
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

const apiShares = () => articleShares<ApiShare>(stack, token, articleId);

const apiShare = (channelId: string) => articleShare<ApiShare>(stack, token, articleId, channelId);

const sandboxPosts = () => postsOfSandboxes<SandboxPost>(stack);

async function articlePage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${stack.url}/#token=${encodeURIComponent(token)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  await page.goto(`${stack.url}/#/articles/${encodeURIComponent(articleId)}`);
  await page
    .getByRole('heading', { level: 1, name: 'Trump Declares Support for Coup in Bolivia' })
    .waitFor();
  return page;
}

const shareCard = (page: Page, channelId: string): Locator =>
  page.locator(`article.share[data-channel="${channelId}"]`);
const picker = (card: Locator) => card.getByRole('group', { name: 'Image' });
const badge = (card: Locator) => card.locator('.share-head .badge');

/** The elements inside `selector` that stick out past the viewport's right edge. */
async function overflowingIn(page: Page, selector: string): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const width = document.documentElement.clientWidth;
    const found = [];
    for (const element of document.querySelectorAll(${JSON.stringify(selector)} + ', ' + ${JSON.stringify(selector)} + ' *')) {
      const box = element.getBoundingClientRect();
      if (box.width > 0 && box.right > width + 1) found.push(element.tagName.toLowerCase() + '.' + [...element.classList].join('.'));
    }
    return found;
  })()`)) as string[];
}

async function saveImage(card: Locator): Promise<void> {
  await card.getByRole('button', { name: 'Save image' }).click();
  await expect
    .poll(() => card.locator('.image-picker .ip-status').textContent())
    .toBe('Image saved.');
}

describe('choosing each share’s image and alt text', () => {
  it('uploads a photo for X, takes the card for Mastodon and none for Bluesky, and they go out so', async () => {
    const page = await articlePage(desktop);

    // X: the editor's own photo, uploaded as soon as it is picked, with alt text.
    const x = shareCard(page, 'x-newsroom');
    await picker(x).getByLabel('Upload another').check();
    await x.getByLabel(/Image file/).setInputFiles(photoPath);
    await expect
      .poll(() => x.locator('.ip-file').textContent())
      .toContain('desk-photo.png · 1200×1200');
    await x.getByLabel('Alt text').fill(X_ALT);
    await expect
      .poll(() => x.locator('.image-picker .ip-count strong').textContent())
      .toBe(String([...X_ALT].length));
    await saveImage(x);
    await saveScreenshot(page, 'images-desktop-x-uploaded');

    // Mastodon: the drawn share card.
    const mastodon = shareCard(page, 'mastodon-newsroom');
    await picker(mastodon).getByLabel('Share card').check();
    await mastodon.getByLabel('Alt text').fill(MASTODON_ALT);
    await saveImage(mastodon);
    // The preview shows the status as Mastodon would: the attached picture, no link card.
    await expect.poll(() => mastodon.locator('figure.pv img.pv-media').count()).toBe(1);

    // Bluesky: no image at all (its card goes without a thumbnail).
    const bluesky = shareCard(page, 'bluesky-newsroom');
    await picker(bluesky).getByLabel('No image').check();
    await saveImage(bluesky);

    // Instagram cannot post without an image: its "No image" is not offered.
    const instagram = shareCard(page, 'instagram-newsroom');
    expect(await picker(instagram).getByLabel('No image').isDisabled()).toBe(true);
    // The alt-text count is red exactly when the API would refuse (Instagram: 1,000).
    const alt = instagram.getByLabel('Alt text');
    const count = instagram.locator('.image-picker .ip-count');
    await alt.fill('a'.repeat(1000));
    await expect.poll(() => count.getAttribute('class')).toBe('ip-count');
    await alt.fill('a'.repeat(1001));
    await expect.poll(() => count.getAttribute('class')).toBe('ip-count ip-count-over');
    expect(
      await instagram.getByRole('button', { name: 'Save image' }).getAttribute('aria-disabled'),
    ).toBe('true');
    await saveScreenshot(page, 'images-desktop-chosen');
    // Within the limit it saves: the share card Instagram got from compose keeps, with
    // the editor's alt text.
    await alt.fill(INSTAGRAM_ALT);
    await saveImage(instagram);

    // The API's media follow the choices.
    const xShare = await apiShare('x-newsroom');
    expect(xShare.edited?.image?.source).toBe('upload');
    expect(xShare.media).toHaveLength(1);
    expect(xShare.media?.[0]).toMatchObject({ alt: X_ALT, width: 1200, height: 1200 });
    const mastodonShare = await apiShare('mastodon-newsroom');
    expect(mastodonShare.edited).toMatchObject({
      image: { source: 'card' },
      imageAlt: MASTODON_ALT,
    });
    expect(mastodonShare.media?.[0]).toMatchObject({ alt: MASTODON_ALT, width: 1200 });
    const blueskyShare = await apiShare('bluesky-newsroom');
    expect(blueskyShare.edited?.image).toEqual({ source: 'none' });
    expect(blueskyShare.card?.imageUrl).toBeUndefined();

    const instagramShare = await apiShare('instagram-newsroom');
    expect(instagramShare.edited).toEqual({ imageAlt: INSTAGRAM_ALT });
    expect(instagramShare.media?.[0]).toMatchObject({ alt: INSTAGRAM_ALT, width: 1080 });

    // Publish the four now; the sandbox networks receive what was chosen.
    const chosen = ['x-newsroom', 'mastodon-newsroom', 'bluesky-newsroom', 'instagram-newsroom'];
    for (const channelId of chosen) {
      const card = shareCard(page, channelId);
      await card.getByRole('button', { name: 'Publish now' }).click();
      await card.getByRole('button', { name: 'Yes, publish now' }).click();
      await expect.poll(() => badge(card).textContent()).not.toBe('Scheduled');
    }
    await vi.waitFor(
      async () => {
        for (const channelId of chosen)
          expect((await apiShare(channelId)).status).toBe('published');
      },
      { timeout: 120_000, interval: 1000 },
    );
    const posts = await sandboxPosts();
    const remote = async (channelId: string) => {
      const { remoteId } = (await apiShare(channelId)) as ApiShare & { remoteId: string };
      return posts.find((p) => p.remoteId === remoteId);
    };
    const xPost = await remote('x-newsroom');
    expect(xPost?.platform).toBe('x');
    expect(xPost?.media).toEqual([
      {
        mimeType: xShare.media?.[0]?.mimeType,
        bytes: xShare.media?.[0]?.bytes ?? -1,
        alt: X_ALT,
      },
    ]);
    const mastodonPost = await remote('mastodon-newsroom');
    expect(mastodonPost?.media).toHaveLength(1);
    expect(mastodonPost?.media?.[0]?.alt).toBe(MASTODON_ALT);
    const blueskyPost = await remote('bluesky-newsroom');
    expect(blueskyPost?.platform).toBe('bluesky');
    expect(blueskyPost?.media ?? []).toEqual([]);
    expect(blueskyPost?.card?.thumb).toBeUndefined();
    // Instagram's container carried the alt text (`alt_text`).
    const instagramPost = await remote('instagram-newsroom');
    expect(instagramPost?.media).toHaveLength(1);
    expect(instagramPost?.media?.[0]?.alt).toBe(INSTAGRAM_ALT);
    await page.reload();
    await page.locator('article.share').first().waitFor();
    await saveScreenshot(page, 'images-desktop-published');
    await page.close();
  }, 240_000);

  it('is usable on a phone: the picker fits 390 px without sideways scrolling', async () => {
    const page = await articlePage(phone);
    const telegram = shareCard(page, 'telegram-newsroom');
    await picker(telegram).getByLabel('Upload another').check();
    await telegram.getByLabel(/Image file/).setInputFiles(photoPath);
    await expect.poll(() => telegram.locator('.ip-file').textContent()).toContain('1200×1200');
    await telegram.getByLabel('Alt text').fill('A red square');
    await saveImage(telegram);
    await telegram.scrollIntoViewIfNeeded();
    // Nothing of the share, the picker included, is wider than the phone.
    expect(await overflowingIn(page, 'article.share')).toEqual([]);
    // Nor does the page: nothing scrolls sideways.
    expect(await sidewaysOverflow(page)).toEqual({ overflow: 0, culprits: [] });
    await saveScreenshot(page, 'images-phone');
    expect((await apiShare('telegram-newsroom')).media?.[0]?.alt).toBe('A red square');
    await page.close();
  }, 120_000);
});
