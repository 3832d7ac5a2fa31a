/**
 * Connect in the editor UI, in a real browser against the local stack and its sandboxes:
 * an admin clicks Connect on the X channel, authorizes Crier on the sandbox's consent
 * page, and lands back on the channels page with the channel connected; on Facebook, as a
 * person who manages three Pages, the admin picks one on the pick page; Instagram connects
with Facebook login. No token shows.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../shared/resources';
import { launchChromium } from '../support/browser';
import { DEFAULT_CHANNELS } from '../support/channels';
import { startTestStack, type TestStack } from '../support/stack';

const temp = mkdtempSync(join(tmpdir(), 'crier-connect-ui-'));
let stack: TestStack;
let browser: BrowserContext;
let admin: string;

beforeAll(async () => {
  stack = await startTestStack({
    functions: {
      'editor-api': FUNCTIONS['editor-api'],
      'oauth-callback': FUNCTIONS['oauth-callback'],
    },
    sandboxes: true,
  });
  admin = stack.secrets.editorToken.value;
  browser = await launchChromium(temp);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

describe('Connect in the editor UI', () => {
  it('connects the X channel through the sandbox consent page and says so', async () => {
    const x = DEFAULT_CHANNELS.find((c) => c.platform === 'x');
    if (!x) throw new Error('no default X channel');
    const page = await browser.newPage();
    await page.goto(`${stack.url}/#token=${encodeURIComponent(admin)}`);
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    await page.getByRole('link', { name: 'Channels', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();

    await page
      .locator(`tr[data-channel="${x.id}"]`)
      .getByRole('button', { name: /^Connect/ })
      .click();
    await page.getByRole('button', { name: 'Authorize app' }).click();

    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
    await expect
      .poll(() => page.locator('.notice-success').textContent())
      .toBe(`Channel ${x.id} is connected.`);
    expect(new URL(page.url()).hash).toBe(`#/channels?connected=${x.id}`);

    const stored = JSON.parse(
      readFileSync(join(stack.dataDir, 'channel-secrets', `${x.id}.json`), 'utf8'),
    ) as { accessToken: string; refreshToken: string };
    const shown = await page.content();
    expect(shown).not.toContain(stored.accessToken);
    expect(shown).not.toContain(stored.refreshToken);
  });

  it('connects the Facebook channel through the pick among three Pages', async () => {
    const facebook = DEFAULT_CHANNELS.find((c) => c.platform === 'facebook');
    if (!facebook) throw new Error('no default Facebook channel');
    const page = await browser.newPage();
    await page.goto(`${stack.url}/#token=${encodeURIComponent(admin)}`);
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    await page.getByRole('link', { name: 'Channels', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();

    await page
      .locator(`tr[data-channel="${facebook.id}"]`)
      .getByRole('button', { name: /^Connect/ })
      .first()
      .click();
    await page.getByRole('radio', { name: /manages 3 Pages/ }).check();
    await page.getByRole('button', { name: 'Authorize app' }).click();

    await page
      .getByRole('heading', { level: 1, name: `Choose the account for ${facebook.id}` })
      .waitFor();
    expect(new URL(page.url()).hash).toMatch(
      new RegExp(`^#/channels/${facebook.id}/connect/[\\w-]+$`),
    );
    const names = await page
      .getByRole('radio')
      .evaluateAll((inputs) => inputs.map((input) => input.parentElement?.textContent?.trim()));
    expect(names).toEqual(['Newsroom', 'Newsroom Sports', 'Newsroom Culture']);
    const connectButton = page.getByRole('button', { name: 'Connect this account' });
    expect(await connectButton.isDisabled()).toBe(true);
    await page.getByRole('radio', { name: 'Newsroom Sports' }).check();
    await connectButton.click();

    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
    await expect
      .poll(() => page.locator('.notice-success').textContent())
      .toBe(`Channel ${facebook.id} is connected.`);
    const stored = JSON.parse(
      readFileSync(join(stack.dataDir, 'channel-secrets', `${facebook.id}.json`), 'utf8'),
    ) as { pageId: string; pageAccessToken: string };
    expect(stored.pageId).not.toBe(
      (stack.sandboxes?.byPlatform('facebook')?.credentials as { pageId?: string })?.pageId,
    );
    expect(await page.content()).not.toContain(stored.pageAccessToken);
  });

  it('connects the Instagram channel with Facebook login, through the Facebook dialog', async () => {
    const instagram = DEFAULT_CHANNELS.find((c) => c.platform === 'instagram');
    if (!instagram) throw new Error('no default Instagram channel');
    const page = await browser.newPage();
    await page.goto(`${stack.url}/#token=${encodeURIComponent(admin)}`);
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    await page.getByRole('link', { name: 'Channels', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();

    await page
      .locator(`tr[data-channel="${instagram.id}"]`)
      .getByRole('button', { name: /^Connect with Facebook/ })
      .click();
    await page.getByRole('heading', { name: /Facebook account/ }).waitFor();
    expect(await page.content()).toContain('instagram_content_publish');
    await page.getByRole('button', { name: 'Authorize app' }).click();

    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
    await expect
      .poll(() => page.locator('.notice-success').textContent())
      .toBe(`Channel ${instagram.id} is connected.`);
    const stored = JSON.parse(
      readFileSync(join(stack.dataDir, 'channel-secrets', `${instagram.id}.json`), 'utf8'),
    ) as { accessToken: string; login: string };
    expect(stored.login).toBe('facebook');
    expect(await page.content()).not.toContain(stored.accessToken);
  });
});
