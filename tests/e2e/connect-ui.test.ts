/**
 * Connect in the editor UI, in a real browser against the local stack and its sandboxes:
 * an admin clicks Connect on the X channel, authorizes Crier on the sandbox's consent
 * page, and lands back on the channels page with the channel connected. No token shows.
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
});
