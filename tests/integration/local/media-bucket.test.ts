/**
 * The local media bucket across a restart: fauxqs keeps S3 objects in memory only, so
 * each image written is copied to the data folder and put back at the next start. A
 * fauxqs stopped without a word to the copier (as a `kill -9` leaves it) loses nothing
 * that was written; a half-written copy is passed over.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../infra/local/local-aws';
import { createLogger } from '../../../infra/local/logger';
import { startMediaBucket } from '../../../infra/local/media-bucket';
import { type LocalSqs, startSqs } from '../../../infra/local/sqs';
import { BUCKET } from '../../../shared/resources';
import { createMediaStore } from '../../../shared/store/media-store';
import { createUploadStore } from '../../../shared/store/upload-store';

const dataDir = mkdtempSync(join(tmpdir(), 'crier-media-bucket-'));
const dir = join(dataDir, 'media');
const log = createLogger({ quiet: true });
const running: LocalSqs[] = [];

afterAll(async () => {
  await Promise.all(running.map((sqs) => sqs.stop()));
  rmSync(dataDir, { recursive: true, force: true });
});

/** fauxqs and the media bucket as the local stack starts them, on `dir`. */
async function start() {
  const sqs = await startSqs({ log, queues: {} });
  running.push(sqs);
  const media = await startMediaBucket({
    endpoint: sqs.endpoint,
    spy: sqs.spy,
    bucket: BUCKET.localName,
    dir,
    log,
  });
  const client = new S3Client({
    endpoint: sqs.endpoint,
    forcePathStyle: true,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  return { sqs, media, client, store: createMediaStore({ bucket: BUCKET.localName, client }) };
}

it('keeps every image written across a restart on the same data folder', async () => {
  const first = await start();
  expect(first.media.restored).toBe(0);
  const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#345' } })
    .jpeg()
    .toBuffer();
  const card = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#a50' } })
    .png()
    .toBuffer();
  const kept = await first.store.putMedia(photo, 'image/jpeg');
  const gone = await first.store.putMedia(card, 'image/png');
  await first.client.send(new DeleteObjectCommand({ Bucket: BUCKET.localName, Key: gone.key }));
  await first.media.flushed();
  // As a kill leaves it: fauxqs gone, the copier never told.
  first.client.destroy();
  await first.sqs.stop();
  // A copy a killed process was writing.
  writeFileSync(join(dir, `.${'b'.repeat(64)}.jpg.tmp`), Buffer.from('half'));

  const second = await start();
  expect(second.media.restored).toBe(1);
  expect(await second.store.hasMedia(kept.url)).toBe(true);
  const read = await second.store.getMedia(kept.url);
  expect(read.mimeType).toBe('image/jpeg');
  expect(read.bytes.equals(photo)).toBe(true);
  // Deleted in the bucket before the restart: not brought back.
  expect(await second.store.hasMedia(gone.url)).toBe(false);
  expect(existsSync(join(dir, gone.key.slice('media/'.length)))).toBe(false);
  expect(readdirSync(dir).filter((name) => !name.startsWith('.'))).toEqual([
    kept.key.slice('media/'.length),
  ]);
  await second.media.stop();
  second.client.destroy();
});

it("keeps an editor's upload across a restart, under its site and with its type", async () => {
  const first = await start();
  const uploads = createUploadStore({ bucket: BUCKET.localName, client: first.client });
  const photo = await sharp({
    create: { width: 300, height: 200, channels: 3, background: '#e11' },
  })
    .webp()
    .toBuffer();
  const id = '0b5f7a52-64a1-4a0b-9f0a-5f1f3f2c9a11';
  await uploads.putUpload('north', id, photo, 'image/webp');
  await first.media.flushed();
  expect(readdirSync(join(dir, 'uploads', 'north'))).toEqual([`${id}.webp`]);
  first.client.destroy();
  await first.sqs.stop();

  const second = await start();
  const again = createUploadStore({ bucket: BUCKET.localName, client: second.client });
  const read = await again.getUpload('north', id);
  expect(read?.contentType).toBe('image/webp');
  expect(read?.bytes.equals(photo)).toBe(true);
  expect(await again.getUpload('south', id)).toBeUndefined();
  await second.media.stop();
  second.client.destroy();
});
