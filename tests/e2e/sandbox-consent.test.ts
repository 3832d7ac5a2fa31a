/**
 * A sandbox's consent page in a real browser (Debian's chromium through playwright-core):
 * X's authorize page shows the app and the scopes, its button posts the form, and the
 * browser lands on the test's own redirect URI with the code and the state, which then
 * buys a token the API accepts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/local/logger';
import { FaultInjector } from '../../infra/local/sandbox/faults';
import { type LoopbackServer, listenOnLoopback } from '../../infra/local/sandbox/kit/loopback';
import { AuthLedger } from '../../infra/local/sandbox/kit/oauth';
import { SandboxPosts } from '../../infra/local/sandbox/posts';
import type { RunningSandbox, SandboxApp } from '../../infra/local/sandbox/types';
import { startXSandbox } from '../../infra/local/sandbox/x';
import { basic, postForm } from '../support/oauth-flow';

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

const temp = mkdtempSync(join(tmpdir(), 'crier-consent-e2e-'));
const ledger = new AuthLedger();
const callbacks: URL[] = [];
let sandbox: RunningSandbox;
let app: SandboxApp;
let receiver: LoopbackServer;
let browser: BrowserContext;

beforeAll(async () => {
  sandbox = await startXSandbox({
    posts: new SandboxPosts(),
    faults: new FaultInjector(undefined, 1),
    log: createLogger({ quiet: true }),
    auth: { ledger },
  });
  if (!sandbox.app) throw new Error('the X sandbox has no OAuth app');
  app = sandbox.app;
  receiver = await listenOnLoopback(
    createServer((req, res) => {
      callbacks.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Connected</title><h1>Connected</h1>');
    }),
  );
  app.addRedirectUri(`${receiver.url}/oauth/callback/x`);
  browser = await chromium.launchPersistentContext(join(temp, 'chromium-profile'), {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await sandbox?.stop();
  rmSync(temp, { recursive: true, force: true });
});

describe('a sandbox consent page in Chromium', () => {
  it('clicks Authorize app and lands on the redirect URI with the code and the state', async () => {
    const verifier = randomBytes(48).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = `${receiver.url}/oauth/callback/x`;
    const authorize = new URL(app.authorizeUrl);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: redirectUri,
      scope: 'tweet.read tweet.write users.read offline.access',
      state: 'chromium-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();

    const page = await browser.newPage();
    await page.goto(authorize.href);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(
      'Crier (sandbox)',
    );
    expect(await page.locator('ul.scopes li').allTextContents()).toEqual([
      'tweet.read',
      'tweet.write',
      'users.read',
      'offline.access',
    ]);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/oauth/callback/x'),
      page.getByRole('button', { name: 'Authorize app' }).click(),
    ]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Connected');

    const landed = new URL(page.url());
    expect(landed.searchParams.get('state')).toBe('chromium-state');
    const code = landed.searchParams.get('code');
    expect(code).toEqual(expect.any(String));
    // The browser asks for a favicon too: the callback is the request on the redirect path.
    const served = callbacks.filter((url) => url.pathname === '/oauth/callback/x');
    expect(served.at(-1)?.searchParams.get('code')).toBe(code);

    const token = await postForm(
      app.tokenUrl,
      {
        grant_type: 'authorization_code',
        code: code ?? '',
        redirect_uri: redirectUri,
        code_verifier: verifier,
      },
      basic(app.clientId, app.clientSecret),
    );
    expect(token.status).toBe(200);
    const me = await fetch(`${sandbox.url}/2/users/me`, {
      headers: { authorization: `Bearer ${String(token.body.access_token)}` },
    });
    expect(me.status).toBe(200);
    expect(ledger.snapshot().x?.issued).toBe(1);
  }, 60_000);

  it('clicks Deny and lands on the redirect URI with access_denied and the state', async () => {
    const authorize = new URL(app.authorizeUrl);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: `${receiver.url}/oauth/callback/x`,
      scope: 'tweet.read users.read',
      state: 'denied-state',
      code_challenge: createHash('sha256').update('v'.repeat(43)).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const page = await browser.newPage();
    await page.goto(authorize.href);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/oauth/callback/x'),
      page.getByRole('button', { name: 'Deny' }).click(),
    ]);
    const landed = new URL(page.url());
    expect(landed.searchParams.get('error')).toBe('access_denied');
    expect(landed.searchParams.get('state')).toBe('denied-state');
  }, 60_000);
});
