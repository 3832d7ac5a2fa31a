/**
 * Two publications in one running stack: the default site with its built-in channels,
 * and a sport title an admin adds through the API with its own webhook key and channels.
 * Each webhook lands in its own site; routing by section and an article's own skip are
 * honoured; a channel change takes the next article without a restart; an editor of the
 * sport site sees nothing of the other; the site's channels leave as a file and come
 * back with no change.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CHANNELS } from '../../shared/config/default-channels';
import { runCrier } from '../support/cli';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson, postWebhook, sampleArticle } from '../support/webhook';

let stack: TestStack;
let admin: string;
let sportSecret: string;
const previousTtl = process.env.CRIER_DIRECTORY_TTL_SECONDS;
const scratch = mkdtempSync(join(tmpdir(), 'crier-two-sites-'));

beforeAll(async () => {
  process.env.CRIER_DIRECTORY_TTL_SECONDS = '1';
  stack = await startTestStack({ tickSeconds: 1 });
  admin = stack.secrets.editorToken.value;
});

afterAll(async () => {
  await stack?.dispose();
  rmSync(scratch, { recursive: true, force: true });
  if (previousTtl === undefined) delete process.env.CRIER_DIRECTORY_TTL_SECONDS;
  else process.env.CRIER_DIRECTORY_TTL_SECONDS = previousTtl;
});

type ShareView = { channelId: string; status: string; remoteId: string | null; text: string };

async function call(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(new URL(path, stack.url), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function send(
  site: 'default' | 'sport',
  id: string,
  fields: Record<string, unknown>,
): Promise<string> {
  const body = JSON.stringify({ ...sampleArticle(), id, title: `Story ${id}`, ...fields });
  const response =
    site === 'sport'
      ? await postWebhook(stack.url, sportSecret, body, { path: '/webhooks/generic/sport' })
      : await postWebhook(stack.url, stack.secrets.webhookSecret.value, body);
  expect(response.status).toBe(202);
  return (response.body as { articleId: string }).articleId;
}

async function sharesOf(articleId: string): Promise<ShareView[]> {
  const { status, body } = await getJson(stack.url, `/api/articles/${articleId}`, admin);
  expect(status).toBe(200);
  return (body as { shares: ShareView[] }).shares;
}

/** Waits for compose to have made the article's shares on exactly these channels. */
async function expectChannels(articleId: string, expected: string[]): Promise<void> {
  await vi.waitFor(async () => expect(channelsOf(await sharesOf(articleId))).toEqual(expected), {
    timeout: 30_000,
    interval: 250,
  });
}

const channelsOf = (shares: ShareView[]) => shares.map((s) => s.channelId).sort();

const crier = (...argv: string[]) => runCrier(stack.dataDir, ...argv);

describe('two sites in one stack', () => {
  let sportArticle: string;
  let defaultArticle: string;

  it('adds a site through the API, with its own webhook key and its own channels', async () => {
    const created = await call('POST', '/api/sites', admin, {
      id: 'sport',
      name: 'The Sport',
      // what the site's channels take where they set none of their own
      defaults: { template: '{site}: {title} {url}', hashtags: { always: ['TheSport'] } },
    });
    expect(created.status).toBe(201);
    expect(created.body.site).toMatchObject({ id: 'sport', name: 'The Sport' });
    sportSecret = created.body.webhookSecret;
    expect(sportSecret).toMatch(/^whsec_/);

    const desk = {
      siteId: 'sport',
      platform: 'bluesky',
      account: 'sport.bsky.social',
    };
    const results = await Promise.all([
      call('POST', '/api/channels', admin, {
        ...desk,
        id: 'sport-bluesky',
        routing: { sections: ['football'] },
      }),
      call('POST', '/api/channels', admin, {
        ...desk,
        id: 'sport-mastodon',
        platform: 'mastodon',
        account: '@desk@sport.example',
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual([201, 201]);
    expect(results[0]?.body.channel).toMatchObject({
      template: '{site}: {title} {url}',
      hashtags: { always: ['TheSport'] },
    });
    expect(
      (await call('GET', '/api/sites', admin)).body.sites.map((s: { id: string }) => s.id),
    ).toEqual(expect.arrayContaining(['default', 'sport']));
    // Each site's webhook takes only its own key.
    const crossed = await postWebhook(
      stack.url,
      stack.secrets.webhookSecret.value,
      JSON.stringify({ ...sampleArticle(), id: 'crossed' }),
      { path: '/webhooks/generic/sport' },
    );
    expect(crossed.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
  });

  it('lands each webhook in its site, routed by section and by the article itself', async () => {
    sportArticle = await send('sport', 'derby', { section: 'Football' });
    const skipped = await send('sport', 'derby-skip', {
      section: 'Football',
      channels: { skip: ['sport-mastodon'] },
    });
    const tennis = await send('sport', 'final', { section: 'Tennis' });
    defaultArticle = await send('default', 'budget', { section: 'Football' });
    // The default site's CMS numbers its posts as the sport site's does: another article.
    const twin = await send('default', 'derby', { section: 'Football', title: 'Twin' });
    expect(twin).not.toBe(sportArticle);

    await expectChannels(sportArticle, ['sport-bluesky', 'sport-mastodon']);
    await expectChannels(tennis, ['sport-mastodon']);
    await expectChannels(defaultArticle, DEFAULT_CHANNELS.map((c) => c.id).sort());
    await expectChannels(skipped, ['sport-bluesky']);
    await expectChannels(twin, DEFAULT_CHANNELS.map((c) => c.id).sort());
    const { body } = await getJson(stack.url, `/api/articles/${sportArticle}`, admin);
    expect((body as { article: { siteId: string; title: string } }).article).toMatchObject({
      siteId: 'sport',
      title: 'Story derby',
    });

    // And posts, to the sandboxes, in the sport channel's own template.
    const posted = await vi.waitFor(
      async () => {
        const share = (await sharesOf(sportArticle)).find((s) => s.channelId === 'sport-bluesky');
        expect(share?.status).toBe('published');
        return share as ShareView;
      },
      { timeout: 60_000, interval: 500 },
    );
    expect(posted.text).toMatch(/^The Sport: Story derby /);
    // Seconds later, compose has long finished: the skipped channel never got a share.
    expect(channelsOf(await sharesOf(skipped))).toEqual(['sport-bluesky']);
  }, 120_000);

  it('applies a channel change to the next article, without a restart', async () => {
    const patched = await call('PATCH', '/api/channels/sport-bluesky', admin, {
      routing: { sections: ['Football', 'Tennis'] },
      // and holds its posts an hour, for the edit below
      schedule: { type: 'delay', minutes: 60 },
    });
    expect(patched.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const tennis = await send('sport', 'semi', { section: 'tennis' });
    await expectChannels(tennis, ['sport-bluesky', 'sport-mastodon']);

    // An editor's text dropped again is composed with the article's own site's name.
    const share = `/api/articles/${tennis}/shares/sport-bluesky`;
    const edited = await call('PATCH', share, admin, { text: 'A hand-written post' });
    expect(edited).toMatchObject({ status: 200, body: { share: { text: 'A hand-written post' } } });
    const reset = await call('PATCH', share, admin, { text: null });
    expect(reset.status).toBe(200);
    expect(reset.body.share.text).toMatch(/^The Sport: Story semi /);
  }, 60_000);

  it("shows an editor of one site nothing of the other's", async () => {
    const made = await call('POST', '/api/editors', admin, {
      name: 'Sport Desk',
      role: 'editor',
      sites: ['sport'],
    });
    expect(made.status).toBe(201);
    const desk: string = made.body.token;

    const list = await call('GET', '/api/articles', desk);
    expect(list.status).toBe(200);
    const ids = list.body.articles.map((a: { id: string; siteId: string }) => a.id);
    expect(ids).toContain(sportArticle);
    expect(ids).not.toContain(defaultArticle);
    expect(new Set(list.body.articles.map((a: { siteId: string }) => a.siteId))).toEqual(
      new Set(['sport']),
    );
    expect((await call('GET', `/api/articles/${defaultArticle}`, desk)).status).toBe(404);
    expect((await call('GET', `/api/articles/${sportArticle}`, desk)).status).toBe(200);
    const channels = (await call('GET', '/api/channels', desk)).body.channels;
    expect(channels.map((c: { id: string }) => c.id).sort()).toEqual([
      'sport-bluesky',
      'sport-mastodon',
    ]);
    const refused = await call('PATCH', '/api/channels/sport-mastodon', desk, {
      template: 'x {url}',
    });
    expect(refused.status).toBe(403);
  });

  it("exports the site's channels as a file that imports back with no change", async () => {
    const exported = await crier('channels', 'export', '--site', 'sport');
    expect(exported.code).toBe(0);
    const file = JSON.parse(exported.stdout);
    expect(file.channels.map((c: { id: string }) => c.id).sort()).toEqual([
      'sport-bluesky',
      'sport-mastodon',
    ]);
    const path = join(scratch, 'sport.json');
    writeFileSync(path, exported.stdout);
    const audited = (await call('GET', '/api/audit?siteId=sport', admin)).body.entries.length;

    const again = await crier('channels', 'import', path, '--site', 'sport', '--yes');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/no change/i);
    expect((await call('GET', '/api/audit?siteId=sport', admin)).body.entries).toHaveLength(
      audited,
    );
    // The other site is untouched by it.
    expect(
      (await call('GET', '/api/channels', admin)).body.channels.filter(
        (c: { siteId: string }) => c.siteId === 'default',
      ),
    ).toHaveLength(8);
  });
});
