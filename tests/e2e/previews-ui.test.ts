/**
 * The article page's previews in a real browser against the local stack: the images
 * Crier stored come from the editor API with the editor's token (object URLs, never a
 * bucket link), the checker's warnings agree with what each preview draws, the networks'
 * folds are marked, the account names are the channels', a published post links to its
 * sandbox page, and a phone shows the page without sideways scrolling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CHANNELS } from '../../shared/config/default-channels';
import { foldOffset } from '../../shared/platforms/fold';
import { CARD_WARNINGS } from '../../shared/preview/card-rules';
import { launchChromium, PHONE, saveScreenshot, sidewaysOverflow } from '../support/browser';
import { channelConfigForFile, delayedDefaultChannels } from '../support/channel-config';
import { callEditorApi } from '../support/editor-api';
import { sendArticle } from '../support/handler-stack';
import { startTestStack, type TestStack } from '../support/stack';

type ApiShare = {
  key: string;
  channelId: string;
  platform: string;
  status: string;
  text: string;
  remoteId: string | null;
  remoteUrl: string | null;
  warnings: string[];
  media: { url: string }[] | null;
  card: { imageUrl?: string } | null;
  images: { card: string | null; media: (string | null)[] };
};
type ApiChannel = { id: string; platform: string; name: string | null; account: string };

const temp = mkdtempSync(join(tmpdir(), 'crier-previews-e2e-'));
let stack: TestStack;
let desktop: BrowserContext;
let phone: BrowserContext;
let token: string;
let articleId: string;
let channels: ApiChannel[];

// Every share waits 30 minutes, so the previews are looked at before anything goes out.
channelConfigForFile(delayedDefaultChannels(30));

const api = <B = Record<string, unknown>>(
  method: string,
  path: string,
  bearer: string | undefined = token,
  body?: unknown,
) => callEditorApi<B>(stack.url, { method, path, token: bearer, body });

async function apiShares(): Promise<ApiShare[]> {
  const answer = await api<{ shares: ApiShare[] }>('GET', `/api/articles/${articleId}`);
  expect(answer.status).toBe(200);
  return answer.body.shares;
}

beforeAll(async () => {
  stack = await startTestStack();
  token = stack.secrets.editorToken.value;
  [desktop, phone] = await Promise.all([
    launchChromium(join(temp, 'desktop')),
    launchChromium(join(temp, 'phone'), PHONE),
  ]);
  articleId = await sendArticle(stack);
  await vi.waitFor(async () => expect(await apiShares()).toHaveLength(DEFAULT_CHANNELS.length), {
    timeout: 60_000,
    interval: 500,
  });
  channels = (await api<{ channels: ApiChannel[] }>('GET', '/api/channels')).body.channels;
}, 120_000);

afterAll(async () => {
  await Promise.all([desktop?.close(), phone?.close()]);
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

/** The article page, signed in through the link `npm start` prints. */
async function articlePage(browser: BrowserContext): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${stack.url}/#token=${encodeURIComponent(token)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  await page.goto(`${stack.url}/#/articles/${encodeURIComponent(articleId)}`);
  await page
    .locator('article.share')
    .nth(DEFAULT_CHANNELS.length - 1)
    .waitFor();
  return page;
}

const shareCard = (page: Page, channelId: string): Locator =>
  page.locator(`article.share[data-channel="${channelId}"]`);

/** Each image of the page: its address, whether it has loaded, and the share it is in. */
async function images(page: Page) {
  return (await page.evaluate(`[...document.querySelectorAll('article.share img')].map((img) => ({
    channel: img.closest('article.share').dataset.channel,
    src: img.getAttribute('src'),
    width: img.naturalWidth,
  }))`)) as { channel: string; src: string; width: number }[];
}

describe('the stored images', () => {
  it('are served to a signed-in editor of the site, with their type, and to nobody else', async () => {
    const shares = await apiShares();
    const bluesky = shares.find((s) => s.platform === 'bluesky');
    const instagram = shares.find((s) => s.platform === 'instagram');
    expect(bluesky?.images.card).toBe(
      `/api/articles/${articleId}/shares/bluesky-newsroom/card-image`,
    );
    expect(instagram?.images.media).toEqual([
      `/api/articles/${articleId}/shares/instagram-newsroom/media/0`,
    ]);
    // the article's own image, on the publisher's site, is not one of them
    const facebook = shares.find((s) => s.platform === 'facebook');
    expect(facebook?.images).toEqual({ card: null, media: [] });

    const response = await fetch(new URL(bluesky?.images.card ?? '', stack.url), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);

    expect((await fetch(new URL(bluesky?.images.card ?? '', stack.url))).status).toBe(401);
    const base = `/api/articles/${articleId}/shares`;
    expect((await api('GET', `${base}/instagram-newsroom/media/1`)).status).toBe(404);
    expect((await api('GET', `${base}/facebook-newsroom/card-image`)).status).toBe(404);
    const bad = await api('GET', `${base}/instagram-newsroom/media/first`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.fields)).toContain('index');

    // an editor of another site is told the article is not there
    expect(
      (await api('POST', '/api/sites', token, { id: 'elsewhere', name: 'Elsewhere' })).status,
    ).toBe(201);
    const other = await api<{ token: string }>('POST', '/api/editors', token, {
      name: 'Elsewhere Desk',
      role: 'editor',
      sites: ['elsewhere'],
    });
    expect(other.status).toBe(201);
    const refused = await api('GET', bluesky?.images.card ?? '', other.body.token);
    expect(refused.status).toBe(404);
    expect(refused.text).not.toContain('crier-media');
  });
});

describe('the previews on the article page', () => {
  it('show the stored images through object URLs, and no bucket link anywhere', async () => {
    const page = await articlePage(desktop);
    const shares = await apiShares();
    const withStored = shares.filter(
      (s) => s.images.card !== null || s.images.media.some((m) => m !== null),
    );
    expect(withStored.map((s) => s.platform).sort()).toEqual([
      'bluesky',
      'instagram',
      'linkedin',
      'telegram',
    ]);
    await vi.waitFor(
      async () => {
        const shown = await images(page);
        for (const share of withStored) {
          const image = shown.find((i) => i.channel === share.channelId);
          expect(image?.src, share.channelId).toMatch(/^blob:/);
          expect(image?.width, share.channelId).toBeGreaterThan(0);
        }
      },
      { timeout: 15_000, interval: 250 },
    );
    const html = await page.content();
    for (const bucketLink of ['X-Amz-Signature', 'X-Amz-Credential', 's3://', '/crier-media/']) {
      expect(html).not.toContain(bucketLink);
    }
    for (const image of await images(page)) expect(image.src).toMatch(/^(blob:|https:)/);
    const text = await page.locator('.shares').textContent();
    expect(text).not.toMatch(/not reachable/i);
    await saveScreenshot(page, 'previews-desktop');
    await page.close();
  });

  it('warn of no missing og:image beside a card with a picture, and say what the network does', async () => {
    const page = await articlePage(desktop);
    for (const share of await apiShares()) {
      const card = shareCard(page, share.channelId);
      const warnings = (await card.locator('.warnings li').allTextContents()).join('\n');
      expect(warnings, share.channelId).not.toContain('og:image');
      expect(warnings, share.channelId).not.toContain('the card has no title');
      if (share.platform === 'telegram') {
        // a photo post: Telegram shows the image, no link preview
        expect(warnings).toContain(CARD_WARNINGS.mediaInsteadOfCard('telegram'));
        expect(await card.locator('.pv-tg-preview').count()).toBe(0);
        expect(await card.locator('img.pv-photo').count()).toBe(1);
      }
      if (share.warnings.includes(CARD_WARNINGS.pageUnread(share.platform as 'x'))) {
        // the page could not be read here: the preview says its card is a guess
        expect(await card.locator('.pv-card-note').textContent()).toContain('not checked');
      }
    }
    await page.close();
  });

  it('name each account as its channel does', async () => {
    const page = await articlePage(desktop);
    for (const channel of channels) {
      const preview = shareCard(page, channel.id).locator('figure.pv');
      const shown = await preview.textContent();
      if (['x', 'bluesky', 'mastodon', 'telegram'].includes(channel.platform)) {
        expect(shown, channel.id).toContain(channel.name ?? '');
      }
      // a Telegram channel shows its title only
      if (channel.platform !== 'telegram') {
        expect(shown, channel.id).toContain(channel.account.replace(/^@/, ''));
      }
    }
    await page.close();
  });

  it('mark where Facebook and LinkedIn fold a long post behind "See more"', async () => {
    const page = await articlePage(desktop);
    const long = [
      'Bolivia: what the coup means for the region, and why Washington backed it.',
      'Evo Morales resigned on Sunday after weeks of protests and a police mutiny, and flew to Mexico, which granted him asylum.',
      'The United States welcomed his departure within hours, in a statement that called it a significant moment for democracy in the Western Hemisphere.',
      'Governments in Venezuela and Nicaragua, the statement added, should take note.',
      'Across Latin America, the left called it a coup; the right called it a restoration; the streets of La Paz and El Alto filled with both.',
      'Here is what happened, day by day, and what comes next for the country and its neighbours.',
    ].join(' ');
    for (const channelId of ['facebook-newsroom', 'linkedin-newsroom']) {
      const card = shareCard(page, channelId);
      await card.getByLabel('Post text').fill(long);
      const fold = card.locator('.pv-fold');
      await fold.waitFor();
      const platform = channelId.startsWith('facebook') ? 'facebook' : 'linkedin';
      const at = foldOffset(platform, long);
      expect(at).toBeDefined();
      expect(await fold.getAttribute('data-fold-at')).toBe(String(at));
      expect(await card.locator('.pv-fold-more').textContent()).toContain(
        platform === 'facebook' ? 'See more' : '…more',
      );
      // what shows above the fold is the start of the text, up to the cut
      const shown = (await card.locator('.pv-text').first().textContent()) ?? '';
      expect(shown.startsWith(long.slice(0, at).trimEnd())).toBe(true);
      const box = await fold.boundingBox();
      expect(box?.height).toBeGreaterThan(0);
    }
    // a short post has no fold
    expect(await shareCard(page, 'x-newsroom').locator('.pv-fold').count()).toBe(0);
    await saveScreenshot(page, 'previews-fold-desktop');
    await page.close();
  });
});

describe('on a phone', () => {
  it('shows the article page without sideways scrolling, the images included', async () => {
    const page = await articlePage(phone);
    await vi.waitFor(
      async () => {
        const blobs = (await images(page)).filter((i) => i.src.startsWith('blob:'));
        expect(blobs.length).toBeGreaterThanOrEqual(4);
        for (const image of blobs) expect(image.width).toBeGreaterThan(0);
      },
      { timeout: 15_000, interval: 250 },
    );
    for (const history of await page.locator('details.history summary').all()) {
      await history.click();
    }
    const { overflow, culprits } = await sidewaysOverflow(page);
    expect(overflow, culprits.join(', ')).toBe(0);
    await saveScreenshot(page, 'previews-phone');
    // The whole page is too tall to judge at a glance: a few shares on their own too.
    const folder = process.env.CRIER_SCREENSHOTS;
    if (folder) {
      for (const channelId of ['x-newsroom', 'linkedin-newsroom', 'instagram-newsroom']) {
        await shareCard(page, channelId).screenshot({
          path: join(folder, `previews-phone-${channelId}.png`),
        });
      }
    }
    await page.close();
  });
});

describe('a published post', () => {
  it('links to its page in the sandbox, which shows it', async () => {
    const page = await articlePage(desktop);
    const card = shareCard(page, 'bluesky-newsroom');
    await card.getByRole('button', { name: 'Publish now' }).click();
    await card.getByRole('button', { name: 'Yes, publish now' }).click();
    const link = card.getByRole('link', { name: /^View the post on Bluesky/ });
    await link.waitFor({ timeout: 60_000 });
    const share = (await apiShares()).find((s) => s.channelId === 'bluesky-newsroom');
    expect(share?.status).toBe('published');
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toBe(
      `/sandbox/posts/bluesky/${encodeURIComponent(share?.remoteId ?? '')}?remote=${encodeURIComponent(share?.remoteUrl ?? '')}`,
    );
    expect(href).not.toContain('bsky.app/');

    const opened = await fetch(new URL(href, stack.url));
    expect(opened.status).toBe(200);
    const body = await opened.text();
    expect(body).toContain('Bluesky sandbox');
    expect(body).toContain('Trump Declares Support for Coup in Bolivia');

    const [tab] = await Promise.all([desktop.waitForEvent('page'), link.click()]);
    await tab.waitForLoadState();
    expect(await tab.getByRole('heading', { level: 1 }).textContent()).toBe('Bluesky sandbox');
    await saveScreenshot(tab, 'sandbox-post-page');
    await tab.close();

    // a post the sandboxes do not hold: a 404 that names the network's own address
    const missing = await fetch(
      new URL(
        '/sandbox/posts/x/123?remote=https%3A%2F%2Fx.com%2Fnewsroom%2Fstatus%2F123',
        stack.url,
      ),
    );
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('href="https://x.com/newsroom/status/123"');
    await page.close();
  }, 90_000);
});
