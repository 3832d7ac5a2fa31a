/**
 * The X client against the X sandbox, both through the real twitter-api-v2: posting,
 * X's errors and every sandbox fault mapped to Crier's outcomes, and reconciliation.
 */
import { Agent } from 'node:http';
import type { LookupFunction } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiResponseError, TwitterApi } from 'twitter-api-v2';
import twitterText from 'twitter-text';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import type { RunningSandbox } from '../../../infra/local/sandbox/types';
import { startXSandbox } from '../../../infra/local/sandbox/x';
import { loadChannelsConfig } from '../../../shared/config/channels';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import type { Share } from '../../../shared/domain/share';
import type { ClientCall, PublishOutcome } from '../../../shared/platforms/client';
import { createXClient, xClient, xCredentialsSchema } from '../../../shared/platforms/x/client';
import { newShare } from '../../../shared/usecases/compose-article';
import { basic, CALLBACK, consent, pkcePair, postForm } from '../../support/oauth-flow';
import { sampleArticle } from '../../support/webhook';

const log = createLogger({ quiet: true });
const posts = new SandboxPosts();
const faults = new FaultInjector(undefined, 1);
let sandbox: RunningSandbox;

const channel = loadChannelsConfig(undefined).channels.find((c) => c.platform === 'x');

beforeAll(async () => {
  sandbox = await startXSandbox({ posts, faults, log });
});

afterAll(async () => {
  await sandbox?.stop();
});

afterEach(() => {
  faults.set(undefined);
});

let serial = 0;

/** A share composed as production does it, for an article of its own (so texts differ). */
function shareFor(patch: Record<string, unknown> = {}): Share {
  if (!channel) throw new Error('The built-in channels have no X channel');
  serial += 1;
  const tag = `${Date.now().toString(36)}-${serial}`;
  const payload = sampleArticle();
  const article = parseGenericArticle({
    ...payload,
    id: `${String(payload.id)}-${tag}`,
    url: String(payload.url).replace(/\/$/, `-${tag}/`),
    title: `${String(payload.title)} (${serial})`,
    ...patch,
  });
  const now = new Date();
  const record = {
    articleId: `x-test-${tag}`,
    article,
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  return {
    ...newShare(record, channel, now),
    status: 'publishing',
    firstClaimedAt: now.toISOString(),
  };
}

function call(share: Share, overrides: Partial<ClientCall> = {}): ClientCall {
  return {
    share,
    account: sandbox.account,
    credentials: sandbox.credentials,
    timeoutMs: 5_000,
    ...overrides,
  };
}

function postsOf(share: Share) {
  return posts.list().filter((p) => p.platform === 'x' && p.text === share.text);
}

function published(outcome: PublishOutcome): { remoteId: string; remoteUrl: string } {
  if (outcome.kind !== 'published')
    throw new Error(`expected published, got ${JSON.stringify(outcome)}`);
  return outcome;
}

/** twitter-api-v2 with nothing of Crier's: only the loopback redirection. */
function rawApi(): TwitterApi {
  const { appKey, appSecret, accessToken, accessSecret } = xCredentialsSchema.parse(
    sandbox.credentials,
  );
  const port = new URL(sandbox.url).port;
  const lookup: LookupFunction = (_host, options, callback) =>
    options.all
      ? callback(null, [{ address: '127.0.0.1', family: 4 }])
      : callback(null, '127.0.0.1', 4);
  return new TwitterApi(
    { appKey, appSecret, accessToken, accessSecret },
    {
      httpAgent: new Agent({ lookup }),
      plugins: [
        {
          onBeforeRequest({ computedParams }) {
            computedParams.url.protocol = 'http:';
            computedParams.url.port = port;
          },
        },
      ],
    },
  );
}

describe('X client against the X sandbox', () => {
  it('publishes with an OAuth 2.0 user token (a Bearer), as Connect stores it', async () => {
    const app = sandbox.app;
    if (!app) throw new Error('the X sandbox has no OAuth app');
    app.addRedirectUri(CALLBACK);
    const pkce = pkcePair();
    const back = await consent(app.authorizeUrl, {
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: CALLBACK,
      scope: 'tweet.read tweet.write users.read offline.access',
      state: 'x-bearer',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    const token = await postForm(
      app.tokenUrl,
      {
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') ?? '',
        redirect_uri: CALLBACK,
        code_verifier: pkce.verifier,
      },
      basic(app.clientId, app.clientSecret),
    );
    expect(token.status).toBe(200);
    const credentials = {
      accessToken: String(token.body.access_token),
      refreshToken: String(token.body.refresh_token),
      apiBase: sandbox.url,
    };
    const share = shareFor();
    const outcome = published(await xClient.publish(call(share, { credentials })));
    expect(outcome.remoteUrl).toContain(`/${sandbox.account}/status/`);
    expect(postsOf(share)).toHaveLength(1);
  });

  it('publishes through twitter-api-v2: the sandbox records the same id, public URL and the text a reader sees', async () => {
    const share = shareFor({ title: 'Trump &amp; the coup: 2 &gt; 1 &lt; 3' });
    expect(share.text).toContain('Trump & the coup: 2 > 1 < 3');

    const outcome = published(await xClient.publish(call(share)));

    expect(outcome.remoteId).toMatch(/^\d{18,19}$/);
    expect(outcome.remoteUrl).toBe(`https://x.com/newsroom/status/${outcome.remoteId}`);
    expect(postsOf(share)).toEqual([
      expect.objectContaining({
        platform: 'x',
        remoteId: outcome.remoteId,
        inReplyToId: null,
        text: share.text,
        account: 'newsroom',
        url: outcome.remoteUrl,
      }),
    ]);
  });

  it('answers the timeline as X does: t.co links with the article URL as expanded_url, & < > escaped', async () => {
    const share = shareFor({ title: 'Coups & counter-coups: 2 > 1 < 3' });
    const { remoteId } = published(await xClient.publish(call(share)));
    const api = rawApi();
    const me = await api.v2.me();

    const timeline = await api.v2.userTimeline(me.data.id, {
      start_time: new Date(Date.now() - 60_000).toISOString(),
      exclude: ['replies', 'retweets'],
      'tweet.fields': ['created_at', 'entities'],
    });

    const post = timeline.tweets.find((t) => t.id === remoteId);
    expect(post?.text).toContain('Coups &amp; counter-coups: 2 &gt; 1 &lt; 3');
    expect(post?.text).not.toContain(share.url);
    expect(post?.text).toMatch(/https:\/\/t\.co\/[A-Za-z0-9]{10}/);
    expect(post?.entities?.urls?.map((u) => u.expanded_url)).toEqual([share.url]);
    expect(post?.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    await expect(api.v2.userTimeline(me.data.id, { max_results: 3 })).rejects.toMatchObject({
      code: 400,
    });
  });

  it('takes the username of the remote URL from users/me, not from the channel config', async () => {
    const share = shareFor();
    const outcome = published(await xClient.publish(call(share, { account: 'someone_else' })));
    expect(outcome.remoteUrl).toBe(`https://x.com/newsroom/status/${outcome.remoteId}`);
  });

  it('hands out credentials that xCredentialsSchema accepts, pointing at the sandbox', () => {
    expect(xCredentialsSchema.parse(sandbox.credentials)).toEqual(sandbox.credentials);
    expect(Object.keys(sandbox.credentials).sort()).toEqual([
      'accessSecret',
      'accessToken',
      'apiBase',
      'appKey',
      'appSecret',
    ]);
    expect(sandbox.credentials.apiBase).toBe(sandbox.url);
  });

  it.each([
    ['a wrong access secret (bad signature)', { accessSecret: 'not-the-secret' }],
    ['a wrong consumer secret (bad signature)', { appSecret: 'not-the-app-secret' }],
    ['a wrong consumer key', { appKey: 'not-the-app-key' }],
  ])('refuses %s with X 401, which is auth, and posts nothing', async (_name, patch) => {
    const share = shareFor();
    const outcome = await xClient.publish(
      call(share, { credentials: { ...sandbox.credentials, ...patch } }),
    );
    expect(outcome).toMatchObject({ kind: 'auth', message: expect.stringContaining('401') });
    expect(JSON.stringify(outcome)).not.toContain('not-the');
    expect(postsOf(share)).toEqual([]);
  });

  it('treats credentials that do not parse as auth, naming the fields but never their values', async () => {
    const outcome = await xClient.publish(
      call(shareFor(), {
        credentials: {
          appKey: '',
          appSecret: 'super-secret-value',
          accessToken: 42,
          apiBase: 'https://api.example.org',
        },
      }),
    );
    expect(outcome.kind).toBe('auth');
    const message = outcome.kind === 'auth' ? outcome.message : '';
    expect(message).toMatch(/appKey empty/);
    expect(message).toMatch(/accessToken must be a string/);
    expect(message).toMatch(/accessSecret missing/);
    expect(message).toMatch(/apiBase must be an http URL on loopback/);
    expect(message).not.toMatch(/super-secret-value|42|api\.example\.org/);
  });

  it('counts as X does (twitter-text: URL 23, CJK 2): 280 weighted is posted, 281 is rejected', async () => {
    const url = `https://www.leftvoice.org/${'latin-america/'.repeat(12)}?utm_source=x`;
    const fits = `${'あ'.repeat(128)} ${url}`;
    const over = `${'あ'.repeat(128)}a ${url}`;
    expect(twitterText.parseTweet(fits).weightedLength).toBe(280);
    expect(fits.length).toBeGreaterThan(280);
    expect(twitterText.parseTweet(over).weightedLength).toBe(281);
    const base = shareFor();

    published(await xClient.publish(call({ ...base, text: fits })));
    const refused = await xClient.publish(call({ ...base, text: over }));

    expect(refused).toMatchObject({
      kind: 'rejected',
      message: expect.stringMatching(/^X answered 400/),
    });
    expect(posts.list().filter((p) => p.text === over)).toEqual([]);
  });

  it('maps the 403 duplicate of a text posted again to unknown, and reconcile finds the first post', async () => {
    const share = shareFor();
    const first = published(await xClient.publish(call(share)));

    const again = await xClient.publish(call(share));
    expect(again).toMatchObject({ kind: 'unknown', message: expect.stringMatching(/duplicate/) });
    expect(postsOf(share)).toHaveLength(1);

    expect(await xClient.reconcile(call(share))).toEqual({
      kind: 'found',
      remoteId: first.remoteId,
      remoteUrl: first.remoteUrl,
    });
  });

  it('parks a share whose text X already holds from before its claim: reconcile is unsure, never absent (which would retry into the same 403 forever)', async () => {
    const earlier = shareFor();
    const original = published(await xClient.publish(call(earlier)));
    // Another share with the very same text, claimed well after the original went out.
    const later = {
      ...shareFor(),
      text: earlier.text,
      firstClaimedAt: new Date(Date.now() + 60_000).toISOString(),
    };

    expect(await xClient.publish(call(later))).toMatchObject({ kind: 'unknown' });
    const outcome = await xClient.reconcile(call(later));

    expect(outcome).toMatchObject({
      kind: 'unsure',
      reason: expect.stringContaining(original.remoteUrl),
    });
    expect(postsOf(earlier)).toHaveLength(1);
  });

  it('429: rate until the reset header, refused again before it, posted after it', async () => {
    faults.set('x:429:1:1');
    const share = shareFor();
    const before = Date.now();

    const limited = await xClient.publish(call(share));
    if (limited.kind !== 'rate') throw new Error(`expected rate, got ${JSON.stringify(limited)}`);
    const resetAt = Date.parse(limited.until);
    expect(resetAt).toBeGreaterThanOrEqual(before + 1_000);
    expect(resetAt).toBeLessThanOrEqual(Date.now() + 2_000);

    expect(await xClient.publish(call(share))).toMatchObject({
      kind: 'rate',
      until: limited.until,
    });
    expect(postsOf(share)).toEqual([]);

    await sleep(Math.max(0, resetAt - Date.now()) + 20);
    published(await xClient.publish(call(share)));
    expect(postsOf(share)).toHaveLength(1);
  });

  it('maps a reset connection to unknown with nothing posted; reconcile then finds it absent', async () => {
    faults.set('x:reset:1:1');
    const share = shareFor();

    expect(await xClient.publish(call(share))).toMatchObject({ kind: 'unknown' });
    expect(postsOf(share)).toEqual([]);
    expect(await xClient.reconcile(call(share))).toEqual({ kind: 'absent' });
  });

  it('reconciles a share that was never posted to absent, and finds a posted one by its link', async () => {
    const never = shareFor();
    expect(await xClient.reconcile(call(never))).toEqual({ kind: 'absent' });

    const share = shareFor();
    const outcome = published(await xClient.publish(call(share)));
    // Edited text, same article link: the link is what identifies the share's post.
    expect(await xClient.reconcile(call({ ...share, text: 'edited after posting' }))).toEqual({
      kind: 'found',
      remoteId: outcome.remoteId,
      remoteUrl: outcome.remoteUrl,
    });
  });

  it('uploads media (initialize, append in 1 MiB chunks, finalize, alt text) and deletes posts as X does', async () => {
    const api = rawApi();
    const image = Buffer.alloc(1_500_000, 7);
    const mediaId = await api.v2.uploadMedia(image, { media_type: 'image/png' });
    await api.v2.createMediaMetadata(mediaId, { alt_text: { text: 'A protest in La Paz' } });
    const text = `With a photo ${Date.now()}`;

    const created = await api.v2.tweet({ text, media: { media_ids: [mediaId] } });

    expect(posts.list().find((p) => p.remoteId === created.data.id)?.media).toEqual([
      { mimeType: 'image/png', bytes: 1_500_000, alt: 'A protest in La Paz' },
    ]);
    expect(await api.v2.deleteTweet(created.data.id)).toEqual({ data: { deleted: true } });
    expect(posts.list().find((p) => p.remoteId === created.data.id)).toBeUndefined();
    const tooBig = api.v2.uploadMedia(Buffer.alloc(6 * 1024 * 1024), { media_type: 'image/jpeg' });
    await expect(tooBig).rejects.toBeInstanceOf(ApiResponseError);
  });
});

describe('X client with a chosen picture', () => {
  it('uploads it from where Crier stored it, sets its alt text and names it in the post', async () => {
    const { default: sharp } = await import('sharp');
    const bytes = await sharp({
      create: { width: 800, height: 600, channels: 3, background: '#e11d48' },
    })
      .jpeg()
      .toBuffer();
    const stored = `s3://crier-media/media/${'c'.repeat(64)}.jpg`;
    const asked: string[] = [];
    const client = createXClient({
      image: async (ref) => {
        asked.push(ref.url);
        return ref.url === stored ? { bytes, mimeType: 'image/jpeg' } : undefined;
      },
    });
    const share = { ...shareFor(), media: [{ url: stored, alt: 'A red field' }] };
    published(await client.publish(call(share)));
    expect(asked).toEqual([stored]);
    expect(postsOf(share).map((p) => p.media)).toEqual([
      [{ mimeType: 'image/jpeg', bytes: bytes.byteLength, alt: 'A red field' }],
    ]);
  });

  it('posts without a picture the store does not have, and without any for the plain client', async () => {
    const client = createXClient({ image: async () => undefined });
    const share = { ...shareFor(), media: [{ url: 'https://elsewhere.example/a.jpg' }] };
    published(await client.publish(call(share)));
    expect(postsOf(share).map((p) => p.media)).toEqual([undefined]);
    const plain = {
      ...shareFor(),
      media: [{ url: `s3://crier-media/media/${'d'.repeat(64)}.jpg` }],
    };
    published(await xClient.publish(call(plain)));
    expect(postsOf(plain).map((p) => p.media)).toEqual([undefined]);
  });
});
