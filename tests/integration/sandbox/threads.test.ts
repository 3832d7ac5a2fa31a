import { createServer } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { listenOnLoopback } from '../../../infra/local/sandbox/kit/loopback';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import {
  launchThreadsSandbox,
  startThreadsSandbox,
  type ThreadsSandbox,
} from '../../../infra/local/sandbox/threads';
import { DEFAULT_CHANNELS } from '../../../shared/config/default-channels';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { channelSchema } from '../../../shared/domain/channel';
import type { Share } from '../../../shared/domain/share';
import type { ClientCall, PublishOutcome } from '../../../shared/platforms/client';
import { threadsClient, threadsCredentialsSchema } from '../../../shared/platforms/threads/client';
import { composeThreads } from '../../../shared/platforms/threads/composer';
import { newShare } from '../../../shared/usecases/compose-article';
import {
  callOf,
  sampleArticle as fixture,
  graphCall,
  only,
  prepared as preparedShare,
} from '../../support/sandbox-contract';

const channel = channelSchema.parse(DEFAULT_CHANNELS.find((c) => c.platform === 'threads'));
const log = createLogger({ quiet: true });
const HOUR = 3_600_000;

let articles = 0;
/**
 * The sample article as compose makes a share of it (by the Threads composer, since the
 * registry is not ours) and the publisher claims it; each with an article URL of its own.
 */
function claimedShare(patch: Record<string, unknown> = {}): Share {
  articles += 1;
  const article = parseGenericArticle({
    ...fixture,
    id: `${fixture.id}-${articles}`,
    url: fixture.url.replace(/\/$/, `-${articles}/`),
    ...patch,
  });
  const now = new Date();
  const record = {
    articleId: `art-${articles}`,
    article,
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const post = composeThreads(article, channel);
  return {
    ...newShare(record, channel, now),
    text: post.text,
    url: post.url,
    hashtags: post.hashtags,
    card: post.card,
    media: post.media,
    language: post.language,
    length: post.length,
    lastError: undefined,
    status: 'publishing',
    firstClaimedAt: now.toISOString(),
  };
}

function published(outcome: PublishOutcome): { remoteId: string; remoteUrl: string } {
  if (outcome.kind !== 'published') throw new Error(`not published: ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('Threads: the client against the sandbox', () => {
  const posts = new SandboxPosts();
  const faults = new FaultInjector(undefined, 1);
  let sandbox: ThreadsSandbox;
  let token: string;

  const callFor = (share: Share, overrides: Partial<ClientCall> = {}) =>
    callOf(sandbox, share, overrides);
  const postsOf = (share: Share) =>
    posts.list().filter((p) => p.platform === 'threads' && p.text === share.text);

  const prepared = (share: Share) => preparedShare(threadsClient, callFor(share));

  /** A raw Graph call, as any HTTP client would make it. */
  const graph = (method: string, path: string, params: Record<string, string> = {}) =>
    graphCall(sandbox.url, token, method, `/v1.0${path}`, params);

  beforeAll(async () => {
    sandbox = await launchThreadsSandbox({ posts, faults, log });
    token = threadsCredentialsSchema.parse(sandbox.credentials).accessToken;
  });
  afterEach(() => faults.set(undefined));
  afterAll(() => sandbox.stop());

  it('hands back exactly the credentials the client accepts: { accessToken, userId, apiBase }', async () => {
    expect(Object.keys(sandbox.credentials).sort()).toEqual(['accessToken', 'apiBase', 'userId']);
    expect(threadsCredentialsSchema.parse(sandbox.credentials)).toEqual(sandbox.credentials);
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox).toMatchObject({ platform: 'threads', account: 'newsroom' });
    const factory = await startThreadsSandbox({ posts: new SandboxPosts(), faults, log });
    expect(Object.keys(factory.credentials).sort()).toEqual(['accessToken', 'apiBase', 'userId']);
    await factory.stop();
  });

  it('prepares a TEXT container with the share URL as link_attachment, IN_PROGRESS at first and FINISHED within a second', async () => {
    const share = claimedShare();
    const started = Date.now();
    const outcome = await threadsClient.prepare(callFor(share));
    expect(Date.now() - started).toBeLessThan(1_500);
    if (outcome.kind !== 'prepared') throw new Error(JSON.stringify(outcome));
    const container = only(sandbox.containers().filter((c) => c.id === outcome.preparedId));
    expect(container).toMatchObject({
      mediaType: 'TEXT',
      text: share.text,
      linkAttachment: share.url,
    });
    const polls = sandbox.requests().filter((r) => r.path === `/${outcome.preparedId}`);
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(postsOf(share)).toHaveLength(0);

    // As any client sees it: IN_PROGRESS on the first read, FINISHED soon after.
    const created = await graph('POST', '/me/threads', { media_type: 'TEXT', text: 'Raw' });
    const { id } = z.object({ id: z.string() }).parse(created.body);
    expect((await graph('GET', `/${id}`, { fields: 'status,error_message' })).body).toEqual({
      status: 'IN_PROGRESS',
      id,
    });
    await vi.waitFor(
      async () =>
        expect((await graph('GET', `/${id}`, { fields: 'status' })).body).toEqual({
          status: 'FINISHED',
          id,
        }),
      { timeout: 1_000, interval: 50 },
    );
  });

  it('publishes the prepared container: one post with the same id, its permalink, the text a reader sees and the link card', async () => {
    const share = await prepared(claimedShare());
    const outcome = published(await threadsClient.publish(callFor(share)));
    expect(outcome.remoteUrl).toMatch(/^https:\/\/www\.threads\.net\/@newsroom\/post\/[\w-]{11}$/);
    const post = only(postsOf(share));
    expect(post).toMatchObject({
      platform: 'threads',
      remoteId: outcome.remoteId,
      inReplyToId: null,
      text: share.text,
      account: 'newsroom',
      url: outcome.remoteUrl,
      card: { url: share.url },
    });
    expect(post.text).toContain('coup d’état');
    expect(post.receivedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const read = await graph('GET', `/${outcome.remoteId}`, {
      fields: 'permalink,text,link_attachment_url,media_type',
    });
    expect(read.body).toEqual({
      permalink: outcome.remoteUrl,
      text: share.text,
      link_attachment_url: share.url,
      media_type: 'TEXT_POST',
      id: outcome.remoteId,
    });
  });

  it('does both steps in one publish when the share has no prepared container', async () => {
    const share = claimedShare();
    const before = sandbox.containers().length;
    const outcome = published(await threadsClient.publish(callFor(share)));
    expect(sandbox.containers()).toHaveLength(before + 1);
    expect(only(postsOf(share)).remoteId).toBe(outcome.remoteId);
  });

  it('posts an IMAGE container when the share has media, and never fetches the image URL', async () => {
    let hits = 0;
    const images = await listenOnLoopback(
      createServer((_req, res) => {
        hits += 1;
        res.end();
      }),
    );
    try {
      const image = `${images.url}/photo.jpg`;
      const share = { ...claimedShare(), media: [{ url: image, alt: 'A photo' }] };
      const outcome = published(await threadsClient.publish(callFor(share)));
      const container = only(sandbox.containers().filter((c) => c.text === share.text));
      expect(container).toMatchObject({ mediaType: 'IMAGE', imageUrl: image, altText: 'A photo' });
      expect(container.linkAttachment).toBeUndefined();
      expect(only(postsOf(share))).toMatchObject({
        remoteId: outcome.remoteId,
        media: [{ mimeType: 'image/jpeg', bytes: 0, alt: 'A photo' }],
      });
      expect(hits).toBe(0);
    } finally {
      await images.close();
    }
  });

  it('answers credentials that fail the schema with auth naming the fields, never their values', async () => {
    const secret = 'a token with spaces';
    const outcome = await threadsClient.publish(
      callFor(claimedShare(), {
        credentials: { accessToken: secret, apiBase: 'https://graph.threads.net/' },
      }),
    );
    expect(outcome).toMatchObject({ kind: 'auth' });
    if (outcome.kind !== 'auth') return;
    expect(outcome.message).toMatch(
      /accessToken must be printable.*apiBase must be an http URL on loopback/,
    );
    expect(outcome.message).not.toContain(secret);
    expect(outcome.message).not.toContain('graph.threads.net');
    expect(await threadsClient.prepare(callFor(claimedShare(), { credentials: {} }))).toMatchObject(
      {
        kind: 'auth',
        message: expect.stringContaining('accessToken is missing'),
      },
    );
  });

  it('answers the 429 with rate until the usage header’s estimate, refuses creates until the reset, then publishes once', async () => {
    const share = await prepared(claimedShare());
    faults.set('threads:429:1:1');
    const before = Date.now();
    const limited = await threadsClient.publish(callFor(share));
    expect(limited).toMatchObject({ kind: 'rate', message: expect.stringContaining('#4') });
    if (limited.kind !== 'rate') return;
    // estimated_time_to_regain_access is whole minutes: one, for a one-second block.
    const until = Date.parse(limited.until);
    expect(until).toBeGreaterThanOrEqual(before + 59_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 61_000);

    expect(await threadsClient.prepare(callFor(claimedShare()))).toMatchObject({ kind: 'rate' });
    expect(await threadsClient.publish(callFor(share))).toMatchObject({ kind: 'rate' });
    expect(postsOf(share)).toHaveLength(0);
    await vi.waitFor(
      async () =>
        expect(await threadsClient.publish(callFor(share))).toMatchObject({ kind: 'published' }),
      { timeout: 5_000, interval: 100 },
    );
    expect(Date.now()).toBeGreaterThanOrEqual(before + 1_000);
    expect(postsOf(share)).toHaveLength(1);
  });

  it.each(['500', '502', '503', 'reset'])(
    'answers %s on the container request with retry, since nothing can have been posted',
    async (fault) => {
      faults.set(`threads:${fault}:1:1`);
      const share = claimedShare();
      expect(await threadsClient.prepare(callFor(share))).toMatchObject({ kind: 'retry' });
      expect(sandbox.containers().filter((c) => c.text === share.text)).toHaveLength(0);
      expect(postsOf(share)).toHaveLength(0);
    },
  );

  it('refuses a container that ends in ERROR with Meta’s error_message (rejected), posting nothing', async () => {
    faults.set('threads:container-error:1:1');
    const share = claimedShare();
    const outcome = await threadsClient.prepare(callFor(share));
    expect(outcome).toMatchObject({
      kind: 'rejected',
      message: expect.stringMatching(/status ERROR \(UNKNOWN\)/),
    });
    expect(postsOf(share)).toHaveLength(0);
  });

  it('refuses an image Meta cannot download with its 9004/2207052 error (rejected)', async () => {
    faults.set('threads:download-failed:1:1');
    const share = { ...claimedShare(), media: [{ url: 'https://images.example/missing.jpg' }] };
    const outcome = await threadsClient.publish(callFor(share));
    expect(outcome).toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining('#9004/2207052'),
    });
    if (outcome.kind !== 'rejected') return;
    expect(outcome.message).toContain('Media download has failed');
    expect(postsOf(share)).toHaveLength(0);
  });

  it('answers a publish of a container already PUBLISHED with unknown, never a second post; reconcile finds the first', async () => {
    const share = await prepared(claimedShare());
    const first = published(await threadsClient.publish(callFor(share)));
    expect(await threadsClient.publish(callFor(share))).toMatchObject({
      kind: 'unknown',
      message: expect.stringContaining('already PUBLISHED'),
    });
    const raw = await graph('POST', '/me/threads_publish', { creation_id: share.preparedId ?? '' });
    expect(raw).toMatchObject({
      status: 400,
      body: { error: { code: 24, error_subcode: 4279009 } },
    });
    expect(await threadsClient.reconcile(callFor(share))).toEqual({ ...first, kind: 'found' });
    expect(postsOf(share)).toHaveLength(1);
  });

  it('takes 500 as Threads counts (an emoji is its UTF-8 bytes) and refuses one more with code 100', async () => {
    const share = claimedShare();
    const fits = { ...share, text: '👍'.repeat(125) };
    expect(await threadsClient.publish(callFor(fits))).toMatchObject({ kind: 'published' });
    const over = { ...share, text: '👍'.repeat(126) };
    expect(await threadsClient.prepare(callFor(over))).toEqual({
      kind: 'rejected',
      message:
        'Threads answered 400 (#100 OAuthException): (#100) Param text must be at most 500 characters long.',
    });
  });

  it('refuses a sixth distinct link (text links plus link_attachment)', async () => {
    const share = claimedShare();
    const links = ['a', 'b', 'c', 'd', 'e'].map((x) => `https://${x}.example.org/`).join(' ');
    const outcome = await threadsClient.prepare(callFor({ ...share, text: `Links ${links}` }));
    expect(outcome).toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining('THREADS_API__LINK_LIMIT_EXCEEDED'),
    });
  });

  it('reconciles by the link attachment after an editor changed the text, and only after the first claim', async () => {
    const share = claimedShare();
    const outcome = published(await threadsClient.publish(callFor(share)));
    const edited = { ...share, text: 'An edited text' };
    expect(await threadsClient.reconcile(callFor(edited))).toEqual({ ...outcome, kind: 'found' });
    const later = { ...share, firstClaimedAt: new Date(Date.now() + HOUR).toISOString() };
    expect(await threadsClient.reconcile(callFor(later))).toEqual({ kind: 'absent' });
    expect(await threadsClient.reconcile(callFor(claimedShare()))).toEqual({ kind: 'absent' });
  });

  it('reconciles to unsure, never absent, when Threads cannot be asked', async () => {
    const credentials = { ...sandbox.credentials, accessToken: 'THAAwrong' };
    expect(await threadsClient.reconcile(callFor(claimedShare(), { credentials }))).toMatchObject({
      kind: 'unsure',
      reason: expect.stringContaining('#190'),
    });
    expect(
      await threadsClient.reconcile(callFor(claimedShare(), { credentials: { accessToken: '' } })),
    ).toMatchObject({ kind: 'unsure' });
  });

  it('deletes a post: it leaves the posts and reads as a THApiException 100/33', async () => {
    const share = claimedShare();
    const outcome = published(await threadsClient.publish(callFor(share)));
    expect(await graph('DELETE', `/${outcome.remoteId}`)).toEqual({
      status: 200,
      body: { success: true, deleted_id: outcome.remoteId },
    });
    expect(postsOf(share)).toHaveLength(0);
    expect(await graph('GET', `/${outcome.remoteId}`)).toMatchObject({
      status: 400,
      body: { error: { type: 'THApiException', code: 100, error_subcode: 33 } },
    });
  });
});

describe('Threads: containers that expire, quotas, an unreachable host, and stopping', () => {
  const faults = new FaultInjector(undefined, 1);
  const callFor = (sandbox: ThreadsSandbox, share: Share, timeoutMs = 5_000): ClientCall => ({
    share,
    account: sandbox.account,
    credentials: sandbox.credentials,
    timeoutMs,
  });

  it('answers an expired container on publish with retry saying so (a new container is needed)', async () => {
    const posts = new SandboxPosts();
    const sandbox = await launchThreadsSandbox({ posts, faults, log }, { containerTtlMs: 1_500 });
    try {
      const share = claimedShare();
      const outcome = await threadsClient.prepare(callFor(sandbox, share));
      if (outcome.kind !== 'prepared') throw new Error(JSON.stringify(outcome));
      await vi.waitFor(
        () =>
          expect(
            sandbox.containers().find((c) => c.id === outcome.preparedId)?.createdAt,
          ).toBeLessThan(Date.now() - 1_500),
        { timeout: 3_000, interval: 50 },
      );
      const expired = await threadsClient.publish(
        callFor(sandbox, { ...share, preparedId: outcome.preparedId }),
      );
      expect(expired).toMatchObject({ kind: 'retry', message: expect.stringContaining('expired') });
      expect(posts.list()).toHaveLength(0);
    } finally {
      await sandbox.stop();
    }
  });

  it('answers the spent publishing quota (9/2207042) with rate an hour out', async () => {
    const posts = new SandboxPosts();
    const sandbox = await launchThreadsSandbox({ posts, faults, log }, { publishQuota: 1 });
    try {
      published(await threadsClient.publish(callFor(sandbox, claimedShare())));
      const before = Date.now();
      const outcome = await threadsClient.publish(callFor(sandbox, claimedShare()));
      expect(outcome).toMatchObject({ kind: 'rate', message: expect.stringContaining('2207042') });
      if (outcome.kind !== 'rate') return;
      expect(Date.parse(outcome.until)).toBeGreaterThanOrEqual(before + HOUR);
      expect(posts.list()).toHaveLength(1);
      const { accessToken } = threadsCredentialsSchema.parse(sandbox.credentials);
      const limit = await fetch(
        `${sandbox.url}/v1.0/me/threads_publishing_limit?fields=quota_usage,config&access_token=${accessToken}`,
      );
      expect(await limit.json()).toEqual({
        data: [{ quota_usage: 1, config: { quota_total: 1, quota_duration: 86400 } }],
      });
    } finally {
      await sandbox.stop();
    }
  });
});
