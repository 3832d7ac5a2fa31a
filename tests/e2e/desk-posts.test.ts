/**
 * A post of the desk's own in a real browser (Debian's chromium through playwright-core)
 * against the local stack: an editor writes it on the New post page for three channels
 * (one needing approval), sees a channel's count go red over its limit, finds the post on
 * its article page, approves the draft and publishes each share now; the sandboxes
 * receive each post exactly once and the CMS's syndication endpoint hears nothing of it,
 * while an article published beside it is announced there. The page is also checked on a
 * phone's width.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium, PHONE, saveScreenshot, sidewaysOverflow } from '../support/browser';
import { sendArticle } from '../support/handler-stack';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson } from '../support/webhook';

type Share = {
  channelId: string;
  platform: string;
  status: string;
  text: string;
  remoteId: string | null;
  syndicatedAt: string | null;
};
type SandboxPost = { platform: string; remoteId: string; text: string };

const CHANNELS = [
  { id: 'mastodon-desk', platform: 'mastodon', account: '@desk@mastodon.example' },
  { id: 'bluesky-desk', platform: 'bluesky', account: 'desk.bsky.social' },
  { id: 'telegram-desk', platform: 'telegram', account: '@desk', approval: 'required' },
  { id: 'x-desk', platform: 'x', account: 'desk' },
  { id: 'linkedin-desk', platform: 'linkedin', account: 'urn:li:organization:2414183' },
  { id: 'facebook-desk', platform: 'facebook', account: 'desknews' },
  { id: 'threads-desk', platform: 'threads', account: 'desknews' },
].map((channel) => ({
  ...channel,
  template: '{title} {url}',
  // Nothing goes out on its own while the test looks.
  schedule: { type: 'delay', minutes: 30 },
}));
const CHOSEN = ['mastodon-desk', 'bluesky-desk', 'telegram-desk'];
const TEXT = 'Polls close at 8pm tonight.\nFollow the count live with our reporters.';

const temp = mkdtempSync(join(tmpdir(), 'crier-desk-e2e-'));
const saved: Record<string, string | undefined> = {};
let stack: TestStack;
let browser: BrowserContext;
let phone: BrowserContext;
let token: string;
let cms: Server;
const heard: { path: string; body: string }[] = [];

beforeAll(async () => {
  // The CMS's syndication endpoint: it records whatever it is told.
  cms = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.from(chunk));
    heard.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString() });
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => cms.listen(0, '127.0.0.1', resolve));
  const cmsUrl = `http://127.0.0.1:${(cms.address() as AddressInfo).port}/hooks/crier`;
  const file = join(temp, 'channels.json');
  writeFileSync(
    file,
    JSON.stringify({
      site: { name: 'Desk News', url: 'https://news.example.org' },
      channels: CHANNELS,
      syndication: { url: cmsUrl, timeoutSeconds: 2 },
    }),
  );
  saved.CRIER_CONFIG = process.env.CRIER_CONFIG;
  process.env.CRIER_CONFIG = file;
  stack = await startTestStack();
  token = stack.secrets.editorToken.value;
  browser = await launchChromium(join(temp, 'desktop'));
  phone = await launchChromium(join(temp, 'phone'), PHONE);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await phone?.close();
  await stack?.dispose();
  cms?.closeAllConnections();
  await new Promise((resolve) => cms?.close(resolve));
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(temp, { recursive: true, force: true });
});

async function sharesOf(articleId: string): Promise<Share[]> {
  const { status, body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
  expect(status).toBe(200);
  return (body as { shares: Share[] }).shares;
}

async function sandboxPosts(): Promise<SandboxPost[]> {
  return (await (await fetch(new URL('/sandbox/posts', stack.url))).json()) as SandboxPost[];
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${stack.url}/#token=${encodeURIComponent(token)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
}

const shareCard = (page: Page, channelId: string): Locator =>
  page.locator(`article.share[data-channel="${channelId}"]`);

/** Clicks the share's action, and its confirmation where it asks for one. */
async function act(card: Locator, label: string): Promise<void> {
  await card.getByRole('button', { name: label, exact: true }).click();
  const yes = card.getByRole('button', { name: `Yes, ${label.toLowerCase()}` });
  if (label === 'Publish now') await yes.click();
}

describe('a post of the desk’s own', () => {
  let articleId: string;

  it('is written once on the New post page, with a live count per chosen channel', async () => {
    const page = await browser.newPage();
    await signIn(page);
    await page.getByRole('link', { name: 'New post' }).click();
    await page.getByRole('heading', { level: 1, name: 'New post' }).waitFor();

    // Too long for Bluesky's 300: its count goes red, the others stay within theirs.
    await page.getByLabel('Text', { exact: true }).fill('word '.repeat(70).trim());
    for (const id of CHOSEN) await page.locator(`input[value="${id}"]`).check();
    const count = (id: string) => page.locator(`p.count[data-channel="${id}"]`);
    await expect.poll(() => count('bluesky-desk').getAttribute('class')).toBe('count count-over');
    expect(await count('bluesky-desk').textContent()).toMatch(/^349 \/ 300 characters/);
    expect(await count('mastodon-desk').getAttribute('class')).toBe('count');
    await saveScreenshot(page, 'desk-post-over-limit');

    // The server says the same, beside the channel it names, and writes nothing.
    await page.getByRole('button', { name: 'Create post' }).click();
    const refusal = page.locator('[data-error-for="bluesky-desk"]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/^bluesky-desk: text is 349 characters/);
    await saveScreenshot(page, 'desk-post-refused');
    const listed = await getJson(stack.url, '/api/articles', token);
    expect((listed.body as { articles: unknown[] }).articles).toEqual([]);

    // Within every limit, it is created and its page opens.
    await page.getByLabel('Text', { exact: true }).fill(TEXT);
    await expect.poll(() => count('bluesky-desk').getAttribute('class')).toBe('count');
    expect(await count('bluesky-desk').textContent()).toMatch(
      new RegExp(`^${[...TEXT].length} / 300 characters`),
    );
    await saveScreenshot(page, 'desk-post-form');
    await page.getByRole('button', { name: 'Create post' }).click();
    await page.waitForURL(/#\/articles\/desk-[0-9a-f]{32}$/);
    articleId = decodeURIComponent(page.url().split('#/articles/')[1] ?? '');

    await page.getByRole('heading', { level: 1, name: 'Polls close at 8pm tonight.' }).waitFor();
    expect(await page.locator('.desk-label').textContent()).toBe('Desk post');
    // No article URL of its own, and no channel to add to it.
    expect(await page.locator('.article-meta a').count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Add a channel' }).count()).toBe(0);
    await expect.poll(() => page.locator('article.share').count()).toBe(3);
    await saveScreenshot(page, 'desk-post-article');
    const shares = await sharesOf(articleId);
    expect(Object.fromEntries(shares.map((s) => [s.channelId, s.status]))).toEqual({
      'mastodon-desk': 'scheduled',
      'bluesky-desk': 'scheduled',
      'telegram-desk': 'draft',
    });
    expect(shares.every((s) => s.text === TEXT)).toBe(true);
    await page.close();
  }, 60_000);

  it('is approved and published now, each post once, and never announced to the CMS', async () => {
    const page = await browser.newPage();
    await signIn(page);
    await page.goto(`${stack.url}/#/articles/${encodeURIComponent(articleId)}`);
    await page.getByRole('heading', { level: 1, name: 'Polls close at 8pm tonight.' }).waitFor();

    const telegram = shareCard(page, 'telegram-desk');
    await act(telegram, 'Approve');
    await expect.poll(() => telegram.locator('.share-head .badge').textContent()).toBe('Scheduled');
    for (const id of CHOSEN) await act(shareCard(page, id), 'Publish now');
    await vi.waitFor(
      async () => {
        const statuses = (await sharesOf(articleId)).map((s) => s.status);
        expect(statuses).toEqual(['published', 'published', 'published']);
      },
      { timeout: 40_000, interval: 300 },
    );
    await expect
      .poll(() => shareCard(page, 'bluesky-desk').locator('.share-head .badge').textContent(), {
        timeout: 10_000,
      })
      .toBe('Published');
    await saveScreenshot(page, 'desk-post-published');

    // An article published beside it is announced: the endpoint does hear Crier.
    const other = await sendArticle(stack, { id: 'desk-e2e-neighbour' });
    await vi.waitFor(async () => expect(await sharesOf(other)).toHaveLength(CHANNELS.length), {
      timeout: 30_000,
      interval: 300,
    });
    const publish = await fetch(
      new URL(`/api/articles/${other}/shares/mastodon-desk/publish-now`, stack.url),
      { method: 'POST', headers: { authorization: `Bearer ${token}` } },
    );
    expect(publish.status).toBe(200);
    await vi.waitFor(() => expect(heard.some((h) => h.body.includes(other))).toBe(true), {
      timeout: 30_000,
      interval: 300,
    });

    const shares = await sharesOf(articleId);
    const posts = await sandboxPosts();
    for (const share of shares) {
      const sent = posts.filter(
        (p) => p.platform === share.platform && p.remoteId === share.remoteId,
      );
      expect(sent, share.channelId).toHaveLength(1);
      expect(sent[0]?.text, share.channelId).toBe(TEXT);
      expect(share.syndicatedAt, share.channelId).toBeNull();
    }
    expect(posts.filter((p) => p.text === TEXT)).toHaveLength(3);
    expect(heard.filter((h) => h.body.includes(articleId))).toEqual([]);
    await page.close();
  }, 90_000);

  it('goes out without a link on the networks that post a link by default', async () => {
    const channels = ['linkedin-desk', 'facebook-desk', 'threads-desk'];
    const created = await fetch(new URL('/api/posts', stack.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Doors open at noon for the town hall.', channels }),
    });
    expect(created.status).toBe(201);
    const { articleId: id } = (await created.json()) as { articleId: string };
    for (const channel of channels) {
      const answer = await fetch(
        new URL(`/api/articles/${id}/shares/${channel}/publish-now`, stack.url),
        { method: 'POST', headers: { authorization: `Bearer ${token}` } },
      );
      expect(answer.status, channel).toBe(200);
    }
    await vi.waitFor(
      async () =>
        expect((await sharesOf(id)).map((s) => s.status)).toEqual([
          'published',
          'published',
          'published',
        ]),
      { timeout: 40_000, interval: 300 },
    );
    const posts = await sandboxPosts();
    for (const share of await sharesOf(id)) {
      const sent = posts.filter(
        (p) => p.platform === share.platform && p.remoteId === share.remoteId,
      );
      expect(
        sent.map((p) => p.text),
        share.channelId,
      ).toEqual(['Doors open at noon for the town hall.']);
    }
  }, 60_000);

  it('fits a phone: the New post page and the post’s page scroll nothing sideways', async () => {
    const page = await phone.newPage();
    await signIn(page);
    await page.goto(`${stack.url}/#/posts/new`);
    await page.getByRole('heading', { level: 1, name: 'New post' }).waitFor();
    await page.getByLabel('Text', { exact: true }).fill(TEXT);
    for (const id of CHOSEN) await page.locator(`input[value="${id}"]`).check();
    await page.getByLabel('At a time I choose').check();
    await page.locator('#post-at').waitFor();
    const form = await sidewaysOverflow(page);
    expect(form.overflow, form.culprits.join(', ')).toBe(0);
    await saveScreenshot(page, 'desk-post-form-phone');

    await page.goto(`${stack.url}/#/articles/${encodeURIComponent(articleId)}`);
    await page.getByRole('heading', { level: 1, name: 'Polls close at 8pm tonight.' }).waitFor();
    await expect.poll(() => page.locator('article.share').count()).toBe(3);
    const article = await sidewaysOverflow(page);
    expect(article.overflow, article.culprits.join(', ')).toBe(0);
    await saveScreenshot(page, 'desk-post-article-phone');
    await page.close();
  }, 60_000);
});
