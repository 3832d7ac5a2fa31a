/**
 * The queue by article in a real browser (Debian's chromium through playwright-core)
 * against the local stack: four articles whose shares wait, one row each; filters and
 * search kept in the address; bulk approve, reschedule and cancel with each share's
 * result; and the queue on a phone without sideways scrolling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CHANNELS } from '../../shared/config/default-channels';
import { shareKey } from '../../shared/store/keys';
import { launchChromium, PHONE, saveScreenshot, sidewaysOverflow } from '../support/browser';
import { channelConfigForFile } from '../support/channel-config';
import { sendArticle } from '../support/handler-stack';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson, postWebhook, sampleArticle } from '../support/webhook';

type ApiShare = { channelId: string; platform: string; status: string; dueAt: string };

const NEEDS_APPROVAL = ['threads-newsroom', 'instagram-newsroom'];
const ARTICLES = [
  {
    id: 'queue-1',
    title: 'Bolivia: the coup and the press',
    section: 'Latin America',
    url: 'https://www.leftvoice.org/bolivia-press',
  },
  {
    id: 'queue-2',
    title: 'Strike in São Paulo',
    section: 'Latin America',
    url: 'https://www.leftvoice.org/strike-sp',
  },
  {
    id: 'queue-3',
    title: 'Unions and the election',
    section: 'Labor',
    url: 'https://www.leftvoice.org/unions-election',
  },
  {
    id: 'queue-4',
    title: 'Rent strike spreads',
    section: 'Housing',
    url: 'https://www.leftvoice.org/rent-strike',
  },
] as const;

const temp = mkdtempSync(join(tmpdir(), 'crier-queue-e2e-'));
let stack: TestStack;
let browser: BrowserContext;
let token: string;
/** the articles' ids, in the order of ARTICLES */
const ids: string[] = [];

// Every share waits 30 minutes; Threads and Instagram wait for an editor's approval.
channelConfigForFile({
  channels: DEFAULT_CHANNELS.map((channel) => ({
    ...channel,
    schedule: { type: 'delay', minutes: 30 },
    ...(NEEDS_APPROVAL.includes(channel.id) ? { approval: 'required' } : {}),
  })),
});

beforeAll(async () => {
  stack = await startTestStack();
  token = stack.secrets.editorToken.value;
  browser = await launchChromium(temp);
  for (const article of ARTICLES) ids.push(await sendArticle(stack, { ...article }));
  await vi.waitFor(
    async () => {
      for (const id of ids) expect(await apiShares(id)).toHaveLength(DEFAULT_CHANNELS.length);
    },
    { timeout: 60_000, interval: 500 },
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

async function apiShares(articleId: string): Promise<ApiShare[]> {
  const { status, body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
  expect(status).toBe(200);
  return (body as { shares: ApiShare[] }).shares;
}

async function apiShare(articleId: string, channelId: string): Promise<ApiShare> {
  const share = (await apiShares(articleId)).find((s) => s.channelId === channelId);
  if (!share) throw new Error(`no share on ${channelId}`);
  return share;
}

/** A page signed in through the link `npm start` prints, then at `path`. */
async function signedInPage(path = '#/queue', context = browser): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${stack.url}/#token=${encodeURIComponent(token)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  if (path !== '#/queue') await page.goto(`${stack.url}/${path}`);
  await page.locator('.queue-head').waitFor();
  return page;
}

const rows = (page: Page) => page.locator('li.queue-row');
const row = (page: Page, n: number): Locator =>
  page.locator(`li.queue-row[data-article="${ids[n - 1]}"]`);
const shareLine = (rowLocator: Locator, channelId: string) =>
  rowLocator.locator(`li.row-share[data-channel="${channelId}"]`);
const resultFor = (page: Page, n: number, channelId: string) =>
  page.locator(`.bulk-results li[data-article="${ids[n - 1]}"][data-channel="${channelId}"]`);

/** The page's rows, as the numbers of ARTICLES, top to bottom. */
async function listedNumbers(page: Page): Promise<number[]> {
  const listed = await rows(page).evaluateAll((items) =>
    items.map((item) => item.getAttribute('data-article') ?? ''),
  );
  return listed.map((id) => ids.indexOf(id) + 1);
}

describe('the queue by article', () => {
  it('lists one row per article, with a chip per channel, and unfolds to the shares', async () => {
    const page = await signedInPage();
    await expect.poll(() => listedNumbers(page)).toEqual([4, 3, 2, 1]);
    const first = row(page, 1);
    expect(await first.locator('.chips li').count()).toBe(DEFAULT_CHANNELS.length);
    // Each chip says in words what its colour shows.
    expect(
      await first.locator('.chip[data-channel="threads-newsroom"] .visually-hidden').textContent(),
    ).toBe('Threads newsroom: Draft');
    expect(
      await first.locator('.chip[data-channel="x-newsroom"] .visually-hidden').textContent(),
    ).toBe('X @newsroom: Scheduled');
    expect(await first.locator('.row-section').textContent()).toBe('Latin America');
    expect(await first.locator('a.row-title').getAttribute('href')).toBe(`#/articles/${ids[0]}`);
    await saveScreenshot(page, 'queue-1-rows');

    await first.getByRole('button', { name: /^Show shares \(8\)/ }).click();
    expect(await first.locator('li.row-share').count()).toBe(DEFAULT_CHANNELS.length);
    const x = await apiShare(ids[0] ?? '', 'x-newsroom');
    expect(
      await shareLine(first, 'x-newsroom').locator('.share-due time').getAttribute('datetime'),
    ).toBe(x.dueAt);
    expect(await shareLine(first, 'threads-newsroom').locator('.badge').textContent()).toBe(
      'Draft',
    );
    expect(
      await first.getByRole('button', { name: /^Hide shares/ }).getAttribute('aria-expanded'),
    ).toBe('true');
    await saveScreenshot(page, 'queue-2-expanded');
    await page.close();
  });

  it('highlights an overdue draft and a failed share on their rows', async () => {
    const article = ids[2] ?? '';
    const set = (channelId: string, expression: string, values: Record<string, string>) =>
      stack.db.send(
        new UpdateCommand({
          TableName: stack.tableName,
          Key: shareKey(article, channelId),
          UpdateExpression: expression,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
    // A draft whose time passed while it waited, as a slow approval leaves it.
    await set('instagram-newsroom', 'SET dueAt = :due, #status = :draft', {
      ':due': new Date(Date.now() - 10 * 60_000).toISOString(),
      ':draft': 'draft',
    });
    const page = await signedInPage();
    const third = row(page, 3);
    await expect.poll(() => third.getAttribute('class')).toContain('row-overdue');
    expect(await third.locator('.flag-overdue').textContent()).toBe('1 overdue draft');
    expect(
      await third.locator('.chip[data-channel="instagram-newsroom"]').getAttribute('class'),
    ).toContain('chip-overdue');
    expect(await row(page, 1).getAttribute('class')).not.toContain('row-overdue');
    await saveScreenshot(page, 'queue-3-overdue');
    await page.close();
  });

  it('filters by status, channel, section and text, keeping the view in the address across a reload', async () => {
    const page = await signedInPage();
    await expect.poll(() => listedNumbers(page)).toEqual([4, 3, 2, 1]);

    await page.getByLabel('Section').fill('latin america');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => listedNumbers(page)).toEqual([2, 1]);
    expect(page.url()).toContain('section=latin+america');

    await page.getByLabel('Search headlines and URLs').fill('SAO PAULO');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => listedNumbers(page)).toEqual([2]);
    expect(page.url()).toMatch(/q=SAO\+PAULO/);
    await saveScreenshot(page, 'queue-4-search');

    await page.reload();
    await page.locator('.queue-head').waitFor();
    await expect.poll(() => listedNumbers(page)).toEqual([2]);
    expect(await page.getByLabel('Search headlines and URLs').inputValue()).toBe('SAO PAULO');
    expect(await page.getByLabel('Section').inputValue()).toBe('latin america');

    // A URL is searched too.
    await page.goto(`${stack.url}/#/queue?q=rent-strike`);
    await expect.poll(() => listedNumbers(page)).toEqual([4]);

    await page.goto(`${stack.url}/#/queue`);
    await expect.poll(() => listedNumbers(page)).toEqual([4, 3, 2, 1]);
    await page.getByLabel('Status').selectOption('draft');
    await page.getByLabel('Channel').selectOption('threads-newsroom');
    await expect.poll(() => page.url()).toContain('channel=threads-newsroom');
    expect(page.url()).toContain('status=draft');
    await expect.poll(() => listedNumbers(page)).toEqual(expect.arrayContaining([1, 2, 3, 4]));
    await page.reload();
    await page.locator('.queue-head').waitFor();
    expect(await page.getByLabel('Status').inputValue()).toBe('draft');
    expect(await page.getByLabel('Channel').inputValue()).toBe('threads-newsroom');
    await expect.poll(() => rows(page).count()).toBe(4);
    await saveScreenshot(page, 'queue-5-filtered');
    await page.close();
  });

  it('approves drafts in bulk, after a confirmation naming how many, and lists each result', async () => {
    const page = await signedInPage();
    for (const n of [1, 2]) {
      const r = row(page, n);
      await r.getByRole('button', { name: /^Show shares/ }).click();
      for (const channelId of NEEDS_APPROVAL) {
        await shareLine(r, channelId).locator('input.select').check();
      }
    }
    const bar = page.getByRole('region', { name: 'Bulk actions' });
    expect(await bar.locator('.bulk-count').textContent()).toBe('4 shares selected');
    await bar.getByRole('button', { name: 'Approve', exact: true }).click();
    expect(await bar.getByRole('alertdialog').textContent()).toContain('Approve 4 shares?');
    await saveScreenshot(page, 'queue-6-approve-confirm');
    await bar.getByRole('button', { name: 'Yes, approve 4 shares' }).click();

    const results = page.locator('.bulk-results');
    await results.waitFor();
    expect(await results.locator('h2').textContent()).toContain('4 done');
    for (const n of [1, 2]) {
      for (const channelId of NEEDS_APPROVAL) {
        expect(await resultFor(page, n, channelId).textContent()).toContain('done, now scheduled');
        expect((await apiShare(ids[n - 1] ?? '', channelId)).status).toBe('scheduled');
      }
    }
    // The queue reloaded: the drafts' chips are scheduled now, and nothing stays selected.
    await expect
      .poll(() =>
        row(page, 1).locator('.chip[data-channel="threads-newsroom"]').getAttribute('data-status'),
      )
      .toBe('scheduled');
    expect(await page.getByRole('region', { name: 'Bulk actions' }).count()).toBe(0);
    await saveScreenshot(page, 'queue-7-approved');
    await page.close();
  });

  it('reschedules an article’s shares by an offset, each due exactly that much later', async () => {
    const before = await apiShares(ids[2] ?? '');
    const page = await signedInPage();
    await row(page, 3)
      .getByRole('checkbox', { name: /^Select the 8 shares of/ })
      .check();
    const bar = page.getByRole('region', { name: 'Bulk actions' });
    await bar.getByRole('button', { name: 'Reschedule…' }).click();
    await bar.getByRole('button', { name: '+1 h' }).click();
    expect(await bar.getByRole('alertdialog').textContent()).toContain(
      'Move 8 shares 1 hour later?',
    );
    await bar.getByRole('button', { name: 'Yes, reschedule 8 shares' }).click();
    await page.locator('.bulk-results').waitFor();
    expect(await page.locator('.bulk-results h2').textContent()).toContain('8 done');
    const after = await apiShares(ids[2] ?? '');
    for (const share of before) {
      const moved = after.find((s) => s.channelId === share.channelId);
      expect(Date.parse(moved?.dueAt ?? ''), share.channelId).toBe(
        Date.parse(share.dueAt) + 60 * 60_000,
      );
    }
    await saveScreenshot(page, 'queue-8-rescheduled');

    // A custom offset, back by 15 minutes, on one share.
    const x = await apiShare(ids[2] ?? '', 'x-newsroom');
    const third = row(page, 3);
    await third.getByRole('button', { name: /^Show shares/ }).click();
    await shareLine(third, 'x-newsroom').locator('input.select').check();
    await bar.getByRole('button', { name: 'Reschedule…' }).click();
    await bar.getByLabel('Minutes (negative: earlier)').fill('-15');
    await bar.getByRole('button', { name: 'Move by these minutes' }).click();
    await bar.getByRole('button', { name: 'Yes, reschedule 1 share' }).click();
    await expect
      .poll(() => page.locator('.bulk-results h2').textContent())
      .toContain('move 1 share 15 minutes earlier');
    expect(Date.parse((await apiShare(ids[2] ?? '', 'x-newsroom')).dueAt)).toBe(
      Date.parse(x.dueAt) - 15 * 60_000,
    );

    // To the next slots: back to where compose planned it, 30 minutes after arrival.
    const { body } = await getJson(stack.url, `/api/articles/${ids[2]}`, token);
    const receivedAt = (body as { article: { receivedAt: string } }).article.receivedAt;
    await page.locator('.bulk-results').getByRole('button', { name: 'Dismiss' }).click();
    // The row stays unfolded.
    await shareLine(third, 'x-newsroom').locator('input.select').check();
    await bar.getByRole('button', { name: 'Reschedule…' }).click();
    await bar.getByRole('button', { name: 'To the next slots' }).click();
    expect(await bar.getByRole('alertdialog').textContent()).toContain(
      'Move 1 share to their channels’ next free slots?',
    );
    await bar.getByRole('button', { name: 'Yes, reschedule 1 share' }).click();
    await expect
      .poll(() => resultFor(page, 3, 'x-newsroom').textContent())
      .toContain('done, now scheduled, due');
    expect((await apiShare(ids[2] ?? '', 'x-newsroom')).dueAt).toBe(
      new Date(Date.parse(receivedAt) + 30 * 60_000).toISOString(),
    );
    await saveScreenshot(page, 'queue-8b-next-slots');
    await page.close();
  });

  it('cancels an article’s shares in bulk; the one already published says why it was not', async () => {
    const article = ids[3] ?? '';
    const published = await fetch(
      new URL(`/api/articles/${article}/shares/telegram-newsroom/publish-now`, stack.url),
      { method: 'POST', headers: { authorization: `Bearer ${token}` } },
    );
    expect(published.status).toBe(200);
    await vi.waitFor(
      async () => expect((await apiShare(article, 'telegram-newsroom')).status).toBe('published'),
      { timeout: 60_000, interval: 500 },
    );

    const page = await signedInPage();
    const fourth = row(page, 4);
    await expect
      .poll(() =>
        fourth.locator('.chip[data-channel="telegram-newsroom"]').getAttribute('data-status'),
      )
      .toBe('published');
    await fourth.getByRole('checkbox', { name: /^Select the 8 shares of/ }).check();
    const bar = page.getByRole('region', { name: 'Bulk actions' });
    await bar.getByRole('button', { name: 'Cancel', exact: true }).click();
    expect(await bar.getByRole('alertdialog').textContent()).toContain('Cancel 8 shares?');
    await bar.getByRole('button', { name: 'Yes, cancel 8 shares' }).click();

    const results = page.locator('.bulk-results');
    await results.waitFor();
    expect(await results.locator('h2').textContent()).toContain('7 done, 1 not');
    const refused = resultFor(page, 4, 'telegram-newsroom');
    expect(await refused.getAttribute('class')).toBe('result-refused');
    expect(await refused.textContent()).toContain(
      'not done (409): A published share cannot be cancelled',
    );
    const shares = await apiShares(article);
    for (const share of shares) {
      expect(share.status, share.channelId).toBe(
        share.channelId === 'telegram-newsroom' ? 'published' : 'cancelled',
      );
    }
    await saveScreenshot(page, 'queue-9-cancelled');

    // The cancelled shares are found by their status; the published post is linked.
    await page.getByLabel('Status').selectOption('cancelled');
    await expect.poll(() => listedNumbers(page)).toEqual([4]);
    await fourth.getByRole('button', { name: /^Show shares/ }).click();
    expect(
      await shareLine(fourth, 'telegram-newsroom').getByRole('link', { name: /^View/ }).count(),
    ).toBe(1);
    await page.close();
  });
});

describe('the queue on a phone', () => {
  it('fits 390 px without sideways scrolling: header, filters, cards, shares and the bulk bar', async () => {
    const phone = await launchChromium(join(temp, 'phone'), PHONE);
    try {
      const page = await signedInPage('#/queue', phone);
      await expect.poll(() => rows(page).count()).toBe(4);
      expect(await sidewaysOverflow(page)).toEqual({ overflow: 0, culprits: [] });
      await saveScreenshot(page, 'queue-phone-1');

      const first = row(page, 1);
      await first.getByRole('button', { name: /^Show shares/ }).click();
      await first.getByRole('checkbox', { name: /^Select the 8 shares of/ }).check();
      await page
        .getByRole('region', { name: 'Bulk actions' })
        .getByRole('button', { name: 'Reschedule…' })
        .click();
      expect(await sidewaysOverflow(page)).toEqual({ overflow: 0, culprits: [] });
      await saveScreenshot(page, 'queue-phone-2-expanded');

      // The other views' header fits too.
      await page.getByRole('link', { name: 'Channels' }).click();
      await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
      const header = await page.locator('header.topbar').boundingBox();
      expect(header?.width).toBeLessThanOrEqual(PHONE.width);
      await page.close();
    } finally {
      await phone.close();
    }
  });
});

describe('the queue of several sites', () => {
  it('shows the site the address names, moves the header’s switcher to it, and writes a switch back', async () => {
    const made = await fetch(new URL('/api/sites', stack.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'north', name: 'North Gazette' }),
    });
    expect(made.status).toBe(201);
    const { webhookSecret } = (await made.json()) as { webhookSecret: string };
    const sent = await postWebhook(
      stack.url,
      webhookSecret,
      JSON.stringify({ ...sampleArticle(), id: 'north-1', title: 'Snow closes the pass' }),
      { path: '/webhooks/generic/north' },
    );
    expect(sent.status).toBe(202);
    const northId = (sent.body as { articleId: string }).articleId;

    const page = await signedInPage('#/queue?site=north');
    await expect.poll(() => rows(page).count()).toBe(1);
    expect(await rows(page).getAttribute('data-article')).toBe(northId);
    const switcher = page.getByRole('banner').getByLabel('Site');
    await expect.poll(() => switcher.inputValue()).toBe('north');
    await saveScreenshot(page, 'queue-10-site');

    // All sites, chosen in the header: the address follows, and each row names its site.
    await switcher.selectOption('');
    await expect.poll(() => page.url()).not.toContain('site=');
    await expect.poll(() => rows(page).count()).toBe(5);
    expect(await rows(page).first().locator('.row-site').textContent()).toBe('North Gazette');
    await switcher.selectOption('north');
    await expect.poll(() => page.url()).toContain('site=north');
    await expect.poll(() => rows(page).count()).toBe(1);
    await page.close();

    // On a phone, the header with its site switcher fits as well.
    const phone = await launchChromium(join(temp, 'phone-sites'), PHONE);
    try {
      const small = await signedInPage('#/queue?site=north', phone);
      await expect.poll(() => rows(small).count()).toBe(1);
      await expect
        .poll(() => small.getByRole('banner').getByLabel('Site').inputValue())
        .toBe('north');
      expect(await sidewaysOverflow(small)).toEqual({ overflow: 0, culprits: [] });
      await saveScreenshot(small, 'queue-phone-3-sites');
    } finally {
      await phone.close();
    }
  });
});
