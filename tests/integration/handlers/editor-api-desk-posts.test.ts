/**
 * POST /api/posts against the local stack (dynalite): a post of the desk's own becomes an
 * article of source `desk` with one share per chosen channel, its text fitted to each
 * network (the link in the text or as the attachment), a channel that needs approval gets
 * a draft, and every refusal (a text over a channel's limit, another site's channel, a
 * time in the past) names the field and writes nothing. The use case is also run on the
 * same table with its link's page served by a local server through the SSRF-safe fetch.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Channel, channelSchema } from '../../../shared/domain/channel';
import { blueskyLinkLabel } from '../../../shared/platforms/bluesky/links';
import { createEnricher } from '../../../shared/preview/enrich';
import { createSafeFetch, type SafeFetcher } from '../../../shared/preview/fetch';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { shareKey } from '../../../shared/store/keys';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { createDeskPost } from '../../../shared/usecases/desk-post';
import { channelConfigForFile } from '../../support/channel-config';
import { callEditorApi } from '../../support/editor-api';
import { EDITOR_API_FUNCTIONS, stackDocumentClient } from '../../support/handler-stack';
import { startTestStack, type TestStack } from '../../support/stack';

const UTM = { source: '{platform}', medium: 'social', campaign: 'crier' };
const CHANNELS = [
  { id: 'x-newsroom', platform: 'x', account: 'leftvoice', template: '{title} {url}', utm: UTM },
  {
    id: 'bluesky-newsroom',
    platform: 'bluesky',
    account: 'leftvoice.org',
    template: '{title}\n\n{url}',
    utm: UTM,
  },
  {
    id: 'threads-newsroom',
    platform: 'threads',
    account: 'leftvoice',
    template: '{title}\n\n{url}',
    approval: 'required',
  },
  {
    id: 'linkedin-newsroom',
    platform: 'linkedin',
    account: 'urn:li:organization:1',
    template: '{title}\n\n{url}',
    utm: UTM,
  },
  { id: 'telegram-newsroom', platform: 'telegram', account: '@leftvoice', template: '{title}' },
].map((channel) => ({ ...channel, schedule: { type: 'delay', minutes: 60 } }));

const LINK = 'https://www.leftvoice.org/live/election-night';

type Share = {
  channelId: string;
  status: string;
  text: string;
  url: string;
  card: { url: string; title: string; imageUrl?: string | null } | null;
  warnings: string[];
  dueAt: string;
  length: { used: number; limit: number; unit: string } | null;
  facets?: { index: { byteStart: number; byteEnd: number }; features: { uri?: string }[] }[];
};
type Detail = {
  article: { id: string; source: string; url: string; title: string };
  shares: Share[];
};
type Refusal = { error: string; message: string; fields: { field: string; message: string }[] };

let stack: TestStack;
let token: string;
let shares: DynamoShareStore;
let articles: DynamoArticleStore;
const previousTtl = process.env.CRIER_DIRECTORY_TTL_SECONDS;

channelConfigForFile({
  site: { name: 'Left Voice', url: 'https://www.leftvoice.org' },
  channels: CHANNELS,
});

beforeAll(async () => {
  // A channel made by the API is seen by the next request.
  process.env.CRIER_DIRECTORY_TTL_SECONDS = '0';
  stack = await startTestStack({ sandboxes: false, functions: EDITOR_API_FUNCTIONS });
  token = stack.secrets.editorToken.value;
  const db = stackDocumentClient(stack);
  shares = new DynamoShareStore(db, stack.tableName);
  articles = new DynamoArticleStore(db, stack.tableName);
});

afterAll(async () => {
  await stack?.dispose();
  if (previousTtl === undefined) delete process.env.CRIER_DIRECTORY_TTL_SECONDS;
  else process.env.CRIER_DIRECTORY_TTL_SECONDS = previousTtl;
});

const post = <B = { articleId: string }>(body: unknown, bearer = token) =>
  callEditorApi<B>(stack.url, { method: 'POST', path: '/api/posts', token: bearer, body });

const detail = async (articleId: string) =>
  (
    await callEditorApi<Detail>(stack.url, {
      method: 'GET',
      path: `/api/articles/${articleId}`,
      token,
    })
  ).body;

/** Every article id the editors' list holds, to prove a refusal added none. */
async function listed(): Promise<string[]> {
  const answer = await callEditorApi<{ articles: { id: string }[] }>(stack.url, {
    method: 'GET',
    path: '/api/articles?limit=100',
    token,
  });
  return answer.body.articles.map((a) => a.id).sort();
}

const byChannel = (list: Share[]) => Object.fromEntries(list.map((s) => [s.channelId, s]));

describe('POST /api/posts', () => {
  it('stores the post as a desk article with one share per channel, the link placed per network', async () => {
    const text = '  Polls close at 8pm.\nFollow the count live with us.  ';
    const answer = await post({
      text,
      link: LINK,
      channels: ['x-newsroom', 'bluesky-newsroom', 'threads-newsroom', 'linkedin-newsroom'],
    });
    expect(answer.status).toBe(201);
    const { articleId } = answer.body;
    expect(articleId).toMatch(/^desk-[0-9a-f]{32}$/);

    const { article, shares: made } = await detail(articleId);
    expect(article).toMatchObject({
      id: articleId,
      source: 'desk',
      url: '',
      title: 'Polls close at 8pm.',
    });
    const shares = byChannel(made);
    expect(Object.keys(shares).sort()).toEqual([
      'bluesky-newsroom',
      'linkedin-newsroom',
      'threads-newsroom',
      'x-newsroom',
    ]);
    const clean = 'Polls close at 8pm.\nFollow the count live with us.';
    const xUrl = `${LINK}?utm_source=x&utm_medium=social&utm_campaign=crier`;
    // In the text where the link makes the preview, with the channel's UTM parameters.
    expect(shares['x-newsroom']).toMatchObject({
      status: 'scheduled',
      text: `${clean}\n\n${xUrl}`,
      url: xUrl,
    });
    expect(shares['x-newsroom']?.length).toEqual({
      used: clean.length + 2 + 23,
      limit: 280,
      unit: 'weighted',
    });
    const blueskyUrl = `${LINK}?utm_source=bluesky&utm_medium=social&utm_campaign=crier`;
    // Bluesky: the link shows as the app's short label, its facet linking the whole URL.
    const label = blueskyLinkLabel(blueskyUrl);
    expect(shares['bluesky-newsroom']?.text).toBe(`${clean}\n\n${label}`);
    const facet = shares['bluesky-newsroom']?.facets?.find((f) =>
      f.features.some((feature) => feature.uri === blueskyUrl),
    );
    const bytes = new TextEncoder().encode(shares['bluesky-newsroom']?.text);
    expect(
      facet && new TextDecoder().decode(bytes.slice(facet.index.byteStart, facet.index.byteEnd)),
    ).toBe(label);
    expect(shares['bluesky-newsroom']?.card?.url).toBe(blueskyUrl);
    // LinkedIn: the editor's text, the link as the post's attachment.
    const linkedinUrl = `${LINK}?utm_source=linkedin&utm_medium=social&utm_campaign=crier`;
    expect(shares['linkedin-newsroom']).toMatchObject({ text: clean, url: linkedinUrl });
    expect(shares['linkedin-newsroom']?.card?.url).toBe(linkedinUrl);
    // Threads needs approval: a draft, as an article's share would be.
    expect(shares['threads-newsroom']).toMatchObject({
      status: 'draft',
      text: `${clean}\n\n${LINK}`,
    });
    // The page could not be read here (no network): the card checker says so on the share.
    expect(shares['linkedin-newsroom']?.warnings.join(' ')).toMatch(/no page card/);
    // Placed by each channel's schedule (a 60-minute delay), as compose places a share.
    const due = Date.parse(shares['x-newsroom']?.dueAt ?? '');
    expect(due).toBeGreaterThan(Date.now() + 55 * 60_000);

    const stored = await articles.get(articleId);
    expect(stored?.composedRevision).toBe(1);
    expect(await listed()).toContain(articleId);
  });

  it('takes a chosen time for every channel', async () => {
    const dueAt = new Date(Date.now() + 3 * 3600_000).toISOString().replace('Z', '+00:00');
    const answer = await post({
      text: 'Doors open at noon',
      channels: ['telegram-newsroom'],
      dueAt,
    });
    expect(answer.status).toBe(201);
    const { shares: made } = await detail(answer.body.articleId);
    expect(made[0]).toMatchObject({
      text: 'Doors open at noon',
      dueAt: new Date(dueAt).toISOString(),
    });
  });

  it('answers the same post to the same idempotencyKey, completing a share the first attempt left unwritten', async () => {
    const body = {
      text: 'Counting resumes at 9am',
      channels: ['x-newsroom', 'telegram-newsroom'],
      idempotencyKey: 'desk-form-7f3a9c21',
    };
    const first = await post(body);
    expect(first.status).toBe(201);
    const { articleId } = first.body;
    const before = byChannel((await detail(articleId)).shares);
    expect(Object.keys(before).sort()).toEqual(['telegram-newsroom', 'x-newsroom']);

    // The answer was lost and the editor sends again: the same post, nothing more.
    const again = await post(body);
    expect(again).toMatchObject({ status: 201, body: { articleId } });
    expect((await listed()).filter((id) => id === articleId)).toHaveLength(1);
    expect(byChannel((await detail(articleId)).shares)).toEqual(before);

    // A first attempt that stopped after the post and one share: sent again, it completes.
    await stackDocumentClient(stack).send(
      new DeleteCommand({ TableName: stack.tableName, Key: shareKey(articleId, 'x-newsroom') }),
    );
    const completed = await post(body);
    expect(completed).toMatchObject({ status: 201, body: { articleId } });
    const after = byChannel((await detail(articleId)).shares);
    expect(after['telegram-newsroom']).toEqual(before['telegram-newsroom']);
    expect(after['x-newsroom']).toMatchObject({ text: 'Counting resumes at 9am' });

    // The same idempotencyKey with another text is refused, and writes nothing.
    const listedBefore = await listed();
    const other = await post<Refusal>({ ...body, text: 'Counting resumes at 10am' });
    expect(other.status).toBe(409);
    expect(other.body.message).toContain('idempotencyKey');
    expect(await listed()).toEqual(listedBefore);
    expect(byChannel((await detail(articleId)).shares)['x-newsroom']).toMatchObject({
      text: 'Counting resumes at 9am',
    });

    // Another site's editor using the same idempotencyKey makes a post of its own site; here
    // the same request without idempotencyKey is simply a second post.
    const second = await post({ text: body.text, channels: body.channels });
    expect(second.status).toBe(201);
    expect(second.body.articleId).not.toBe(articleId);
  });

  it("refuses a text over a channel's limit, naming the channel and the count, and writes nothing", async () => {
    const before = await listed();
    const text = `Live: ${'the count goes on '.repeat(16)}`.trim();
    const answer = await post<Refusal>({ text, channels: ['telegram-newsroom', 'x-newsroom'] });
    expect(answer.status).toBe(400);
    expect(answer.body.fields).toEqual([
      {
        field: 'channels.1',
        message: expect.stringMatching(
          /^x-newsroom: text is 293 characters as X weighs them .*X takes at most 280 on x-newsroom$/,
        ),
      },
    ]);
    expect(await listed()).toEqual(before);
  });

  it("refuses another site's channel, a channel named twice and a time in the past, writing nothing", async () => {
    const site = await callEditorApi(stack.url, {
      method: 'POST',
      path: '/api/sites',
      token,
      body: { id: 'gazette', name: 'The Gazette' },
    });
    expect(site.status).toBe(201);
    const channel = await callEditorApi(stack.url, {
      method: 'POST',
      path: '/api/channels',
      token,
      body: {
        id: 'gazette-x',
        platform: 'x',
        account: 'gazette',
        template: '{title} {url}',
        siteId: 'gazette',
      },
    });
    expect(channel.status).toBe(201);
    const before = await listed();

    const other = await post<Refusal>({ text: 'Hello', channels: ['x-newsroom', 'gazette-x'] });
    expect(other.status).toBe(400);
    expect(other.body.fields).toEqual([
      { field: 'channels.1', message: 'gazette-x is not a channel of the site default' },
    ]);
    const twice = await post<Refusal>({ text: 'Hello', channels: ['x-newsroom', 'x-newsroom'] });
    expect(twice.body.fields).toEqual([
      { field: 'channels.1', message: 'x-newsroom is named twice' },
    ]);
    const past = await post<Refusal>({
      text: 'Hello',
      channels: ['x-newsroom'],
      dueAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    });
    expect(past.status).toBe(400);
    expect(past.body.fields[0]?.field).toBe('dueAt');

    // An editor of the Gazette alone: the default site is not theirs to post to.
    const made = await callEditorApi<{ token: string }>(stack.url, {
      method: 'POST',
      path: '/api/editors',
      token,
      body: { name: 'gil', role: 'editor', sites: ['gazette'] },
    });
    const gil = made.body.token;
    const noSite = await post<Refusal>({ text: 'Hello', channels: ['x-newsroom'] }, gil);
    expect(noSite.status).toBe(400);
    expect(noSite.body.fields[0]?.field).toBe('siteId');
    const ours = await post<Refusal>(
      { siteId: 'gazette', text: 'Hello', channels: ['x-newsroom'] },
      gil,
    );
    expect(ours.body.fields).toEqual([
      { field: 'channels.0', message: 'x-newsroom is not a channel of the site gazette' },
    ]);
    expect(await listed()).toEqual(before);

    const theirs = await post(
      { siteId: 'gazette', text: 'Hello from the Gazette', channels: ['gazette-x'] },
      gil,
    );
    expect(theirs.status).toBe(201);
  });

  it('refuses an unknown field, an empty channel list and a link that is not http(s)', async () => {
    const answer = await post<Refusal>({
      text: 'Hi',
      channels: [],
      link: 'ftp://example.org/x',
      extra: 1,
    });
    expect(answer.status).toBe(400);
    const fields = answer.body.fields.map((f) => f.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['channels', 'link']));
    const alt = await post<Refusal>({ text: 'Hi', channels: ['x-newsroom'], imageAlt: 'A photo' });
    expect(alt.status).toBe(400);
    expect(alt.body.fields).toEqual([
      { field: 'imageAlt', message: 'describes an image: give imageUrl too' },
    ]);
  });
});

describe('a desk post with a link whose page is served', () => {
  let page: Server;
  let fetcher: SafeFetcher;
  let photo: Buffer;
  let requests: string[];

  beforeAll(async () => {
    photo = await sharp({
      create: { width: 1600, height: 900, channels: 3, background: '#2f4858' },
    })
      .jpeg()
      .toBuffer();
    requests = [];
    page = createServer((request, response) => {
      requests.push(request.url ?? '');
      if (request.url?.startsWith('/missing.jpg')) {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('gone');
        return;
      }
      if (request.url?.startsWith('/photo.jpg')) {
        response.writeHead(200, { 'content-type': 'image/jpeg' });
        response.end(photo);
        return;
      }
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><html><head>
        <title>Election night, live</title>
        <meta property="og:title" content="Election night, live">
        <meta property="og:description" content="Every result as it comes in.">
        <meta property="og:image" content="http://www.leftvoice.org/photo.jpg">
        <meta property="og:image:width" content="1600"><meta property="og:image:height" content="900">
        </head><body><p>Live</p></body></html>`);
    });
    page.listen(0, '127.0.0.1');
    await once(page, 'listening');
    const { port } = page.address() as AddressInfo;
    // A public-looking name for the page, its socket pointed at the local server.
    fetcher = createSafeFetch({
      resolve: async () => ['93.184.216.34'],
      connectTo: () => ({ host: '127.0.0.1', port }),
    });
  });

  afterAll(async () => {
    await fetcher?.close();
    page?.closeAllConnections();
    await new Promise((resolve) => page?.close(resolve));
  });

  const channels = (): Channel[] => CHANNELS.map((c) => channelSchema.parse(c));
  const stored: { url: string }[] = [];
  const enricher = () =>
    createEnricher({
      fetch: fetcher,
      previews: { get: async () => undefined, put: async () => undefined },
      media: {
        putMedia: async (_bytes, mimeType) => {
          const key = `media/${stored.length}.${mimeType.split('/')[1]}`;
          stored.push({ url: `s3://crier-media/${key}` });
          return { key, url: `s3://crier-media/${key}` };
        },
      },
      site: undefined,
      siteOf: async () => ({
        name: 'Left Voice',
        brand: { background: '#111827', foreground: '#ffffff', accent: '#e11d48' },
      }),
      clock: { now: () => new Date() },
    });
  const deps = () => ({
    articles,
    shares,
    clock: { now: () => new Date() },
    channels: channels(),
    hasSite: () => true,
    enrich: enricher(),
    enqueueIfDue: async <S>(share: S) => share,
  });
  const ADMIN = { by: 'editor', role: 'admin', sites: 'all' } as const;

  it('fetches and checks the card, keeps its warnings on the shares, and sends LinkedIn the page image', async () => {
    const { articleId } = await createDeskPost(
      deps(),
      {
        text: 'Follow the count with us',
        link: 'http://www.leftvoice.org/live',
        channels: ['linkedin-newsroom', 'x-newsroom'],
      },
      ADMIN,
    );
    expect(requests.some((r) => r.startsWith('/live'))).toBe(true);
    const linkedin = await shares.get({ articleId, channelId: 'linkedin-newsroom' });
    expect(linkedin?.card).toMatchObject({
      title: 'Election night, live',
      description: 'Every result as it comes in.',
      imageUrl: expect.stringMatching(/^s3:\/\/crier-media\//),
    });
    expect(linkedin?.text).toBe('Follow the count with us');
    const x = await shares.get({ articleId, channelId: 'x-newsroom' });
    expect(x?.text).toMatch(
      /^Follow the count with us\n\nhttp:\/\/www\.leftvoice\.org\/live\?utm_source=x/,
    );
    // The page's canonical is not the shared URL with UTM parameters: nothing to warn about,
    // but the card checker ran: the page's card is there, so "no page card" is not said.
    expect((x?.warnings ?? []).join(' ')).not.toMatch(/no page card/);
    expect(requests.some((r) => r.startsWith('/photo.jpg'))).toBe(true);
  });

  it('processes the image per network where it goes, says where it does not, and refuses one it cannot fetch', async () => {
    const { articleId } = await createDeskPost(
      deps(),
      {
        text: 'The count, in pictures',
        channels: ['telegram-newsroom', 'x-newsroom'],
        imageUrl: 'http://www.leftvoice.org/photo.jpg',
        imageAlt: 'Counting ballots at the town hall',
      },
      ADMIN,
    );
    const telegram = await shares.get({ articleId, channelId: 'telegram-newsroom' });
    expect(telegram?.media).toEqual([
      expect.objectContaining({
        url: expect.stringMatching(/^s3:\/\/crier-media\//),
        alt: 'Counting ballots at the town hall',
        mimeType: 'image/jpeg',
      }),
    ]);
    const x = await shares.get({ articleId, channelId: 'x-newsroom' });
    expect(x?.media).toBeUndefined();
    expect(x?.warnings).toContain('Crier posts no image on X: the post goes out without it');

    const before = await listed();
    const refused = await createDeskPost(
      deps(),
      {
        text: 'The count, in pictures',
        channels: ['telegram-newsroom'],
        imageUrl: 'http://www.leftvoice.org/missing.jpg',
      },
      ADMIN,
    ).catch((error: unknown) => error);
    expect((refused as { issues?: unknown }).issues).toEqual([
      {
        field: 'imageUrl',
        message: expect.stringMatching(/^the image could not be fetched: .*HTTP 404$/),
      },
    ]);
    expect(await listed()).toEqual(before);
  });
});
