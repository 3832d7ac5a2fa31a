/**
 * The editor UI's admin pages in a real browser (Debian's chromium through playwright-core)
 * against the local stack: an admin adds an editor for one site and reads its token once,
 * the editor signs in and sees only that site, the admin revokes them, and the audit log
 * shows a channel's change, for every site or one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CHANNELS } from '../../shared/config/default-channels';
import { launchChromium } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson, postWebhook, sampleArticle } from '../support/webhook';

const SAMPLE_TITLE = 'Trump Declares Support for Coup in Bolivia';
const NORTH_TITLE = 'The harbour reopens after the winter storms';

const temp = mkdtempSync(join(tmpdir(), 'crier-admin-ui-e2e-'));
const previousConfig = process.env.CRIER_CONFIG;
const previousTtl = process.env.CRIER_DIRECTORY_TTL_SECONDS;
let stack: TestStack;
let browser: BrowserContext;
let admin: string;
/** the new editor's token, as the page showed it */
let editorToken = '';
/** every line the pages wrote to their consoles */
const consoleLines: string[] = [];

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(new URL(path, stack.url), {
    method,
    headers: {
      authorization: `Bearer ${admin}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  // Every share waits 30 minutes: nothing goes out while the test looks at the queue.
  const delayed = { type: 'delay', minutes: 30 } as const;
  const config = join(temp, 'channels.json');
  writeFileSync(
    config,
    JSON.stringify({ channels: DEFAULT_CHANNELS.map((c) => ({ ...c, schedule: delayed })) }),
  );
  process.env.CRIER_CONFIG = config;
  // The new site's channel takes the next article at once, not within the minute.
  process.env.CRIER_DIRECTORY_TTL_SECONDS = '0';
  stack = await startTestStack();
  admin = stack.secrets.editorToken.value;
  browser = await launchChromium(temp);
  browser.on('page', (page) => page.on('console', (line) => consoleLines.push(line.text())));

  // A second site with one channel of its own, and an article on each site.
  const site = await call('POST', '/api/sites', { id: 'north', name: 'North Desk' });
  expect(site.status).toBe(201);
  const { id: _id, ...x } = DEFAULT_CHANNELS[0] ?? {};
  const channel = await call('POST', '/api/channels', {
    ...x,
    id: 'x-north',
    name: 'North on X',
    siteId: 'north',
    schedule: delayed,
  });
  expect(channel.status, JSON.stringify(channel.body)).toBe(201);
  const sample = sampleArticle();
  const sent = await postWebhook(
    stack.url,
    stack.secrets.webhookSecret.value,
    JSON.stringify(sample),
  );
  expect(sent.status).toBe(202);
  const north = await postWebhook(
    stack.url,
    String(site.body.webhookSecret),
    JSON.stringify({ ...sample, id: 'north-harbour', title: NORTH_TITLE }),
    { path: '/webhooks/generic/north' },
  );
  expect(north.status).toBe(202);
  await vi.waitFor(
    async () => {
      const { body } = await getJson(stack.url, '/api/articles?limit=10', admin);
      const articles = (body as { articles: { title: string; shares: unknown[] }[] }).articles;
      const shares = (title: string) => articles.find((a) => a.title === title)?.shares.length;
      expect(shares(SAMPLE_TITLE)).toBe(DEFAULT_CHANNELS.length);
      expect(shares(NORTH_TITLE)).toBe(1);
    },
    { timeout: 30_000, interval: 300 },
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
  if (previousConfig === undefined) delete process.env.CRIER_CONFIG;
  else process.env.CRIER_CONFIG = previousConfig;
  if (previousTtl === undefined) delete process.env.CRIER_DIRECTORY_TTL_SECONDS;
  else process.env.CRIER_DIRECTORY_TTL_SECONDS = previousTtl;
  rmSync(temp, { recursive: true, force: true });
});

/** The admin, signed in through the link `npm start` prints, on one of the admin pages. */
async function adminPage(link: 'Editors' | 'Audit log'): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${stack.url}/#token=${encodeURIComponent(admin)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: link }).click();
  await page.getByRole('heading', { level: 1, name: link }).waitFor();
  return page;
}

/** A fresh tab signed in by typing the token, as an editor handed one would. */
async function signIn(token: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(stack.url);
  await page.getByLabel('Editor token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

/** Everything the page keeps in localStorage and sessionStorage (evaluated in the page). */
async function storage(page: Page): Promise<string> {
  return String(
    await page.evaluate(
      'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })',
    ),
  );
}

describe('the admin pages', () => {
  it('add an editor for one site, naming a refused field beside it, and show the token once', async () => {
    const page = await adminPage('Editors');
    const form = page.getByRole('form', { name: 'Add an editor' });

    // Spaces pass the browser's `required` and are trimmed: the API's 400 names the field.
    await form.getByLabel('Name').fill('   ');
    await form.getByLabel(/North Desk/).check();
    await form.getByRole('button', { name: 'Add editor' }).click();
    await expect.poll(() => page.locator('#editor-name-error').textContent()).toMatch(/\S/);
    expect(await form.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    expect((await call('GET', '/api/editors')).body.editors).toEqual([]);

    await form.getByLabel('Name').fill('nadia');
    await form.getByRole('button', { name: 'Add editor' }).click();
    const created = page.getByRole('region', { name: 'New editor' });
    await created.waitFor();
    editorToken = await created.getByLabel('Their sign-in token').inputValue();
    expect(editorToken.length).toBeGreaterThan(30);
    expect(await created.textContent()).toContain('you will not see it again');
    await page.screenshot({ path: '/tmp/ui-editors-token.png', fullPage: true });

    const row = page.getByRole('row', { name: /nadia/ });
    await expect.poll(() => row.textContent()).toContain('North Desk');
    expect(await row.textContent()).toContain('Editor');

    // Once closed, the token is nowhere: not in the page, the address or the storage.
    await created.getByRole('button', { name: 'Done' }).click();
    await created.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(editorToken);
    expect(page.url()).not.toContain(editorToken);
    const stored = await storage(page);
    expect(stored).toContain('crier.token'); // the admin's own sign-in, where it belongs
    expect(stored).not.toContain(editorToken);
    await page.close();
  });

  it("let the new editor sign in with the token, and show them only their site's shares, without the admin links", async () => {
    const page = await signIn(editorToken);
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    const rows = page.locator('li.queue-row');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.textContent()).toContain(NORTH_TITLE);
    expect(await page.locator('.queue-list').textContent()).not.toContain(SAMPLE_TITLE);

    // The page knows who signed in (an editor): the admin pages are refused in words...
    await page.goto(`${stack.url}/#/editors`);
    await page.getByRole('heading', { level: 1, name: 'Admins only' }).waitFor();
    // ...and their links are not offered.
    const nav = page.getByRole('navigation', { name: 'Views' });
    expect(await nav.getByRole('link', { name: 'Calendar' }).count()).toBe(1);
    expect(await nav.getByRole('link', { name: 'Editors' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await page.close();
  });

  it('revoke the editor after a confirmation, and the token is then refused', async () => {
    const editor = await signIn(editorToken);
    await editor.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();

    const page = await adminPage('Editors');
    await page.getByRole('button', { name: 'Revoke nadia' }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('nadia was revoked');
    await expect.poll(() => page.getByRole('row', { name: /nadia/ }).count()).toBe(0);
    expect((await call('GET', '/api/editors')).body.editors).toEqual([]);
    await page.close();

    // The editor's open tab is signed out at its next request...
    await editor.reload();
    await editor.getByLabel('Editor token').waitFor();
    expect(await editor.getByRole('alert').textContent()).toContain('Sign in again');
    // ...and the token no longer signs anyone in.
    await editor.getByLabel('Editor token').fill(editorToken);
    await editor.getByRole('button', { name: 'Sign in' }).click();
    await editor.getByRole('alert').filter({ hasText: 'That token was not accepted' }).waitFor();
    await editor.close();
  });

  it("show a channel's change with what changed, for every site or only one", async () => {
    for (const [id, name] of [
      ['x-north', 'North Desk on X'],
      ['x-newsroom', 'Newsroom on X'],
    ]) {
      expect((await call('PATCH', `/api/channels/${id}`, { name })).status).toBe(200);
    }
    const page = await adminPage('Audit log');
    const table = page.getByRole('table', { name: /^Changes/ });
    const northChange = table.getByRole('row', { name: /Channel x-north/ }).filter({
      hasText: 'Changed',
    });
    await northChange.waitFor();
    const diff = northChange.locator('.audit-diff li');
    expect(await diff.count()).toBe(1);
    expect(await diff.textContent()).toMatch(/name: North on X\s*→\s*to\s*North Desk on X/);
    expect(await northChange.textContent()).toContain('editor');
    // Newest first: the last change heads the list.
    expect(await table.locator('tbody tr').first().textContent()).toContain('Channel x-newsroom');
    await page.screenshot({ path: '/tmp/ui-audit.png', fullPage: true });

    await page.getByRole('main').getByLabel('Site').selectOption('north');
    await page.waitForURL(/#\/audit\?siteId=north$/);
    await expect
      .poll(() => table.locator('tbody tr').first().textContent())
      .toContain('Channel x-north');
    const targets = await table.locator('tbody tr td:nth-child(4)').allTextContents();
    expect(targets.length).toBeGreaterThanOrEqual(3);
    for (const target of targets) expect(target).toMatch(/Site north|Channel x-north/);

    await page.getByRole('main').getByLabel('Site').selectOption('');
    await expect
      .poll(() => table.locator('tbody tr').first().textContent())
      .toContain('Channel x-newsroom');
    await page.close();
  });

  it('load the next page of the audit log on demand, with no entry twice', async () => {
    const before = (await call('GET', '/api/audit?limit=100')).body.entries as unknown[];
    // Enough changes for a second page of 50.
    for (let round = 1; before.length + round <= 55; round++) {
      const changed = await call('PATCH', '/api/channels/x-north', { name: `North ${round}` });
      expect(changed.status).toBe(200);
    }
    const total = ((await call('GET', '/api/audit?limit=100')).body.entries as unknown[]).length;
    expect(total).toBeGreaterThan(50);

    const page = await adminPage('Audit log');
    const rows = page.getByRole('table', { name: /^Changes/ }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows.count()).toBe(total);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    const keys = await rows.evaluateAll((trs) =>
      trs.map((tr) => tr.querySelector('time')?.getAttribute('datetime') + tr.textContent),
    );
    expect(new Set(keys).size).toBe(total);
    await page.close();
  });

  it('never wrote the token to a console', () => {
    expect(editorToken).not.toBe('');
    expect(consoleLines.filter((line) => line.includes(editorToken))).toEqual([]);
  });
});
