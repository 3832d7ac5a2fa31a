/**
 * Images for the networks: what an untrusted file really is (probeImage), and a copy of
 * it fitted to one network's limits (processFor). Everything is decided from the decoded
 * header, never from a file name or a Content-Type.
 */
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import type { Platform } from '../domain/platform';

/** The formats Crier takes in; anything else (SVG, TIFF, HEIC, PDF...) is refused. */
export const ACCEPTED_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'avif'] as const;
export type ImageFormat = (typeof ACCEPTED_FORMATS)[number];

const MIME_TYPES: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
};

/**
 * Pixels a file may declare before it is decoded at all: 64 MP covers every camera and
 * phone photo a newsroom publishes (48 MP sensors included), while a "decompression bomb"
 * (a tiny file claiming 50,000 x 50,000) is refused from its header, before it can take a
 * function's memory: one 64 MP RGBA frame is already 256 MB.
 */
export const MAX_INPUT_PIXELS = 64_000_000;

/** Below this an article image makes a poor card anywhere: the share card is used instead. */
export const MIN_USABLE = { width: 400, height: 200 } as const;

/** What an image really is, read from its bytes. */
export type ImageFacts = {
  format: ImageFormat;
  mimeType: string;
  /** as displayed: after the EXIF orientation is applied */
  width: number;
  height: number;
  bytes: number;
  hasAlpha: boolean;
  /** more than one frame (animated GIF or WebP); only the first is used */
  animated: boolean;
};

/** The copy made for one network. */
export type ProcessedImage = {
  bytes: Buffer;
  format: 'jpeg' | 'png';
  mimeType: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
};

export class ImageRejectedError extends Error {
  override name = 'ImageRejectedError';
  constructor(
    message: string,
    readonly reason:
      | 'not-an-image'
      | 'unsupported-format'
      | 'too-many-pixels'
      | 'corrupt'
      | 'too-large',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * How an image is fitted for a network.
 * - `cover`: cropped (the interesting part kept, by sharp's attention strategy) to exactly
 *   this size; link-card thumbnails and Instagram's portrait.
 * - `inside`: the whole picture, shrunk (never enlarged) until every bound holds.
 */
export type ImageFit =
  | { kind: 'cover'; width: number; height: number; enlarge: boolean }
  | {
      kind: 'inside';
      maxLongSide?: number;
      maxWidth?: number;
      maxPixels?: number;
      /** width + height (Telegram) */
      maxSum?: number;
      /** long side / short side; a longer strip is cropped to it */
      maxAspect?: number;
    };

export type ImageRule = {
  /** bytes of the file the network accepts, with a margin where the network is vague */
  maxBytes: number;
  fit: ImageFit;
  /** `png` only where transparency is worth keeping and the network takes PNG */
  output: 'jpeg' | 'jpeg-or-png';
  /** the first JPEG quality tried; lower ones follow until the file fits */
  quality: number;
};

/**
 * Each network's limits (docs/networks.md, "Limits" of each network). Where the network says
 * "5 MB", decimal megabytes are used: the smaller reading of the number.
 */
export const IMAGE_RULES: Record<Platform, ImageRule> = {
  // Image <= 5 MB; JPEG, PNG, GIF, WEBP; X itself serves at most 4096 px.
  x: {
    maxBytes: 5_000_000,
    fit: { kind: 'inside', maxLongSide: 4096 },
    output: 'jpeg-or-png',
    quality: 85,
  },
  // The link card's thumb: <= 1,000,000 bytes, shown at about 1.91:1.
  bluesky: {
    maxBytes: 1_000_000,
    fit: { kind: 'cover', width: 1200, height: 630, enlarge: false },
    output: 'jpeg',
    quality: 85,
  },
  // image_size_limit 16,777,216 and image_matrix_limit 33,177,600 (the instance's defaults).
  mastodon: {
    maxBytes: 16_777_216,
    fit: { kind: 'inside', maxPixels: 33_177_600 },
    output: 'jpeg-or-png',
    quality: 85,
  },
  // JPEG or PNG <= 8 MB, width 320-1440 (wider is scaled), aspect within 10:1.
  threads: {
    maxBytes: 8_000_000,
    fit: { kind: 'inside', maxWidth: 1440, maxAspect: 10 },
    output: 'jpeg-or-png',
    quality: 85,
  },
  // The article share's thumbnail, 1.91:1 as LinkedIn draws it; under 36 MP.
  linkedin: {
    maxBytes: 5_000_000,
    fit: { kind: 'cover', width: 1200, height: 627, enlarge: false },
    output: 'jpeg',
    quality: 85,
  },
  // A photo post by URL: formats and sizes unconfirmed, JPEG under 4 MB works.
  facebook: {
    maxBytes: 4_000_000,
    fit: { kind: 'cover', width: 1200, height: 630, enlarge: false },
    output: 'jpeg',
    quality: 85,
  },
  // JPEG, 4:5 portrait, the tallest Instagram shows whole; < 8 MiB.
  instagram: {
    maxBytes: 8_000_000,
    fit: { kind: 'cover', width: 1080, height: 1350, enlarge: true },
    output: 'jpeg',
    quality: 85,
  },
  // sendPhoto: <= 10 MB, width + height <= 10,000, ratio <= 20.
  telegram: {
    maxBytes: 10_000_000,
    fit: { kind: 'inside', maxSum: 10_000, maxAspect: 20 },
    output: 'jpeg',
    quality: 85,
  },
};

/** Untrusted input: pixel-count limit, and abort on corrupt data rather than guess. */
const INPUT_OPTIONS: SharpOptions = {
  limitInputPixels: MAX_INPUT_PIXELS,
  failOn: 'error',
};

/** JPEG qualities tried after the rule's own, each while the file is still too big. */
const FALLBACK_QUALITIES = [78, 70, 62, 55, 48, 40];
/** Then the picture shrinks by this much and the qualities run again. */
const SHRINK_STEP = 0.8;
const MAX_SHRINKS = 6;

function rejectionOf(error: unknown): ImageRejectedError {
  if (error instanceof ImageRejectedError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) {
    return new ImageRejectedError(
      `the image has more than ${MAX_INPUT_PIXELS} pixels`,
      'too-many-pixels',
      { cause: error },
    );
  }
  if (/unsupported image format/i.test(message)) {
    return new ImageRejectedError('not an image', 'not-an-image', { cause: error });
  }
  return new ImageRejectedError(`the image could not be decoded: ${message}`, 'corrupt', {
    cause: error,
  });
}

function acceptedFormat(format: string, compression: string | undefined): ImageFormat | undefined {
  // libheif reports AVIF as `heif` with AV1 compression; HEIC (HEVC) is refused.
  if (format === 'heif') return compression === 'av1' ? 'avif' : undefined;
  return ACCEPTED_FORMATS.find((accepted) => accepted === format);
}

/** The real format and displayed size of `bytes`, or an ImageRejectedError saying why not. */
export async function probeImage(bytes: Uint8Array): Promise<ImageFacts> {
  if (bytes.byteLength === 0) throw new ImageRejectedError('the file is empty', 'not-an-image');
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, INPUT_OPTIONS).metadata();
  } catch (error) {
    throw rejectionOf(error);
  }
  const format = acceptedFormat(metadata.format, metadata.compression);
  if (!format) {
    throw new ImageRejectedError(
      `${metadata.format} images are not accepted (only ${ACCEPTED_FORMATS.join(', ')})`,
      'unsupported-format',
    );
  }
  // The frame's own height: an animated file reports all frames stacked.
  const frameHeight = metadata.pageHeight ?? metadata.height;
  if (metadata.width * frameHeight > MAX_INPUT_PIXELS) {
    throw new ImageRejectedError(
      `the image has more than ${MAX_INPUT_PIXELS} pixels`,
      'too-many-pixels',
    );
  }
  const rotated = (metadata.orientation ?? 1) >= 5;
  return {
    format,
    mimeType: MIME_TYPES[format],
    width: rotated ? frameHeight : metadata.width,
    height: rotated ? metadata.width : frameHeight,
    bytes: bytes.byteLength,
    hasAlpha: metadata.hasAlpha,
    animated: (metadata.pages ?? 1) > 1,
  };
}

/** Whether the image is big enough to stand for the article on a network. */
export function isUsable(facts: Pick<ImageFacts, 'width' | 'height'>): boolean {
  return facts.width >= MIN_USABLE.width && facts.height >= MIN_USABLE.height;
}

type Size = { width: number; height: number };

/**
 * The size the picture is resized to (cropped to it when the aspect changes): the exact
 * cover size, or the largest size within every `inside` bound.
 */
export function targetSize(fit: ImageFit, source: Size): Size {
  if (fit.kind === 'cover') {
    const scale = fit.enlarge
      ? 1
      : Math.min(1, source.width / fit.width, source.height / fit.height);
    return {
      width: Math.max(1, Math.floor(fit.width * scale)),
      height: Math.max(1, Math.floor(fit.height * scale)),
    };
  }
  let { width, height } = source;
  // A strip longer than the network allows is cropped to the allowed aspect first.
  if (fit.maxAspect) {
    if (width / height > fit.maxAspect) width = Math.floor(height * fit.maxAspect);
    else if (height / width > fit.maxAspect) height = Math.floor(width * fit.maxAspect);
  }
  let scale = 1;
  const longSide = Math.max(width, height);
  if (fit.maxLongSide) scale = Math.min(scale, fit.maxLongSide / longSide);
  if (fit.maxWidth) scale = Math.min(scale, fit.maxWidth / width);
  if (fit.maxPixels) scale = Math.min(scale, Math.sqrt(fit.maxPixels / (width * height)));
  if (fit.maxSum) scale = Math.min(scale, fit.maxSum / (width + height));
  const scaled = {
    width: Math.max(1, Math.floor(width * scale)),
    height: Math.max(1, Math.floor(height * scale)),
  };
  // Rounding the short side down can tip the aspect just past the limit: trim the long one.
  if (fit.maxAspect) {
    const { maxAspect } = fit;
    if (scaled.width / scaled.height > maxAspect)
      scaled.width = Math.floor(scaled.height * maxAspect);
    if (scaled.height / scaled.width > maxAspect)
      scaled.height = Math.floor(scaled.width * maxAspect);
  }
  return scaled;
}

type Raw = { data: Buffer; width: number; height: number; channels: 3 | 4 };

/** Decodes once: oriented, cropped or resized, sRGB, 8 bits; alpha kept only if asked. */
async function decodeFitted(bytes: Uint8Array, size: Size, keepAlpha: boolean): Promise<Raw> {
  let pipeline: Sharp = sharp(bytes, INPUT_OPTIONS)
    .autoOrient()
    // `cover` both crops to a new aspect and resizes; for an `inside` target of the
    // same aspect it is a plain resize. Attention keeps faces and detail in the frame.
    .resize(size.width, size.height, { fit: 'cover', position: sharp.strategy.attention })
    .toColourspace('srgb');
  pipeline = keepAlpha ? pipeline.ensureAlpha() : pipeline.flatten({ background: '#ffffff' });
  const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({
    resolveWithObject: true,
  });
  const { channels } = info;
  // sRGB with or without alpha, whatever came in (grey, CMYK, 16 bits...).
  if (channels !== 3 && channels !== 4) throw new Error(`decoded to ${channels} channels`);
  return { data, width: info.width, height: info.height, channels };
}

const fromRaw = (raw: Raw): Sharp =>
  sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });

async function shrink(raw: Raw, factor: number): Promise<Raw> {
  const width = Math.max(1, Math.floor(raw.width * factor));
  const height = Math.max(1, Math.floor(raw.height * factor));
  const data = await fromRaw(raw).resize(width, height, { fit: 'fill' }).raw().toBuffer();
  return { ...raw, data, width, height };
}

async function dropAlpha(raw: Raw): Promise<Raw> {
  if (raw.channels === 3) return raw;
  const data = await fromRaw(raw).flatten({ background: '#ffffff' }).raw().toBuffer();
  return { ...raw, data, channels: 3 };
}

const jpeg = (raw: Raw, quality: number) =>
  fromRaw(raw)
    .jpeg({ quality, progressive: true, chromaSubsampling: '4:2:0', mozjpeg: false })
    .toBuffer();

/** PNG, lossless first, then quantised to a palette (still transparent). */
async function pngUnder(raw: Raw, maxBytes: number): Promise<Buffer | undefined> {
  const lossless = await fromRaw(raw)
    .png({ compressionLevel: 9, adaptiveFiltering: true })
    .toBuffer();
  if (lossless.byteLength <= maxBytes) return lossless;
  const palette = await fromRaw(raw)
    .png({ compressionLevel: 9, palette: true, quality: 90 })
    .toBuffer();
  return palette.byteLength <= maxBytes ? palette : undefined;
}

/**
 * The image fitted to the network's rule: oriented by its EXIF tag, then stripped of
 * every metadata block (EXIF with its GPS position, XMP, IPTC, ICC) and converted to
 * sRGB, resized or cropped, and encoded at the highest quality that fits `maxBytes`.
 */
export async function processFor(platform: Platform, bytes: Uint8Array): Promise<ProcessedImage> {
  return processWith(IMAGE_RULES[platform], bytes, platform);
}

export async function processWith(
  rule: ImageRule,
  bytes: Uint8Array,
  label = 'this network',
): Promise<ProcessedImage> {
  const facts = await probeImage(bytes);
  try {
    return await encodeUnder(rule, bytes, facts, label);
  } catch (error) {
    throw rejectionOf(error);
  }
}

async function encodeUnder(
  rule: ImageRule,
  bytes: Uint8Array,
  facts: ImageFacts,
  label: string,
): Promise<ProcessedImage> {
  const wantsPng = rule.output === 'jpeg-or-png' && facts.hasAlpha;
  let raw = await decodeFitted(bytes, targetSize(rule.fit, facts), wantsPng);
  const qualities = [rule.quality, ...FALLBACK_QUALITIES.filter((q) => q < rule.quality)];
  for (let shrinks = 0; shrinks <= MAX_SHRINKS; shrinks++) {
    if (raw.channels === 4) {
      const png = await pngUnder(raw, rule.maxBytes);
      if (png) return { bytes: png, format: 'png', mimeType: 'image/png', ...dims(raw) };
    }
    const opaque = await dropAlpha(raw);
    for (const quality of qualities) {
      const encoded = await jpeg(opaque, quality);
      if (encoded.byteLength <= rule.maxBytes) {
        return { bytes: encoded, format: 'jpeg', mimeType: 'image/jpeg', ...dims(opaque) };
      }
    }
    // Only when the lowest quality is still too big: a smaller picture beats none.
    raw = await shrink(raw, SHRINK_STEP);
  }
  throw new ImageRejectedError(
    `the image cannot be made smaller than ${rule.maxBytes} bytes for ${label}`,
    'too-large',
  );
}

const dims = (raw: Raw): Size => ({ width: raw.width, height: raw.height });
