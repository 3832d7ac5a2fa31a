/**
 * Connect in the editor UI, in a real browser against the local stack and its sandboxes,
 * network by network: an admin clicks Connect (or fills the credentials form where the
 * network has no consent page), the network says yes, and the channel shows Connected
 * and posts. No token shows in the page, its address, its storage or its console. A
 * person who manages three Facebook Pages picks one on the pick page, and Instagram also
 * connects with Facebook login. A declined consent and a state that is unknown or
 * expired each say why in the browser.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../shared/domain/platform';
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

function channelOf(platform: Platform): string {
  const channel = DEFAULT_CHANNELS.find((c) => c.platform === platform);
  if (!channel) throw new Error(`no default ${platform} channel`);
  return channel.id;
}

type Watched = { page: Page; console: string[] };

/** The channels page, with every console line the page writes kept for a look afterwards. */
async function channelsPage(): Promise<Watched> {
  const page = await browser.newPage();
  const console: string[] = [];
  page.on('console', (message) => console.push(message.text()));
  page.on('pageerror', (error) => console.push(error.message));
  await page.goto(`${stack.url}/#token=${encodeURIComponent(admin)}`);
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  await page.getByRole('link', { name: 'Channels', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
  return { page, console };
}

const row = (page: Page, id: string) => page.locator(`tr[data-channel="${id}"]`);
const secretFile = (id: string) => join(stack.dataDir, 'channel-secrets', `${id}.json`);
const stored = (id: string) =>
  JSON.parse(readFileSync(secretFile(id), 'utf8')) as Record<string, unknown>;

/** The values of the stored credentials worth hiding: every string that is not an id or a URL. */
function secretsOf(id: string): string[] {
  const value = stored(id);
  const keys = [
    'accessToken',
    'refreshToken',
    'pageAccessToken',
    'password',
    'botToken',
    'session',
  ];
  return keys.flatMap((key) => {
    const v = value[key];
    return typeof v === 'string' && v.length >= 8 ? [v] : [];
  });
}

/** None of the channel's secrets in the page, its address, its storage or its console. */
async function expectNoSecretShown({ page, console }: Watched, id: string): Promise<void> {
  const secrets = secretsOf(id);
  expect(secrets.length).toBeGreaterThan(0);
  // A string, run in the page: the tests' own types know no DOM.
  const storage = String(
    await page.evaluate(
      'JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } })',
    ),
  );
  const seen = [await page.content(), page.url(), storage, console.join('\n')].join('\n');
  for (const secret of secrets) expect(seen).not.toContain(secret);
}

async function clickConnect(page: Page, id: string): Promise<void> {
  await row(page, id)
    .getByRole('button', { name: /^Connect(?! with)/ })
    .click();
}

/** After the network sent the admin back: the success notice and the Connected badge. */
async function expectConnected(page: Page, id: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
  await expect
    .poll(() => page.locator('.notice-success').textContent())
    .toBe(`Channel ${id} is connected.`);
  expect(new URL(page.url()).hash).toBe(`#/channels?connected=${id}`);
  await expect
    .poll(() => row(page, id).locator('.badge.health-ok').textContent())
    .toBe('Connected');
}

/** The same who-am-I call the daily check makes, with what Connect stored. */
async function checkChannel(id: string): Promise<string> {
  const answer = await fetch(`${stack.url}/api/channels/${id}/check`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}` },
  });
  expect(answer.status).toBe(200);
  const body = (await answer.json()) as { health: { status: string } };
  return body.health.status;
}

function sandboxCredentials(platform: Platform): Record<string, string> {
  const credentials = stack.sandboxes?.byPlatform(platform)?.credentials;
  if (!credentials) throw new Error(`No ${platform} sandbox`);
  return Object.fromEntries(Object.entries(credentials).map(([k, v]) => [k, String(v)]));
}

/** What each network's connect stores besides its token: the account it posts as. */
const ACCOUNT = {
  // the sandbox member administers exactly one Page: the Page posts
  linkedin: { author: expect.stringMatching(/^urn:li:organization:\d+$/) },
  threads: { userId: expect.any(String), expiresAt: expect.any(String) },
  instagram: { userId: expect.any(String), expiresAt: expect.any(String) },
  // the one Page the account manages, with a Page token that does not expire
  facebook: { pageId: expect.any(String), pageAccessToken: expect.any(String) },
} as const;

describe('Connect in the editor UI', () => {
  it('connects the X channel through the sandbox consent page and says so', async () => {
    const id = channelOf('x');
    const watched = await channelsPage();
    const { page } = watched;
    await clickConnect(page, id);
    await page.getByRole('button', { name: 'Authorize app' }).click();
    await expectConnected(page, id);
    const tokens = stored(id) as { accessToken: string; refreshToken: string };
    expect(tokens.refreshToken).toEqual(expect.any(String));
    await expectNoSecretShown(watched, id);
    expect(await checkChannel(id)).toBe('ok');
    await page.close();
  });

  it('connects the Facebook channel through the pick among three Pages', async () => {
    const facebook = { id: channelOf('facebook') };
    const { page } = await channelsPage();

    await clickConnect(page, facebook.id);
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
    const picked = stored(facebook.id) as { pageId: string; pageAccessToken: string };
    expect(picked.pageId).not.toBe(
      (stack.sandboxes?.byPlatform('facebook')?.credentials as { pageId?: string })?.pageId,
    );
    expect(await page.content()).not.toContain(picked.pageAccessToken);
  });

  it('connects the Instagram channel with Facebook login, through the Facebook dialog', async () => {
    const instagram = { id: channelOf('instagram') };
    const { page } = await channelsPage();

    await row(page, instagram.id)
      .getByRole('button', { name: /^Connect with Facebook/ })
      .click();
    await page.getByRole('heading', { name: /Facebook account/ }).waitFor();
    expect(await page.content()).toContain('instagram_content_publish');
    await page.getByRole('button', { name: 'Authorize app' }).click();

    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
    await expect
      .poll(() => page.locator('.notice-success').textContent())
      .toBe(`Channel ${instagram.id} is connected.`);
    const linked = stored(instagram.id) as { accessToken: string; login: string };
    expect(linked.login).toBe('facebook');
    expect(await page.content()).not.toContain(linked.accessToken);
  });

  for (const platform of ['linkedin', 'threads', 'instagram', 'facebook'] as const) {
    it(`connects the ${platform} channel through its consent page; it posts afterwards`, async () => {
      const id = channelOf(platform);
      const watched = await channelsPage();
      const { page } = watched;
      await clickConnect(page, id);
      await page.getByRole('button', { name: 'Authorize app' }).click();
      await expectConnected(page, id);
      expect(stored(id)).toMatchObject(ACCOUNT[platform]);
      await expectNoSecretShown(watched, id);
      expect(await checkChannel(id)).toBe('ok');
      await page.close();
    });
  }

  it('connects Mastodon on the instance the admin names, registering Crier’s app there once', async () => {
    const id = channelOf('mastodon');
    const instance = new URL(sandboxCredentials('mastodon').url ?? '').origin;
    const clientIds: string[] = [];
    for (let round = 0; round < 2; round += 1) {
      const watched = await channelsPage();
      const { page } = watched;
      await clickConnect(page, id);
      await page.getByLabel('Mastodon instance').fill(instance);
      await page.getByRole('button', { name: 'Continue to the consent page' }).click();
      await page.getByRole('button', { name: 'Authorize app' }).waitFor();
      expect(new URL(page.url()).origin).toBe(instance);
      clientIds.push(new URL(page.url()).searchParams.get('client_id') ?? '');
      await page.getByRole('button', { name: 'Authorize app' }).click();
      await expectConnected(page, id);
      expect(stored(id).url).toBe(instance);
      await expectNoSecretShown(watched, id);
      await page.close();
    }
    // The second connect reused the app the first one registered.
    expect(clientIds[0]).not.toBe('');
    expect(clientIds[1]).toBe(clientIds[0]);
    const apps = (await stack.items()).filter((item) =>
      String(item.PK).startsWith('MASTODON-APP#'),
    );
    expect(apps).toHaveLength(1);
    expect(await checkChannel(id)).toBe('ok');
  });

  it('connects Bluesky with a handle and an app password; a wrong one shows why and stores nothing', async () => {
    const id = channelOf('bluesky');
    const account = sandboxCredentials('bluesky');
    const watched = await channelsPage();
    const { page } = watched;
    await row(page, id)
      .getByRole('button', { name: /Set credentials/ })
      .click();
    const form = page.getByRole('form', { name: /Credentials of/ });
    const password = form.getByLabel('App password');
    expect(await password.getAttribute('type')).toBe('password');

    await form.getByLabel('Service (PDS)').fill(account.service ?? '');
    await form.getByLabel('Handle').fill(account.identifier ?? '');
    await password.fill('wrong-app-password');
    await form.getByRole('button', { name: 'Save credentials' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/Bluesky .*(password|Authentication)/i);
    expect(existsSync(secretFile(id))).toBe(false);

    await form.getByLabel('Service (PDS)').fill(account.service ?? '');
    await form.getByLabel('Handle').fill(account.identifier ?? '');
    await password.fill(account.password ?? '');
    await form.getByRole('button', { name: 'Save credentials' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toMatch(/accepted the credentials/);
    await expect
      .poll(() => row(page, id).locator('.badge.health-ok').textContent())
      .toBe('Connected');
    expect(stored(id).identifier).toBe(account.identifier);
    await expectNoSecretShown(watched, id);
    expect(await checkChannel(id)).toBe('ok');
    await page.close();
  });

  it('connects Telegram with a bot token and a channel; a bot that may not post is refused with the reason', async () => {
    const id = channelOf('telegram');
    const account = sandboxCredentials('telegram');
    const watched = await channelsPage();
    const { page } = watched;
    await row(page, id)
      .getByRole('button', { name: /Set credentials/ })
      .click();
    const form = page.getByRole('form', { name: /Credentials of/ });
    const fill = async (chatId: string) => {
      await form.getByLabel('Bot token').fill(account.botToken ?? '');
      await form.getByLabel('Channel').fill(chatId);
      if (account.apiRoot) await form.getByLabel(/API root/).fill(account.apiRoot);
      await form.getByRole('button', { name: 'Save credentials' }).click();
    };

    // The sandbox bot administers @newsroom_archive without the right to post there.
    await fill('@newsroom_archive');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(
        /Telegram: the bot @\w+ is administrator in @newsroom_archive, not an administrator allowed to post/,
      );
    expect(existsSync(secretFile(id))).toBe(false);

    await fill(account.chatId ?? '');
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toMatch(/accepted the credentials/);
    await expect
      .poll(() => row(page, id).locator('.badge.health-ok').textContent())
      .toBe('Connected');
    await expectNoSecretShown(watched, id);
    expect(await checkChannel(id)).toBe('ok');
    await page.close();
  });

  it('says in the UI that the consent was declined when the admin clicks Deny', async () => {
    const id = channelOf('threads');
    const { page } = await channelsPage();
    await clickConnect(page, id);
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
    await expect
      .poll(() => page.locator('.notice-error').textContent())
      .toBe(`Channel ${id} was not connected: Threads consent was declined`);
    await page.close();
  });

  it('says why when the state coming back is tampered with or has expired', async () => {
    const id = channelOf('linkedin');
    const { page } = await channelsPage();
    await clickConnect(page, id);
    await page.getByRole('button', { name: 'Authorize app' }).waitFor();
    // Send the consent back with a state Crier never made.
    await page.evaluate(
      `document.querySelector('input[name="state"]').value = 'tampered-state-crier-never-made'`,
    );
    await page.getByRole('button', { name: 'Authorize app' }).click();
    await expect
      .poll(() => page.locator('body').textContent())
      .toMatch(/unknown or was already used/);

    // A real state, made to look older than its ten minutes.
    await page.goto(`${stack.url}/#/channels`);
    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
    await clickConnect(page, id);
    await page.getByRole('button', { name: 'Authorize app' }).waitFor();
    const state = new URL(page.url()).searchParams.get('state') ?? '';
    await stack.db.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: { PK: `OAUTH#${state}`, SK: 'S' },
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 60 },
      }),
    );
    await page.getByRole('button', { name: 'Authorize app' }).click();
    await expect.poll(() => page.locator('body').textContent()).toMatch(/expired/);
    await page.close();
  });
});
