/**
 * The editor UI in a real browser (Debian's chromium through playwright-core) against
 * the local stack: the sample article's shares wait half an hour, and an editor signs
 * in, reviews the previews, edits, reschedules, cancels and publishes them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CHANNELS } from '../../shared/config/default-channels';
import { measureX } from '../../shared/platforms/x/rules';
import { shareKey } from '../../shared/store/keys';
import { addDays, dayKey, startOfWeek, toDateTimeLocal } from '../../web/src/time';
import {
  articleShare,
  articleShares,
  sandboxPosts as postsOfSandboxes,
} from '../support/article-api';
import { launchChromium, saveScreenshot } from '../support/browser';
import { channelConfigForFile, delayedDefaultChannels } from '../support/channel-config';
import { sendArticle } from '../support/handler-stack';
import { startTestStack, type TestStack } from '../support/stack';

type ApiShare = {
  channelId: string;
  platform: string;
  status: string;
  text: string;
  dueAt: string;
  url: string;
  remoteId: string | null;
  remoteUrl: string | null;
  length: { used: number; limit: number; unit: string } | null;
};
type SandboxPost = { platform: string; remoteId: string; text: string };

const temp = mkdtempSync(join(tmpdir(), 'crier-ui-e2e-'));
let stack: TestStack;
let browser: BrowserContext;
let token: string;
let articleId: string;

// Every share waits 30 minutes, so the editor has time to act before anything goes out.
channelConfigForFile(delayedDefaultChannels(30));

beforeAll(async () => {
  stack = await startTestStack();
  token = stack.secrets.editorToken.value;
  browser = await launchChromium(temp);
  articleId = await sendArticle(stack);
  await vi.waitFor(async () => expect(await apiShares()).toHaveLength(DEFAULT_CHANNELS.length), {
    timeout: 60_000,
    interval: 500,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

const apiShares = () => articleShares<ApiShare>(stack, token, articleId);

const apiShare = (channelId: string) => articleShare<ApiShare>(stack, token, articleId, channelId);

const sandboxPosts = () => postsOfSandboxes<SandboxPost>(stack);

/** A page signed in through the link `npm start` prints (the token in the fragment). */
async function signedInPage(path = '#/queue'): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${stack.url}/#token=${encodeURIComponent(token)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  if (path !== '#/queue') await page.goto(`${stack.url}/${path}`);
  return page;
}

const shareCard = (page: Page, channelId: string): Locator =>
  page.locator(`article.share[data-channel="${channelId}"]`);

const badge = (card: Locator) => card.locator('.share-head .badge');

describe('the editor UI', () => {
  it('signs in with the editor token, refusing a wrong one, and keeps the token out of the address', async () => {
    const page = await browser.newPage();
    await page.goto(stack.url);
    await page.getByLabel('Editor token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('That token was not accepted');

    await page.getByLabel('Editor token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    await page.close();

    const linked = await signedInPage();
    expect(linked.url()).not.toContain(token);
    expect(linked.url()).toMatch(/#\/queue$/);
    await linked.close();
  });

  it('lists the waiting shares in the queue, filtered by channel, and in the week calendar', async () => {
    const page = await signedInPage();
    // One row for the article, with a chip per channel, unfolding to its shares.
    const row = page.locator(`li.queue-row[data-article="${articleId}"]`);
    await expect.poll(() => row.locator('.chips li').count()).toBe(DEFAULT_CHANNELS.length);
    expect(await page.locator('li.queue-row').count()).toBe(1);
    expect(
      await row
        .locator('.chips li')
        .evaluateAll((chips) => chips.map((chip) => chip.getAttribute('data-status'))),
    ).toEqual(DEFAULT_CHANNELS.map(() => 'scheduled'));
    await row.getByRole('button', { name: /^Show shares/ }).click();
    expect(await row.locator('li.row-share .badge').allTextContents()).toEqual(
      DEFAULT_CHANNELS.map(() => 'Scheduled'),
    );
    await saveScreenshot(page, 'editor-ui-queue');

    await page.getByLabel('Channel').selectOption('bluesky-newsroom');
    await expect.poll(() => page.url()).toContain('channel=bluesky-newsroom');
    await expect.poll(() => page.locator('li.queue-row').count()).toBe(1);
    expect(
      await row.locator('.chip[data-channel="bluesky-newsroom"] .visually-hidden').textContent(),
    ).toBe('Bluesky @newsroom.bsky.social: Scheduled');
    await page.getByLabel('Channel').selectOption('');
    await expect.poll(() => page.url()).not.toContain('channel=');

    await page.getByRole('link', { name: 'Calendar' }).click();
    await page.getByRole('heading', { level: 1, name: 'Calendar' }).waitFor();
    // The link opens this week; late on a Sunday the shares fall due in the next one,
    // so the test turns to the week of X's share and counts the shares due in it.
    const x = await apiShare('x-newsroom');
    const weekStart = startOfWeek(new Date(x.dueAt));
    const weekEnd = addDays(weekStart, 7);
    if (weekStart.getTime() !== startOfWeek(new Date()).getTime()) {
      await page.getByRole('link', { name: 'Next week →' }).click();
      await page.waitForURL(new RegExp(`week=${dayKey(weekStart)}`));
    }
    const dueThisWeek = (await apiShares()).filter((share) => {
      const at = new Date(share.dueAt);
      return at >= weekStart && at < weekEnd;
    });
    expect(dueThisWeek.length).toBeGreaterThan(0);
    const items = page.locator('.calendar .cal-item');
    await expect.poll(() => items.count()).toBe(dueThisWeek.length);
    // Each share sits in the row of its channel, at its local time.
    const xRow = page.locator('.calendar tbody tr', { has: page.locator('.net-x') });
    expect(await xRow.locator('.cal-item time').getAttribute('datetime')).toBe(x.dueAt);
    await page.screenshot({ path: '/tmp/ui-calendar.png', fullPage: true });
    await page.close();
  });

  it('shows every share as its network would, with the count the server made and live counting as the editor types', async () => {
    const page = await signedInPage();
    await page
      .getByRole('link', { name: 'Trump Declares Support for Coup in Bolivia' })
      .first()
      .click();
    await page
      .getByRole('heading', { level: 1, name: 'Trump Declares Support for Coup in Bolivia' })
      .waitFor();
    const shares = await apiShares();
    await expect.poll(() => page.locator('article.share').count()).toBe(shares.length);

    for (const share of shares) {
      const card = shareCard(page, share.channelId);
      expect(await badge(card).textContent()).toBe('Scheduled');
      // The browser counts with the same code as the server: the same number.
      expect(await card.locator('.count strong').textContent()).toBe(String(share.length?.used));
      expect(await card.locator('.count').textContent()).toContain(
        `/ ${share.length?.limit.toLocaleString('en-US')}`,
      );
      expect(await card.locator('figure.pv').count()).toBe(1);
    }
    // X shows the link the way X does: no scheme, cut with an ellipsis.
    const x = shareCard(page, 'x-newsroom');
    expect(await x.locator('.pv .pv-link').first().textContent()).toMatch(/^leftvoice\.org\/.+…$/);
    expect(await x.locator('.pv .pv-hashtag').allTextContents()).toEqual(
      expect.arrayContaining(['#Bolivia']),
    );
    // The link-card checker's warnings are on the card.
    expect(await x.locator('.warnings li').count()).toBeGreaterThan(0);
    await page.screenshot({ path: '/tmp/ui-article.png', fullPage: true });

    // A URL weighs 23 on X, whatever its length: the count follows twitter-text.
    const longer = `${(await apiShare('x-newsroom')).text} https://example.org/${'path/'.repeat(20)}`;
    await x.getByLabel('Post text').fill(longer);
    expect(await x.locator('.count strong').textContent()).toBe(String(measureX(longer).used));
    expect(await x.locator('.pv .pv-text').textContent()).toMatch(
      / example\.org\/path\/path\/p[a-z/]*…$/,
    );

    const over = 'é'.repeat(285);
    await x.getByLabel('Post text').fill(over);
    expect(await x.locator('.count').textContent()).toContain('285 / 280 weighted characters');
    expect(await x.locator('.count').textContent()).toContain('5 over the limit');
    expect(await x.getByLabel('Post text').getAttribute('aria-invalid')).toBe('true');
    await x.getByRole('button', { name: 'Undo changes' }).click();
    expect(await x.getByLabel('Post text').inputValue()).toBe((await apiShare('x-newsroom')).text);
    await page.close();
  });

  it('shows a share waiting for its channel to be reconnected on its card', async () => {
    const threads = (await apiShares()).find((s) => s.platform === 'threads');
    if (!threads) throw new Error('no Threads share');
    const key = shareKey(articleId, threads.channelId);
    const mark = (expression: string, values?: Record<string, string>) =>
      stack.db.send(
        new UpdateCommand({
          TableName: stack.tableName,
          Key: key,
          UpdateExpression: expression,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    // As the publisher leaves a share whose token is dead and cannot be refreshed.
    await mark('SET waitingForReconnect = :since', { ':since': new Date().toISOString() });
    try {
      const page = await signedInPage(`#/articles/${encodeURIComponent(articleId)}`);
      const card = shareCard(page, threads.channelId);
      await card.locator('.waiting-reconnect').waitFor();
      expect(await card.locator('.waiting-reconnect').textContent()).toMatch(
        /^\s*Waiting for a reconnect of Threads /,
      );
      expect(await badge(card).textContent()).toBe('Scheduled');
      // The other cards wait for nothing.
      expect(await page.locator('.waiting-reconnect').count()).toBe(1);
      await page.close();
    } finally {
      await mark('REMOVE waitingForReconnect');
    }
  });

  it("shows a withdrawn thread's deleted replies and the history entries the server let go", async () => {
    const mastodon = (await apiShares()).find((s) => s.platform === 'mastodon');
    if (!mastodon) throw new Error('no Mastodon share');
    const key = shareKey(articleId, mastodon.channelId);
    const update = (expression: string, values?: Record<string, unknown>) =>
      stack.db.send(
        new UpdateCommand({
          TableName: stack.tableName,
          Key: key,
          UpdateExpression: expression,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    // As a long-lived share and a withdrawal stopped after two of three replies leave it.
    await update('SET historyDropped = :dropped, threadIds = :ids, threadWithdrawn = :gone', {
      ':dropped': 1_234,
      ':ids': ['111', '112', '113'],
      ':gone': 2,
    });
    try {
      const page = await signedInPage(`#/articles/${encodeURIComponent(articleId)}`);
      const card = shareCard(page, mastodon.channelId);
      const note = card.locator('.withdrawal-note');
      await note.waitFor();
      expect(await note.textContent()).toBe(
        "Withdrawing from Mastodon: 2 of the thread's 3 replies were deleted. The rest follow on the next try.",
      );
      const history = card.locator('details.history');
      const kept = await history.locator('li:not(.history-dropped)').count();
      expect(kept).toBeGreaterThan(0);
      expect(await history.locator('summary').textContent()).toBe(
        `History (${(kept + 1_234).toLocaleString('en-US')})`,
      );
      await history.locator('summary').click();
      const gap = history.locator('li.history-dropped');
      expect(await gap.textContent()).toMatch(/^\s*1,234 earlier entries were not kept\s*$/);
      // The gap sits just above the first entry, the share's creation.
      expect(await history.locator('li').last().textContent()).toContain('compose');
      expect(await page.locator('.withdrawal-note').count()).toBe(1);
      await page.close();
    } finally {
      await update('REMOVE historyDropped, threadIds, threadWithdrawn');
    }
  });

  describe('with the editor API write routes', () => {
    it('edits the X text, reschedules Bluesky, cancels Mastodon, shows a 400 and a 409, and publishes the rest', async () => {
      const page = await browser.newPage();
      // Time runs as usual, but can be held while a conflict is set up behind the page's back.
      await page.clock.install();
      await page.goto(`${stack.url}/#token=${encodeURIComponent(token)}`);
      await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
      await page.goto(`${stack.url}/#/articles/${encodeURIComponent(articleId)}`);
      await shareCard(page, 'x-newsroom').waitFor();

      // X: over the limit, the API refuses with its count, shown plainly; then a good edit.
      const x = shareCard(page, 'x-newsroom');
      await x.getByLabel('Post text').fill('é'.repeat(281));
      await x.getByRole('button', { name: 'Save changes' }).click();
      const refusal = x.getByRole('alert');
      await expect.poll(() => refusal.textContent()).toContain('Not saved');
      expect(await refusal.textContent()).toContain('281 of at most 280 weighted characters');
      expect((await apiShare('x-newsroom')).text).not.toContain('é');

      const edited = `Bolivia: Trump backs the coup ${(await apiShare('x-newsroom')).url} #Bolivia`;
      await x.getByLabel('Post text').fill(edited);
      await x.getByRole('button', { name: 'Save changes' }).click();
      await expect.poll(() => x.getByRole('status').textContent()).toContain('Saved.');
      expect((await apiShare('x-newsroom')).text).toBe(edited);

      // Bluesky: to the next whole minute at least 15 s away (the input takes minutes).
      const next = new Date(Math.ceil((Date.now() + 15_000) / 60_000) * 60_000);
      const bluesky = shareCard(page, 'bluesky-newsroom');
      await bluesky.getByLabel(/^Due, in your time/).fill(toDateTimeLocal(next.toISOString()));
      await bluesky.getByRole('button', { name: 'Save changes' }).click();
      await expect.poll(() => bluesky.getByRole('status').textContent()).toContain('Saved. Due');
      expect(new Date((await apiShare('bluesky-newsroom')).dueAt).getTime()).toBe(next.getTime());

      // Mastodon: cancelled, after the confirmation.
      const mastodon = shareCard(page, 'mastodon-newsroom');
      await mastodon.getByRole('button', { name: 'Cancel share' }).click();
      await mastodon.getByRole('button', { name: 'Yes, cancel share' }).click();
      await expect.poll(() => badge(mastodon).textContent()).toBe('Cancelled');
      expect((await apiShare('mastodon-newsroom')).status).toBe('cancelled');

      // Threads: cancelled by someone else while this editor edits it: a 409, said plainly.
      await page.clock.pauseAt(Date.now() + 1000);
      const threads = shareCard(page, 'threads-newsroom');
      await threads.getByLabel('Post text').fill('A late edit');
      const cancelled = await fetch(
        new URL(`/api/articles/${articleId}/shares/threads-newsroom/cancel`, stack.url),
        { method: 'POST', headers: { authorization: `Bearer ${token}` } },
      );
      expect(cancelled.status).toBe(200);
      await threads.getByRole('button', { name: 'Save changes' }).click();
      await expect
        .poll(() => threads.getByRole('alert').textContent())
        .toContain('Not possible now');
      await expect.poll(() => badge(threads).textContent()).toBe('Cancelled');
      await page.clock.resume();

      // The rest: published now, each after the confirmation.
      for (const channelId of [
        'x-newsroom',
        'linkedin-newsroom',
        'facebook-newsroom',
        'instagram-newsroom',
        'telegram-newsroom',
      ]) {
        const card = shareCard(page, channelId);
        await card.getByRole('button', { name: 'Publish now' }).click();
        await card.getByRole('button', { name: 'Yes, publish now' }).click();
        await expect.poll(() => badge(card).textContent()).not.toBe('Scheduled');
      }

      const published = DEFAULT_CHANNELS.map((c) => c.id).filter(
        (id) => id !== 'mastodon-newsroom' && id !== 'threads-newsroom',
      );
      await vi.waitFor(
        async () => {
          for (const id of published)
            expect(await badge(shareCard(page, id)).textContent()).toBe('Published');
        },
        { timeout: 120_000, interval: 1000 },
      );
      const final = await apiShares();
      for (const share of final) {
        const card = shareCard(page, share.channelId);
        if (published.includes(share.channelId)) {
          expect(share.status).toBe('published');
          // Locally the link opens the sandbox's page for the post, naming the network's own.
          expect(
            await card.getByRole('link', { name: /^View the post on/ }).getAttribute('href'),
          ).toBe(
            `/sandbox/posts/${share.platform}/${encodeURIComponent(share.remoteId ?? '')}?remote=${encodeURIComponent(share.remoteUrl ?? '')}`,
          );
        } else {
          expect(share.status).toBe('cancelled');
        }
      }
      const posts = await sandboxPosts();
      expect(posts.map((p) => p.platform).sort()).toEqual(
        ['bluesky', 'facebook', 'instagram', 'linkedin', 'telegram', 'x'].sort(),
      );
      expect(posts.find((p) => p.platform === 'x')?.text).toContain(
        'Bolivia: Trump backs the coup',
      );
      await page.screenshot({ path: '/tmp/ui-article-published.png', fullPage: true });
      await page.close();
    }, 240_000);
  });
});
