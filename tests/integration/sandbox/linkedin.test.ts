import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import {
  type LinkedInSandbox,
  launchLinkedInSandbox,
  startLinkedInSandbox,
} from '../../../infra/local/sandbox/linkedin';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import { DEFAULT_CHANNELS } from '../../../shared/config/default-channels';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { channelSchema } from '../../../shared/domain/channel';
import type { ArticleRecord } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import type { ClientCall } from '../../../shared/platforms/client';
import {
  createLinkedInClient,
  linkedinClient,
  linkedinCredentialsSchema,
} from '../../../shared/platforms/linkedin/client';
import { composeLinkedIn } from '../../../shared/platforms/linkedin/composer';
import { toLittleText } from '../../../shared/platforms/linkedin/rules';
import { newShare } from '../../../shared/usecases/compose-article';
import { callOf, expectKind, sampleArticle as fixture, only } from '../../support/sandbox-contract';

const channel = channelSchema.parse(DEFAULT_CHANNELS.find((c) => c.platform === 'linkedin'));
const HOUR = 3_600_000;
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

let articles = 0;
/**
 * A share of the sample article as compose makes it and the publisher claims it. Past the
 * first, each gets its own URL and a numbered headline ("[2]": reserved characters, so
 * every post also checks the escaping), since LinkedIn refuses the same commentary twice.
 */
function claimedShare(options: { claimedAgoMs?: number; pristine?: boolean } = {}): Share {
  articles += 1;
  const article = parseGenericArticle(
    options.pristine
      ? fixture
      : {
          ...fixture,
          id: `${fixture.id}-${articles}`,
          url: fixture.url.replace(/\/$/, `-${articles}/`),
          title: `${fixture.title} [${articles}]`,
        },
  );
  const now = new Date();
  const record: ArticleRecord = {
    articleId: `art-${articles}`,
    article,
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const post = composeLinkedIn(article, channel);
  return {
    ...newShare(record, channel, now),
    status: 'publishing',
    text: post.text,
    url: post.url,
    hashtags: post.hashtags,
    card: post.card,
    language: post.language,
    length: post.length,
    firstClaimedAt: new Date(now.getTime() - (options.claimedAgoMs ?? 0)).toISOString(),
  };
}

describe('LinkedIn: the client against the sandbox', () => {
  const posts = new SandboxPosts();
  const faults = new FaultInjector(undefined, 1);
  let sandbox: LinkedInSandbox;
  let credentials: z.output<typeof linkedinCredentialsSchema>;

  const callFor = (share: Share, overrides: Partial<ClientCall> = {}) =>
    callOf(sandbox, share, overrides);
  const postsOf = (share: Share) => posts.list().filter((p) => p.card?.url === share.url);
  /** A request as LinkedIn's own client sends it, for what the Crier client does not do. */
  const rest = (path: string, init: RequestInit = {}) =>
    fetch(`${sandbox.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${credentials.accessToken}`,
        'LinkedIn-Version': credentials.version,
        'X-Restli-Protocol-Version': '2.0.0',
        ...init.headers,
      },
    });
  const createRaw = (commentary: string, source: string) =>
    rest('/rest/posts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        author: credentials.author,
        commentary,
        visibility: 'PUBLIC',
        distribution: { feedDistribution: 'MAIN_FEED' },
        content: { article: { source, title: 'A hand-made post' } },
        lifecycleState: 'PUBLISHED',
      }),
    });

  beforeAll(async () => {
    sandbox = await launchLinkedInSandbox({ posts, faults, log: createLogger({ quiet: true }) });
    credentials = linkedinCredentialsSchema.parse(sandbox.credentials);
  });
  afterEach(() => faults.set(undefined));
  afterAll(() => sandbox.stop());

  it('hands back exactly the credentials the client accepts: { accessToken, author, version, apiBase }', async () => {
    expect(Object.keys(sandbox.credentials).sort()).toEqual([
      'accessToken',
      'apiBase',
      'author',
      'version',
    ]);
    expect(linkedinCredentialsSchema.parse(sandbox.credentials)).toEqual(sandbox.credentials);
    expect(sandbox.credentials.author).toMatch(/^urn:li:organization:\d+$/);
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.account).toBe('Newsroom');
    expect(sandbox.platform).toBe('linkedin');
    // The same start as the local runtime's registry uses.
    const started = await startLinkedInSandbox({
      posts: new SandboxPosts(),
      faults: new FaultInjector(undefined, 1),
      log: createLogger({ quiet: true }),
    });
    await started.stop();
    expect(started.platform).toBe('linkedin');
  });

  it('posts the sample article as an article post: the x-restli-id URN as remote id, the text a reader sees', async () => {
    const share = claimedShare({ pristine: true });
    const outcome = expectKind(await linkedinClient.publish(callFor(share)), 'published');

    expect(outcome.remoteId).toMatch(/^urn:li:share:\d{19}$/);
    expect(outcome.remoteUrl).toBe(`https://www.linkedin.com/feed/update/${outcome.remoteId}/`);
    const post = only(postsOf(share));
    expect(post).toMatchObject({
      platform: 'linkedin',
      remoteId: outcome.remoteId,
      inReplyToId: null,
      text: share.text,
      account: 'Newsroom',
      url: outcome.remoteUrl,
      card: { url: share.url, title: share.card?.title, description: share.card?.description },
    });
    expect(post.text).toContain('coup d’état');
    expect(post.text.endsWith('#LatinAmerica #Bolivia #EvoMorales')).toBe(true);
    expect(post.card?.thumb).toBeUndefined();
    expect(post.receivedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('sends the commentary as escaped little text with hashtag templates, read back from /rest/posts', async () => {
    const share = claimedShare();
    const outcome = expectKind(await linkedinClient.publish(callFor(share)), 'published');
    const read = await rest(`/rest/posts/${encodeURIComponent(outcome.remoteId)}`);
    expect(read.status).toBe(200);
    const stored = z
      .object({
        author: z.string(),
        commentary: z.string(),
        visibility: z.string(),
        lifecycleState: z.string(),
        content: z.object({
          article: z.object({ source: z.string(), title: z.string(), description: z.string() }),
        }),
      })
      .parse(await read.json());
    expect(stored).toEqual({
      author: credentials.author,
      commentary: toLittleText(share.text),
      visibility: 'PUBLIC',
      lifecycleState: 'PUBLISHED',
      content: {
        article: {
          source: share.url,
          title: share.card?.title,
          description: share.card?.description,
        },
      },
    });
    expect(stored.commentary).toContain(String.raw`Bolivia \[`);
    expect(stored.commentary).toContain(String.raw`{hashtag|\#|EvoMorales}`);
    const create = sandbox
      .requests()
      .filter((r) => r.method === 'POST' && r.path === '/rest/posts');
    expect(create.at(-1)?.restliMethod).toBe('CREATE');
  });

  it('keeps a headline full of reserved characters whole, where raw commentary is cut at the first "("', async () => {
    const share = {
      ...claimedShare(),
      text: String.raw`Coup (update): [live] {1} <b> *x* _y_ ~z~ a|b @ana \o/ #1 #Bolivia`,
    };
    const outcome = expectKind(await linkedinClient.publish(callFor(share)), 'published');
    expect(only(postsOf(share))).toMatchObject({ remoteId: outcome.remoteId, text: share.text });

    const raw = await createRaw(`Raw ${share.text}`, 'https://example.org/raw');
    expect(raw.status).toBe(201);
    expect(posts.list().find((p) => p.card?.url === 'https://example.org/raw')?.text).toBe(
      'Raw Coup ',
    );
  });

  it('uploads a thumbnail through initializeUpload and PUT when one is given, and the card carries its URN', async () => {
    const client = createLinkedInClient({
      thumbnail: async () => ({ bytes: PNG, mimeType: 'image/png' }),
    });
    const share = claimedShare();
    const outcome = expectKind(await client.publish(callFor(share)), 'published');
    const post = only(postsOf(share));
    expect(post.remoteId).toBe(outcome.remoteId);
    expect(post.card?.thumb).toMatch(/^urn:li:image:C4E10AQ/);
    const image = await rest(`/rest/images/${encodeURIComponent(post.card?.thumb ?? '')}`);
    expect(await image.json()).toMatchObject({ status: 'AVAILABLE', owner: credentials.author });
  });

  it('sends nothing but to the sandbox: the card image URL is never fetched', async () => {
    const spy = vi.spyOn(globalThis, 'fetch');
    try {
      const share = claimedShare();
      expect(share.card?.imageUrl).toMatch(/^https:\/\/www\.leftvoice\.org\//);
      expectKind(await linkedinClient.publish(callFor(share)), 'published');
      const urls = spy.mock.calls.map(([input]) =>
        input instanceof Request ? input.url : String(input),
      );
      expect(urls).toEqual([`${sandbox.url}/rest/posts`]);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers credentials that fail the schema with auth naming the fields, never their values', async () => {
    const share = claimedShare();
    const secret = 'secret token with spaces';
    const outcome = expectKind(
      await linkedinClient.publish(
        callFor(share, {
          credentials: { accessToken: secret, author: 'Newsroom', apiBase: 'https://api.example' },
        }),
      ),
      'auth',
    );
    expect(outcome.message).toMatch(/accessToken .*author .*apiBase/);
    expect(outcome.message).not.toContain(secret);
    expect(outcome.message).not.toContain('api.example');
    expect(
      await linkedinClient.publish(callFor(share, { credentials: { author: credentials.author } })),
    ).toMatchObject({ kind: 'auth', message: expect.stringContaining('accessToken is missing') });
    expect(await linkedinClient.reconcile(callFor(share, { credentials: null }))).toMatchObject({
      kind: 'unsure',
    });
    expect(postsOf(share)).toHaveLength(0);
  });

  it('answers a 429 with rate until the next midnight UTC (LinkedIn names no reset), refuses creates until the window passes, then posts', async () => {
    faults.set('linkedin:429:1:1');
    const share = claimedShare();
    const limited = expectKind(await linkedinClient.publish(callFor(share)), 'rate');
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(limited).toEqual({
      kind: 'rate',
      until: midnight.toISOString(),
      message:
        'LinkedIn answered 429 TOO_MANY_REQUESTS: Resource level throttle limit for calls to this resource is reached.',
    });

    // The rule fired once; what refuses now is the sandbox's own window.
    expectKind(await linkedinClient.publish(callFor(share)), 'rate');
    expect(postsOf(share)).toHaveLength(0);
    await vi.waitFor(
      async () => expectKind(await linkedinClient.publish(callFor(share)), 'published'),
      { timeout: 5_000, interval: 100 },
    );
    expect(postsOf(share)).toHaveLength(1);
  });

  it('answers a reset connection with unknown; reconcile says absent, and the next attempt posts once', async () => {
    faults.set('linkedin:reset:1:1');
    const share = claimedShare();
    expectKind(await linkedinClient.publish(callFor(share)), 'unknown');
    expect(postsOf(share)).toHaveLength(0);
    expect(await linkedinClient.reconcile(callFor(share))).toEqual({ kind: 'absent' });
    expectKind(await linkedinClient.publish(callFor(share)), 'published');
    expect(postsOf(share)).toHaveLength(1);
  });

  it('retried after a lost answer, meets 422 DUPLICATE_POST, reads the URN it names back and answers published with it', async () => {
    faults.set('linkedin:crash-after-post:1:1');
    const share = claimedShare();
    expectKind(await linkedinClient.publish(callFor(share)), 'unknown');
    const post = only(postsOf(share));

    const again = await linkedinClient.publish(callFor(share));
    expect(again).toEqual({ kind: 'published', remoteId: post.remoteId, remoteUrl: post.url });
    expect(postsOf(share)).toHaveLength(1);
    const read = sandbox.requests().at(-1);
    expect(read).toMatchObject({
      method: 'GET',
      path: `/rest/posts/${encodeURIComponent(post.remoteId)}`,
    });
  });

  it('refuses to take a duplicate of a deleted post or of another link for this share: rejected', async () => {
    const share = claimedShare();
    const first = expectKind(await linkedinClient.publish(callFor(share)), 'published');
    const deleted = await rest(`/rest/posts/${encodeURIComponent(first.remoteId)}`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(204);
    expect(postsOf(share)).toHaveLength(0);
    expect(await linkedinClient.reconcile(callFor(share))).toEqual({ kind: 'absent' });
    // LinkedIn still names the deleted post as the original (composio#2710).
    const ghost = expectKind(await linkedinClient.publish(callFor(share)), 'rejected');
    expect(ghost.message).toContain(`duplicate of ${first.remoteId}, which no longer exists`);

    const other = claimedShare();
    expect((await createRaw(toLittleText(other.text), 'https://example.org/other')).status).toBe(
      201,
    );
    const stolen = expectKind(await linkedinClient.publish(callFor(other)), 'rejected');
    expect(stolen.message).toContain('a post of another link');
    expect(postsOf(other)).toHaveLength(0);
  });

  it('refuses a commentary over 3,000 with LinkedIn’s 422 (rejected), and takes 3,000 exactly', async () => {
    const share = claimedShare();
    const over = expectKind(
      await linkedinClient.publish(callFor({ ...share, text: 'x'.repeat(3001) })),
      'rejected',
    );
    expect(over.message).toBe(
      'LinkedIn answered 422 ERROR :: /commentary :: length of 3001 is out of range 0...3000',
    );
    // Escapes count: 1,500 "(" are 3,000 characters as sent.
    expectKind(
      await linkedinClient.publish(callFor({ ...share, text: '('.repeat(1500) })),
      'published',
    );
    expect(only(postsOf(share)).text).toBe('('.repeat(1500));
  });

  it('answers a version LinkedIn no longer serves (426) with rejected, asking for a current one', async () => {
    const share = claimedShare();
    const outcome = expectKind(
      await linkedinClient.publish(
        callFor(share, { credentials: { ...sandbox.credentials, version: '202001' } }),
      ),
      'rejected',
    );
    expect(outcome.message).toBe(
      "LinkedIn answered 426 NONEXISTENT_VERSION: Requested version 202001 is not active: LinkedIn-Version 202001 is no longer served; set a current version in the channel's credentials",
    );
    expect(postsOf(share)).toHaveLength(0);
  });

  it('requires LinkedIn-Version and X-Restli-Protocol-Version on every /rest call, and a token before either', async () => {
    const url = `${sandbox.url}/rest/posts?q=author&author=${encodeURIComponent(credentials.author)}`;
    const noVersion = await fetch(url, {
      headers: {
        Authorization: `Bearer ${credentials.accessToken}`,
        'X-Restli-Protocol-Version': '2.0.0',
      },
    });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ code: 'VERSION_MISSING' });
    const noProtocol = await fetch(url, {
      headers: {
        Authorization: `Bearer ${credentials.accessToken}`,
        'LinkedIn-Version': credentials.version,
      },
    });
    expect(noProtocol.status).toBe(400);
    const noToken = await fetch(url);
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toEqual({
      status: 401,
      code: 'EMPTY_ACCESS_TOKEN',
      message: 'Empty oauth2_access_token',
    });
  });

  it('finds a post past the first page of the author’s posts, and says absent only once the pages reach past the claim', async () => {
    const share = claimedShare({ claimedAgoMs: HOUR });
    const mine = expectKind(await linkedinClient.publish(callFor(share)), 'published');
    for (let i = 0; i < 105; i++) {
      expect((await createRaw(`Filler ${i}`, `https://example.org/filler-${i}`)).status).toBe(201);
    }
    const finder = sandbox.requests().length;
    expect(await linkedinClient.reconcile(callFor(share))).toEqual({
      kind: 'found',
      remoteId: mine.remoteId,
      remoteUrl: mine.remoteUrl,
    });
    const lookups = sandbox.requests().slice(finder);
    expect(lookups.map((r) => [r.method, r.path, r.restliMethod])).toEqual([
      ['GET', '/rest/posts', 'FINDER'],
      ['GET', '/rest/posts', 'FINDER'],
    ]);

    const never = claimedShare({ claimedAgoMs: HOUR });
    expect(await linkedinClient.reconcile(callFor(never))).toEqual({ kind: 'absent' });
  });

  it('edits the commentary with PARTIAL_UPDATE and deletes with DELETE, as LinkedIn does', async () => {
    const share = claimedShare();
    const outcome = expectKind(await linkedinClient.publish(callFor(share)), 'published');
    const path = `/rest/posts/${encodeURIComponent(outcome.remoteId)}`;
    const edited = await rest(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-RestLi-Method': 'PARTIAL_UPDATE' },
      body: JSON.stringify({ patch: { $set: { commentary: toLittleText('Corrected (v2)') } } }),
    });
    expect(edited.status).toBe(204);
    expect(only(postsOf(share)).text).toBe('Corrected (v2)');
    expect(await (await rest(path)).json()).toMatchObject({
      lifecycleStateInfo: { isEditedByAuthor: true },
    });

    expect((await rest(path, { method: 'DELETE' })).status).toBe(204);
    expect(postsOf(share)).toHaveLength(0);
    expect((await rest(path)).status).toBe(404);
  });
});
