/**
 * buildShareMedia against S3 as fauxqs serves it (the local runtime's emulator), with a
 * SafeFetch that serves test bytes or fails as an offline machine does: every network
 * gets an image fitted to it and stored by content hash, or a share card and the reason.
 */
import { readFileSync } from 'node:fs';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Site, siteSchema } from '../../../shared/domain/channel';
import { PLATFORMS } from '../../../shared/domain/platform';
import { buildShareMedia, IMAGE_MAX_BYTES } from '../../../shared/preview/media';
import {
  PreviewFetchError,
  type SafeFetch,
  type SafeFetchOptions,
} from '../../../shared/preview/types';
import { BUCKET } from '../../../shared/resources';
import {
  createMediaStore,
  createS3Client,
  isStoredMediaUrl,
  LINK_SECONDS,
  MediaNotFoundError,
  type MediaStore,
  mediaKeyOf,
} from '../../../shared/store/media-store';

const ARTICLE = parseGenericArticle(
  JSON.parse(
    readFileSync(
      new URL('../../../tests/fixtures/webhooks/generic-article.json', import.meta.url),
      'utf8',
    ),
  ),
);
const SITE: Site = siteSchema.parse({ name: 'Left Voice', url: 'https://www.leftvoice.org' });
const NOW = () => new Date('2019-11-12T16:00:00Z');
const BUCKET_NAME = BUCKET.localName;

/** Serves `body` for every URL, and counts what it was asked. */
function serving(body: Buffer, status = 200) {
  const calls: { url: string; options: SafeFetchOptions }[] = [];
  const safeFetch: SafeFetch = async (url, options) => {
    calls.push({ url, options });
    return { url, status, headers: { 'content-type': 'image/jpeg' }, body };
  };
  return { safeFetch, calls };
}

/** As on a machine without internet: the name does not resolve, at once. */
const offline: SafeFetch = async (url) => {
  throw new PreviewFetchError(`getaddrinfo ENOTFOUND ${new URL(url).hostname}`, 'network');
};

let server: FauxqsServer;
let endpoint: string;
let s3: S3Client;
let store: MediaStore;
let photo: Buffer;

beforeAll(async () => {
  server = await startFauxqs({ port: 0, logger: false });
  endpoint = `http://127.0.0.1:${server.port}`;
  s3 = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET_NAME }));
  store = createMediaStore({ bucket: BUCKET_NAME, client: s3 });
  // The article photo as a CMS serves it: 2400x1600, with EXIF.
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2400" height="1600">
    <defs><linearGradient id="g"><stop offset="0" stop-color="#334155"/><stop offset="1" stop-color="#f59e0b"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/><circle cx="1400" cy="700" r="420" fill="#b91c1c"/></svg>`;
  photo = await sharp(Buffer.from(svg))
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Copyright: 'EFE' } })
    .toBuffer();
});

afterAll(async () => {
  s3?.destroy();
  await server?.stop();
});

async function objectCount(): Promise<number> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET_NAME, Prefix: 'media/' }));
  return listed.KeyCount ?? 0;
}

/** The stored object a MediaRef names, and what sharp reads in it. */
async function storedImage(url: string) {
  const { bytes, mimeType } = await store.getMedia(url);
  const meta = await sharp(bytes).metadata();
  return { bytes, mimeType, meta };
}

describe('buildShareMedia', () => {
  it('fetches the article image once and gives every network its own fitted, stored copy', async () => {
    const { safeFetch, calls } = serving(photo);
    const result = await buildShareMedia(
      { article: ARTICLE, site: SITE, platforms: [...PLATFORMS] },
      { safeFetch, store, now: NOW },
    );

    expect(calls).toEqual([
      {
        url: ARTICLE.imageUrl,
        options: expect.objectContaining({ maxBytes: IMAGE_MAX_BYTES, timeoutMs: 5000 }),
      },
    ]);
    expect(IMAGE_MAX_BYTES).toBe(5 * 1024 * 1024);
    expect(Object.keys(result).sort()).toEqual([...PLATFORMS].sort());

    for (const platform of PLATFORMS) {
      const entry = result[platform];
      expect(entry?.media, platform).toHaveLength(1);
      const ref = entry?.media[0];
      if (!ref) throw new Error(`no media for ${platform}`);
      const { bytes, mimeType, meta } = await storedImage(ref.url);
      expect([ref.mimeType, ref.width, ref.height, ref.bytes], platform).toEqual([
        mimeType,
        meta.width,
        meta.height,
        bytes.byteLength,
      ]);
      expect(meta.exif, platform).toBeUndefined();
      if (platform === 'instagram') {
        // Instagram always shows the portrait share card.
        expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1080, 1350]);
        expect(ref.alt).toContain(ARTICLE.title);
        expect(entry?.warnings).toEqual([]);
      } else {
        expect(ref.alt, platform).toBe('Donald Trump speaking at the White House');
        expect(entry?.warnings, platform).toEqual([]);
      }
    }
    expect([result.bluesky?.media[0]?.width, result.bluesky?.media[0]?.height]).toEqual([
      1200, 630,
    ]);
    expect(result.bluesky?.media[0]?.bytes).toBeLessThanOrEqual(1_000_000);
    expect([result.linkedin?.media[0]?.width, result.linkedin?.media[0]?.height]).toEqual([
      1200, 627,
    ]);
    expect(result.threads?.media[0]?.width).toBeLessThanOrEqual(1440);
  });

  it("stores every network's image by its s3:// URL, never a presigned link that would expire before the post", async () => {
    const { safeFetch } = serving(photo);
    const result = await buildShareMedia(
      { article: ARTICLE, site: SITE, platforms: [...PLATFORMS] },
      { safeFetch, store, now: NOW },
    );
    for (const platform of PLATFORMS) {
      const url = result[platform]?.media[0]?.url ?? '';
      // Meta's networks and Telegram too: their link is made at publish (publish-share/media.ts).
      expect(url, platform).toMatch(
        new RegExp(`^s3://${BUCKET_NAME}/media/[0-9a-f]{64}\\.(jpg|png)$`),
      );
      expect(url, platform).not.toContain('X-Amz-');
    }
  });

  it('stores by content: composing the same article again adds no object', async () => {
    const { safeFetch } = serving(photo);
    const input = { article: ARTICLE, site: SITE, platforms: [...PLATFORMS] };
    const first = await buildShareMedia(input, { safeFetch, store, now: NOW });
    const count = await objectCount();
    const second = await buildShareMedia(input, { safeFetch, store, now: NOW });
    expect(await objectCount()).toBe(count);
    for (const platform of PLATFORMS) {
      const key = (ref: typeof first) =>
        mediaKeyOf(ref[platform]?.media[0]?.url ?? '', BUCKET_NAME);
      expect(key(second), platform).toBe(key(first));
    }
  });

  it('fails fast offline: a warning, and a share card for every network', async () => {
    const result = await buildShareMedia(
      { article: ARTICLE, site: SITE, platforms: ['bluesky', 'x', 'instagram'] },
      { safeFetch: offline, store, now: NOW },
    );
    for (const platform of ['bluesky', 'x'] as const) {
      expect(result[platform]?.warnings, platform).toEqual([
        'article image could not be fetched: getaddrinfo ENOTFOUND www.leftvoice.org; a share card is used',
      ]);
      const ref = result[platform]?.media[0];
      if (!ref) throw new Error(`no card for ${platform}`);
      const { meta } = await storedImage(ref.url);
      expect([meta.width, meta.height], platform).toEqual([1200, 630]);
      expect(ref.alt).toBe(
        'Trump Declares Support for Coup in Bolivia · Latin America · Left Voice',
      );
    }
    expect(result.bluesky?.media[0]?.mimeType).toBe('image/jpeg');
    expect(result.bluesky?.media[0]?.bytes).toBeLessThanOrEqual(1_000_000);
    // Instagram's card is its image by design, not for want of one.
    expect(result.instagram?.warnings).toEqual([]);
    expect([result.instagram?.media[0]?.width, result.instagram?.media[0]?.height]).toEqual([
      1080, 1350,
    ]);
  });

  it.each([
    [
      'an HTML error page',
      () => Buffer.from('<!doctype html><h1>Forbidden</h1>'),
      200,
      /^article image is not usable: not an image; a share card is used$/,
    ],
    [
      'a thumbnail too small for a card',
      () =>
        sharp({ create: { width: 300, height: 200, channels: 3, background: '#888' } })
          .jpeg()
          .toBuffer(),
      200,
      /^article image is too small \(300x200, under 400x200\); a share card is used$/,
    ],
    [
      'a 404',
      () => Buffer.from('not found'),
      404,
      /^article image could not be fetched: HTTP 404; a share card is used$/,
    ],
  ] as const)('uses a share card for %s, and says why', async (_label, body, status, warning) => {
    const { safeFetch } = serving(await body(), status);
    const result = await buildShareMedia(
      { article: ARTICLE, site: SITE, platforms: ['linkedin', 'mastodon'] },
      { safeFetch, store, now: NOW },
    );
    for (const platform of ['linkedin', 'mastodon'] as const) {
      expect(result[platform]?.warnings, platform).toEqual([expect.stringMatching(warning)]);
      expect(result[platform]?.media, platform).toHaveLength(1);
    }
    expect([result.linkedin?.media[0]?.width, result.linkedin?.media[0]?.height]).toEqual([
      1200, 627,
    ]);
  });

  it('says so when the article has no image, and asks nothing of the network', async () => {
    const { safeFetch, calls } = serving(photo);
    const result = await buildShareMedia(
      { article: { ...ARTICLE, imageUrl: undefined }, site: SITE, platforms: ['telegram'] },
      { safeFetch, store, now: NOW },
    );
    expect(calls).toEqual([]);
    expect(result.telegram?.warnings).toEqual(['the article has no image; a share card is used']);
  });

  it('fetches nothing when only Instagram is asked', async () => {
    const { safeFetch, calls } = serving(photo);
    const result = await buildShareMedia(
      { article: ARTICLE, site: SITE, platforms: ['instagram'] },
      { safeFetch, store, now: NOW },
    );
    expect(calls).toEqual([]);
    expect(Object.keys(result)).toEqual(['instagram']);
  });
});

describe('the media store', () => {
  it('writes an object stored again, so its expiry counts from the latest compose', async () => {
    const bytes = await sharp({
      create: { width: 12, height: 12, channels: 3, background: '#654321' },
    })
      .png()
      .toBuffer();
    const stored = await store.putMedia(bytes, 'image/png');
    const head = () => s3.send(new HeadObjectCommand({ Bucket: BUCKET_NAME, Key: stored.key }));
    const first = (await head()).LastModified?.getTime() ?? 0;
    // Last-Modified has whole seconds: the second write must land in a later one.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await store.putMedia(bytes, 'image/png');
    const second = (await head()).LastModified?.getTime() ?? 0;
    expect(second).toBeGreaterThan(first);
  });

  it('tells whether an object is still there, and which URLs are its own', async () => {
    const bytes = await sharp({
      create: { width: 14, height: 14, channels: 3, background: '#0f0f0f' },
    })
      .png()
      .toBuffer();
    const stored = await store.putMedia(bytes, 'image/png');
    expect(await store.hasMedia(stored.url)).toBe(true);
    const old = await store.presignedUrl(stored.url, 604_800);
    // A share composed before links were made at publish carries such a URL.
    expect(store.isStoredMedia(old)).toBe(true);
    expect(await store.hasMedia(old)).toBe(true);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET_NAME, Key: stored.key }));
    expect(await store.hasMedia(stored.url)).toBe(false);
    expect(isStoredMediaUrl(stored.url, BUCKET_NAME)).toBe(true);
    expect(
      isStoredMediaUrl(`https://cms.example.org/media/${'a'.repeat(64)}.jpg`, BUCKET_NAME),
    ).toBe(false);
    expect(isStoredMediaUrl(`s3://another-bucket/${stored.key}`, BUCKET_NAME)).toBe(false);
  });

  it('signs a link as of the moment it is asked for, valid for an hour', async () => {
    const bytes = await sharp({
      create: { width: 16, height: 16, channels: 3, background: '#abcdef' },
    })
      .png()
      .toBuffer();
    const stored = await store.putMedia(bytes, 'image/png');
    const at = new Date(Date.now() + 40 * 24 * 3600_000);
    const url = new URL(await store.presignedUrl(stored.url, LINK_SECONDS, at));
    expect(LINK_SECONDS).toBe(3600);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(url.searchParams.get('X-Amz-Date')).toBe(
      at
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, ''),
    );
  });

  it('puts by sha256, reads back, and refuses what is not its own', async () => {
    const bytes = await sharp({
      create: { width: 10, height: 10, channels: 3, background: '#123456' },
    })
      .png()
      .toBuffer();
    const stored = await store.putMedia(bytes, 'image/png');
    expect(stored.key).toMatch(/^media\/[0-9a-f]{64}\.png$/);
    expect(await store.putMedia(bytes, 'image/png')).toEqual(stored);
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET_NAME, Key: stored.key }));
    expect(object.ContentType).toBe('image/png');
    expect((await store.getMedia(stored.key)).bytes.equals(bytes)).toBe(true);

    const presigned = await store.presignedUrl(stored.url, 60);
    expect(mediaKeyOf(presigned, BUCKET_NAME)).toBe(stored.key);
    await expect(store.getMedia(`media/${'0'.repeat(64)}.png`)).rejects.toBeInstanceOf(
      MediaNotFoundError,
    );
    expect(() => mediaKeyOf('s3://another-bucket/media/x.png', BUCKET_NAME)).toThrow(
      MediaNotFoundError,
    );
    expect(() => mediaKeyOf('https://example.org/../etc/passwd', BUCKET_NAME)).toThrow(
      MediaNotFoundError,
    );
  });

  it('reaches fauxqs through AWS_ENDPOINT_URL_S3 with path-style requests, as the local runtime sets it', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    const client = createS3Client();
    try {
      const fromEnv = createMediaStore({ bucket: BUCKET_NAME, client });
      const stored = await fromEnv.putMedia(Buffer.from(photo), 'image/jpeg');
      expect((await store.getMedia(stored.url)).bytes.byteLength).toBe(photo.byteLength);
    } finally {
      client.destroy();
      process.env = saved;
    }
  });
});
