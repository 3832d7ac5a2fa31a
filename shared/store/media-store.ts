/**
 * The media bucket (the only code that speaks S3): processed images and share cards,
 * stored by content hash, read back by the network clients, and handed to the networks
 * that download images themselves as presigned URLs made just before they fetch.
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
/**
 * How long a link made for a network's download stays valid. It is made right before the
 * call that makes the network fetch (a Meta container, Telegram's sendPhoto), which
 * downloads within seconds; an hour leaves room for a slow network and none for a link
 * kept around. A URL signed with a Lambda role's temporary credentials dies with them
 * anyway (within hours), which is why no link is ever stored with a share.
 */
export const LINK_SECONDS = 3600;

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
  /**
   * Stores the bytes under their content hash. Storing the same bytes again writes them
   * again, so the bucket's expiry (BUCKET.expireDays) counts from the latest compose.
   */
  putMedia(bytes: Uint8Array, mimeType: string): Promise<StoredMedia>;
  /**
   * A GET URL anyone may use for `seconds` (at most seven days), for a key or s3:// URL,
   * signed as of `signedAt` (now by default).
   */
  presignedUrl(keyOrUrl: string, seconds: number, signedAt?: Date): Promise<string>;
  /** The stored bytes and type, for a key, an s3:// URL or a presigned URL of this bucket. */
  getMedia(keyOrUrl: string): Promise<{ bytes: Buffer; mimeType: string }>;
  /** Whether the object is still there (HEAD): the bucket's lifecycle deletes old ones. */
  hasMedia(keyOrUrl: string): Promise<boolean>;
  /** Whether a URL names an object of this bucket (`s3://`, or a presigned URL of it). */
  isStoredMedia(url: string): boolean;
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

/** The type a media key's extension names (`media/<sha256>.png` -> `image/png`), if any. */
export function mediaTypeOf(key: string): string | undefined {
  const extension = key.slice(key.lastIndexOf('.') + 1);
  return Object.entries(EXTENSIONS).find(([, ext]) => ext === extension)?.[0];
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

/**
 * Whether `url` names an object of `bucket`: its `s3://` URL, or a presigned URL of it
 * (what shares composed before links were made at publish carry). An article's own
 * image URL is not, even where its path happens to look like a media key.
 */
export function isStoredMediaUrl(url: string, bucket: string): boolean {
  if (!url.startsWith('s3://') && !url.includes('X-Amz-Signature=')) return false;
  try {
    mediaKeyOf(url, bucket);
    return true;
  } catch {
    return false;
  }
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
      // Written even when the key is there (same bytes, same key): a rewrite restarts the
      // object's expiry, where skipping it would leave an object first stored a month ago
      // to vanish under a share composed today. It replaces the HEAD that used to skip
      // it: one request either way, and only when composing.
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

    async presignedUrl(keyOrUrl, seconds, signedAt) {
      const key = mediaKeyOf(keyOrUrl, bucket);
      const expiresIn = Math.max(1, Math.min(MAX_PRESIGN_SECONDS, Math.floor(seconds)));
      return getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
        expiresIn,
        ...(signedAt ? { signingDate: signedAt } : {}),
      });
    },

    async hasMedia(keyOrUrl) {
      const key = mediaKeyOf(keyOrUrl, bucket);
      try {
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },

    isStoredMedia(url) {
      return isStoredMediaUrl(url, bucket);
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
export const presignedUrl = (keyOrUrl: string, seconds: number, signedAt?: Date) =>
  mediaStore().presignedUrl(keyOrUrl, seconds, signedAt);
export const getMedia = (keyOrUrl: string) => mediaStore().getMedia(keyOrUrl);
