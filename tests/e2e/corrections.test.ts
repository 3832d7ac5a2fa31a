/**
 * Corrections followed, end to end on the local stack: the sample article goes out on
 * all eight sandbox channels; a later revision marked as a correction edits the post
 * where the network edits (Mastodon, LinkedIn, Facebook, Telegram) and replies under it
 * with the note elsewhere (X, Bluesky, Threads, Instagram); a new headline alone only
 * tells the editors. Then, in Chromium, the article page shows what was done and the channel form
 * sets the policy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CHANNELS } from '../../shared/config/default-channels';
import { canEdit } from '../../shared/domain/correction';
import type { Platform } from '../../shared/domain/platform';
import { clientFor } from '../../shared/platforms/clients';
import { launchChromium, PHONE, saveScreenshot, sidewaysOverflow } from '../support/browser';
import { sendArticle } from '../support/handler-stack';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson } from '../support/webhook';

type Correction = {
  revision: number;
  trigger: string;
  action: string;
  outcome: string;
  note?: string;
  remoteId?: string;
};
type ShareView = {
  channelId: string;
  platform: Platform;
  status: string;
  remoteId: string | null;
  corrections: Correction[];
  correctionsDue: number[];
  history: { event: string; reason?: string }[];
};
type SandboxPost = { platform: string; remoteId: string; text: string; inReplyToId: string | null };

const NOTE = 'An earlier version gave the wrong date for the vote.';
const TITLE = 'Trump Declares Support for Coup in Bolivia';

const temp = mkdtempSync(join(tmpdir(), 'crier-corrections-e2e-'));
let stack: TestStack;
let browser: BrowserContext;
let token: string;
let articleId: string;
/** The networks whose client posts correction notes: all eight. */
const replies = new Set<Platform>();

beforeAll(async () => {
  stack = await startTestStack();
  token = stack.secrets.editorToken.value;
  browser = await launchChromium(temp);
  for (const channel of DEFAULT_CHANNELS) {
    if ((await clientFor(channel.platform))?.notes) replies.add(channel.platform);
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

async function shares(): Promise<ShareView[]> {
  const { status, body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
  expect(status).toBe(200);
  return (body as { shares: ShareView[] }).shares;
}

async function sandboxPosts(): Promise<SandboxPost[]> {
  return (await (await fetch(new URL('/sandbox/posts', stack.url))).json()) as SandboxPost[];
}

/** Waits until every share holds a correction record for `revision`. */
async function correctedTo(revision: number): Promise<ShareView[]> {
  let latest: ShareView[] = [];
  await vi.waitFor(
    async () => {
      latest = await shares();
      for (const share of latest) {
        expect(
          share.corrections.some((c) => c.revision === revision),
          share.channelId,
        ).toBe(true);
      }
    },
    { timeout: 60_000, interval: 500 },
  );
  return latest;
}

let published: ShareView[] = [];

describe('a correction on all eight networks', () => {
  it('publishes the sample article on every sandbox channel', async () => {
    articleId = await sendArticle(stack);
    await vi.waitFor(
      async () => {
        published = await shares();
        expect(published).toHaveLength(DEFAULT_CHANNELS.length);
        for (const share of published) expect(share.status, share.channelId).toBe('published');
      },
      { timeout: 60_000, interval: 500 },
    );
  }, 70_000);

  it('edits the post where the network edits, and replies under it elsewhere', async () => {
    // Every network's client posts notes: none may quietly fall back to telling the editors.
    expect([...replies].sort()).toEqual(DEFAULT_CHANNELS.map((c) => c.platform).sort());
    await sendArticle(stack, { revision: 2, correction: NOTE });
    const after = await correctedTo(2);
    const posts = await sandboxPosts();
    for (const share of after) {
      const [correction] = share.corrections;
      const post = posts.find((p) => p.remoteId === share.remoteId);
      if (canEdit(share.platform)) {
        expect(correction, share.channelId).toMatchObject({ action: 'edit', outcome: 'done' });
        expect(post?.text, share.channelId).toContain(`Correction: ${NOTE}`);
        continue;
      }
      // X, Bluesky, Threads, Instagram: a reply (or comment) with the note under the post,
      // which stays as it was.
      expect(correction, share.channelId).toMatchObject({
        action: 'reply',
        outcome: 'done',
        note: `Correction: ${NOTE}`,
      });
      const under = posts.filter((p) => p.inReplyToId === share.remoteId);
      expect(
        under.map((p) => p.text),
        share.channelId,
      ).toEqual([`Correction: ${NOTE}`]);
      expect(post?.text, share.channelId).not.toContain('Correction:');
    }
    const history = after.flatMap((s) => s.history.filter((h) => h.event === 'correct'));
    expect(history.length).toBeGreaterThanOrEqual(DEFAULT_CHANNELS.length * 2);

    // The same revision once more (a CMS resending it): nothing more is done.
    await sendArticle(stack, { revision: 2, correction: NOTE });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await shares()).map((s) => s.corrections)).toEqual(after.map((s) => s.corrections));
    expect(await sandboxPosts()).toEqual(posts);
  }, 90_000);

  it('only tells the editors of a new headline, and leaves every post as it is', async () => {
    const before = await sandboxPosts();
    await sendArticle(stack, { revision: 3, title: `${TITLE}, the desk says` });
    const after = await correctedTo(3);
    for (const share of after) {
      expect(share.corrections.at(-1), share.channelId).toMatchObject({
        revision: 3,
        trigger: 'headline',
        action: 'notify',
        outcome: 'notified',
      });
    }
    expect(await sandboxPosts()).toEqual(before);
  }, 90_000);
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${stack.url}/#token=${encodeURIComponent(token)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
}

describe('corrections in the editor UI', () => {
  it('shows each post’s corrections on the article page, at desktop and phone size', async () => {
    const page = await browser.newPage();
    await signIn(page);
    await page.goto(`${stack.url}/#/articles/${encodeURIComponent(articleId)}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    const masto = page.locator('article.share[data-channel="mastodon-newsroom"]');
    const section = masto.getByRole('region', { name: 'Corrections' });
    await section.waitFor();
    await expect
      .poll(() => section.locator('li').allTextContents())
      .toEqual([
        expect.stringContaining('Revision 3, a new headline: the editors were told'),
        expect.stringContaining('Revision 2, a correction: the post on Mastodon was edited'),
      ]);
    await section.getByText('What the post says now').click();
    expect(await section.locator('.correction-note').first().textContent()).toContain(NOTE);
    const x = page.locator('article.share[data-channel="x-newsroom"]');
    expect(await x.getByRole('region', { name: 'Corrections' }).locator('li').count()).toBe(2);
    // The history says it too.
    await masto.locator('details.history summary').click();
    expect(await masto.locator('.history-list').textContent()).toContain(
      'revision 2, a correction: edited the post',
    );
    await masto.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'corrections-article-desktop');
    // The one card up close, to look at.
    const folder = process.env.CRIER_SCREENSHOTS;
    if (folder) await masto.screenshot({ path: join(folder, 'corrections-mastodon-card.png') });

    await page.setViewportSize(PHONE);
    await section.scrollIntoViewIfNeeded();
    const overflow = await sidewaysOverflow(page);
    expect(overflow.overflow, overflow.culprits.join(', ')).toBe(0);
    await saveScreenshot(page, 'corrections-article-phone');
    await page.close();
  }, 45_000);

  it('sets a channel’s policy with the selects, naming each default and the fallback', async () => {
    const page = await browser.newPage();
    await signIn(page);
    await page.goto(`${stack.url}/#/channels/x-newsroom/edit`);
    const onCorrection = page.getByLabel('On a correction');
    await onCorrection.waitFor();
    expect(await onCorrection.inputValue()).toBe('');
    expect(await onCorrection.locator('option').first().textContent()).toBe(
      'Default: reply under the post with the note',
    );
    expect(await page.getByLabel('On a new headline').locator('option').first().textContent()).toBe(
      'Default: only tell the editors',
    );
    await onCorrection.selectOption('edit');
    await expect
      .poll(() => page.locator('#channel-onCorrection-note').textContent())
      .toContain('X does not let Crier edit a post');
    await page.getByLabel('On a new headline').selectOption('ignore');
    await page.locator('fieldset.corrections-fields').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'corrections-channel-form');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
    const { body } = await getJson(stack.url, '/api/channels', token);
    const channel = (body as { channels: { id: string; corrections?: unknown }[] }).channels.find(
      (c) => c.id === 'x-newsroom',
    );
    expect(channel?.corrections).toEqual({ onCorrection: 'edit', onHeadline: 'ignore' });

    await page.setViewportSize(PHONE);
    await page.goto(`${stack.url}/#/channels/x-newsroom/edit`);
    await page.getByLabel('On a correction').waitFor();
    expect(await page.getByLabel('On a correction').inputValue()).toBe('edit');
    const overflow = await sidewaysOverflow(page);
    expect(overflow.overflow, overflow.culprits.join(', ')).toBe(0);
    await saveScreenshot(page, 'corrections-channel-form-phone');
    await page.close();
  }, 45_000);
});
