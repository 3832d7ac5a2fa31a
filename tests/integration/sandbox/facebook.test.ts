import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { createLogger } from '../../../infra/local/logger';
import {
  type FacebookSandbox,
  launchFacebookSandbox,
  startFacebookSandbox,
} from '../../../infra/local/sandbox/facebook';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import { DEFAULT_CHANNELS } from '../../../shared/config/default-channels';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { channelSchema } from '../../../shared/domain/channel';
import type { ArticleRecord } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import type { ClientCall } from '../../../shared/platforms/client';
import {
  facebookClient,
  facebookCredentialsSchema,
} from '../../../shared/platforms/facebook/client';
import { composeFacebook } from '../../../shared/platforms/facebook/composer';
import { newShare } from '../../../shared/usecases/compose-article';
import { callOf, expectKind, sampleArticle as fixture, only } from '../../support/sandbox-contract';

const channel = channelSchema.parse(DEFAULT_CHANNELS.find((c) => c.platform === 'facebook'));
const MINUTE = 60_000;

let articles = 0;
/**
 * A share of the sample article as compose makes it and the publisher claims it. Past the
 * first, each gets its own URL and a numbered headline, as Graph refuses the same message
 * and link twice in a row (#506).
 */
function claimedShare(options: { claimedAt?: Date; pristine?: boolean } = {}): Share {
  articles += 1;
  const article = parseGenericArticle(
    options.pristine
      ? fixture
      : {
          ...fixture,
          id: `${fixture.id}-${articles}`,
          url: fixture.url.replace(/\/$/, `-${articles}/`),
          title: `${fixture.title} (${articles})`,
        },
  );
  const now = new Date();
  const record: ArticleRecord = {
    articleId: `art-${articles}`,
    article,
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const post = composeFacebook(article, channel);
  return {
    ...newShare(record, channel, now),
    status: 'publishing',
    text: post.text,
    url: post.url,
    hashtags: post.hashtags,
    card: post.card,
    language: post.language,
    length: post.length,
    firstClaimedAt: (options.claimedAt ?? now).toISOString(),
  };
}

describe('Facebook Page: the client against the Graph sandbox', () => {
  const posts = new SandboxPosts();
  const faults = new FaultInjector(undefined, 1);
  let sandbox: FacebookSandbox;
  let credentials: z.output<typeof facebookCredentialsSchema>;

  const callFor = (share: Share, overrides: Partial<ClientCall> = {}) =>
    callOf(sandbox, share, overrides);
  const postsOf = (share: Share) => posts.list().filter((p) => p.card?.url === share.url);
  /** A Graph call as Meta's own tools make it, for what the Crier client does not do. */
  const graph = (path: string, init: { method?: string; params?: Record<string, string> } = {}) => {
    const url = new URL(`${sandbox.url}/${credentials.apiVersion}/${path}`);
    const params = new URLSearchParams({
      ...init.params,
      access_token: credentials.pageAccessToken,
    });
    const method = init.method ?? 'GET';
    if (method === 'GET' || method === 'DELETE') {
      for (const [name, value] of params) url.searchParams.set(name, value);
      return fetch(url, { method });
    }
    return fetch(url, { method, body: params });
  };

  beforeAll(async () => {
    sandbox = await launchFacebookSandbox({ posts, faults, log: createLogger({ quiet: true }) });
    credentials = facebookCredentialsSchema.parse(sandbox.credentials);
  });
  afterEach(() => faults.set(undefined));
  afterAll(() => sandbox.stop());

  it('hands back exactly the credentials the client accepts: { pageId, pageAccessToken, apiVersion, apiBase }', async () => {
    expect(Object.keys(sandbox.credentials).sort()).toEqual([
      'apiBase',
      'apiVersion',
      'pageAccessToken',
      'pageId',
    ]);
    expect(facebookCredentialsSchema.parse(sandbox.credentials)).toEqual(sandbox.credentials);
    expect(sandbox.credentials.pageId).toMatch(/^\d{15}$/);
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.account).toBe('Newsroom');
    const started = await startFacebookSandbox({
      posts: new SandboxPosts(),
      faults: new FaultInjector(undefined, 1),
      log: createLogger({ quiet: true }),
    });
    await started.stop();
    expect(started.platform).toBe('facebook');
  });

  it('posts the sample article as a link post: the {page-id}_{post-id} id, its permalink, the text a reader sees', async () => {
    const share = claimedShare({ pristine: true });
    const outcome = expectKind(await facebookClient.publish(callFor(share)), 'published');

    const [page, post] = outcome.remoteId.split('_');
    expect(page).toBe(credentials.pageId);
    expect(outcome.remoteUrl).toBe(`https://www.facebook.com/${page}/posts/${post}`);
    expect(only(postsOf(share))).toMatchObject({
      platform: 'facebook',
      remoteId: outcome.remoteId,
      inReplyToId: null,
      text: share.text,
      account: 'Newsroom',
      url: outcome.remoteUrl,
      card: { url: share.url },
    });
    const read = await graph(outcome.remoteId, { params: { fields: 'permalink_url,message' } });
    expect(await read.json()).toEqual({
      id: outcome.remoteId,
      permalink_url: outcome.remoteUrl,
      message: share.text,
    });
  });

  it('sends message and link as a form and keeps the token out of the URL; nothing is fetched but the sandbox', async () => {
    const spy = vi.spyOn(globalThis, 'fetch');
    try {
      const share = claimedShare();
      expectKind(await facebookClient.publish(callFor(share)), 'published');
      expect(spy).toHaveBeenCalledTimes(1);
      const [input, init] = spy.mock.calls[0] ?? [];
      expect(String(input)).toBe(
        `${sandbox.url}/${credentials.apiVersion}/${credentials.pageId}/feed`,
      );
      expect(init?.method).toBe('POST');
      const body = init?.body instanceof URLSearchParams ? init.body : new URLSearchParams();
      expect(Object.fromEntries(body)).toEqual({
        message: share.text,
        link: share.url,
        access_token: credentials.pageAccessToken,
      });
    } finally {
      spy.mockRestore();
    }
  });

  it('answers credentials that fail the schema with auth naming the fields, never their values', async () => {
    const share = claimedShare();
    const secret = 'secret token with spaces';
    const outcome = expectKind(
      await facebookClient.publish(
        callFor(share, {
          credentials: { pageId: 'newsroom', pageAccessToken: secret, apiVersion: '25' },
        }),
      ),
      'auth',
    );
    expect(outcome.message).toMatch(/pageId .*pageAccessToken .*apiVersion/);
    expect(outcome.message).not.toContain(secret);
    expect(outcome.message).not.toContain('newsroom');
    expect(await facebookClient.reconcile(callFor(share, { credentials: [] }))).toMatchObject({
      kind: 'unsure',
      reason: expect.stringContaining('must be an object'),
    });
    expect(postsOf(share)).toHaveLength(0);
  });

  it('answers a throttle (#80001) with rate until the minutes X-Business-Use-Case-Usage names, refuses creates until the window passes, then posts', async () => {
    faults.set('facebook:429:1:1');
    const share = claimedShare();
    const before = Date.now();
    const limited = expectKind(await facebookClient.publish(callFor(share)), 'rate');
    expect(limited.message).toContain('code 80001');
    expect(limited.message).toContain('too many calls to this Page account');
    // The sandbox's window is 1 s; Meta states it in whole minutes, so 1.
    const until = Date.parse(limited.until);
    expect(until).toBeGreaterThanOrEqual(before + MINUTE);
    expect(until).toBeLessThanOrEqual(Date.now() + MINUTE);

    expectKind(await facebookClient.publish(callFor(share)), 'rate');
    expect(postsOf(share)).toHaveLength(0);
    await vi.waitFor(
      async () => expectKind(await facebookClient.publish(callFor(share)), 'published'),
      { timeout: 5_000, interval: 100 },
    );
    expect(postsOf(share)).toHaveLength(1);
  });

  it('reads "An unexpected error … retry your request later" (code 2) after a post as unknown, never retry', async () => {
    faults.set('facebook:500-after-post:1:1');
    const share = claimedShare();
    const outcome = expectKind(await facebookClient.publish(callFor(share)), 'unknown');
    expect(outcome.message).toBe(
      'Facebook answered 500 (OAuthException, code 2): An unexpected error has occurred. Please retry your request later.; Facebook may have posted it all the same',
    );
  });

  it('answers a reset connection with unknown; reconcile says absent, and the next attempt posts once', async () => {
    faults.set('facebook:reset:1:1');
    const share = claimedShare();
    expectKind(await facebookClient.publish(callFor(share)), 'unknown');
    expect(postsOf(share)).toHaveLength(0);
    expect(await facebookClient.reconcile(callFor(share))).toEqual({ kind: 'absent' });
    expectKind(await facebookClient.publish(callFor(share)), 'published');
    expect(postsOf(share)).toHaveLength(1);
  });

  it('meets "(#506) Duplicate status message" on a repeat: unknown, and reconcile names the first post', async () => {
    const share = claimedShare();
    const first = expectKind(await facebookClient.publish(callFor(share)), 'published');
    const again = expectKind(await facebookClient.publish(callFor(share)), 'unknown');
    expect(again.message).toContain('code 506');
    expect(await facebookClient.reconcile(callFor(share))).toEqual({
      kind: 'found',
      remoteId: first.remoteId,
      remoteUrl: first.remoteUrl,
    });
    expect(postsOf(share)).toHaveLength(1);
  });

  it('refuses a message over 63,206 characters with code 100: rejected', async () => {
    const share = { ...claimedShare(), text: 'x'.repeat(63_207) };
    const outcome = expectKind(await facebookClient.publish(callFor(share)), 'rejected');
    expect(outcome.message).toContain('code 100');
    expect(postsOf(share)).toHaveLength(0);
  });

  it('looks only at the feed since the first claim, and follows the cursor past the first 100 posts', async () => {
    const share = claimedShare({ claimedAt: new Date(Date.now() - 10 * MINUTE) });
    const mine = expectKind(await facebookClient.publish(callFor(share)), 'published');
    for (let i = 0; i < 105; i++) {
      const filler = await graph(`${credentials.pageId}/feed`, {
        method: 'POST',
        params: { message: `Filler ${i}`, link: `https://example.org/filler-${i}` },
      });
      expect(filler.status).toBe(200);
    }
    const reads = sandbox.requests().length;
    expect(await facebookClient.reconcile(callFor(share))).toEqual({
      kind: 'found',
      remoteId: mine.remoteId,
      remoteUrl: mine.remoteUrl,
    });
    expect(sandbox.requests().slice(reads)).toHaveLength(2);

    // Claimed later than the post was made (beyond the clock margin): not this share's.
    const later = { ...share, firstClaimedAt: new Date(Date.now() + 10 * MINUTE).toISOString() };
    expect(await facebookClient.reconcile(callFor(later))).toEqual({ kind: 'absent' });
  });

  it('edits with POST /{post-id} and deletes with DELETE /{post-id}, answering { success: true }', async () => {
    const share = claimedShare();
    const outcome = expectKind(await facebookClient.publish(callFor(share)), 'published');
    const edited = await graph(outcome.remoteId, {
      method: 'POST',
      params: { message: 'Corrected' },
    });
    expect(await edited.json()).toEqual({ success: true });
    expect(only(postsOf(share)).text).toBe('Corrected');

    const deleted = await graph(outcome.remoteId, { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ success: true });
    expect(postsOf(share)).toHaveLength(0);
    const gone = await graph(outcome.remoteId);
    expect(gone.status).toBe(400);
    expect(await gone.json()).toMatchObject({ error: { code: 100, error_subcode: 33 } });
    expect(await facebookClient.reconcile(callFor(share))).toEqual({ kind: 'absent' });
  });

  it('answers Graph’s own errors for a missing token (#104) and an unknown path (#2500)', async () => {
    const noToken = await fetch(
      `${sandbox.url}/${credentials.apiVersion}/${credentials.pageId}/feed`,
    );
    expect(noToken.status).toBe(400);
    expect(await noToken.json()).toMatchObject({
      error: {
        message: 'An access token is required to request this resource.',
        type: 'OAuthException',
        code: 104,
        fbtrace_id: expect.any(String),
      },
    });
    const unknown = await graph(`${credentials.pageId}/nothing/here`);
    expect(await unknown.json()).toMatchObject({ error: { code: 2500 } });
  });
});
