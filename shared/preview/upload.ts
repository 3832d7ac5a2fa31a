/**
 * An editor's uploaded image, checked before anything is stored: its bytes really are an
 * image of the type it claims, decode to the end, and have a size every network can be
 * given a copy of (shared/preview/image.ts fits each network's copy later).
 */
import sharp from 'sharp';
import { PayloadTooLargeError, ValidationError } from '../domain/errors';
import { ImageRejectedError, MAX_INPUT_PIXELS, probeImage } from './image';
import { MAX_UPLOAD_BYTES, UPLOAD_BOUNDS, UPLOAD_TYPES, type UploadType } from './upload-limits';

export { MAX_UPLOAD_BYTES, UPLOAD_BOUNDS, UPLOAD_TYPES, type UploadType } from './upload-limits';

export type CheckedUpload = {
  contentType: UploadType;
  width: number;
  height: number;
  bytes: number;
};

const invalid = (message: string, field = '(body)') =>
  new ValidationError(`Invalid upload: ${message}`, [{ field, message }]);

export const isUploadType = (type: string): type is UploadType => type in UPLOAD_TYPES;

/** The media type of a Content-Type header, lower case and without parameters. */
export const mediaTypeOf = (header: string | undefined): string =>
  (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/**
 * The upload's facts, or a ValidationError (400) naming what is wrong with it, or a
 * PayloadTooLargeError (413) over MAX_UPLOAD_BYTES.
 */
export async function checkUpload(
  bytes: Uint8Array,
  contentTypeHeader: string | undefined,
): Promise<CheckedUpload> {
  const contentType = mediaTypeOf(contentTypeHeader);
  if (!isUploadType(contentType)) {
    throw invalid(
      `content-type ${contentType || '(none)'} is not taken: send ${Object.keys(UPLOAD_TYPES).join(', ')}`,
      'content-type',
    );
  }
  if (bytes.byteLength > MAX_UPLOAD_BYTES) {
    throw new PayloadTooLargeError(
      `The image is ${bytes.byteLength} bytes, over the ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB an upload may have`,
    );
  }
  if (bytes.byteLength === 0) throw invalid('the body is empty: send the image’s bytes');

  let facts: Awaited<ReturnType<typeof probeImage>>;
  try {
    facts = await probeImage(bytes);
  } catch (error) {
    if (error instanceof ImageRejectedError) throw invalid(error.message);
    throw error;
  }
  const expected = UPLOAD_TYPES[contentType];
  if (facts.format !== expected) {
    throw invalid(`the body is a ${facts.format} image, not ${contentType}`, 'content-type');
  }
  if (facts.animated) {
    throw invalid(
      'animated images are not taken: every network is given a still copy, so the motion would be lost; upload a still image',
    );
  }
  const { minSide, maxSide, maxAspect } = UPLOAD_BOUNDS;
  const short = Math.min(facts.width, facts.height);
  const long = Math.max(facts.width, facts.height);
  if (short < minSide) {
    throw invalid(
      `the image is ${facts.width}x${facts.height}: each side must be at least ${minSide} px`,
    );
  }
  if (long > maxSide) {
    throw invalid(`the image is ${facts.width}x${facts.height}: no side may be over ${maxSide} px`);
  }
  if (long / short > maxAspect) {
    throw invalid(
      `the image is ${facts.width}x${facts.height}: no network shows a strip longer than ${maxAspect}:1 whole`,
    );
  }
  // The header can be right and the rest cut off or corrupt: decode it to the end (into
  // a thumbnail, so memory stays small).
  try {
    await sharp(bytes, { failOn: 'warning', limitInputPixels: MAX_INPUT_PIXELS })
      .resize(64, 64, { fit: 'inside' })
      .raw()
      .toBuffer();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(`the image does not decode: ${reason.slice(0, 200)}`);
  }
  return { contentType, width: facts.width, height: facts.height, bytes: bytes.byteLength };
}
