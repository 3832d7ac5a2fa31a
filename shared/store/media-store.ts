/**
 * The media bucket (the only code that speaks S3): processed images and share cards,
 * stored once by content hash, read back by the network clients, and handed to Meta's
 * networks, which download images themselves, as presigned URLs.
 */
import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { readEnv, required } from '../config/env';
import { BUCKET } from '../resources';

/** SigV4's longest: a presigned URL cannot outlive seven days. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'avif',
};

export type StoredMedia = {
  /** `media/<sha256 hex>.<ext>` */
  key: string;
  /** `s3://<bucket>/<key>`: what getMedia and presignedUrl take */
  url: string;
  bytes: number;
  mimeType: string;
};

export interface MediaStore {
  /** Stores the bytes under their content hash; storing the same bytes again is a no-op. */
  putMedia(bytes: Uint8Array, mimeType: string): Promise<StoredMedia>;
  /** A GET URL anyone may use for `seconds` (at most seven days), for a key or s3:// URL. */
  presignedUrl(keyOrUrl: string, seconds: number): Promise<string>;
  /** The stored bytes and type, for a key, an s3:// URL or a presigned URL of this bucket. */
  getMedia(keyOrUrl: string): Promise<{ bytes: Buffer; mimeType: string }>;
}

export class MediaNotFoundError extends Error {
  override name = 'MediaNotFoundError';
}

/**
 * An S3 client for the function's region. Locally AWS_ENDPOINT_URL_S3 points at fauxqs,
 * which answers on 127.0.0.1 only: bucket-in-the-host-name URLs (the SDK's default) would
 * name a host that does not resolve, so path-style requests are used there.
 */
export function createS3Client(endpoint = localEndpoint()): S3Client {
  return new S3Client(endpoint ? { endpoint, forcePathStyle: true } : {});
}

function localEndpoint(): string | undefined {
  if (process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return undefined;
  return process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined;
}

export const mediaKeyFor = (bytes: Uint8Array, mimeType: string): string => {
  const extension = EXTENSIONS[mimeType];
  if (!extension) throw new Error(`Media of type ${mimeType} is not stored`);
  return `media/${createHash('sha256').update(bytes).digest('hex')}.${extension}`;
};

const KEY = /^media\/[0-9a-f]{64}\.[a-z]+$/;

/**
 * The object key named by a key, an `s3://` URL of this bucket, or a presigned URL (path
 * style `/<bucket>/<key>` or virtual-hosted `/<key>`), so a client can sign anew a URL
 * whose signature has expired.
 */
export function mediaKeyOf(keyOrUrl: string, bucket: string): string {
  if (KEY.test(keyOrUrl)) return keyOrUrl;
  let url: URL;
  try {
    url = new URL(keyOrUrl);
  } catch {
    throw new MediaNotFoundError(`Not a media key or URL: ${keyOrUrl.slice(0, 200)}`);
  }
  const path = decodeURIComponent(url.pathname).replace(/^\/+/, '');
  const key =
    url.protocol === 's3:'
      ? url.hostname === bucket
        ? path
        : undefined
      : path.startsWith(`${bucket}/`)
        ? path.slice(bucket.length + 1)
        : path;
  if (!key || !KEY.test(key)) {
    throw new MediaNotFoundError(
      `Not a media object of bucket ${bucket}: ${url.origin}${url.pathname}`,
    );
  }
  return key;
}

const isMissing = (error: unknown) =>
  error instanceof S3ServiceException &&
  (error.name === 'NotFound' ||
    error.name === 'NoSuchKey' ||
    error.$metadata.httpStatusCode === 404);

export function createMediaStore(options: { bucket: string; client?: S3Client }): MediaStore {
  const { bucket } = options;
  const s3 = options.client ?? defaultClient();

  return {
    async putMedia(bytes, mimeType) {
      const key = mediaKeyFor(bytes, mimeType);
      const stored = { key, url: `s3://${bucket}/${key}`, bytes: bytes.byteLength, mimeType };
      try {
        // The same bytes always land on the same key: when it is there, it is these bytes.
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return stored;
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentType: mimeType,
          ContentLength: bytes.byteLength,
          // Named by its content, an object never changes: whoever fetches it may keep it.
          CacheControl: 'public, max-age=31536000, immutable',
        }),
      );
      return stored;
    },

    async presignedUrl(keyOrUrl, seconds) {
      const key = mediaKeyOf(keyOrUrl, bucket);
      const expiresIn = Math.max(1, Math.min(MAX_PRESIGN_SECONDS, Math.floor(seconds)));
      return getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });
    },

    async getMedia(keyOrUrl) {
      const key = mediaKeyOf(keyOrUrl, bucket);
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!object.Body) throw new MediaNotFoundError(`s3://${bucket}/${key} has no body`);
        const bytes = Buffer.from(await object.Body.transformToByteArray());
        return { bytes, mimeType: object.ContentType ?? 'application/octet-stream' };
      } catch (error) {
        if (isMissing(error)) {
          throw new MediaNotFoundError(`s3://${bucket}/${key} is not stored (expired?)`, {
            cause: error,
          });
        }
        throw error;
      }
    },
  };
}

let client: S3Client | undefined;
let store: MediaStore | undefined;

/** One S3 client per module load, made on first use (after the local runtime set its endpoint). */
function defaultClient(): S3Client {
  client ??= createS3Client();
  return client;
}

/** The store of the bucket MEDIA_BUCKET (BUCKET.nameEnv) names; missing, it fails loudly on first use. */
export function mediaStore(): MediaStore {
  store ??= createMediaStore({
    bucket: readEnv({ [BUCKET.nameEnv]: required() })[BUCKET.nameEnv],
  });
  return store;
}

export const putMedia = (bytes: Uint8Array, mimeType: string) =>
  mediaStore().putMedia(bytes, mimeType);
export const presignedUrl = (keyOrUrl: string, seconds: number) =>
  mediaStore().presignedUrl(keyOrUrl, seconds);
export const getMedia = (keyOrUrl: string) => mediaStore().getMedia(keyOrUrl);
