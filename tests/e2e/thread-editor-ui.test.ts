/**
 * The thread editor in a real browser against the local stack: an article whose
 * standfirst makes a thread on a Bluesky channel with threads on, every part shown with
 * its own count, parts edited, added and removed, a part too long refused beside it, the
 * editor's parts kept through a new revision, and the thread published as a reply chain.
 * At desktop size and on a phone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { graphemeLength } from '../../shared/domain/text';
import { launchChromium, PHONE, saveScreenshot, sidewaysOverflow } from '../support/browser';
import { channelConfigForFile } from '../support/channel-config';
import { sendArticle } from '../support/handler-stack';
import { startTestStack, type TestStack } from '../support/stack';
import { longStandfirst } from '../support/thread';
import { getJson, sampleArticle } from '../support/webhook';

type ApiShare = {
  channelId: string;
  status: string;
  text: string;
  thread: string[] | null;
  threadIds: string[];
  remoteId: string | null;
  articleRevision: number;
  edited: { text?: string; thread?: string } | null;
};
type SandboxPost = { platform: string; remoteId: string; inReplyToId: string | null; text: string };

const CHANNEL = 'bluesky-desk';
const ARTICLE = 'thread-editor-1';
const title = (revision: number) => `Bolivia after the coup (revision ${revision})`;

const temp = mkdtempSync(join(tmpdir(), 'crier-thread-ui-'));
let stack: TestStack;
let desktop: BrowserContext;
let phone: BrowserContext;
let token: string;
let articleId: string;

// The share waits half an hour, so the editor has time; threads of at most 5 posts.
channelConfigForFile({
  channels: [
    {
      id: CHANNEL,
      platform: 'bluesky',
      account: 'desk.bsky.social',
      template: '{title}\n\n{summary}\n\n{url}',
      thread: { enabled: true, max: 5 },
      schedule: { type: 'delay', minutes: 30 },
    },
  ],
});

const revision = (n: number) => ({
  id: ARTICLE,
  title: title(n),
  summary: longStandfirst('Desk'),
  revision: n,
});

beforeAll(async () => {
  stack = await startTestStack();
  token = stack.secrets.editorToken.value;
  desktop = await launchChromium(join(temp, 'desktop'));
  phone = await launchChromium(join(temp, 'phone'), PHONE);
  articleId = await sendArticle(stack, { ...sampleArticle(), ...revision(1) });
  await vi.waitFor(async () => expect((await apiShare()).thread?.length).toBeGreaterThan(1), {
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

async function apiShare(): Promise<ApiShare> {
  const { status, body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
  expect(status).toBe(200);
  const share = (body as { shares: ApiShare[] }).shares.find((s) => s.channelId === CHANNEL);
  if (!share) throw new Error(`no share on ${CHANNEL}`);
  return share;
}

async function articlePage(browser: BrowserContext): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${stack.url}/#token=${encodeURIComponent(token)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  await page.goto(`${stack.url}/#/articles/${encodeURIComponent(articleId)}`);
  await page.locator(`article.share[data-channel="${CHANNEL}"] .thread-editor`).waitFor();
  return page;
}

const card = (page: Page): Locator => page.locator(`article.share[data-channel="${CHANNEL}"]`);
const partBoxes = (page: Page) => card(page).locator('.thread-part textarea');
const partValues = (page: Page) =>
  partBoxes(page).evaluateAll((boxes) =>
    boxes.map((box) => (box as unknown as { value: string }).value),
  );

/** The right edge of the widest element `selector` matches, in CSS pixels. */
async function rightmostEdge(page: Page, selector: string): Promise<number> {
  return (await page.evaluate(`(() => {
    let right = 0;
    for (const element of document.querySelectorAll(${JSON.stringify(selector)})) {
      const box = element.getBoundingClientRect();
      if (box.width > 0) right = Math.max(right, box.right);
    }
    return right;
  })()`)) as number;
}

describe('the thread editor', () => {
  let parts: string[] = [];

  it('shows every part of the thread, numbered, each with its own count', async () => {
    const share = await apiShare();
    parts = share.thread ?? [];
    const page = await articlePage(desktop);
    const total = parts.length + 1;
    expect(await card(page).getByLabel(`Post 1/${total}`).inputValue()).toBe(share.text);
    expect(await partValues(page)).toEqual(parts);
    for (const [i, part] of parts.entries()) {
      const box = card(page).getByLabel(`Post ${i + 2}/${total}`);
      expect(await box.inputValue()).toBe(part);
      const count = card(page).locator(`#part-${CHANNEL}-${i}-count`);
      expect(await count.textContent()).toContain(`${graphemeLength(part)} / 300 characters`);
      expect(await count.getAttribute('class')).toBe('count');
    }
    // The preview draws each reply under the first post.
    expect(await card(page).locator('.pv-thread .pv-reply .pv-text').allTextContents()).toEqual(
      parts,
    );
    await saveScreenshot(page, 'thread-editor-desktop');
    await page.close();
  });

  it('edits part 2, adds a part, removes one, renumbers them, and saves text and thread together', async () => {
    const page = await articlePage(desktop);
    const n = parts.length;
    const edited = `The army asked Morales to step down, and he did. 2/${n + 1}`;
    await card(page)
      .getByLabel(`Post 2/${n + 1}`)
      .fill(edited);
    await card(page).getByRole('button', { name: 'Add a part' }).click();
    // A thread of one more post: every number follows.
    expect(await partValues(page)).toEqual([
      `The army asked Morales to step down, and he did. 2/${n + 2}`,
      ...parts.slice(1).map((part, i) => part.replace(`${i + 3}/${n + 1}`, `${i + 3}/${n + 2}`)),
      '',
    ]);
    const added = `What comes next for Bolivia, and for the region. ${n + 2}/${n + 2}`;
    await card(page)
      .getByLabel(`Post ${n + 2}/${n + 2}`)
      .fill(added);
    // Remove part 3 (the first of the composed parts after the edited one).
    await card(page)
      .locator('.thread-part')
      .nth(1)
      .getByRole('button', { name: /Remove this part/ })
      .click();
    const expected = [
      `The army asked Morales to step down, and he did. 2/${n + 1}`,
      ...parts.slice(2).map((part, i) => part.replace(`${i + 4}/${n + 1}`, `${i + 3}/${n + 1}`)),
      `What comes next for Bolivia, and for the region. ${n + 1}/${n + 1}`,
    ];
    expect(await partValues(page)).toEqual(expected);
    expect(await card(page).locator('.pv-thread .pv-reply .pv-text').allTextContents()).toEqual(
      expected,
    );
    await saveScreenshot(page, 'thread-editor-edited');

    await card(page).getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => card(page).locator('.status-line').textContent()).toContain('Saved.');
    const share = await apiShare();
    expect(share.thread).toEqual(expected);
    expect(share.text).toContain(` 1/${n + 1}`);
    expect(share.edited?.thread).toEqual(expect.any(String));
    parts = expected;
    await page.close();
  });

  it('turns a part’s count red when it is too long, and shows the save’s 400 beside it', async () => {
    const page = await articlePage(desktop);
    const long = `${'Protests spread from El Alto to La Paz. '.repeat(8).trim()} 2/${parts.length + 1}`;
    const count = card(page).locator(`#part-${CHANNEL}-0-count`);
    await partBoxes(page).nth(0).fill(long);
    expect(await count.getAttribute('class')).toBe('count count-over');
    expect(await count.textContent()).toContain(`${graphemeLength(long)} / 300 characters`);
    await card(page).getByRole('button', { name: 'Save changes' }).click();
    const refusal = card(page).locator(`#part-${CHANNEL}-0-error`);
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(`thread.0 is ${graphemeLength(long)} characters`);
    await saveScreenshot(page, 'thread-editor-refused');
    // Nothing was written.
    expect((await apiShare()).thread).toEqual(parts);
    await page.close();
  });

  it('keeps the editor’s parts when a new revision of the article comes in', async () => {
    await sendArticle(stack, { ...sampleArticle(), ...revision(2) });
    await vi.waitFor(async () => expect((await apiShare()).articleRevision).toBe(2), {
      timeout: 30_000,
      interval: 250,
    });
    expect((await apiShare()).thread).toEqual(parts);
    const page = await articlePage(desktop);
    expect(await partValues(page)).toEqual(parts);
    await page.close();
  });

  it('fits a phone: every part editable without sideways scrolling', async () => {
    const page = await articlePage(phone);
    expect(await partValues(page)).toEqual(parts);
    await card(page).getByRole('button', { name: 'Add a part' }).click();
    await partBoxes(page).last().fill('A part written on a phone.');
    // The page, the share card, its thread editor and its preview stay within the
    // phone's width: nothing scrolls sideways.
    expect(await sidewaysOverflow(page)).toEqual({ overflow: 0, culprits: [] });
    expect(
      await rightmostEdge(page, `article.share[data-channel="${CHANNEL}"] *`),
    ).toBeLessThanOrEqual(PHONE.width);
    await card(page).locator('.thread-editor').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'thread-editor-phone');
    await page.close();
  });

  it('publishes now: the network gets every part as a reply chain, in order', async () => {
    const page = await articlePage(desktop);
    await card(page).getByRole('button', { name: 'Publish now' }).click();
    await card(page).getByRole('button', { name: 'Yes, publish now' }).click();
    const share = await vi.waitFor(
      async () => {
        const current = await apiShare();
        expect(current.status).toBe('published');
        return current;
      },
      { timeout: 40_000, interval: 250 },
    );
    expect(share.thread).toEqual(parts);
    const posts = (await (
      await fetch(new URL('/sandbox/posts', stack.url))
    ).json()) as SandboxPost[];
    const ids = [share.remoteId, ...share.threadIds];
    const own = ids.map((id) => posts.find((p) => p.platform === 'bluesky' && p.remoteId === id));
    expect(own.map((p) => p?.text)).toEqual([share.text, ...parts]);
    expect(own.map((p) => p?.inReplyToId)).toEqual([null, ...ids.slice(0, -1)]);
    await page.close();
  });
});
