/**
 * The local media bucket, kept in the data folder. fauxqs holds S3 objects in memory
 * only, so a restart (a `kill -9` included) would lose every image while the table still
 * names them. Each object written to the bucket is copied to `<dataDir>/media/` as it
 * lands, and a start puts the copies back before any function runs, so the images
 * survive as they do in S3 (editors' uploads too, under `uploads/`). A copy still being written when the process dies is lost;
 * the publish step makes such an image again from its article (publish-share/media.ts).
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { MessageSpyReader, SpyMessage } from 'fauxqs';
import { mediaTypeOf } from '../../shared/store/media-store';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-aws';
import type { Logger } from './logger';

/** The objects the bucket holds: `media/<sha256 hex>.<ext>`, a file `<sha256 hex>.<ext>` on disk. */
const PREFIX = 'media/';
const FILE = /^[0-9a-f]{64}\.[a-z]+$/;
/**
 * Editors' uploads: `uploads/<siteId>/<id>` (no extension: the type is the object's),
 * a file `uploads/<siteId>/<id>.<ext>` on disk.
 */
const UPLOAD_KEY = /^uploads\/([a-z0-9][a-z0-9-]{0,62})\/([0-9a-f-]{36})$/;
const UPLOAD_FILE = /^([0-9a-f-]{36})\.([a-z]+)$/;

export type LocalMediaBucket = {
  /** how many images the start put back from the data folder */
  restored: number;
  /** resolves once every object written so far is on disk */
  flushed(): Promise<void>;
  /** stops copying (after the copies under way) */
  stop(): Promise<void>;
};

/**
 * Creates `bucket` on the fauxqs at `endpoint`, puts back the images kept in `dir`, and
 * from then on copies each object written (and removes each deleted) there.
 */
export async function startMediaBucket(options: {
  endpoint: string;
  spy: MessageSpyReader;
  bucket: string;
  dir: string;
  log: Logger;
}): Promise<LocalMediaBucket> {
  const { bucket, dir, log } = options;
  const s3 = new S3Client({
    endpoint: options.endpoint,
    forcePathStyle: true,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  mkdirSync(dir, { recursive: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));

  let restored = 0;
  for (const name of readdirSync(dir)) {
    const contentType = FILE.test(name) ? mediaTypeOf(name) : undefined;
    // Anything else is a copy a killed process left half-written (`.<name>.tmp`).
    if (!contentType) continue;
    const body = readFileSync(join(dir, name));
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${PREFIX}${name}`,
        Body: body,
        ContentType: contentType,
        ContentLength: body.byteLength,
        CacheControl: 'public, max-age=31536000, immutable',
      }),
    );
    restored += 1;
  }
  restored += await restoreUploads(s3, bucket, join(dir, 'uploads'));

  // One chain per file, so a delete never overtakes the write before it.
  const chains = new Map<string, Promise<void>>();
  let stopped = false;
  const enqueue = (name: string, step: () => Promise<void>) => {
    const next = (chains.get(name) ?? Promise.resolve())
      .then(step)
      .catch((error: unknown) => log.warn('media.copy-failed', { key: name, error }));
    chains.set(name, next);
    void next.then(() => {
      if (chains.get(name) === next) chains.delete(name);
    });
  };
  const copy = (name: string) => async () => {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${PREFIX}${name}` }));
    if (!object.Body) return;
    const bytes = await object.Body.transformToByteArray();
    // Written aside and renamed: a process killed halfway leaves no truncated image.
    const temporary = join(dir, `.${name}.tmp`);
    writeFileSync(temporary, bytes);
    renameSync(temporary, join(dir, name));
  };
  const remove = (name: string) => async () => rmSync(join(dir, name), { force: true });
  const copyUpload = (key: string, site: string, id: string) => async () => {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const extension = object.ContentType && extensionOf(object.ContentType);
    if (!object.Body || !extension) return;
    const bytes = await object.Body.transformToByteArray();
    const folder = join(dir, 'uploads', site);
    mkdirSync(folder, { recursive: true });
    const temporary = join(folder, `.${id}.tmp`);
    writeFileSync(temporary, bytes);
    renameSync(temporary, join(folder, `${id}.${extension}`));
  };

  const observe = (message: SpyMessage) => {
    if (stopped || message.service !== 's3' || message.bucket !== bucket) return;
    const upload = UPLOAD_KEY.exec(message.key);
    if (upload?.[1] && upload[2] && message.status === 'uploaded') {
      enqueue(message.key, copyUpload(message.key, upload[1], upload[2]));
      return;
    }
    if (!message.key.startsWith(PREFIX)) return;
    const name = message.key.slice(PREFIX.length);
    if (!FILE.test(name)) return;
    if (message.status === 'uploaded' || message.status === 'copied') enqueue(name, copy(name));
    if (message.status === 'deleted') enqueue(name, remove(name));
  };
  // The spy calls a waiter's filter on every event as it happens; this one never matches,
  // so it stays registered and sees them all. Events already in the spy's buffer (the
  // puts just above) are passed over: `live` is set once the registration returned.
  let live = false;
  void options.spy.waitForMessage((message) => {
    if (live) observe(message);
    return false;
  });
  live = true;
  log.debug('media.started', { bucket, dir, restored });

  const flushed = async () => {
    while (chains.size > 0) await Promise.all(chains.values());
  };
  return {
    restored,
    flushed,
    async stop() {
      stopped = true;
      await flushed();
      s3.destroy();
    },
  };
}

/** The extension a media type is kept under on disk (the reverse of mediaTypeOf). */
function extensionOf(contentType: string): string | undefined {
  for (const extension of ['jpg', 'png', 'webp', 'gif', 'avif']) {
    if (mediaTypeOf(`x.${extension}`) === contentType) return extension;
  }
  return undefined;
}

/** Puts back the editors' uploads kept in `dir` (`<siteId>/<id>.<ext>`); how many. */
async function restoreUploads(s3: S3Client, bucket: string, dir: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  let restored = 0;
  for (const site of readdirSync(dir)) {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(site)) continue;
    for (const name of readdirSync(join(dir, site))) {
      const match = UPLOAD_FILE.exec(name);
      const contentType = match ? mediaTypeOf(name) : undefined;
      if (!match || !contentType) continue;
      const body = readFileSync(join(dir, site, name));
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `uploads/${site}/${match[1]}`,
          Body: body,
          ContentType: contentType,
          ContentLength: body.byteLength,
        }),
      );
      restored += 1;
    }
  }
  return restored;
}
