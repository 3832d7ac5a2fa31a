/**
 * The Notifications page in a real browser (Debian's chromium through playwright-core)
 * against the local stack: an admin's fields are checked as they are typed; the Slack
 * hook, an address and a signed webhook are saved; the webhook's key shows once; the
 * test button's messages arrive at the sandbox receiver; and no saved URL or key is ever
 * in the address, the browser's storage, the console or an API answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../shared/resources';
import { launchChromium } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';

const temp = mkdtempSync(join(tmpdir(), 'crier-notifications-ui-'));
let stack: TestStack;
let browser: BrowserContext;
let admin: string;
const SLACK_TOKEN = 'T0NEWS-B0DESK-SECRETslackPATH';

type Received = { target: string; to: string; body: unknown };

async function received(): Promise<Received[]> {
  const response = await fetch(new URL('/sandbox/notifications', stack.url));
  return ((await response.json()) as { notifications: Received[] }).notifications;
}

beforeAll(async () => {
  stack = await startTestStack({
    functions: { 'editor-api': FUNCTIONS['editor-api'] },
    sandboxes: false,
  });
  admin = stack.secrets.editorToken.value;
  browser = await launchChromium(temp);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

/** A page signed in through the link `npm start` prints, on the Notifications page. */
async function notificationsPage(logged: string[]): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (message) => logged.push(message.text()));
  await page.goto(`${stack.url}/#token=${encodeURIComponent(admin)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  await page.getByRole('link', { name: 'Notifications', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
  return page;
}

const errorsOf = (page: Page, field: string) =>
  page.locator(`[data-site="default"] [data-field="${field}"] .field-errors`);

describe('the Notifications page', () => {
  it('sets the targets, shows the key once, tests them, and never lets a secret out', async () => {
    const logged: string[] = [];
    const page = await notificationsPage(logged);
    const form = page.getByRole('form', { name: /notifications/ }).first();
    const slack = form.getByLabel('Slack incoming webhook URL');
    const emails = form.getByLabel('E-mail addresses');
    const webhook = form.getByLabel('Signed webhook URL');
    const minutes = form.getByLabel(/Remind of drafts/);

    // Checked as typed, before anything is sent.
    await slack.fill('hooks.slack.com/services/no-scheme');
    await expect.poll(() => errorsOf(page, 'slackWebhookUrl').textContent()).toMatch(/URL/);
    await emails.fill('desk@news.example.org\nnot-an-address');
    await expect
      .poll(() => errorsOf(page, 'emailAddresses').textContent())
      .toContain('not-an-address: not an e-mail address');
    await minutes.fill('2');
    await expect
      .poll(() => errorsOf(page, 'approvalReminderMinutes').textContent())
      .toMatch(/5 to 10080/);
    await expect(slack.getAttribute('aria-invalid')).resolves.toBe('true');
    await form.getByRole('button', { name: 'Save' }).click();
    // Refused here: nothing was saved.
    const before = await fetch(new URL('/api/sites', stack.url), {
      headers: { authorization: `Bearer ${admin}` },
    }).then((r) => r.json() as Promise<{ sites: { id: string; notifications: unknown }[] }>);
    expect(before.sites.find((s) => s.id === 'default')?.notifications).toMatchObject({
      slack: false,
      emailAddresses: [],
    });

    await slack.fill(`${stack.url}/sandbox/slack/${SLACK_TOKEN}`);
    await emails.fill('desk@news.example.org');
    await webhook.fill(`${stack.url}/sandbox/notify-webhook`);
    await minutes.fill('30');
    await expect.poll(() => page.locator('[data-site="default"] .field-errors').count()).toBe(0);
    await form.getByRole('button', { name: 'Save' }).click();

    const keyBox = page.getByRole('region', { name: 'New webhook signing key' });
    await keyBox.waitFor();
    const key = await keyBox.getByLabel("The webhook's signing key").inputValue();
    expect(key).toMatch(/^whsec_/);
    await keyBox.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => keyBox.count()).toBe(0);

    // Saved: the URLs typed are gone from the fields; the page says they are set.
    await expect(slack.inputValue()).resolves.toBe('');
    await expect(webhook.inputValue()).resolves.toBe('');
    await expect(form.textContent()).resolves.toContain('A Slack webhook is set');
    await expect(form.textContent()).resolves.toContain(`A webhook is set at ${stack.url}/…`);
    const address = form.locator('[data-address="desk@news.example.org"]');
    await expect.poll(() => address.textContent()).toContain('Confirmed');

    await form.getByRole('button', { name: 'Send a test notification' }).click();
    const results = page.getByRole('list', { name: 'Test results' });
    await expect
      .poll(() => results.locator('li').allTextContents())
      .toEqual(['Slack: delivered', 'E-mail: delivered', 'Webhook: delivered']);
    const arrived = await received();
    expect(arrived.map((n) => n.target).sort()).toEqual(['email', 'slack', 'webhook']);
    expect(arrived.find((n) => n.target === 'slack')?.to).toBe(SLACK_TOKEN);
    for (const notification of arrived) {
      expect(JSON.stringify(notification.body)).toContain('a test of the editors');
    }

    // A reload shows the same: set, never the values.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    await expect.poll(() => slack.getAttribute('placeholder')).toContain('(set)');
    await expect(slack.inputValue()).resolves.toBe('');

    // Evaluated in the page: everything it keeps in storage and cookies.
    const storage = String(
      await page.evaluate(
        'JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie])',
      ),
    );
    const api = await fetch(new URL('/api/sites', stack.url), {
      headers: { authorization: `Bearer ${admin}` },
    }).then((r) => r.text());
    for (const seen of [page.url(), storage, logged.join('\n'), api, await page.content()]) {
      expect(seen).not.toContain('SECRETslackPATH');
      expect(seen).not.toContain(key);
      expect(seen).not.toContain('/sandbox/notify-webhook');
    }
    await page.close();
  });
});
