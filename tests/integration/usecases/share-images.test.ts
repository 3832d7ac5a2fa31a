/**
 * A share's chosen image and alt text, on the real table (dynalite) and the media bucket
 * as fauxqs serves it: every choice (the article's image, the drawn card, an upload,
 * none) fitted to the share's network and stored as `s3://`, the alt text counted per
 * network, Instagram refusing no image, nothing written on a refusal, and a new revision
 * of the article keeping the editor's choice.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../infra/local/local-aws';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { siteSchema } from '../../../shared/domain/channel';
import { ValidationError } from '../../../shared/domain/errors';
import type { Platform } from '../../../shared/domain/platform';
import type { Share } from '../../../shared/domain/share';
import { ALT_TEXT_RULES } from '../../../shared/domain/share-image';
import { makeChosenImage } from '../../../shared/preview/chosen-image';
import type { SafeFetch } from '../../../shared/preview/types';
import { BUCKET } from '../../../shared/resources';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { createMediaStore, type MediaStore } from '../../../shared/store/media-store';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { createUploadStore, type UploadStore } from '../../../shared/store/upload-store';
import { newShare } from '../../../shared/usecases/compose-article';
import { type EditShareDeps, editShare } from '../../../shared/usecases/edit-share';
import { recomposeStored } from '../../../shared/usecases/recompose-share';
import { uploadMedia } from '../../../shared/usecases/upload-media';
import { DEFAULT_CHANNELS } from '../../support/channels';
import { startTestStack, type TestStack } from '../../support/stack';
import { sampleArticle } from '../../support/webhook';

const IMAGE_URL = 'https://news.example.org/images/river.jpg';
const SITE = siteSchema.parse({ name: 'Desk News' });
const editor = { by: 'alice', role: 'editor' as const };

let stack: TestStack;
let articles: DynamoArticleStore;
let shares: DynamoShareStore;
let s3: S3Client;
let media: MediaStore;
let uploads: UploadStore;
let photo: Buffer;
let upload: Buffer;

beforeAll(async () => {
  stack = await startTestStack({ sandboxes: false, functions: {} });
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  articles = new DynamoArticleStore(db, stack.tableName);
  shares = new DynamoShareStore(db, stack.tableName);
  s3 = new S3Client({
    endpoint: stack.sqsEndpoint,
    forcePathStyle: true,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  media = createMediaStore({ bucket: BUCKET.localName, client: s3 });
  uploads = createUploadStore({ bucket: BUCKET.localName, client: s3 });
  // The article's photo as the CMS serves it, and an editor's square PNG.
  photo = await sharp({ create: { width: 2400, height: 1600, channels: 3, background: '#2f4858' } })
    .jpeg({ quality: 85 })
    .toBuffer();
  upload = await sharp({ create: { width: 900, height: 900, channels: 3, background: '#e11d48' } })
    .png()
    .toBuffer();
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await stack?.dispose();
});

/** The CMS: the photo at its URL, nothing else. */
const cms: SafeFetch = async (url) =>
  url === IMAGE_URL
    ? { url, status: 200, headers: { 'content-type': 'image/jpeg' }, body: photo }
    : { url, status: 404, headers: { 'content-type': 'text/plain' }, body: Buffer.from('no') };

const deps = (): EditShareDeps => ({
  articles,
  shares,
  channels: DEFAULT_CHANNELS,
  settings: { site: SITE, authors: {} },
  clock: { now: () => new Date() },
  enqueueIfDue: async (share) => share,
  chooseImage: (input) =>
    makeChosenImage(input, { safeFetch: cms, store: media, uploads, now: () => new Date() }),
});

let count = 0;

/** A stored article (revision `revision`) with a scheduled share on `platform`'s default channel. */
async function scheduled(platform: Platform): Promise<{ articleId: string; key: string }> {
  const channel = DEFAULT_CHANNELS.find((c) => c.platform === platform);
  if (!channel) throw new Error(`no ${platform} channel`);
  count += 1;
  const articleId = `images-${count}`.padEnd(32, '0');
  const now = new Date();
  const { current } = await articles.putRevision({
    articleId,
    article: parseGenericArticle({
      ...sampleArticle(),
      id: `images-${count}`,
      imageUrl: IMAGE_URL,
    }),
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  });
  await shares.createIfAbsent({
    ...newShare(current, channel, now),
    dueAt: new Date(now.getTime() + 3_600_000).toISOString(),
  });
  return { articleId, key: channel.id };
}

const stored = async (address: { articleId: string; key: string }) => {
  const share = await shares.get({ articleId: address.articleId, channelId: address.key });
  if (!share) throw new Error('share gone');
  return share;
};

/** The stored object's real size and format. */
async function objectFacts(url: string | undefined) {
  expect(url).toMatch(/^s3:\/\/crier-media\/media\/[0-9a-f]{64}\.(jpg|png)$/);
  const { bytes } = await media.getMedia(url ?? '');
  const meta = await sharp(bytes).metadata();
  return { width: meta.width, height: meta.height, format: meta.format };
}

async function refusal(work: Promise<unknown>): Promise<ValidationError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('an uploaded image', () => {
  it('is checked and kept under its site, then fitted to the share’s network with the editor’s alt text', async () => {
    const kept = await uploadMedia(
      { uploads },
      { bytes: upload, contentType: 'image/png', siteId: 'default' },
    );
    expect(kept).toMatchObject({ width: 900, height: 900, contentType: 'image/png' });
    expect((await uploads.getUpload('default', kept.id))?.bytes.equals(upload)).toBe(true);
    expect(await uploads.getUpload('another-site', kept.id)).toBeUndefined();

    const address = await scheduled('x');
    const share = await editShare(
      deps(),
      address,
      { image: { source: 'upload', upload: kept.id }, imageAlt: '  A red square  ' },
      editor,
    );
    expect(share).toEqual(await stored(address));
    expect(share.media).toHaveLength(1);
    expect(share.media?.[0]).toMatchObject({ alt: 'A red square', width: 900, height: 900 });
    expect(await objectFacts(share.media?.[0]?.url)).toEqual({
      width: 900,
      height: 900,
      format: 'jpeg',
    });
    expect(share.edited).toMatchObject({
      image: { source: 'upload', upload: kept.id },
      imageAlt: 'A red square',
    });
    expect(share.history.at(-1)).toMatchObject({
      event: 'edit',
      by: 'alice',
      reason: `image: upload ${kept.id}; alt text edited`,
    });
  });

  it('of another site is not found: 400 naming image.upload, and the share is unchanged', async () => {
    const kept = await uploadMedia(
      { uploads },
      { bytes: upload, contentType: 'image/png', siteId: 'elsewhere' },
    );
    const address = await scheduled('mastodon');
    const before = await stored(address);
    const error = await refusal(
      editShare(deps(), address, { image: { source: 'upload', upload: kept.id } }, editor),
    );
    expect(error.issues[0]?.field).toBe('image.upload');
    expect(await stored(address)).toEqual(before);
  });
});

describe('the share card', () => {
  it('is drawn portrait for Instagram, with the card’s words as its alt text', async () => {
    const address = await scheduled('instagram');
    const share = await editShare(deps(), address, { image: { source: 'card' } }, editor);
    expect(await objectFacts(share.media?.[0]?.url)).toEqual({
      width: 1080,
      height: 1350,
      format: 'jpeg',
    });
    expect(share.media?.[0]?.alt).toContain('Trump Declares Support for Coup in Bolivia');
    expect(share.edited?.image).toEqual({ source: 'card' });
  });

  it('becomes Bluesky’s link-card thumbnail rather than an attached image', async () => {
    const address = await scheduled('bluesky');
    const share = await editShare(deps(), address, { image: { source: 'card' } }, editor);
    expect(share.media).toBeUndefined();
    expect(await objectFacts(share.card?.imageUrl)).toEqual({
      width: 1200,
      height: 630,
      format: 'jpeg',
    });
  });
});

describe("the article's image", () => {
  it('is fetched and fitted to the network as compose fits it, with the article’s alt text', async () => {
    const address = await scheduled('telegram');
    const share = await editShare(deps(), address, { image: { source: 'article' } }, editor);
    expect(await objectFacts(share.media?.[0]?.url)).toEqual({
      width: 2400,
      height: 1600,
      format: 'jpeg',
    });
    expect(share.media?.[0]?.alt).toBe('Donald Trump speaking at the White House');
  });
});

describe('no image', () => {
  it('drops the image from an X share and the thumbnail from a Bluesky card', async () => {
    const x = await scheduled('x');
    await editShare(deps(), x, { image: { source: 'card' } }, editor);
    const none = await editShare(deps(), x, { image: { source: 'none' } }, editor);
    expect(none.media).toBeUndefined();
    expect(none.edited?.image).toEqual({ source: 'none' });

    const bluesky = await scheduled('bluesky');
    await editShare(deps(), bluesky, { image: { source: 'card' } }, editor);
    const bare = await editShare(deps(), bluesky, { image: { source: 'none' } }, editor);
    expect(bare.card?.imageUrl).toBeUndefined();
    expect(bare.card?.title).toBe('Trump Declares Support for Coup in Bolivia');
  });

  it('is refused on Instagram with a 400 naming image, and nothing is written', async () => {
    const address = await scheduled('instagram');
    const before = await stored(address);
    const error = await refusal(
      editShare(deps(), address, { image: { source: 'none' }, imageAlt: 'x' }, editor),
    );
    expect(error.issues).toEqual([
      {
        field: 'image',
        message: 'Instagram posts nothing without an image: choose article, card or upload',
      },
    ]);
    expect(await stored(address)).toEqual(before);
  });
});

describe('alt text', () => {
  const platforms: Platform[] = [
    'x',
    'bluesky',
    'mastodon',
    'threads',
    'linkedin',
    'facebook',
    'instagram',
    'telegram',
  ];

  it.each(platforms)(
    'on %s is taken up to the network’s limit and refused one past it, with the count',
    async (platform) => {
      const { limit, unit } = ALT_TEXT_RULES[platform];
      const address = await scheduled(platform);
      // Bluesky counts graphemes: a family emoji is one, of five code points.
      const unitText = unit === 'graphemes' ? '👨‍👩‍👧' : 'é';
      const atLimit = await editShare(
        deps(),
        address,
        { imageAlt: unitText.repeat(limit) },
        editor,
      );
      expect(atLimit.edited?.imageAlt).toBe(unitText.repeat(limit));
      const before = await stored(address);
      const error = await refusal(
        editShare(deps(), address, { imageAlt: unitText.repeat(limit + 1) }, editor),
      );
      expect(error.issues[0]?.field).toBe('imageAlt');
      expect(error.issues[0]?.message).toContain(`is ${limit + 1} ${unit}`);
      expect(error.issues[0]?.message).toContain(`limit of ${limit}`);
      expect(await stored(address)).toEqual(before);
    },
  );

  it('null drops the editor’s alt text: the image’s own comes back', async () => {
    const address = await scheduled('telegram');
    await editShare(deps(), address, { image: { source: 'article' }, imageAlt: 'Mine' }, editor);
    const back = await editShare(deps(), address, { imageAlt: null }, editor);
    expect(back.media?.[0]?.alt).toBe('Donald Trump speaking at the White House');
    expect(back.edited?.imageAlt).toBeUndefined();
    expect(back.edited?.image).toEqual({ source: 'article' });
  });
});

describe('a new revision of the article', () => {
  it("keeps the editor's image and alt text, and says so in the history", async () => {
    const address = await scheduled('x');
    const kept = await uploadMedia(
      { uploads },
      { bytes: upload, contentType: 'image/png', siteId: 'default' },
    );
    const chosen = await editShare(
      deps(),
      address,
      { image: { source: 'upload', upload: kept.id }, imageAlt: 'A red square' },
      editor,
    );
    const record = await articles.putRevision({
      articleId: address.articleId,
      article: parseGenericArticle({
        ...sampleArticle(),
        id: `images-${address.articleId}`,
        title: 'A new headline',
        imageUrl: IMAGE_URL,
        revision: 2,
      }),
      receivedAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });
    const channel = DEFAULT_CHANNELS.find((c) => c.platform === 'x');
    if (!channel) throw new Error('no X channel');
    const fresh: Share = newShare(record.current, channel, new Date());
    const result = await recomposeStored({ shares, clock: { now: () => new Date() } }, fresh);
    expect(result?.recomposed).toBe(true);
    const after = await stored(address);
    expect(after.text).toContain('A new headline');
    expect(after.articleRevision).toBe(2);
    expect(after.media).toEqual(chosen.media);
    expect(after.edited).toEqual(chosen.edited);
    expect(after.history.at(-1)?.reason).toContain("kept the editor's image");
  });
});
