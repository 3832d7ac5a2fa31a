/**
 * Editors' uploaded images in the media bucket, under `uploads/<siteId>/<id>`: the
 * original bytes as checked (shared/preview/upload.ts), from which each share that
 * chooses the upload gets its network's copy under `media/` as compose's images do.
 * Keyed by site, so a share only ever finds its own site's uploads. They expire with
 * the bucket's other objects (BUCKET.expireDays).
 */
import {
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { readEnv, required } from '../config/env';
import { BUCKET } from '../resources';
import { createS3Client } from './media-store';

/** The prefix every upload's key starts with (and the one the editor API may write). */
export const UPLOADS_PREFIX = 'uploads/';

export const uploadKey = (siteId: string, id: string): string => `${UPLOADS_PREFIX}${siteId}/${id}`;

export type UploadedImage = { bytes: Buffer; contentType: string };

export interface UploadStore {
  putUpload(
    siteId: string,
    id: string,
    bytes: Uint8Array,
    contentType: string,
  ): Promise<{ key: string; url: string }>;
  /** The upload's bytes and type, or undefined when the site has no such upload (or it expired). */
  getUpload(siteId: string, id: string): Promise<UploadedImage | undefined>;
}

const isMissing = (error: unknown) =>
  error instanceof S3ServiceException &&
  (error.name === 'NotFound' ||
    error.name === 'NoSuchKey' ||
    error.$metadata.httpStatusCode === 404);

export function createUploadStore(options: { bucket: string; client?: S3Client }): UploadStore {
  const { bucket } = options;
  let s3 = options.client;
  const client = () => {
    s3 ??= createS3Client();
    return s3;
  };
  return {
    async putUpload(siteId, id, bytes, contentType) {
      const key = uploadKey(siteId, id);
      await client().send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentType: contentType,
          ContentLength: bytes.byteLength,
        }),
      );
      return { key, url: `s3://${bucket}/${key}` };
    },
    async getUpload(siteId, id) {
      try {
        const object = await client().send(
          new GetObjectCommand({ Bucket: bucket, Key: uploadKey(siteId, id) }),
        );
        if (!object.Body) return undefined;
        return {
          bytes: Buffer.from(await object.Body.transformToByteArray()),
          contentType: object.ContentType ?? 'application/octet-stream',
        };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
  };
}

let store: UploadStore | undefined;

/** The uploads of the bucket MEDIA_BUCKET names; missing, it fails loudly on first use. */
export function uploadStore(): UploadStore {
  store ??= createUploadStore({
    bucket: readEnv({ [BUCKET.nameEnv]: required() })[BUCKET.nameEnv],
  });
  return store;
}
