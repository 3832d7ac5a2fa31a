/**
 * The channel pages of the editor UI in a real browser (Debian's chromium through
 * playwright-core) against the local stack: an admin switches to a site, creates a
 * channel through the form (checked as they type, its routing previewed on the site's
 * articles), edits, pauses, resumes and archives it; an editor of another site never
 * sees it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../shared/resources';
import { launchChromium } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';
import { postWebhook, sampleArticle } from '../support/webhook';

type ApiChannel = {
  id: string;
  name: string | null;
  siteId: string;
  status: string;
  version: number;
  routing: Record<string, unknown> | null;
};

const temp = mkdtempSync(join(tmpdir(), 'crier-channels-ui-'));
let stack: TestStack;
let browser: BrowserContext;
let admin: string;
/** an editor of the site `south` only */
let southEditor: string;

async function call(
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL(path, stack.url), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function apiChannel(id: string, token = admin): Promise<ApiChannel | undefined> {
  const { body } = await call('GET', '/api/channels', token);
  return (body.channels as ApiChannel[]).find((c) => c.id === id);
}

beforeAll(async () => {
  // No composing, no networks: the channel pages read the directory and the articles.
  stack = await startTestStack({
    functions: {
      'editor-api': FUNCTIONS['editor-api'],
      'ingest-webhook': FUNCTIONS['ingest-webhook'],
    },
    sandboxes: false,
  });
  admin = stack.secrets.editorToken.value;
  const secrets: Record<string, string> = {};
  for (const [id, name] of [
    ['north', 'North Gazette'],
    ['south', 'South Courier'],
  ] as const) {
    const made = await call('POST', '/api/sites', admin, { id, name });
    expect(made.status).toBe(201);
    secrets[id] = String(made.body.webhookSecret);
  }
  // Two of North's articles: one in News, one in Sport.
  for (const [id, title, section] of [
    ['north-budget', 'Council passes the budget', 'News'],
    ['north-derby', 'Derby ends in a draw', 'Sport'],
  ] as const) {
    const body = JSON.stringify({ ...sampleArticle(), id, title, section });
    const sent = await postWebhook(stack.url, secrets.north ?? '', body, {
      path: '/webhooks/generic/north',
    });
    expect(sent.status).toBe(202);
  }
  const editor = await call('POST', '/api/editors', admin, {
    name: 'sam',
    role: 'editor',
    sites: ['south'],
  });
  southEditor = String(editor.body.token);
  browser = await launchChromium(temp);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

/** A page signed in through the link `npm start` prints, on the channel list. */
async function channelsPage(token = admin): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${stack.url}/#token=${encodeURIComponent(token)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  await page.getByRole('link', { name: 'Channels', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
  return page;
}

const row = (page: Page, id: string) => page.locator(`tr[data-channel="${id}"]`);
const fieldErrors = (page: Page, field: string) =>
  page.locator(`[data-field="${field}"] .field-errors`);

describe('the channel pages', () => {
  it('switch site: the lists ask for that site only, and the choice is kept', async () => {
    const page = await channelsPage();
    // The default site's channels, among every site's.
    await expect.poll(() => row(page, 'x-newsroom').count()).toBe(1);
    await page.getByRole('link', { name: 'Queue', exact: true }).click();
    const asked = page.waitForRequest((r) => /\/api\/articles\?.*siteId=north/.test(r.url()));
    await page.getByLabel('Site').selectOption('north');
    await asked;

    await page.getByRole('link', { name: 'Channels', exact: true }).click();
    await expect
      .poll(() => page.locator('.channels-view .note').textContent())
      .toContain('The channels of North Gazette.');
    expect(await row(page, 'x-newsroom').count()).toBe(0);
    await expect.poll(() => page.locator('.channels-table .empty').count()).toBe(1);

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
    await expect.poll(() => page.getByLabel('Site').inputValue()).toBe('north');
    await page.close();
  });

  it('create a channel through the form, checked as it is typed, its routing previewed', async () => {
    const page = await channelsPage();
    await page.getByLabel('Site').selectOption('north');
    await page.getByRole('link', { name: 'New channel' }).click();
    await page.getByRole('heading', { level: 1, name: 'New channel' }).waitFor();
    expect(await page.getByLabel('Site', { exact: true }).last().inputValue()).toBe('north');

    // The error shows beside its field as it is typed, before anything is sent.
    await page.getByLabel('ID', { exact: true }).fill('X North');
    await expect
      .poll(() => fieldErrors(page, 'id').textContent())
      .toContain('must be lowercase letters, digits and dashes');
    expect(await page.getByLabel('ID', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('ID', { exact: true }).fill('x-north');
    await expect.poll(() => fieldErrors(page, 'id').count()).toBe(0);

    // The preview weighs North's articles: every one, until a section is named.
    const summary = page.locator('.preview-summary');
    await expect.poll(() => summary.textContent()).toBe("Takes 2 of the site's last 2 articles.");
    await page.getByLabel('Sections', { exact: true }).fill('News');
    await expect.poll(() => summary.textContent()).toBe("Takes 1 of the site's last 2 articles.");
    const derby = page.locator('.preview-list li', { hasText: 'Derby ends in a draw' });
    expect(await derby.textContent()).toContain('Left out: section Sport not in [News]');
    await page.screenshot({ path: '/tmp/ui-channel-form.png', fullPage: true });

    // Submitted with a field missing: nothing is sent, the field says why.
    await page.getByRole('button', { name: 'Create channel' }).click();
    await expect.poll(() => fieldErrors(page, 'account').count()).toBe(1);
    expect(await apiChannel('x-north')).toBeUndefined();

    await page.getByLabel('Account', { exact: true }).fill('northnews');
    await page.getByLabel('Network', { exact: true }).selectOption('x');
    await page.getByRole('button', { name: 'Create channel' }).click();
    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
    await expect.poll(() => row(page, 'x-north').count()).toBe(1);
    expect(await row(page, 'x-north').locator('.routing-summary').textContent()).toBe(
      'sections News',
    );
    expect(await apiChannel('x-north')).toMatchObject({
      siteId: 'north',
      status: 'active',
      version: 1,
      routing: { sections: ['News'] },
    });

    // The API's refusal shows beside the field it is about.
    await page.getByRole('link', { name: 'New channel' }).click();
    await page.getByLabel('ID', { exact: true }).fill('x-north');
    await page.getByLabel('Account', { exact: true }).fill('northnews');
    await page.getByRole('button', { name: 'Create channel' }).click();
    await expect
      .poll(() => fieldErrors(page, 'id').textContent())
      .toContain('a channel with this id exists already');
    await page.close();
  });

  it('edit it with its version, and say so when someone else changed it first', async () => {
    const page = await channelsPage();
    await row(page, 'x-north').getByRole('link', { name: /^Edit/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit channel x-north' }).waitFor();
    await expect
      .poll(() => page.getByLabel('Account', { exact: true }).inputValue())
      .toBe('northnews');
    await page.getByLabel('Name', { exact: true }).fill('North on X');
    await page.getByLabel('Sections', { exact: true }).fill('News, Sport');
    await expect
      .poll(() => page.locator('.preview-summary').textContent())
      .toBe("Takes 2 of the site's last 2 articles.");
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
    await expect
      .poll(() => row(page, 'x-north').locator('.channel-title').textContent())
      .toBe('North on X');
    expect(await apiChannel('x-north')).toMatchObject({
      name: 'North on X',
      version: 2,
      routing: { sections: ['News', 'Sport'] },
    });

    // Opened at version 2; another admin saves first.
    await row(page, 'x-north').getByRole('link', { name: /^Edit/ }).click();
    await expect
      .poll(() => page.getByLabel('Name', { exact: true }).inputValue())
      .toBe('North on X');
    const other = await call('PATCH', '/api/channels/x-north', admin, {
      timezone: 'Europe/Oslo',
      version: 2,
    });
    expect(other.status).toBe(200);
    await page.getByLabel('Name', { exact: true }).fill('North desk');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain('changed by someone else');
    expect((await apiChannel('x-north'))?.name).toBe('North on X');
    await page.getByRole('button', { name: 'Reload the channel' }).click();
    await expect
      .poll(() => page.getByLabel('Time zone', { exact: true }).inputValue())
      .toBe('Europe/Oslo');
    await page.close();
  });

  it('pause and resume it with its switch', async () => {
    const page = await channelsPage();
    const posting = row(page, 'x-north').getByRole('switch');
    expect(await posting.isChecked()).toBe(true);
    await posting.click();
    await expect
      .poll(() => row(page, 'x-north').locator('.badge[class*="channel-"]').textContent())
      .toBe('Paused');
    expect((await apiChannel('x-north'))?.status).toBe('paused');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('paused');
    await page.screenshot({ path: '/tmp/ui-channels.png', fullPage: true });

    await row(page, 'x-north').getByRole('switch').click();
    await expect
      .poll(() => row(page, 'x-north').locator('.badge[class*="channel-"]').textContent())
      .toBe('Active');
    expect((await apiChannel('x-north'))?.status).toBe('active');
    const audit = await call('GET', '/api/audit?siteId=north&limit=3', admin);
    expect((audit.body.entries as { action: string }[]).map((e) => e.action)).toEqual([
      'resume',
      'pause',
      'update',
    ]);
    await page.close();
  });

  it('pause the whole site with one switch, after a confirmation, and resume it', async () => {
    const page = await channelsPage();
    await page.getByRole('banner').getByLabel('Site').selectOption('north');
    const group = page.getByRole('group', { name: 'North Gazette: posting' });
    await group.getByRole('button', { name: 'Pause North Gazette…' }).click();
    await group.getByRole('button', { name: 'Pause the whole site' }).click();
    await expect.poll(() => group.textContent()).toContain('North Gazette is paused.');
    const site = async () =>
      (
        (await call('GET', '/api/sites', admin)).body.sites as { id: string; status: string }[]
      ).find((s) => s.id === 'north')?.status;
    expect(await site()).toBe('paused');

    await group.getByRole('button', { name: 'Resume North Gazette' }).click();
    await expect.poll(() => group.textContent()).toContain('North Gazette is posting.');
    expect(await site()).toBe('active');
    const audit = await call('GET', '/api/audit?siteId=north&limit=2', admin);
    expect(
      (audit.body.entries as { action: string; target: string }[]).map((e) => [e.action, e.target]),
    ).toEqual([
      ['resume', 'site:north'],
      ['pause', 'site:north'],
    ]);
    await page.close();
  });

  it('is not seen by an editor of another site, who gets a read-only list', async () => {
    const page = await channelsPage(southEditor);
    await expect.poll(() => page.locator('.channels-table .empty').count()).toBe(1);
    expect(await row(page, 'x-north').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'New channel' }).count()).toBe(0);
    expect(await page.locator('.channels-view .note').textContent()).toContain(
      'Only an admin can add, change, pause or archive a channel.',
    );
    // One site: no switcher, its name instead.
    expect(await page.locator('.site-name').textContent()).toBe('South Courier');
    expect(await apiChannel('x-north', southEditor)).toBeUndefined();
    expect((await call('POST', '/api/channels/x-north/pause', southEditor)).status).toBe(403);
    await page.close();
  });

  it('archive it after a confirmation that says its pending shares will be cancelled', async () => {
    const page = await channelsPage();
    await row(page, 'x-north')
      .getByRole('button', { name: /^Archive/ })
      .click();
    const confirmation = row(page, 'x-north').locator('.confirm');
    expect(await confirmation.textContent()).toContain('will be cancelled');
    await confirmation.getByRole('button', { name: 'Keep it' }).click();
    expect(await apiChannel('x-north')).toBeDefined();

    await row(page, 'x-north')
      .getByRole('button', { name: /^Archive/ })
      .click();
    await row(page, 'x-north').getByRole('button', { name: 'Archive channel' }).click();
    await expect.poll(() => row(page, 'x-north').count()).toBe(0);
    expect(await apiChannel('x-north')).toBeUndefined();
    const audit = await call('GET', '/api/audit?siteId=north&limit=1', admin);
    expect(audit.body.entries).toMatchObject([{ action: 'archive', target: 'channel:x-north' }]);
    await page.close();
  });
});
