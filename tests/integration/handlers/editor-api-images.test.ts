/**
 * Images through the editor API on the local stack, as a browser sends them: POST
 * /api/media with an image's raw bytes (the local gateway hands them to the handler
 * base64-encoded, as API Gateway does), refusals that write nothing, and PATCH choosing
 * the upload, the card or no image with alt text, whose `media` the answer shows.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../infra/local/local-aws';
import { BUCKET } from '../../../shared/resources';
import { channelConfigForFile, delayedDefaultChannels } from '../../support/channel-config';
import { callEditorApi } from '../../support/editor-api';
import { EDITOR_API_FUNCTIONS, ingestAndCompose } from '../../support/handler-stack';
import { startTestStack, type TestStack } from '../../support/stack';

type Upload = { id: string; width: number; height: number; contentType: string; bytes: number };
type ShareBody = {
  media: { url: string; alt?: string; width?: number; height?: number }[] | null;
  card: { imageUrl?: string } | null;
  edited: { image?: { source: string; upload?: string }; imageAlt?: string } | null;
};

let stack: TestStack;
let token: string;
let s3: S3Client;

channelConfigForFile(delayedDefaultChannels(60));

beforeAll(async () => {
  stack = await startTestStack({ sandboxes: false, functions: EDITOR_API_FUNCTIONS });
  token = stack.secrets.editorToken.value;
  s3 = new S3Client({
    endpoint: stack.sqsEndpoint,
    forcePathStyle: true,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await stack?.dispose();
});

/** Posts raw bytes, as the editor UI's file upload does. */
async function postImage(bytes: Uint8Array, contentType: string, query = '') {
  const response = await fetch(new URL(`/api/media${query}`, stack.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body: bytes,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function uploadKeys(): Promise<string[]> {
  const listed = await s3.send(
    new ListObjectsV2Command({ Bucket: BUCKET.localName, Prefix: 'uploads/' }),
  );
  return (listed.Contents ?? []).map((o) => o.Key ?? '');
}

const patch = (articleId: string, channelId: string, body: unknown) =>
  callEditorApi<{ share: ShareBody } & Record<string, unknown>>(stack.url, {
    method: 'PATCH',
    path: `/api/articles/${articleId}/shares/${channelId}`,
    token,
    body,
  });

describe('POST /api/media', () => {
  it('keeps a real JPEG, its bytes intact through the gateway, and answers 201 with its facts', async () => {
    const jpeg = await sharp({
      create: { width: 1600, height: 900, channels: 3, background: '#2f4858' },
    })
      .jpeg({ quality: 90 })
      .toBuffer();
    const answer = await postImage(jpeg, 'image/jpeg');
    expect(answer.status).toBe(201);
    const upload = answer.body.upload as Upload;
    expect(upload).toMatchObject({
      width: 1600,
      height: 900,
      contentType: 'image/jpeg',
      bytes: jpeg.byteLength,
    });
    expect(await uploadKeys()).toContain(`uploads/default/${upload.id}`);
    const kept = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET.localName, Key: `uploads/default/${upload.id}` }),
    );
    expect(Buffer.from((await kept.Body?.transformToByteArray()) ?? []).equals(jpeg)).toBe(true);
    expect(kept.ContentType).toBe('image/jpeg');
  });

  it('refuses a fake image (400), another type than sent (400) and an oversize one (413), writing nothing', async () => {
    const before = await uploadKeys();
    const fake = await postImage(Buffer.from('not an image at all, just words'), 'image/png');
    expect(fake.status).toBe(400);
    expect(fake.body).toMatchObject({ error: 'invalid_request' });
    const png = await sharp({
      create: { width: 400, height: 400, channels: 3, background: '#fff' },
    })
      .png()
      .toBuffer();
    const mislabelled = await postImage(png, 'image/webp');
    expect(mislabelled.status).toBe(400);
    expect(mislabelled.body.fields).toEqual([
      { field: 'content-type', message: 'the body is a png image, not image/webp' },
    ]);
    const big = await postImage(Buffer.alloc(4 * 1024 * 1024 + 1, 0xff), 'image/jpeg');
    expect(big.status).toBe(413);
    const site = await postImage(png, 'image/png', '?siteId=Not_A_Site');
    expect(site.status).toBe(400);
    expect(await uploadKeys()).toEqual(before);
  });
});

describe('PATCH a share’s image', () => {
  it('uses an upload on X, the card on Instagram, none on Bluesky, with alt text, and shows the media', async () => {
    const articleId = await ingestAndCompose(stack, { id: 'images-api-1' });
    const square = await sharp({
      create: { width: 1000, height: 1000, channels: 3, background: '#e11d48' },
    })
      .png()
      .toBuffer();
    const upload = (await postImage(square, 'image/png')).body.upload as Upload;

    const x = await patch(articleId, 'x-newsroom', {
      image: { source: 'upload', upload: upload.id },
      imageAlt: 'A red square',
    });
    expect(x.status).toBe(200);
    expect(x.body.share.media).toHaveLength(1);
    expect(x.body.share.media?.[0]).toMatchObject({ alt: 'A red square', width: 1000 });
    // The browser gets a link it can load, not the bucket's own URL.
    expect(x.body.share.media?.[0]?.url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/crier-media\/media\//,
    );
    expect(x.body.share.edited).toMatchObject({
      image: { source: 'upload', upload: upload.id },
      imageAlt: 'A red square',
    });

    const instagram = await patch(articleId, 'instagram-newsroom', { image: { source: 'card' } });
    expect(instagram.status).toBe(200);
    expect(instagram.body.share.media?.[0]).toMatchObject({ width: 1080, height: 1350 });

    const bluesky = await patch(articleId, 'bluesky-newsroom', { image: { source: 'none' } });
    expect(bluesky.status).toBe(200);
    expect(bluesky.body.share.card?.imageUrl).toBeUndefined();

    const detail = await callEditorApi<{ shares: ({ channelId: string } & ShareBody)[] }>(
      stack.url,
      { method: 'GET', path: `/api/articles/${articleId}`, token },
    );
    const x2 = detail.body.shares.find((s) => s.channelId === 'x-newsroom');
    expect(x2?.media?.[0]?.alt).toBe('A red square');
  });

  it('answers 400 naming image for no image on Instagram and imageAlt with the count over the limit', async () => {
    const articleId = await ingestAndCompose(stack, { id: 'images-api-2' });
    const none = await patch(articleId, 'instagram-newsroom', { image: { source: 'none' } });
    expect(none.status).toBe(400);
    expect((none.body.fields as { field: string }[])[0]?.field).toBe('image');
    const long = await patch(articleId, 'mastodon-newsroom', { imageAlt: 'a'.repeat(1501) });
    expect(long.status).toBe(400);
    expect(long.body.fields).toEqual([
      { field: 'imageAlt', message: "is 1501 characters, over Mastodon's limit of 1500" },
    ]);
    const bad = await patch(articleId, 'x-newsroom', { image: { source: 'upload' } });
    expect(bad.status).toBe(400);
    expect((bad.body.fields as { field: string }[])[0]?.field).toBe('image.upload');
  });

  it('answers 409 on a share that can no longer be edited, whatever the image', async () => {
    const articleId = await ingestAndCompose(stack, { id: 'images-api-3' });
    const cancelled = await callEditorApi(stack.url, {
      method: 'POST',
      path: `/api/articles/${articleId}/shares/telegram-newsroom/cancel`,
      token,
    });
    expect(cancelled.status).toBe(200);
    const refused = await patch(articleId, 'telegram-newsroom', {
      image: { source: 'card' },
      imageAlt: 'Too late',
    });
    expect(refused.status).toBe(409);
    const detail = await callEditorApi<{ shares: ({ channelId: string } & ShareBody)[] }>(
      stack.url,
      { method: 'GET', path: `/api/articles/${articleId}`, token },
    );
    expect(detail.body.shares.find((s) => s.channelId === 'telegram-newsroom')?.edited).toBeNull();
  });
});
