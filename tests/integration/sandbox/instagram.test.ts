import { createServer } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import {
  type InstagramSandbox,
  launchInstagramSandbox,
  startInstagramSandbox,
} from '../../../infra/local/sandbox/instagram';
import { listenOnLoopback } from '../../../infra/local/sandbox/kit/loopback';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import { DEFAULT_CHANNELS } from '../../../shared/config/default-channels';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { channelSchema } from '../../../shared/domain/channel';
import type { Share } from '../../../shared/domain/share';
import type { ClientCall, PublishOutcome } from '../../../shared/platforms/client';
import {
  instagramClient,
  instagramCredentialsSchema,
} from '../../../shared/platforms/instagram/client';
import { composeInstagram } from '../../../shared/platforms/instagram/composer';
import { newShare } from '../../../shared/usecases/compose-article';
import {
  callOf,
  sampleArticle as fixture,
  graphCall,
  only,
  prepared as preparedShare,
} from '../../support/sandbox-contract';

const channel = channelSchema.parse(DEFAULT_CHANNELS.find((c) => c.platform === 'instagram'));
const log = createLogger({ quiet: true });
const HOUR = 3_600_000;

let articles = 0;
/**
 * The sample article as compose makes a share of it (by the Instagram composer, since
 * the registry is not ours) and the publisher claims it. The caption carries no URL, so
 * each article gets a headline of its own.
 */
function claimedShare(patch: Record<string, unknown> = {}): Share {
  articles += 1;
  const article = parseGenericArticle({
    ...fixture,
    id: `${fixture.id}-${articles}`,
    url: fixture.url.replace(/\/$/, `-${articles}/`),
    title: `${fixture.title} (${articles})`,
    ...patch,
  });
  const now = new Date();
  const record = {
    articleId: `art-${articles}`,
    article,
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const post = composeInstagram(article, channel);
  return {
    ...newShare(record, channel, now),
    text: post.text,
    url: post.url,
    hashtags: post.hashtags,
    media: post.media,
    warnings: post.warnings,
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

describe('Instagram: the client against the sandbox', () => {
  const posts = new SandboxPosts();
  const faults = new FaultInjector(undefined, 1);
  let sandbox: InstagramSandbox;
  let token: string;
  let userId: string;

  const callFor = (share: Share, overrides: Partial<ClientCall> = {}) =>
    callOf(sandbox, share, overrides);
  const postsOf = (share: Share) =>
    posts.list().filter((p) => p.platform === 'instagram' && p.text === share.text);

  const prepared = (share: Share) => preparedShare(instagramClient, callFor(share));

  /** A raw Graph call, as any HTTP client would make it. */
  const graph = (method: string, path: string, params: Record<string, string> = {}) =>
    graphCall(sandbox.url, token, method, `/v25.0${path}`, params);

  beforeAll(async () => {
    sandbox = await launchInstagramSandbox({ posts, faults, log });
    ({ accessToken: token, userId } = instagramCredentialsSchema.parse(sandbox.credentials));
  });
  afterEach(() => faults.set(undefined));
  afterAll(() => sandbox.stop());

  it('hands back exactly the credentials the client accepts: { accessToken, userId, apiBase }', async () => {
    expect(Object.keys(sandbox.credentials).sort()).toEqual(['accessToken', 'apiBase', 'userId']);
    expect(instagramCredentialsSchema.parse(sandbox.credentials)).toEqual(sandbox.credentials);
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox).toMatchObject({ platform: 'instagram', account: 'newsroom' });
    const factory = await startInstagramSandbox({ posts: new SandboxPosts(), faults, log });
    expect(Object.keys(factory.credentials).sort()).toEqual(['accessToken', 'apiBase', 'userId']);
    await factory.stop();
  });

  it('prepares an image container with the caption, IN_PROGRESS at first and FINISHED within a second', async () => {
    const share = claimedShare();
    const started = Date.now();
    const outcome = await instagramClient.prepare(callFor(share));
    expect(Date.now() - started).toBeLessThan(1_500);
    if (outcome.kind !== 'prepared') throw new Error(JSON.stringify(outcome));
    expect(only(sandbox.containers().filter((c) => c.id === outcome.preparedId))).toMatchObject({
      mediaType: 'IMAGE',
      text: share.text,
      imageUrl: 'https://www.leftvoice.org/wp-content/uploads/2019/11/trump-bolivia-efe.jpg',
      altText: 'Donald Trump speaking at the White House',
    });
    expect(postsOf(share)).toHaveLength(0);

    const created = await graph('POST', `/${userId}/media`, {
      image_url: 'https://images.example/raw.jpg',
      caption: 'Raw',
    });
    const { id } = z.object({ id: z.string() }).parse(created.body);
    expect((await graph('GET', `/${id}`, { fields: 'status_code,status' })).body).toEqual({
      status_code: 'IN_PROGRESS',
      status: 'In Progress: Media is still being processed.',
      id,
    });
    // Publishing before processing ends is Instagram's 9007/2207027.
    expect(await graph('POST', `/${userId}/media_publish`, { creation_id: id })).toMatchObject({
      status: 400,
      body: { error: { code: 9007, error_subcode: 2207027 } },
    });
    await vi.waitFor(
      async () =>
        expect(await graph('GET', `/${id}`, { fields: 'status_code' })).toMatchObject({
          body: { status_code: 'FINISHED' },
        }),
      { timeout: 1_000, interval: 50 },
    );
  });

  it('publishes the prepared container: one post with the same id, its permalink, the caption a reader sees and the image', async () => {
    const share = await prepared(claimedShare());
    const outcome = published(await instagramClient.publish(callFor(share)));
    expect(outcome.remoteUrl).toMatch(/^https:\/\/www\.instagram\.com\/p\/[\w-]{11}\/$/);
    const post = only(postsOf(share));
    expect(post).toMatchObject({
      platform: 'instagram',
      remoteId: outcome.remoteId,
      inReplyToId: null,
      text: share.text,
      account: 'newsroom',
      url: outcome.remoteUrl,
      media: [
        { mimeType: 'image/jpeg', bytes: 0, alt: 'Donald Trump speaking at the White House' },
      ],
    });
    expect(post.text).toContain('#LatinAmerica #Bolivia');
    expect(post.card).toBeUndefined();
    const read = await graph('GET', `/${outcome.remoteId}`, { fields: 'caption,permalink' });
    expect(read.body).toEqual({
      caption: share.text,
      permalink: outcome.remoteUrl,
      id: outcome.remoteId,
    });
  });

  it('does both steps in one publish when the share has no prepared container', async () => {
    const share = claimedShare();
    const outcome = published(await instagramClient.publish(callFor(share)));
    expect(only(sandbox.containers().filter((c) => c.text === share.text)).mediaId).toBe(
      outcome.remoteId,
    );
    expect(only(postsOf(share)).remoteId).toBe(outcome.remoteId);
  });

  it('refuses a share without an image before calling Instagram (rejected), as the composer warned', async () => {
    const share = claimedShare({ imageUrl: undefined });
    expect(share.media).toBeUndefined();
    expect(share.warnings?.[0]).toContain('need an image');
    const asked = sandbox.requests().length;
    expect(await instagramClient.prepare(callFor(share))).toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining('need an image'),
    });
    expect(await instagramClient.publish(callFor(share))).toMatchObject({ kind: 'rejected' });
    expect(sandbox.requests()).toHaveLength(asked);
    expect(await graph('POST', `/${userId}/media`, { caption: 'No image' })).toMatchObject({
      status: 400,
      body: { error: { code: 100, message: '(#100) The parameter image_url is required' } },
    });
  });

  it('records the image URL and never fetches it', async () => {
    let hits = 0;
    const images = await listenOnLoopback(
      createServer((_req, res) => {
        hits += 1;
        res.end();
      }),
    );
    try {
      const image = `${images.url}/card.png`;
      const share = { ...claimedShare(), media: [{ url: image }] };
      published(await instagramClient.publish(callFor(share)));
      expect(only(sandbox.containers().filter((c) => c.text === share.text)).imageUrl).toBe(image);
      expect(only(postsOf(share)).media).toEqual([{ mimeType: 'image/png', bytes: 0 }]);
      expect(hits).toBe(0);
    } finally {
      await images.close();
    }
  });

  it('answers credentials that fail the schema with auth naming the fields, never their values', async () => {
    const outcome = await instagramClient.publish(
      callFor(claimedShare(), {
        credentials: { accessToken: token, userId: 'newsroom', login: 'myspace' },
      }),
    );
    expect(outcome).toMatchObject({ kind: 'auth' });
    if (outcome.kind !== 'auth') return;
    expect(outcome.message).toMatch(/userId must be a numeric Graph id; login must be one of/);
    expect(outcome.message).not.toContain(token);
    expect(outcome.message).not.toContain('myspace');
    expect(
      await instagramClient.prepare(
        callFor(claimedShare(), { credentials: { accessToken: token } }),
      ),
    ).toMatchObject({ kind: 'auth', message: expect.stringContaining('userId is missing') });
  });

  it('answers the 429 with rate until the usage header’s estimate (80002), refuses creates until the reset, then publishes once', async () => {
    const share = await prepared(claimedShare());
    faults.set('instagram:429:1:1');
    const before = Date.now();
    const limited = await instagramClient.publish(callFor(share));
    expect(limited).toMatchObject({ kind: 'rate', message: expect.stringContaining('#80002') });
    if (limited.kind !== 'rate') return;
    const until = Date.parse(limited.until);
    expect(until).toBeGreaterThanOrEqual(before + 59_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 61_000);

    expect(await instagramClient.publish(callFor(share))).toMatchObject({ kind: 'rate' });
    expect(postsOf(share)).toHaveLength(0);
    await vi.waitFor(
      async () =>
        expect(await instagramClient.publish(callFor(share))).toMatchObject({ kind: 'published' }),
      { timeout: 5_000, interval: 100 },
    );
    expect(Date.now()).toBeGreaterThanOrEqual(before + 1_000);
    expect(postsOf(share)).toHaveLength(1);
  });

  it.each(['500', '502', '503', 'reset'])(
    'answers %s on the container request with retry, since nothing can have been posted',
    async (fault) => {
      faults.set(`instagram:${fault}:1:1`);
      const share = claimedShare();
      expect(await instagramClient.prepare(callFor(share))).toMatchObject({ kind: 'retry' });
      expect(sandbox.containers().filter((c) => c.text === share.text)).toHaveLength(0);
    },
  );

  it('refuses a container that ends in ERROR with its status text (rejected), posting nothing', async () => {
    faults.set('instagram:container-error:1:1');
    const share = claimedShare();
    expect(await instagramClient.prepare(callFor(share))).toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining(
        'status ERROR (Error: Media upload has failed with error code 2207009)',
      ),
    });
    expect(postsOf(share)).toHaveLength(0);
  });

  it('refuses an image Meta cannot download with its 9004/2207052 error (rejected)', async () => {
    faults.set('instagram:download-failed:1:1');
    const share = claimedShare();
    const outcome = await instagramClient.publish(callFor(share));
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
    const first = published(await instagramClient.publish(callFor(share)));
    expect(await instagramClient.publish(callFor(share))).toMatchObject({ kind: 'unknown' });
    expect(
      await graph('POST', `/${userId}/media_publish`, { creation_id: share.preparedId ?? '' }),
    ).toMatchObject({ status: 400, body: { error: { code: 24, error_subcode: 2207006 } } });
    expect(await instagramClient.reconcile(callFor(share))).toEqual({ ...first, kind: 'found' });
    expect(postsOf(share)).toHaveLength(1);
  });

  it('takes a caption of 2,200 characters and refuses 2,201, or 31 hashtags, with code 100', async () => {
    const share = claimedShare();
    expect(
      await instagramClient.publish(callFor({ ...share, text: 'x'.repeat(2200) })),
    ).toMatchObject({ kind: 'published' });
    expect(await instagramClient.prepare(callFor({ ...share, text: 'y'.repeat(2201) }))).toEqual({
      kind: 'rejected',
      message:
        'Instagram answered 400 (#100 OAuthException): (#100) The caption is longer than 2200 characters',
    });
    const tags = Array.from({ length: 31 }, (_, i) => `#tag${i}`).join(' ');
    expect(await instagramClient.prepare(callFor({ ...share, text: tags }))).toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining('more than 30 hashtags'),
    });
  });

  it('reconciles by the caption, only after the first claim, and absent when nothing was posted', async () => {
    const share = claimedShare();
    const outcome = published(await instagramClient.publish(callFor(share)));
    expect(await instagramClient.reconcile(callFor(share))).toEqual({ ...outcome, kind: 'found' });
    const later = { ...share, firstClaimedAt: new Date(Date.now() + HOUR).toISOString() };
    expect(await instagramClient.reconcile(callFor(later))).toEqual({ kind: 'absent' });
    expect(await instagramClient.reconcile(callFor(claimedShare()))).toEqual({ kind: 'absent' });
  });

  it('reconciles to unsure, never absent, when Instagram cannot be asked', async () => {
    const credentials = { ...sandbox.credentials, accessToken: 'IGAAwrong' };
    expect(await instagramClient.reconcile(callFor(claimedShare(), { credentials }))).toMatchObject(
      {
        kind: 'unsure',
        reason: expect.stringContaining('#190'),
      },
    );
  });

  it('deletes a post (Graph’s {"success":true}): it leaves the posts', async () => {
    const share = claimedShare();
    const outcome = published(await instagramClient.publish(callFor(share)));
    expect(await graph('DELETE', `/${outcome.remoteId}`)).toEqual({
      status: 200,
      body: { success: true },
    });
    expect(postsOf(share)).toHaveLength(0);
    expect(await graph('GET', `/${outcome.remoteId}`)).toMatchObject({
      status: 400,
      body: { error: { type: 'GraphMethodException', code: 100, error_subcode: 33 } },
    });
  });
});

describe('Instagram: containers that expire, quotas, an unreachable host, and stopping', () => {
  const faults = new FaultInjector(undefined, 1);
  const callFor = (sandbox: InstagramSandbox, share: Share, timeoutMs = 5_000): ClientCall => ({
    share,
    account: sandbox.account,
    credentials: sandbox.credentials,
    timeoutMs,
  });

  it('answers an expired container with retry saying so, and Instagram’s -2/2207020 on a raw publish', async () => {
    const posts = new SandboxPosts();
    const sandbox = await launchInstagramSandbox({ posts, faults, log }, { containerTtlMs: 1_500 });
    try {
      const share = claimedShare();
      const outcome = await instagramClient.prepare(callFor(sandbox, share));
      if (outcome.kind !== 'prepared') throw new Error(JSON.stringify(outcome));
      await vi.waitFor(
        () =>
          expect(
            sandbox.containers().find((c) => c.id === outcome.preparedId)?.createdAt,
          ).toBeLessThan(Date.now() - 1_500),
        { timeout: 3_000, interval: 50 },
      );
      expect(
        await instagramClient.publish(
          callFor(sandbox, { ...share, preparedId: outcome.preparedId }),
        ),
      ).toMatchObject({ kind: 'retry', message: expect.stringContaining('expired') });
      const { accessToken, userId } = instagramCredentialsSchema.parse(sandbox.credentials);
      const raw = await fetch(`${sandbox.url}/v21.0/${userId}/media_publish`, {
        method: 'POST',
        body: new URLSearchParams({ creation_id: outcome.preparedId, access_token: accessToken }),
      });
      expect(raw.status).toBe(400);
      expect(await raw.json()).toMatchObject({ error: { code: -2, error_subcode: 2207020 } });
      expect(posts.list()).toHaveLength(0);
    } finally {
      await sandbox.stop();
    }
  });

  it('answers the spent publishing quota (9/2207042) with rate an hour out, and shows it in content_publishing_limit', async () => {
    const posts = new SandboxPosts();
    const sandbox = await launchInstagramSandbox({ posts, faults, log }, { publishQuota: 1 });
    try {
      published(await instagramClient.publish(callFor(sandbox, claimedShare())));
      const before = Date.now();
      const outcome = await instagramClient.publish(callFor(sandbox, claimedShare()));
      expect(outcome).toMatchObject({ kind: 'rate', message: expect.stringContaining('2207042') });
      if (outcome.kind !== 'rate') return;
      expect(Date.parse(outcome.until)).toBeGreaterThanOrEqual(before + HOUR);
      expect(posts.list()).toHaveLength(1);
      const { accessToken, userId } = instagramCredentialsSchema.parse(sandbox.credentials);
      const limit = await fetch(
        `${sandbox.url}/v25.0/${userId}/content_publishing_limit?fields=quota_usage,config&access_token=${accessToken}`,
      );
      expect(await limit.json()).toEqual({
        data: [{ quota_usage: 1, config: { quota_total: 1, quota_duration: 86400 } }],
      });
    } finally {
      await sandbox.stop();
    }
  });
});
