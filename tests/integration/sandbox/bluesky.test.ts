/**
 * The Bluesky client (@atproto/api, unchanged) against the Bluesky sandbox: the publish
 * path, every fault, reconciliation by record key, sessions and the sandbox's own checks.
 */
import { readFileSync } from 'node:fs';
import { AtpAgent, XRPCError } from '@atproto/api';
import { TID } from '@atproto/common-web';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, type LogEntry } from '../../../infra/local/logger';
import { type BlueskySandboxOptions, blueskySandbox } from '../../../infra/local/sandbox/bluesky';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import type { RunningSandbox } from '../../../infra/local/sandbox/types';
import { loadChannelsConfig } from '../../../shared/config/channels';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import type { ArticleRecord } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import { blueskyClient, createBlueskyClient } from '../../../shared/platforms/bluesky/client';
import type { ClientCall } from '../../../shared/platforms/client';
import { newShare } from '../../../shared/usecases/compose-article';
import { appLinkLabel } from '../../support/bluesky-label';
import { expectKind } from '../../support/sandbox-contract';

const article = parseGenericArticle(
  JSON.parse(
    readFileSync(
      new URL('../../../tests/fixtures/webhooks/generic-article.json', import.meta.url),
      'utf8',
    ),
  ),
);
const channel = loadChannelsConfig(undefined).channels.find((c) => c.platform === 'bluesky');

/** The sample article's Bluesky share as the publisher holds it once claimed. */
function claimedShare(overrides: Partial<Share> = {}): Share {
  if (!channel) throw new Error('the built-in channels have no Bluesky channel');
  const now = new Date();
  const record: ArticleRecord = {
    articleId: `art-${now.getTime()}`,
    article,
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  return {
    ...newShare(record, channel, now),
    status: 'publishing',
    firstClaimedAt: now.toISOString(),
    remoteKey: TID.nextStr(),
    ...overrides,
  };
}

type Harness = {
  sandbox: RunningSandbox;
  posts: SandboxPosts;
  faults: FaultInjector;
  /** how many requests the sandbox served for `nsid` */
  served(nsid: string): number;
  call(share: Share, extra?: Partial<ClientCall>): ClientCall;
};

async function startSandbox(options: BlueskySandboxOptions = {}): Promise<Harness> {
  const posts = new SandboxPosts();
  const faults = new FaultInjector(undefined, 1);
  const entries: LogEntry[] = [];
  const log = createLogger({ quiet: true, sink: (entry) => entries.push(entry) });
  const sandbox = await blueskySandbox(options)({ posts, faults, log });
  return {
    sandbox,
    posts,
    faults,
    served: (nsid) =>
      entries.filter((e) => e.event === 'sandbox.request' && e.nsid === nsid).length,
    call: (share, extra = {}) => ({
      share,
      account: sandbox.account,
      credentials: sandbox.credentials,
      timeoutMs: 10_000,
      ...extra,
    }),
  };
}

function credentialsOf(sandbox: RunningSandbox) {
  const { service, identifier, password } = sandbox.credentials;
  if (
    typeof service !== 'string' ||
    typeof identifier !== 'string' ||
    typeof password !== 'string'
  ) {
    throw new Error('the sandbox credentials are not { service, identifier, password }');
  }
  return { service, identifier, password };
}

const postsWithKey = (posts: SandboxPosts, rkey: string | undefined) =>
  posts.list().filter((p) => p.remoteId.endsWith(`/app.bsky.feed.post/${rkey}`));

/** Waits until the instant the network named, not for a fixed time. */
const waitUntil = (iso: string) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(iso) - Date.now())));

async function loggedInAgent(sandbox: RunningSandbox): Promise<AtpAgent> {
  const { service, identifier, password } = credentialsOf(sandbox);
  const agent = new AtpAgent({ service });
  await agent.login({ identifier, password });
  return agent;
}

function objectOf(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new Error('not an object');
  return Object.fromEntries(Object.entries(value));
}

function sessionOf(outcome: { session?: string }) {
  expect(outcome.session).toBeTypeOf('string');
  return objectOf(JSON.parse(outcome.session ?? ''));
}

describe('the Bluesky client against the sandbox', () => {
  let h: Harness;
  /** the session the publisher would keep on the channel */
  let session: string | undefined;

  const publish = async (share: Share, extra: Partial<ClientCall> = {}) => {
    const outcome = await blueskyClient.publish(h.call(share, { session, ...extra }));
    if (outcome.session) session = outcome.session;
    return outcome;
  };
  const reconcile = async (share: Share) => {
    const outcome = await blueskyClient.reconcile(h.call(share, { session }));
    if (outcome.session) session = outcome.session;
    return outcome;
  };

  beforeAll(async () => {
    h = await startSandbox();
  });
  afterAll(async () => {
    await h.sandbox.stop();
  });
  afterEach(() => {
    h.faults.set(undefined);
  });

  it('posts the sample article through @atproto/api: the record URI as remote id, the text as composed', async () => {
    const share = claimedShare();
    const outcome = expectKind(await publish(share), 'published');

    const { did } = sessionOf(outcome);
    expect(outcome.remoteId).toBe(`at://${did}/app.bsky.feed.post/${share.remoteKey}`);
    expect(outcome.remoteUrl).toBe(
      `https://bsky.app/profile/newsroom.bsky.social/post/${share.remoteKey}`,
    );
    expect(h.posts.list()).toContainEqual(
      expect.objectContaining({
        platform: 'bluesky',
        remoteId: outcome.remoteId,
        inReplyToId: null,
        text: share.text,
        account: 'newsroom.bsky.social',
        url: outcome.remoteUrl,
      }),
    );
    expect(share.text).toContain('Trump Declares Support for Coup in Bolivia');
    expect(outcome.session).not.toContain(credentialsOf(h.sandbox).password);
  });

  it('sends the facets, the language and the external card, which arrive in the stored record', async () => {
    const share = claimedShare();
    const outcome = expectKind(await publish(share), 'published');
    expect(share.facets?.length).toBeGreaterThan(0);
    expect(share.card).toBeDefined();
    // The text shows the link's label; the facet on it holds the URL with its UTM.
    const label = appLinkLabel(share.url);
    expect(share.text).toContain(label);
    expect(share.text).not.toContain(share.url);
    const start = Buffer.from(share.text).indexOf(label);
    expect(share.facets).toContainEqual({
      index: { byteStart: start, byteEnd: start + Buffer.byteLength(label) },
      features: [{ $type: 'app.bsky.richtext.facet#link', uri: share.url }],
    });

    const agent = await loggedInAgent(h.sandbox);
    const stored = await agent.com.atproto.repo.getRecord({
      repo: agent.session?.did ?? '',
      collection: 'app.bsky.feed.post',
      rkey: share.remoteKey ?? '',
    });
    expect(stored.data.uri).toBe(outcome.remoteId);
    expect(stored.data.value).toMatchObject({
      $type: 'app.bsky.feed.post',
      text: share.text,
      facets: share.facets,
      langs: ['en'],
      embed: {
        $type: 'app.bsky.embed.external',
        external: {
          uri: share.card?.url,
          title: share.card?.title,
          description: share.card?.description,
        },
      },
    });
    expect(h.posts.list()).toContainEqual(
      expect.objectContaining({
        remoteId: outcome.remoteId,
        card: {
          url: share.card?.url,
          title: share.card?.title,
          description: share.card?.description,
        },
      }),
    );
  });

  it('sends no request anywhere but the service: the card image URL is never fetched', async () => {
    const spy = vi.spyOn(globalThis, 'fetch');
    try {
      const share = claimedShare();
      expect(share.card?.imageUrl).toMatch(/^https:\/\/www\.leftvoice\.org\//);
      expectKind(await publish(share, { session: undefined }), 'published');
      const urls = spy.mock.calls.map(([input]) =>
        input instanceof Request ? input.url : String(input),
      );
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls) expect(url.startsWith(`${h.sandbox.url}/xrpc/`)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('uploads a thumbnail through uploadBlob when one is given, and the card carries the blob', async () => {
    const bytes = new Uint8Array(2048).fill(7);
    const client = createBlueskyClient({
      thumbnail: async () => ({ bytes, mimeType: 'image/jpeg' }),
    });
    const share = claimedShare();
    const outcome = expectKind(await client.publish(h.call(share, { session })), 'published');
    const [post] = postsWithKey(h.posts, share.remoteKey);
    expect(post?.remoteId).toBe(outcome.remoteId);
    expect(post?.card?.thumb).toMatch(/^bafkrei[a-z2-7]+$/);
  });

  it('resumes a stored session without calling createSession again', async () => {
    expectKind(await publish(claimedShare()), 'published');
    const logins = h.served('com.atproto.server.createSession');
    const before = session;

    const outcome = expectKind(await publish(claimedShare()), 'published');
    expect(h.served('com.atproto.server.createSession')).toBe(logins);
    // Nothing was refreshed, so the publisher keeps what it has.
    expect(outcome.session).toBeUndefined();
    expect(session).toBe(before);
  });

  it('a repeated record key gets the plain 500, which is unknown, and reconcile finds the one post', async () => {
    const share = claimedShare();
    const first = expectKind(await publish(share), 'published');

    const agent = await loggedInAgent(h.sandbox);
    const again = agent.com.atproto.repo.createRecord({
      repo: agent.session?.did ?? '',
      collection: 'app.bsky.feed.post',
      rkey: share.remoteKey,
      record: { $type: 'app.bsky.feed.post', text: 'again', createdAt: new Date().toISOString() },
    });
    await expect(again).rejects.toMatchObject({
      status: 500,
      error: 'InternalServerError',
      message: 'Internal Server Error',
    });

    const retried = expectKind(await publish(share), 'unknown');
    expect(retried.message).toMatch(/reconcile/);
    expect(await reconcile(share)).toMatchObject({
      kind: 'found',
      remoteId: first.remoteId,
      remoteUrl: first.remoteUrl,
    });
    expect(postsWithKey(h.posts, share.remoteKey)).toHaveLength(1);
  });

  it('refuses a record key that is not a TID (400 InvalidRequest): rejected, nothing posted', async () => {
    const share = claimedShare({ remoteKey: 'share-0f6a7c' });
    const outcome = expectKind(await publish(share), 'rejected');
    expect(outcome.message).toContain('Invalid record key for app.bsky.feed.post');
    expect(postsWithKey(h.posts, 'share-0f6a7c')).toHaveLength(0);
  });

  it('refuses a text over 300 graphemes as the PDS does: rejected, nothing posted', async () => {
    const share = claimedShare({ text: 'a'.repeat(301), facets: [] });
    const outcome = expectKind(await publish(share), 'rejected');
    expect(outcome.message).toContain(
      'Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes',
    );
    expect(postsWithKey(h.posts, share.remoteKey)).toHaveLength(0);
  });

  it('refuses a text over 3,000 UTF-8 bytes even within 300 graphemes', async () => {
    const family = '👨‍👩‍👧‍👦'; // one grapheme, 25 bytes
    const share = claimedShare({ text: family.repeat(150), facets: [] });
    const outcome = expectKind(await publish(share), 'rejected');
    expect(outcome.message).toContain('Record/text must not be longer than 3000');
  });

  it('refuses a facet outside the text: rejected', async () => {
    const share = claimedShare({
      text: 'Short',
      facets: [
        {
          index: { byteStart: 0, byteEnd: 40 },
          features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.org/' }],
        },
      ],
    });
    expectKind(await publish(share), 'rejected');
  });

  it('a 429 is rate until the reset the sandbox names; a create before it is refused, after it goes through', async () => {
    h.faults.set('bluesky:429:1:1');
    const share = claimedShare();
    const before = Date.now();
    const limited = expectKind(await publish(share), 'rate');
    const until = Date.parse(limited.until);
    expect(until).toBeGreaterThanOrEqual(before + 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + 2100);

    const again = expectKind(await publish(share), 'rate');
    expect(Date.parse(again.until)).toBeGreaterThanOrEqual(until - 1000);
    expect(postsWithKey(h.posts, share.remoteKey)).toHaveLength(0);

    await waitUntil(limited.until);
    expectKind(await publish(share), 'published');
    expect(postsWithKey(h.posts, share.remoteKey)).toHaveLength(1);
  });

  it('a reset connection is unknown; reconcile says absent, and the same key then posts once', async () => {
    h.faults.set('bluesky:reset:1:1');
    const share = claimedShare();
    expectKind(await publish(share), 'unknown');
    expect(await reconcile(share)).toEqual({ kind: 'absent' });
    expectKind(await publish(share), 'published');
    expect(postsWithKey(h.posts, share.remoteKey)).toHaveLength(1);
  });

  it('an expired access token is refreshed by the agent, the post goes out and the new session comes back', async () => {
    expectKind(await publish(claimedShare()), 'published');
    const old = session;
    const refreshes = h.served('com.atproto.server.refreshSession');
    const logins = h.served('com.atproto.server.createSession');
    h.faults.set('bluesky:expired-token:1:1');

    const outcome = expectKind(await publish(claimedShare()), 'published');
    expect(h.served('com.atproto.server.refreshSession')).toBe(refreshes + 1);
    expect(h.served('com.atproto.server.createSession')).toBe(logins);
    expect(outcome.session).toBeDefined();
    expect(outcome.session).not.toBe(old);

    // The refresh token rotated: as on the PDS, the old one refreshes again only within
    // its grace, to a token of the same id as the new one, and not once its session ends.
    const oldRefresh = sessionOf({ session: old }).refreshJwt;
    const refresh = () =>
      fetch(`${h.sandbox.url}/xrpc/com.atproto.server.refreshSession`, {
        method: 'POST',
        headers: { authorization: `Bearer ${oldRefresh}` },
      });
    const jti = (jwt: unknown) =>
      objectOf(JSON.parse(Buffer.from(String(jwt).split('.')[1] ?? '', 'base64url').toString()))
        .jti;
    const again = await refresh();
    expect(again.status).toBe(200);
    expect(jti(objectOf(await again.json()).refreshJwt)).toBe(jti(sessionOf(outcome).refreshJwt));
    await fetch(`${h.sandbox.url}/xrpc/com.atproto.server.deleteSession`, {
      method: 'POST',
      headers: { authorization: `Bearer ${oldRefresh}` },
    });
    const ended = await refresh();
    expect(ended.status).toBe(400);
    expect(await ended.json()).toEqual({
      error: 'ExpiredToken',
      message: 'Token has been revoked',
    });
  });

  it('a dead stored session falls back to one password login and posts', async () => {
    const { did, handle } = sessionOf({ session });
    const dead = JSON.stringify({
      ...sessionOf({ session }),
      did,
      handle,
      accessJwt: 'not.a.token',
      refreshJwt: 'not.a.token',
    });
    const logins = h.served('com.atproto.server.createSession');
    const outcome = expectKind(await publish(claimedShare(), { session: dead }), 'published');
    expect(h.served('com.atproto.server.createSession')).toBe(logins + 1);
    expect(sessionOf(outcome).accessJwt).not.toBe('not.a.token');
  });

  it('invalid credentials are auth naming the fields, never their values', async () => {
    const outcome = expectKind(
      await blueskyClient.publish(
        h.call(claimedShare(), {
          credentials: { service: 'ftp://secret-host.example', identifier: '', password: 42 },
        }),
      ),
      'auth',
    );
    expect(outcome.message).toMatch(/service/);
    expect(outcome.message).toMatch(/identifier/);
    expect(outcome.message).toMatch(/password/);
    expect(outcome.message).not.toContain('secret-host');
    expect(
      await blueskyClient.reconcile(h.call(claimedShare(), { credentials: null })),
    ).toMatchObject({ kind: 'unsure' });
  });

  it('a revoked app password (the auth fault) is auth, even with a stored session to refresh', async () => {
    expectKind(await publish(claimedShare()), 'published');
    h.faults.set('bluesky:auth:1:1');
    const share = claimedShare();
    const outcome = expectKind(await publish(share), 'auth');
    expect(outcome.message).toMatch(/Invalid identifier or password|revoked/);
    expect(postsWithKey(h.posts, share.remoteKey)).toHaveLength(0);

    // The sandbox takes the password back after the reset time (an operator's new one).
    const { service, identifier, password } = credentialsOf(h.sandbox);
    await vi.waitFor(
      async () => {
        await new AtpAgent({ service }).login({ identifier, password });
      },
      { timeout: 5000, interval: 200 },
    );
    session = undefined;
    expectKind(await publish(share), 'published');
  });

  it('lists and deletes records; after a delete the post is gone and reconcile says absent', async () => {
    const share = claimedShare();
    const outcome = expectKind(await publish(share), 'published');
    const agent = await loggedInAgent(h.sandbox);
    const repo = agent.session?.did ?? '';

    const listed = await agent.com.atproto.repo.listRecords({
      repo,
      collection: 'app.bsky.feed.post',
      limit: 100,
    });
    expect(listed.data.records[0]?.uri).toBe(outcome.remoteId);

    await agent.com.atproto.repo.deleteRecord({
      repo,
      collection: 'app.bsky.feed.post',
      rkey: share.remoteKey ?? '',
    });
    expect(postsWithKey(h.posts, share.remoteKey)).toHaveLength(0);
    expect(await reconcile(share)).toEqual({ kind: 'absent' });
    // Deleting what is not there succeeds and changes nothing.
    await agent.com.atproto.repo.deleteRecord({
      repo,
      collection: 'app.bsky.feed.post',
      rkey: share.remoteKey ?? '',
    });
  });
});

describe('the Bluesky sandbox as a PDS', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startSandbox();
  });
  afterAll(async () => {
    await h.sandbox.stop();
  });

  const xrpc = (nsid: string, init: RequestInit = {}) =>
    fetch(`${h.sandbox.url}/xrpc/${nsid}`, init);

  it('hands out credentials { service, identifier, password } with an app password', () => {
    expect(h.sandbox.credentials).toEqual({
      service: h.sandbox.url,
      identifier: 'newsroom.bsky.social',
      password: expect.stringMatching(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/),
    });
    expect(h.sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(h.sandbox.account).toBe('newsroom.bsky.social');
  });

  it('answers createSession with JWTs and no didDoc', async () => {
    const { identifier, password } = credentialsOf(h.sandbox);
    const response = await xrpc('com.atproto.server.createSession', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier, password }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = objectOf(await response.json());
    expect(body).not.toHaveProperty('didDoc');
    expect(body).toMatchObject({ handle: identifier, did: expect.stringMatching(/^did:plc:/) });
    for (const token of [body.accessJwt, body.refreshJwt]) {
      const [head] = String(token).split('.');
      expect(String(token).split('.')).toHaveLength(3);
      expect(JSON.parse(Buffer.from(head ?? '', 'base64url').toString())).toMatchObject({
        alg: 'HS256',
      });
    }
  });

  it('answers a missing token with 401 AuthMissing and a bad one with 400 InvalidToken', async () => {
    const body = JSON.stringify({
      repo: 'newsroom.bsky.social',
      collection: 'app.bsky.feed.post',
      record: { text: 'x', createdAt: new Date().toISOString() },
    });
    const headers = { 'content-type': 'application/json' };
    const missing = await xrpc('com.atproto.repo.createRecord', { method: 'POST', headers, body });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: 'AuthMissing' });

    const bad = await xrpc('com.atproto.repo.createRecord', {
      method: 'POST',
      headers: { ...headers, authorization: 'Bearer abc.def.ghi' },
      body,
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: 'InvalidToken',
      message: 'Token could not be verified',
    });
  });

  it('getRecord of an unknown key is 400 RecordNotFound', async () => {
    const agent = await loggedInAgent(h.sandbox);
    const lookup = agent.com.atproto.repo.getRecord({
      repo: agent.session?.did ?? '',
      collection: 'app.bsky.feed.post',
      rkey: TID.nextStr(),
    });
    await expect(lookup).rejects.toBeInstanceOf(XRPCError);
    await expect(lookup).rejects.toMatchObject({ status: 400, error: 'RecordNotFound' });
  });

  it('answers an unknown method with 501 MethodNotImplemented', async () => {
    const response = await xrpc('app.bsky.feed.getTimeline');
    expect(response.status).toBe(501);
    expect(await response.json()).toEqual({
      error: 'MethodNotImplemented',
      message: 'Method Not Implemented',
    });
  });
});

describe('Bluesky sessions that really expire', () => {
  it('the agent refreshes an access token past its lifetime without a new login', async () => {
    const h = await startSandbox({ accessTokenSeconds: 1 });
    try {
      const first = expectKind(await blueskyClient.publish(h.call(claimedShare())), 'published');
      const { accessJwt } = sessionOf(first);
      await vi.waitFor(
        async () => {
          const response = await fetch(`${h.sandbox.url}/xrpc/com.atproto.server.getSession`, {
            headers: { authorization: `Bearer ${accessJwt}` },
          });
          expect(await response.json()).toMatchObject({ error: 'ExpiredToken' });
        },
        { timeout: 4000, interval: 100 },
      );

      const second = expectKind(
        await blueskyClient.publish(h.call(claimedShare(), { session: first.session })),
        'published',
      );
      expect(h.served('com.atproto.server.createSession')).toBe(1);
      expect(h.served('com.atproto.server.refreshSession')).toBe(1);
      expect(sessionOf(second).accessJwt).not.toBe(accessJwt);
    } finally {
      await h.sandbox.stop();
    }
  });
});
