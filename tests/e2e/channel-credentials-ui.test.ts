/**
 * Setting a channel's credentials in the editor UI, in a real browser (Debian's chromium
 * through playwright-core) against the local stack and its sandboxes: an admin types the
 * sandbox account's credentials, the network accepts them and the channel shows
 * Connected; a wrong token shows the network's reason and stores nothing; "Check now"
 * asks the network again. Secret fields are password inputs, empty once sent.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../shared/resources';
import { startTestStack, type TestStack } from '../support/stack';

/** docs/development.md, "Browser tests": what Debian's chromium needs to start headless here. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const temp = mkdtempSync(join(tmpdir(), 'crier-credentials-ui-'));
let stack: TestStack;
let browser: BrowserContext;
let admin: string;

beforeAll(async () => {
  stack = await startTestStack({
    functions: { 'editor-api': FUNCTIONS['editor-api'] },
    sandboxes: true,
  });
  admin = stack.secrets.editorToken.value;
  browser = await chromium.launchPersistentContext(join(temp, 'chromium-profile'), {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

async function channelsPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${stack.url}/#token=${encodeURIComponent(admin)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  await page.getByRole('link', { name: 'Channels', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
  return page;
}

const row = (page: Page, id: string) => page.locator(`tr[data-channel="${id}"]`);
const secretFile = (id: string) => join(stack.dataDir, 'channel-secrets', `${id}.json`);

function mastodonAccount(): { url: string; accessToken: string } {
  const credentials = stack.sandboxes?.byPlatform('mastodon')?.credentials;
  if (!credentials) throw new Error('No Mastodon sandbox');
  return { url: String(credentials.url), accessToken: String(credentials.accessToken) };
}

describe('setting credentials in the editor UI', () => {
  it('a wrong token shows the network’s reason and stores nothing; the right one shows Connected', async () => {
    const page = await channelsPage();
    const channel = row(page, 'mastodon-newsroom');
    await expect.poll(() => channel.count()).toBe(1);
    await channel.getByRole('button', { name: /Set credentials/ }).click();
    const form = page.getByRole('form', { name: /Credentials of/ });
    const token = form.getByLabel('Access token');
    expect(await token.getAttribute('type')).toBe('password');
    expect(await token.inputValue()).toBe('');

    const account = mastodonAccount();
    await form.getByLabel('Instance').fill(account.url);
    await token.fill('not-the-right-token');
    await form.getByRole('button', { name: 'Save credentials' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/Mastodon answered 401/);
    expect(await alert.textContent()).not.toContain('not-the-right-token');
    // Sent, so emptied: nothing typed stays in the page.
    expect(await token.inputValue()).toBe('');
    expect(existsSync(secretFile('mastodon-newsroom'))).toBe(false);

    await form.getByLabel('Instance').fill(account.url);
    await token.fill(account.accessToken);
    await form.getByRole('button', { name: 'Save credentials' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toMatch(/accepted the credentials/);
    await expect.poll(() => channel.locator('.badge.health-ok').textContent()).toBe('Connected');
    expect(JSON.parse(readFileSync(secretFile('mastodon-newsroom'), 'utf8'))).toEqual(account);
    expect(await page.content()).not.toContain(account.accessToken);
    await page.close();
  });

  it('Check now asks the network again and shows what it found', async () => {
    const page = await channelsPage();
    const channel = row(page, 'bluesky-newsroom');
    await expect.poll(() => channel.count()).toBe(1);
    await expect.poll(() => channel.locator('.badge.health-unchecked').count()).toBe(1);
    await channel.getByRole('button', { name: /Check now/ }).click();
    // The default channel posts with the sandbox account: the network knows it.
    await expect.poll(() => channel.locator('.badge.health-ok').textContent()).toBe('Connected');
    await page.close();
  });
});
