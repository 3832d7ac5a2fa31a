/**
 * Facebook login against the Facebook sandbox, over HTTP: the dialog, the code for a
 * short-lived user token, the long-lived exchange, `/me/accounts` with a Page token that
 * posts and does not expire, the Page's Instagram business account, and
 * `DELETE /me/permissions` ending every token of the grant with code 190/458.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { type FacebookSandbox, launchFacebookSandbox } from '../../../infra/local/sandbox/facebook';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { startInstagramSandbox } from '../../../infra/local/sandbox/instagram';
import { AuthLedger, AuthLinks } from '../../../infra/local/sandbox/kit/oauth';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import type { RunningSandbox, SandboxApp } from '../../../infra/local/sandbox/types';
import { CALLBACK, consent } from '../../support/oauth-flow';

const ledger = new AuthLedger();
let sandbox: FacebookSandbox;
let app: SandboxApp;
const SCOPES = 'pages_show_list,pages_manage_posts,pages_read_engagement,read_insights';

beforeAll(async () => {
  sandbox = await launchFacebookSandbox(
    {
      posts: new SandboxPosts(),
      faults: new FaultInjector(undefined, 1),
      log: createLogger({ quiet: true }),
      auth: { ledger, tokenSeconds: 1 },
    },
    { instagramBusinessAccountId: '17841400000000001' },
  );
  if (!sandbox.app) throw new Error('the Facebook sandbox has no OAuth app');
  app = sandbox.app;
  app.addRedirectUri(CALLBACK);
});

afterAll(async () => {
  await sandbox?.stop();
});

const graph = (path: string) => `${sandbox.url}/${sandbox.credentials.apiVersion}${path}`;

async function get(path: string, params: Record<string, string>) {
  const url = new URL(graph(path));
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function userToken(account?: string): Promise<string> {
  const back = await consent(
    app.authorizeUrl,
    {
      client_id: app.clientId,
      redirect_uri: CALLBACK,
      scope: SCOPES,
      state: 'fb',
      response_type: 'code',
    },
    'allow',
    SCOPES.split(','),
    account,
  );
  expect(back.hash).toBe('#_=_');
  expect(back.searchParams.get('state')).toBe('fb');
  const short = await get('/oauth/access_token', {
    client_id: app.clientId,
    client_secret: app.clientSecret,
    redirect_uri: CALLBACK,
    code: back.searchParams.get('code') ?? '',
  });
  expect(short).toMatchObject({ status: 200, body: { token_type: 'bearer' } });
  const long = await get('/oauth/access_token', {
    grant_type: 'fb_exchange_token',
    client_id: app.clientId,
    client_secret: app.clientSecret,
    fb_exchange_token: String(short.body.access_token),
  });
  expect(long).toMatchObject({ status: 200, body: { token_type: 'bearer', expires_in: 1 } });
  return String(long.body.access_token);
}

describe('Facebook login in the sandbox', () => {
  it('offers a second sign-in who manages three Pages, each listed with a token that acts as it', async () => {
    const user = await userToken('several');
    const accounts = await get('/me/accounts', {
      access_token: user,
      fields: 'name,access_token,instagram_business_account',
    });
    const pages = accounts.body.data as {
      id: string;
      name: string;
      access_token: string;
      instagram_business_account?: { id: string };
    }[];
    expect(pages.map((p) => p.name)).toEqual(['Newsroom', 'Newsroom Sports', 'Newsroom Culture']);
    expect(pages[0]).toMatchObject({
      id: sandbox.credentials.pageId,
      instagram_business_account: { id: '17841400000000001' },
    });
    expect(pages[1]).not.toHaveProperty('instagram_business_account');
    expect(pages[1]).not.toHaveProperty('tasks');
    const second = pages[1];
    const read = await get(`/${second?.id}`, {
      fields: 'id,name',
      access_token: second?.access_token ?? '',
    });
    expect(read.body).toEqual({ id: second?.id, name: 'Newsroom Sports' });
  });

  it('lists the Page with a Page token that posts and outlives the user token', async () => {
    const user = await userToken();
    const accounts = await get('/me/accounts', { access_token: user });
    expect(accounts.status).toBe(200);
    const [page] = accounts.body.data as { id: string; access_token: string; tasks: string[] }[];
    expect(page?.id).toBe(sandbox.credentials.pageId);
    expect(page?.tasks).toContain('CREATE_CONTENT');
    const linked = await get(`/${sandbox.credentials.pageId}`, {
      fields: 'instagram_business_account',
      access_token: user,
    });
    expect(linked.body).toMatchObject({ instagram_business_account: { id: '17841400000000001' } });

    await sleep(1_100);
    expect((await get('/me', { access_token: user })).body.error).toMatchObject({
      code: 190,
      error_subcode: 463,
    });
    const posted = await fetch(graph(`/${sandbox.credentials.pageId}/feed`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        message: `Posted with a Page token from the login ${Date.now()}`,
        access_token: page?.access_token ?? '',
      }).toString(),
    });
    expect(posted.status).toBe(200);
  });

  it('ends the user and Page tokens with DELETE /me/permissions', async () => {
    const user = await userToken();
    const accounts = await get('/me/accounts', { access_token: user });
    const [page] = accounts.body.data as { access_token: string }[];
    const removed = await fetch(graph(`/me/permissions?access_token=${user}`), {
      method: 'DELETE',
    });
    expect(await removed.json()).toEqual({ success: true });
    const refused = await get(`/${sandbox.credentials.pageId}/feed`, {
      access_token: page?.access_token ?? '',
    });
    expect(refused.body.error).toMatchObject({ code: 190, error_subcode: 458 });
  });

  it('refuses a wrong app secret and a reused code', async () => {
    const back = await consent(app.authorizeUrl, {
      client_id: app.clientId,
      redirect_uri: CALLBACK,
      scope: SCOPES,
      response_type: 'code',
    });
    const form = {
      client_id: app.clientId,
      client_secret: app.clientSecret,
      redirect_uri: CALLBACK,
      code: back.searchParams.get('code') ?? '',
    };
    expect(
      (await get('/oauth/access_token', { ...form, client_secret: 'x' })).body.error,
    ).toMatchObject({ code: 1 });
    expect((await get('/oauth/access_token', form)).status).toBe(200);
    expect((await get('/oauth/access_token', form)).body.error).toMatchObject({ code: 100 });
  });
});

describe('Instagram with Facebook login in the sandboxes', () => {
  const links = new AuthLinks();
  let facebook: FacebookSandbox;
  let instagram: RunningSandbox;

  beforeAll(async () => {
    const context = () => ({
      posts: new SandboxPosts(),
      faults: new FaultInjector(undefined, 1),
      log: createLogger({ quiet: true }),
      auth: { ledger: new AuthLedger(), links },
    });
    facebook = await launchFacebookSandbox(context());
    instagram = await startInstagramSandbox(context());
    facebook.app?.addRedirectUri(CALLBACK);
  });

  afterAll(async () => {
    await facebook?.stop();
    await instagram?.stop();
  });

  it("finds the Page's Instagram account and reads it with the Facebook user token", async () => {
    const fbApp = facebook.app;
    if (!fbApp) throw new Error('no Facebook app');
    const back = await consent(fbApp.authorizeUrl, {
      client_id: fbApp.clientId,
      redirect_uri: CALLBACK,
      scope: 'instagram_basic,instagram_content_publish,pages_show_list',
      response_type: 'code',
    });
    const version = facebook.credentials.apiVersion;
    const tokenUrl = new URL(`${facebook.url}/${version}/oauth/access_token`);
    tokenUrl.search = new URLSearchParams({
      client_id: fbApp.clientId,
      client_secret: fbApp.clientSecret,
      redirect_uri: CALLBACK,
      code: back.searchParams.get('code') ?? '',
    }).toString();
    const user = String(
      ((await (await fetch(tokenUrl)).json()) as Record<string, unknown>).access_token,
    );
    const pageUrl = new URL(`${facebook.url}/${version}/${facebook.credentials.pageId}`);
    pageUrl.search = new URLSearchParams({
      fields: 'instagram_business_account',
      access_token: user,
    }).toString();
    const page = (await (await fetch(pageUrl)).json()) as {
      instagram_business_account?: { id: string };
    };
    expect(page.instagram_business_account?.id).toBe(instagram.credentials.userId);
    const me = await fetch(
      `${instagram.url}/v21.0/${String(instagram.credentials.userId)}?fields=id,username&access_token=${user}`,
    );
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: 'newsroom' });

    // What Connect with Facebook stores: the Page's token, which publishes as the account.
    const long = new URL(tokenUrl);
    long.search = new URLSearchParams({
      grant_type: 'fb_exchange_token',
      client_id: fbApp.clientId,
      client_secret: fbApp.clientSecret,
      fb_exchange_token: user,
    }).toString();
    const longUser = String(
      ((await (await fetch(long)).json()) as Record<string, unknown>).access_token,
    );
    const accounts = new URL(`${facebook.url}/${version}/me/accounts`);
    accounts.search = new URLSearchParams({
      fields: 'name,access_token,instagram_business_account',
      access_token: longUser,
    }).toString();
    const [listed] = ((await (await fetch(accounts)).json()) as { data: Record<string, unknown>[] })
      .data;
    const pageToken = String(listed?.access_token);
    const igUser = String(instagram.credentials.userId);
    const post = async (edge: string, form: Record<string, string>) => {
      const answer = await fetch(`${instagram.url}/${version}/${igUser}/${edge}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${pageToken}` },
        body: new URLSearchParams(form),
      });
      return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
    };
    const container = await post('media', {
      image_url: 'https://images.example/raw.jpg',
      caption: 'Published with a Page token from Facebook login',
    });
    expect(container.status, JSON.stringify(container.body)).toBe(200);
    await expect
      .poll(
        async () =>
          (
            (await (
              await fetch(
                `${instagram.url}/${version}/${String(container.body.id)}?fields=status_code`,
                { headers: { authorization: `Bearer ${pageToken}` } },
              )
            ).json()) as Record<string, unknown>
          ).status_code,
        { timeout: 3_000, interval: 100 },
      )
      .toBe('FINISHED');
    const published = await post('media_publish', { creation_id: String(container.body.id) });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    expect(published.body.id).toEqual(expect.any(String));
  });
});
