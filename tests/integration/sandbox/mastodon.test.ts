/**
 * The Mastodon client against the Mastodon sandbox: masto runs unchanged against the
 * loopback instance, and every fault ends in the outcome docs/networks.md gives it.
 */
import { randomUUID } from 'node:crypto';
import { createRestAPIClient, MastoHttpError } from 'masto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import {
  launchMastodonSandbox,
  type MastodonSandbox,
  startMastodonSandbox,
} from '../../../infra/local/sandbox/mastodon';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import type { RunningSandbox } from '../../../infra/local/sandbox/types';
import { loadChannelsConfig } from '../../../shared/config/channels';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import type { Share } from '../../../shared/domain/share';
import type { ClientCall } from '../../../shared/platforms/client';
import {
  createMastodonClient,
  mastodonClient,
  mastodonCredentialsSchema,
} from '../../../shared/platforms/mastodon/client';
import { newShare } from '../../../shared/usecases/compose-article';
import { callOf, sampleArticle as fixture, only } from '../../support/sandbox-contract';

const channel = (() => {
  const found = loadChannelsConfig(undefined).channels.find((c) => c.platform === 'mastodon');
  if (!found) throw new Error('the built-in config has no Mastodon channel');
  return found;
})();
const HOUR = 3_600_000;

let articles = 0;
/**
 * A share of the sample article as compose makes it and the publisher claims it. Each
 * gets its own article URL, so a test finds its own status among the account's.
 */
function claimedShare(claimedAgoMs = 0): Share {
  articles += 1;
  const payload = z.looseObject({ id: z.string(), url: z.string() }).parse(fixture);
  const article = parseGenericArticle({
    ...payload,
    id: `${payload.id}-${articles}`,
    url: payload.url.replace(/\/$/, `-${articles}/`),
  });
  const now = new Date();
  const record = {
    articleId: `art-${articles}`,
    article,
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  return {
    ...newShare(record, channel, now),
    status: 'publishing',
    firstClaimedAt: new Date(now.getTime() - claimedAgoMs).toISOString(),
  };
}

describe('Mastodon: the client against the sandbox', () => {
  const posts = new SandboxPosts();
  const faults = new FaultInjector(undefined, 1);
  let sandbox: RunningSandbox;
  let accessToken: string;

  const callFor = (share: Share, overrides: Partial<ClientCall> = {}) =>
    callOf(sandbox, share, overrides);
  const postsOf = (share: Share) => posts.list().filter((p) => p.text.includes(share.url));
  const masto = () => createRestAPIClient({ url: sandbox.url, accessToken });

  beforeAll(async () => {
    sandbox = await startMastodonSandbox({ posts, faults, log: createLogger({ quiet: true }) });
    accessToken = mastodonCredentialsSchema.parse(sandbox.credentials).accessToken;
  });
  afterEach(() => faults.set(undefined));
  afterAll(() => sandbox.stop());

  it('hands back exactly the credentials the client accepts: { url, accessToken }', () => {
    expect(Object.keys(sandbox.credentials).sort()).toEqual(['accessToken', 'url']);
    expect(mastodonCredentialsSchema.parse(sandbox.credentials)).toEqual(sandbox.credentials);
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.platform).toBe('mastodon');
  });

  it('publishes through masto unchanged: one post with the same id, its public URL and the text a reader sees', async () => {
    const share = claimedShare();
    const outcome = await mastodonClient.publish(callFor(share));

    expect(outcome).toMatchObject({ kind: 'published' });
    if (outcome.kind !== 'published') return;
    expect(outcome.remoteUrl).toBe(`${sandbox.url}/@newsroom/${outcome.remoteId}`);
    expect(outcome.session).toBeUndefined();
    const post = only(postsOf(share));
    expect(post).toMatchObject({
      platform: 'mastodon',
      remoteId: outcome.remoteId,
      inReplyToId: null,
      text: share.text,
      account: sandbox.account,
      url: outcome.remoteUrl,
    });
    expect(post.text).toContain('coup d’état');
    expect(post.receivedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('uploads a chosen picture with its alt text as the description, and attaches it', async () => {
    const { default: sharp } = await import('sharp');
    const bytes = await sharp({
      create: { width: 640, height: 480, channels: 3, background: '#2f4858' },
    })
      .png()
      .toBuffer();
    const client = createMastodonClient({
      image: async () => ({ bytes, mimeType: 'image/png' }),
    });
    const share = {
      ...claimedShare(),
      media: [{ url: `s3://crier-media/media/${'e'.repeat(64)}.png`, alt: 'A dark blue field' }],
    };
    const outcome = await client.publish(callFor(share));
    if (outcome.kind !== 'published') throw new Error(`not published: ${outcome.kind}`);
    expect(only(postsOf(share)).media).toEqual([
      expect.objectContaining({ alt: 'A dark blue field' }),
    ]);
    const read = await masto().v1.statuses.$select(outcome.remoteId).fetch();
    expect(read.mediaAttachments.map((m) => m.description)).toEqual(['A dark blue field']);
  });

  it('sends the language as its two-letter ISO 639 code (pt-BR is pt), as Mastodon takes it', async () => {
    const share = { ...claimedShare(), language: 'pt-BR' };
    const outcome = await mastodonClient.publish(callFor(share));
    if (outcome.kind !== 'published') throw new Error(`not published: ${outcome.kind}`);
    const read = await masto().v1.statuses.$select(outcome.remoteId).fetch();
    expect(read.language).toBe('pt');
  });

  it('shapes statuses as Mastodon does: HTML paragraphs, the link as <a href>, a card only after posting', async () => {
    const share = claimedShare();
    const created = await masto().v1.statuses.create({ status: share.text, visibility: 'public' });
    expect(created.card).toBeNull();
    expect(created.content.startsWith('<p>Trump Declares Support for Coup in Bolivia</p><p>')).toBe(
      true,
    );
    expect(created.content).toContain(`<a href="${share.url.replaceAll('&', '&amp;')}"`);
    expect(created.content).toContain(
      'class="mention hashtag" rel="tag">#<span>Bolivia</span></a>',
    );

    const read = await masto().v1.statuses.$select(created.id).fetch();
    expect(read.card?.url).toBe(share.url);
    expect(read.url).toBe(`${sandbox.url}/@newsroom/${created.id}`);
    expect(only(postsOf(share)).card?.url).toBe(share.url);
  });

  it('takes a form-encoded create as Mastodon does, and answers no token with 401 and its JSON', async () => {
    const form = await fetch(`${sandbox.url}/api/v1/statuses`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${accessToken}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ status: 'Posted as a form <b>&</b>', visibility: 'unlisted' }),
    });
    expect(form.status).toBe(200);
    expect(form.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const created: unknown = await form.json();
    expect(created).toMatchObject({
      visibility: 'unlisted',
      content: '<p>Posted as a form &lt;b&gt;&amp;&lt;/b&gt;</p>',
    });
    expect(posts.list().at(-1)?.text).toBe('Posted as a form <b>&</b>');

    const anonymous = await fetch(`${sandbox.url}/api/v1/statuses`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'No token' }),
    });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: 'The access token is invalid' });
    expect(anonymous.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('answers credentials that fail the schema with auth naming the fields, never their values', async () => {
    const share = claimedShare();
    const secret = 'secret with spaces';
    const outcome = await mastodonClient.publish(
      callFor(share, { credentials: { url: 'mastodon.example', accessToken: secret } }),
    );
    expect(outcome).toMatchObject({ kind: 'auth' });
    if (outcome.kind !== 'auth') return;
    expect(outcome.message).toMatch(/url .*accessToken/);
    expect(outcome.message).not.toContain(secret);
    expect(outcome.message).not.toContain('mastodon.example');

    const missing = await mastodonClient.publish(
      callFor(share, { credentials: { url: sandbox.url } }),
    );
    expect(missing).toMatchObject({
      kind: 'auth',
      message: expect.stringContaining('accessToken is missing'),
    });
    expect(postsOf(share)).toHaveLength(0);
  });

  it('answers a 429 with rate until the ISO reset, refuses creates until then, and posts after it', async () => {
    faults.set('mastodon:429:1:1');
    const share = claimedShare();
    const before = Date.now();
    const limited = await mastodonClient.publish(callFor(share));

    expect(limited).toMatchObject({
      kind: 'rate',
      message: 'Mastodon answered 429: Too many requests',
    });
    if (limited.kind !== 'rate') return;
    const until = Date.parse(limited.until);
    expect(limited.until).toBe(new Date(until).toISOString());
    expect(until).toBeGreaterThanOrEqual(before + 900);
    expect(until).toBeLessThanOrEqual(Date.now() + 1_100);

    // The rule fired once; what refuses now is the instance's own window.
    const again = await mastodonClient.publish(callFor(share));
    expect(again).toMatchObject({ kind: 'rate', until: limited.until });
    expect(postsOf(share)).toHaveLength(0);

    await vi.waitFor(
      async () =>
        expect(await mastodonClient.publish(callFor(share))).toMatchObject({ kind: 'published' }),
      { timeout: 5_000, interval: 100 },
    );
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    expect(postsOf(share)).toHaveLength(1);
  });

  it('answers a reset connection with unknown; after the idempotency hour reconcile searches and finds it absent', async () => {
    faults.set('mastodon:reset:1:1');
    const share = claimedShare(2 * HOUR);
    expect(await mastodonClient.publish(callFor(share))).toMatchObject({ kind: 'unknown' });
    expect(postsOf(share)).toHaveLength(0);

    expect(await mastodonClient.reconcile(callFor(share))).toEqual({ kind: 'absent' });
    expect(postsOf(share)).toHaveLength(0);
  });

  it('answers a reset within the hour with unknown; reconcile resends the same key and posts exactly once', async () => {
    faults.set('mastodon:reset:1:1');
    const share = claimedShare();
    expect(await mastodonClient.publish(callFor(share))).toMatchObject({ kind: 'unknown' });
    expect(postsOf(share)).toHaveLength(0);

    const found = await mastodonClient.reconcile(callFor(share));
    const post = only(postsOf(share));
    expect(found).toEqual({ kind: 'found', remoteId: post.remoteId, remoteUrl: post.url });
    expect(await mastodonClient.reconcile(callFor(share))).toEqual(found);
    expect(postsOf(share)).toHaveLength(1);
  });

  it('returns the original status for a repeated Idempotency-Key: one id, one post', async () => {
    const share = claimedShare();
    const first = await mastodonClient.publish(callFor(share));
    const second = await mastodonClient.publish(callFor(share));
    expect(first).toMatchObject({ kind: 'published' });
    expect(second).toEqual(first);
    expect(postsOf(share)).toHaveLength(1);

    const other = await mastodonClient.publish(callFor({ ...share, idempotencyKey: randomUUID() }));
    expect(other).toMatchObject({ kind: 'published' });
    expect(other).not.toEqual(first);
    expect(postsOf(share)).toHaveLength(2);
  });

  it('ends with exactly one post after two 503s and a third attempt with the same key', async () => {
    faults.set('mastodon:503:1:2');
    const share = claimedShare();
    expect(await mastodonClient.publish(callFor(share))).toMatchObject({ kind: 'unknown' });
    expect(await mastodonClient.publish(callFor(share))).toMatchObject({ kind: 'unknown' });
    const outcome = await mastodonClient.publish(callFor(share));
    expect(outcome).toMatchObject({ kind: 'published' });
    expect(only(postsOf(share)).remoteId).toBe(
      outcome.kind === 'published' ? outcome.remoteId : '',
    );
  });

  it('fits 500 graphemes when the long article URL counts 23, and refuses one more', async () => {
    const share = claimedShare();
    expect(share.url.length).toBeGreaterThan(100);
    // Each family emoji is one grapheme of eleven UTF-16 units.
    const filler = (n: number) => '👩‍👩‍👧‍👦'.repeat(10) + 'x'.repeat(n - 10);
    const fits = { ...share, text: `${filler(476)} ${share.url}` };
    const outcome = await mastodonClient.publish(callFor(fits));
    expect(outcome).toMatchObject({ kind: 'published' });
    expect(only(postsOf(share)).text).toBe(fits.text);

    const over = { ...share, text: `${filler(477)} ${share.url}`, idempotencyKey: randomUUID() };
    const refused = await mastodonClient.publish(callFor(over));
    expect(refused).toMatchObject({ kind: 'rejected', message: expect.stringContaining('501') });
    expect(postsOf(share)).toHaveLength(1);
  });

  it('refuses what Mastodon refuses, with its 422 bodies: over 500 as StatusLengthValidator counts, or blank', async () => {
    const api = masto();
    const remote = `@alice@${'a'.repeat(60)}.example`;
    // `@user@host` counts as `@user`: 493 + 1 + 6 = 500.
    await expect(
      api.v1.statuses.create({ status: `${'y'.repeat(493)} ${remote}` }),
    ).resolves.toMatchObject({ id: expect.any(String) });
    const refusal = (status: string) =>
      api.v1.statuses.create({ status }).then(
        () => undefined,
        (error: unknown) => error,
      );

    const tooLong = await refusal(`${'y'.repeat(494)} ${remote}`);
    expect(tooLong).toBeInstanceOf(MastoHttpError);
    expect(tooLong).toMatchObject({
      statusCode: 422,
      message: 'Validation failed: Text character limit of 500 exceeded',
    });
    expect(await refusal(' \n ')).toMatchObject({
      statusCode: 422,
      message: "Validation failed: Text can't be blank",
    });
    // Without a scheme a domain counts in full.
    expect(await refusal(`${'y'.repeat(470)} example.org/${'p'.repeat(30)}`)).toMatchObject({
      statusCode: 422,
    });
  });

  it('uploads media as masto does (POST /api/v2/media, then polls /api/v1/media/:id) and attaches it', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
      'base64',
    );
    const api = masto();
    const media = await api.v2.media.create({
      file: new Blob([png], { type: 'image/png' }),
      description: 'A one-pixel image',
    });
    expect(media.url).toMatch(new RegExp(`^${sandbox.url}/system/media_attachments/`));

    const status = await api.v1.statuses.create({ status: 'With a picture', mediaIds: [media.id] });
    expect(status.mediaAttachments.map((m) => m.id)).toEqual([media.id]);
    const post = only(posts.list().filter((p) => p.remoteId === status.id));
    expect(post.media).toEqual([
      { mimeType: 'image/png', bytes: png.length, alt: 'A one-pixel image' },
    ]);

    const refused = await api.v2.media
      .create({ file: new Blob(['%PDF-1.4'], { type: 'application/pdf' }) })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({
      statusCode: 422,
      message: 'Validation failed: File content type is invalid, File is invalid',
    });
  });

  it('deletes a status: its post goes, it reads as 404, and its Idempotency-Key then answers 404 (rejected)', async () => {
    const share = claimedShare();
    const first = await mastodonClient.publish(callFor(share));
    if (first.kind !== 'published') throw new Error(`not published: ${first.kind}`);
    await masto().v1.statuses.$select(first.remoteId).remove();
    expect(postsOf(share)).toHaveLength(0);
    await expect(masto().v1.statuses.$select(first.remoteId).fetch()).rejects.toMatchObject({
      statusCode: 404,
      message: 'Record not found',
    });

    // PostStatusService looks the key's status up with `find`: gone within the hour is a 404.
    expect(await mastodonClient.publish(callFor(share))).toEqual({
      kind: 'rejected',
      message: 'Mastodon answered 404: Record not found',
    });
    expect(await mastodonClient.reconcile(callFor(share))).toMatchObject({
      kind: 'unsure',
      reason: expect.stringContaining('404'),
    });
    expect(postsOf(share)).toHaveLength(0);
  });

  it('reconciles after the idempotency hour by finding the article link among the account statuses', async () => {
    const share = claimedShare(2 * HOUR);
    const outcome = await mastodonClient.publish(callFor(share));
    if (outcome.kind !== 'published') throw new Error(`not published: ${outcome.kind}`);

    const found = await mastodonClient.reconcile(callFor(share));
    expect(found).toEqual({
      kind: 'found',
      remoteId: outcome.remoteId,
      remoteUrl: outcome.remoteUrl,
    });
    expect(postsOf(share)).toHaveLength(1);
  });

  it('reconciles to unsure, never absent, when the instance cannot be asked', async () => {
    const wrong = { url: sandbox.url, accessToken: 'wrong-token' };
    const late = claimedShare(2 * HOUR);
    const search = await mastodonClient.reconcile(callFor(late, { credentials: wrong }));
    expect(search).toMatchObject({ kind: 'unsure', reason: expect.stringContaining('401') });

    faults.set('mastodon:503:1:1');
    const recent = claimedShare();
    const resend = await mastodonClient.reconcile(callFor(recent));
    expect(resend).toMatchObject({ kind: 'unsure', reason: expect.stringContaining('503') });
    expect(postsOf(recent)).toHaveLength(0);

    const broken = await mastodonClient.reconcile(callFor(recent, { credentials: { url: 'x' } }));
    expect(broken).toMatchObject({ kind: 'unsure' });
  });
});

describe('Mastodon: the instance limit', () => {
  const posts = new SandboxPosts();
  let sandbox: MastodonSandbox;

  const callFor = (share: Share): ClientCall => ({
    share,
    account: sandbox.account,
    credentials: sandbox.credentials,
    timeoutMs: 5_000,
  });
  const count = (method: string, path: string) =>
    sandbox.requests().filter((r) => r.method === method && r.path === path).length;

  beforeAll(async () => {
    sandbox = await launchMastodonSandbox(
      { posts, faults: new FaultInjector(undefined, 1), log: createLogger({ quiet: true }) },
      { maxCharacters: 200 },
    );
  });
  afterAll(() => sandbox.stop());

  it('reads the limit from /api/v2/instance once per instance URL and refuses a longer text before posting', async () => {
    const long = claimedShare();
    const refused = await mastodonClient.publish(callFor(long));
    expect(refused).toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining('limit is 200'),
    });
    expect(count('POST', '/api/v1/statuses')).toBe(0);

    const short = { ...claimedShare(), text: 'A short status https://example.org/a' };
    expect(await mastodonClient.publish(callFor(short))).toMatchObject({ kind: 'published' });
    expect(count('POST', '/api/v1/statuses')).toBe(1);
    expect(count('GET', '/api/v2/instance')).toBe(1);
  });

  it('maps the instance’s own 422 to rejected when the cached limit is out of date', async () => {
    sandbox.setMaxCharacters(50);
    const share = { ...claimedShare(), text: `${'z'.repeat(100)} https://example.org/b` };
    const outcome = await mastodonClient.publish(callFor(share));
    expect(outcome).toEqual({
      kind: 'rejected',
      message: 'Mastodon answered 422: Validation failed: Text character limit of 50 exceeded',
    });
    expect(posts.list()).toHaveLength(1);
  });
});
