/**
 * A share's image at publish, against S3 as fauxqs serves it and the Telegram sandbox
 * with the real client: the link Telegram downloads is signed when it posts (not at
 * compose, days before), a share stored with an old presigned URL is signed anew from its
 * key, an image the bucket's lifecycle deleted is made again from the article (an
 * evergreen round a month on included), and one that cannot be made again leaves the
 * post without an image and a warning that says so.
 */
import { CreateBucketCommand, DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import { launchTelegramSandbox, type TelegramSandbox } from '../../../infra/local/sandbox/telegram';
import type { ChannelInput } from '../../../shared/domain/channel';
import { siteSchema } from '../../../shared/domain/channel';
import type { Share } from '../../../shared/domain/share';
import { telegramClient } from '../../../shared/platforms/telegram/client';
import type { MediaRef } from '../../../shared/platforms/types';
import { createEnricher } from '../../../shared/preview/enrich';
import { createMediaKeeper } from '../../../shared/preview/media-keeper';
import type { SafeFetch } from '../../../shared/preview/types';
import { BUCKET } from '../../../shared/resources';
import { createMediaStore, type MediaStore, mediaKeyOf } from '../../../shared/store/media-store';
import { enqueueIfDue } from '../../../shared/usecases/dispatch';
import { scheduleReshare } from '../../../shared/usecases/evergreen';
import { handlePublishMessage } from '../../../shared/usecases/publish-share';
import {
  channelOf,
  dispatchDeps,
  publishDeps,
  queuedShare,
  refOf,
  storeArticle,
} from '../../support/in-memory/fixtures';
import {
  type InMemoryWorld,
  inMemoryWorld,
  StaticCredentials,
} from '../../support/in-memory/index';

const BUCKET_NAME = BUCKET.localName;
const DAY = 24 * 3600_000;
const IMAGE_URL = 'https://news.example.org/images/river-crossing.jpg';
const SITE = siteSchema.parse({ name: 'Desk News', url: 'https://news.example.org' });

let server: FauxqsServer;
let s3: S3Client;
let store: MediaStore;
let photo: Buffer;
let sandbox: TelegramSandbox;
const posts = new SandboxPosts();

beforeAll(async () => {
  server = await startFauxqs({ port: 0, logger: false });
  s3 = new S3Client({
    endpoint: `http://127.0.0.1:${server.port}`,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET_NAME }));
  store = createMediaStore({ bucket: BUCKET_NAME, client: s3 });
  // The article photo as a CMS serves it: 2400x1600.
  photo = await sharp({
    create: { width: 2400, height: 1600, channels: 3, background: '#2f4858' },
  })
    .jpeg({ quality: 85 })
    .toBuffer();
  sandbox = await launchTelegramSandbox(
    { posts, faults: new FaultInjector(undefined, 1), log: createLogger({ quiet: true }) },
    { messagesPerMinute: 1_000 },
  );
});

afterAll(async () => {
  await sandbox?.stop();
  s3?.destroy();
  await server?.stop();
});

/** The CMS: the photo at its URL, nothing else (the article page is not needed here). */
const cms: SafeFetch = async (url) =>
  url === IMAGE_URL
    ? { url, status: 200, headers: { 'content-type': 'image/jpeg' }, body: photo }
    : { url, status: 404, headers: { 'content-type': 'text/plain' }, body: Buffer.from('no') };

/** The compose step's enricher, as the publisher's keeper uses it, over `media`. */
function keeperOver(world: InMemoryWorld, media: MediaStore) {
  const enrich = createEnricher({
    fetch: cms,
    previews: { get: async () => undefined, put: async () => undefined },
    media,
    site: SITE,
    clock: world.clock,
  });
  return createMediaKeeper({
    store: () => store,
    remake: async (article, platform) => (await enrich(article, [platform])).media[platform],
  });
}

/** A Telegram desk whose article has a photo, composed at the world's clock. */
async function telegramDesk(id: string, channelPatch: Partial<ChannelInput> = {}) {
  const world = inMemoryWorld(new Date());
  const channel = channelOf({
    id,
    platform: 'telegram',
    account: '@newsroom',
    template: '{title} {url}',
    ...channelPatch,
  });
  const record = await storeArticle(world, {
    imageUrl: IMAGE_URL,
    imageAlt: 'The river crossing at dusk',
    ...(channelPatch.evergreen ? { priority: 'evergreen' } : {}),
  });
  // What compose stores: the photo fitted for Telegram, by its s3:// URL.
  const composed = await createEnricher({
    fetch: cms,
    previews: { get: async () => undefined, put: async () => undefined },
    media: store,
    site: SITE,
    clock: world.clock,
  })(record.article, ['telegram']);
  const media = composed.media.telegram?.media ?? [];
  expect(media).toHaveLength(1);
  const deps = (keeperStore = store) =>
    publishDeps(world, [channel], telegramClient, {
      credentials: new StaticCredentials({ [channel.id]: sandbox.credentials }),
      media: keeperOver(world, keeperStore),
    });
  return { world, channel, record, media, deps };
}

/** The photo URL the sandbox received for the share's post. */
function photoSent(share: Share | undefined): string | undefined {
  const message = sandbox.messages().find((m) => m.remoteId === share?.remoteId);
  return message?.kind === 'photo' ? message.photo?.url : undefined;
}

const amzDate = (at: Date) =>
  at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

const keyOf = (ref: MediaRef | undefined) => mediaKeyOf(ref?.url ?? '', BUCKET_NAME);

describe('the image link Telegram downloads', () => {
  it('is signed when the share posts, ten days after compose, and is valid an hour from then', async () => {
    const { world, channel, record, media, deps } = await telegramDesk('tg-link');
    const composedAt = world.clock.now();
    // A slot ten days out: longer than any presigned URL made at compose could live.
    world.clock.set(new Date(composedAt.getTime() + 10 * DAY));
    const share = await queuedShare(world, record, channel, { media });
    expect(share.media?.[0]?.url).toMatch(new RegExp(`^s3://${BUCKET_NAME}/media/`));

    const result = await handlePublishMessage(deps(), refOf(share));
    expect(result.outcome).toBe('published');
    const stored = await world.shares.get(refOf(share));
    const sent = new URL(photoSent(stored) ?? 'missing:');
    const signedAt = Date.parse(
      (sent.searchParams.get('X-Amz-Date') ?? '').replace(
        /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/,
        '$1-$2-$3T$4:$5:$6Z',
      ),
    );
    const expires = Number(sent.searchParams.get('X-Amz-Expires'));
    const publishedAt = world.clock.now().getTime();
    // Valid when Telegram fetches it (now), and not for long after.
    expect(signedAt).toBeLessThanOrEqual(publishedAt);
    expect(signedAt + expires * 1000).toBeGreaterThan(publishedAt);
    expect(expires).toBe(3600);
    expect(mediaKeyOf(sent.toString(), BUCKET_NAME)).toBe(keyOf(media[0]));
    // As Telegram would: a plain GET, no credentials.
    const fetched = await fetch(sent);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).byteLength).toBe(media[0]?.bytes);
    // The table keeps the key, never the link.
    expect(stored?.media).toEqual(media);
    expect(stored?.warnings).toEqual(share.warnings);
  });

  it('is signed anew from the key for a share stored with a presigned URL made at compose', async () => {
    const { world, channel, record, media, deps } = await telegramDesk('tg-old-link');
    const composedAt = world.clock.now();
    // As compose stored it before: a seven-day URL signed then.
    const old = await store.presignedUrl(media[0]?.url ?? '', 7 * 24 * 3600, composedAt);
    world.clock.set(new Date(composedAt.getTime() + 9 * DAY));
    const share = await queuedShare(world, record, channel, {
      media: media.map((m) => ({ ...m, url: old })),
    });

    expect((await handlePublishMessage(deps(), refOf(share))).outcome).toBe('published');
    const sent = new URL(photoSent(await world.shares.get(refOf(share))) ?? 'missing:');
    expect(sent.searchParams.get('X-Amz-Date')).toBe(amzDate(world.clock.now()));
    expect(sent.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(mediaKeyOf(sent.toString(), BUCKET_NAME)).toBe(keyOf(media[0]));
  });
});

describe('an image the bucket no longer holds', () => {
  it('is made again from the article and posted, the share keeping the new object', async () => {
    const { world, channel, record, media, deps } = await telegramDesk('tg-remade');
    world.clock.set(new Date(world.clock.now().getTime() + 45 * DAY));
    const share = await queuedShare(world, record, channel, { media });
    // The lifecycle rule deleted it: 30 days after it was written.
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET_NAME, Key: keyOf(media[0]) }));
    expect(await store.hasMedia(media[0]?.url ?? '')).toBe(false);

    const result = await handlePublishMessage(deps(), refOf(share));
    expect(result.outcome).toBe('published');
    const stored = await world.shares.get(refOf(share));
    expect(photoSent(stored)).toContain(keyOf(media[0]));
    expect(await store.hasMedia(stored?.media?.[0]?.url ?? '')).toBe(true);
    expect(stored?.media?.[0]).toMatchObject({ alt: 'The river crossing at dusk' });
    expect(stored?.warnings).toEqual(share.warnings);
  });

  it('leaves the image out where it cannot be made again, and says so on the share', async () => {
    const { world, channel, record, media, deps } = await telegramDesk('tg-no-image');
    const share = await queuedShare(world, record, channel, { media });
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET_NAME, Key: keyOf(media[0]) }));
    // Storing the image again fails too: a bucket that takes no writes.
    const refusing = createMediaStore({ bucket: 'crier-media-not-there', client: s3 });

    const result = await handlePublishMessage(deps(refusing), refOf(share));
    expect(result.outcome).toBe('published');
    const stored = await world.shares.get(refOf(share));
    expect(stored?.media).toBeUndefined();
    expect(photoSent(stored)).toBeUndefined();
    expect(sandbox.messages().find((m) => m.remoteId === stored?.remoteId)?.kind).toBe('text');
    expect(stored?.warnings).toEqual([
      ...(share.warnings ?? []),
      expect.stringMatching(
        /^The image stored for this share was no longer in the media bucket \(it keeps images 30 days\) and could not be made again \(.+\): the share goes out without it\.$/,
      ),
    ]);
  });

  it("gives an evergreen round a month on an image of its own when the first round's is gone", async () => {
    const { world, channel, record, media, deps } = await telegramDesk('tg-evergreen', {
      evergreen: { afterDays: 35, max: 1, prefix: 'From the archive:' },
    });
    const first = await queuedShare(world, record, channel, { media });
    const reshare = {
      articles: world.articles,
      shares: world.shares,
      channels: [channel],
      clock: world.clock,
    };
    const withRounds = { ...deps(), afterPublished: (s: Share) => scheduleReshare(reshare, s) };
    expect((await handlePublishMessage(withRounds, refOf(first))).outcome).toBe('published');
    const second = await world.shares.get({ ...refOf(first), round: 2 });
    if (!second) throw new Error('no second round');
    expect(second.media).toEqual(media);

    // 35 days on the bucket's lifecycle has deleted the first round's object.
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET_NAME, Key: keyOf(media[0]) }));
    world.clock.set(new Date(second.dueAt));
    const queued = await enqueueIfDue(dispatchDeps(world), second);
    expect(queued.status).toBe('queued');
    world.publishQueue.take();

    expect((await handlePublishMessage(withRounds, refOf(queued))).outcome).toBe('published');
    const posted = await world.shares.get(refOf(queued));
    expect(posted?.round).toBe(2);
    expect(photoSent(posted)).toContain(keyOf(media[0]));
    expect(await store.hasMedia(posted?.media?.[0]?.url ?? '')).toBe(true);
    expect(posted?.warnings).toEqual(queued.warnings);
  });
});
