/**
 * The sign-in checks of the two networks without OAuth, against their sandboxes over
 * HTTP: Bluesky's app-password session (a wrong password refused as the PDS does, access
 * JWTs that expire with `CRIER_SANDBOX_TOKEN_SECONDS`, rotating refresh) and Telegram's
 * bot check (`getChatMember` for the bot in a channel; a bad bot token refused).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { startBlueskySandbox } from '../../../infra/local/sandbox/bluesky';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { AuthLedger } from '../../../infra/local/sandbox/kit/oauth';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import { startTelegramSandbox } from '../../../infra/local/sandbox/telegram';
import type { RunningSandbox } from '../../../infra/local/sandbox/types';

const ledger = new AuthLedger();
const context = () => ({
  posts: new SandboxPosts(),
  faults: new FaultInjector(undefined, 1),
  log: createLogger({ quiet: true }),
  auth: { ledger, tokenSeconds: 1 },
});
let bluesky: RunningSandbox;
let telegram: RunningSandbox;

beforeAll(async () => {
  bluesky = await startBlueskySandbox(context());
  telegram = await startTelegramSandbox(context());
});

afterAll(async () => {
  await bluesky?.stop();
  await telegram?.stop();
});

async function xrpc(method: string, token?: string, body?: unknown) {
  const response = await fetch(`${bluesky.url}/xrpc/${method}`, {
    method: body === undefined && method.includes('get') ? 'GET' : 'POST',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : {}) as Record<string, string>,
  };
}

describe('Bluesky sessions in the sandbox', () => {
  it('refuses a wrong app password with 401 AuthenticationRequired', async () => {
    const answer = await xrpc('com.atproto.server.createSession', undefined, {
      identifier: bluesky.credentials.identifier,
      password: 'aaaa-bbbb-cccc-dddd',
    });
    expect(answer).toEqual({
      status: 401,
      body: { error: 'AuthenticationRequired', message: 'Invalid identifier or password' },
    });
  });

  it('expires the access JWT after the token seconds, refreshes with rotation, and ends the session', async () => {
    const session = await xrpc('com.atproto.server.createSession', undefined, {
      identifier: bluesky.credentials.identifier,
      password: bluesky.credentials.password,
    });
    expect(session.status).toBe(200);
    expect((await xrpc('com.atproto.server.getSession', session.body.accessJwt)).status).toBe(200);

    await sleep(2_100);
    expect(await xrpc('com.atproto.server.getSession', session.body.accessJwt)).toEqual({
      status: 400,
      body: { error: 'ExpiredToken', message: 'Token has expired' },
    });
    const refreshed = await xrpc('com.atproto.server.refreshSession', session.body.refreshJwt);
    expect(refreshed.status).toBe(200);
    expect((await xrpc('com.atproto.server.getSession', refreshed.body.accessJwt)).status).toBe(
      200,
    );
    // The refresh JWT rotates: the one used refreshes again only within the PDS's grace,
    // and not once its session is ended.
    const ending = await fetch(`${bluesky.url}/xrpc/com.atproto.server.deleteSession`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.body.refreshJwt}` },
    });
    expect(ending.status).toBe(200);
    expect(await xrpc('com.atproto.server.refreshSession', session.body.refreshJwt)).toMatchObject({
      status: 400,
      body: { error: 'ExpiredToken' },
    });
    const ended = await fetch(`${bluesky.url}/xrpc/com.atproto.server.deleteSession`, {
      method: 'POST',
      headers: { authorization: `Bearer ${refreshed.body.refreshJwt}` },
    });
    expect(ended.status).toBe(200);
    expect(ledger.snapshot().bluesky).toMatchObject({
      issued: 2,
      refreshed: 1,
      revoked: 2,
      expired: 1,
    });
  });
});

describe('Telegram bot checks in the sandbox', () => {
  const call = async (
    method: string,
    body: unknown,
    token = String(telegram.credentials.botToken),
  ) => {
    const response = await fetch(`${telegram.url}/bot${token}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const botId = () => Number(String(telegram.credentials.botToken).split(':')[0]);

  it('answers getChatMember for the bot: an administrator that may post', async () => {
    const answer = await call('getChatMember', { chat_id: '@newsroom', user_id: botId() });
    expect(answer).toMatchObject({
      status: 200,
      body: {
        ok: true,
        result: {
          status: 'administrator',
          can_post_messages: true,
          user: { id: botId(), is_bot: true },
        },
      },
    });
  });

  it('shows a bot without posting rights, and refuses a channel the bot is not in', async () => {
    const readOnly = await call('getChatMember', {
      chat_id: '@newsroom_archive',
      user_id: botId(),
    });
    expect(readOnly.body).toMatchObject({
      ok: true,
      result: { status: 'administrator', can_post_messages: false },
    });
    const elsewhere = await call('getChatMember', { chat_id: '@elsewhere', user_id: botId() });
    expect(elsewhere).toMatchObject({ status: 403, body: { ok: false, error_code: 403 } });
  });

  it('refuses a bad bot token with 401 Unauthorized', async () => {
    const answer = await call('getMe', {}, '123456:not-the-token');
    expect(answer).toEqual({
      status: 401,
      body: { ok: false, error_code: 401, description: 'Unauthorized' },
    });
  });
});
