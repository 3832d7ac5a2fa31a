/**
 * probeImage and processFor on images made here with sharp: each network's limits (bytes,
 * dimensions, format) as docs/networks.md states them, orientation, metadata, and the files
 * that must be refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORMS, type Platform } from '../../../shared/domain/platform';
import {
  ImageRejectedError,
  MAX_INPUT_PIXELS,
  type ProcessedImage,
  probeImage,
  processFor,
  targetSize,
} from '../../../shared/preview/image';

/** The networks' own numbers, written out here so a wrong rule table cannot pass. */
const LIMITS: Record<Platform, { maxBytes: number; formats: string[] }> = {
  x: { maxBytes: 5_000_000, formats: ['jpeg', 'png'] },
  bluesky: { maxBytes: 1_000_000, formats: ['jpeg'] },
  mastodon: { maxBytes: 16_777_216, formats: ['jpeg', 'png'] },
  threads: { maxBytes: 8_000_000, formats: ['jpeg', 'png'] },
  linkedin: { maxBytes: 5_000_000, formats: ['jpeg', 'png'] },
  facebook: { maxBytes: 4_000_000, formats: ['jpeg', 'png'] },
  instagram: { maxBytes: 8 * 1024 * 1024, formats: ['jpeg'] },
  telegram: { maxBytes: 10_000_000, formats: ['jpeg', 'png'] },
};

/** A photo-like picture: smooth gradients and shapes, so JPEG sizes are realistic. */
function photo(width: number, height: number) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#2b6cb0"/><stop offset="1" stop-color="#f6ad55"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${width * 0.6}" cy="${height * 0.4}" r="${Math.min(width, height) / 4}" fill="#e53e3e"/>
  </svg>`;
  return sharp(Buffer.from(svg), { limitInputPixels: false });
}

/** Random pixels: the worst case for a JPEG encoder, so the size caps are really tested. */
function noise(width: number, height: number) {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } });
}

/** A PNG whose header claims `width` x `height` and whose data is one empty row. */
function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function pixel(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + info.channels)];
}

async function expectWithinLimits(platform: Platform, out: ProcessedImage) {
  const meta = await sharp(out.bytes).metadata();
  expect(out.bytes.byteLength, platform).toBeLessThanOrEqual(LIMITS[platform].maxBytes);
  expect(LIMITS[platform].formats, platform).toContain(meta.format);
  expect(out.mimeType).toBe(`image/${meta.format}`);
  expect([meta.width, meta.height], platform).toEqual([out.width, out.height]);
  expect(meta.exif, platform).toBeUndefined();
  expect(meta.icc, platform).toBeUndefined();
  expect(meta.space).toBe('srgb');
}

let article: Buffer;
let transparent: Buffer;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'crier-image-'));
  // A 2400x1600 JPEG as a CMS serves it, with EXIF (camera, GPS) that must not leak.
  article = await photo(2400, 1600)
    .jpeg({ quality: 92 })
    .withExif({ IFD0: { Copyright: 'Newsroom', Make: 'Camera' }, IFD3: { GPSLatitudeRef: 'N' } })
    .toBuffer();
  // A logo-like PNG: transparent background, an opaque disc.
  transparent = await sharp({
    create: { width: 1600, height: 900, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
  })
    .composite([
      {
        input: Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400"><circle cx="200" cy="200" r="200" fill="#1d4ed8"/></svg>',
        ),
        left: 600,
        top: 250,
      },
    ])
    .png()
    .toBuffer();
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('probeImage', () => {
  it('reads the real format and size of a JPEG', async () => {
    expect(await probeImage(article)).toMatchObject({
      format: 'jpeg',
      mimeType: 'image/jpeg',
      width: 2400,
      height: 1600,
      bytes: article.byteLength,
      hasAlpha: false,
      animated: false,
    });
  });

  it('says PNG for a PNG saved as photo.jpg: the bytes decide, never the name', async () => {
    const file = join(work, 'photo.jpg');
    writeFileSync(file, transparent);
    expect(await probeImage(readFileSync(file))).toMatchObject({
      format: 'png',
      mimeType: 'image/png',
      width: 1600,
      height: 900,
      hasAlpha: true,
    });
  });

  it.each([
    ['webp', (s: Sharp) => s.webp()],
    ['gif', (s: Sharp) => s.gif()],
    ['avif', (s: Sharp) => s.avif()],
  ] as const)('accepts %s', async (format, encode) => {
    const bytes = await encode(photo(640, 480)).toBuffer();
    expect(await probeImage(bytes)).toMatchObject({ format, width: 640, height: 480 });
  });

  it('gives the displayed size of an EXIF-rotated JPEG', async () => {
    const rotated = await photo(600, 400).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(await probeImage(rotated)).toMatchObject({ width: 400, height: 600 });
  });

  it.each([
    ['text', Buffer.from('<!doctype html><title>Not found</title>')],
    ['an empty file', Buffer.alloc(0)],
  ])('refuses %s as not an image', async (_label, bytes) => {
    await expect(probeImage(bytes)).rejects.toMatchObject({
      name: 'ImageRejectedError',
      reason: 'not-an-image',
    });
  });

  it('refuses SVG and TIFF, which sharp could read', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"/>');
    const tiff = await photo(800, 600).tiff().toBuffer();
    for (const bytes of [svg, tiff]) {
      await expect(probeImage(bytes)).rejects.toMatchObject({ reason: 'unsupported-format' });
    }
  });

  it('refuses an image of more pixels than the limit (72 MP)', async () => {
    const huge = await sharp({
      create: { width: 9000, height: 8000, channels: 3, background: '#808080' },
      limitInputPixels: false,
    })
      .png()
      .toBuffer();
    expect(9000 * 8000).toBeGreaterThan(MAX_INPUT_PIXELS);
    await expect(probeImage(huge)).rejects.toMatchObject({ reason: 'too-many-pixels' });
    await expect(processFor('x', huge)).rejects.toBeInstanceOf(ImageRejectedError);
  });

  it('refuses a decompression bomb from its header, without decoding it', async () => {
    const bomb = pngClaiming(100_000, 100_000);
    expect(bomb.byteLength).toBeLessThan(1_000_000);
    await expect(probeImage(bomb)).rejects.toMatchObject({ reason: 'too-many-pixels' });
    await expect(processFor('mastodon', bomb)).rejects.toMatchObject({
      reason: 'too-many-pixels',
    });
  });

  it('refuses a truncated JPEG when processing it', async () => {
    const truncated = article.subarray(0, Math.floor(article.byteLength / 3));
    await expect(processFor('bluesky', truncated)).rejects.toMatchObject({ reason: 'corrupt' });
  });
});

describe('processFor', () => {
  it.each(PLATFORMS)('fits a 2400x1600 article JPEG within %s limits', async (platform) => {
    const out = await processFor(platform, article);
    await expectWithinLimits(platform, out);
    expect(out.format).toBe('jpeg');
  });

  it('crops link-card thumbnails to their networks sizes', async () => {
    const sizes = await Promise.all(
      (['bluesky', 'linkedin', 'facebook'] as const).map(async (platform) => {
        const out = await processFor(platform, article);
        return [platform, out.width, out.height];
      }),
    );
    expect(sizes).toEqual([
      ['bluesky', 1200, 630],
      ['linkedin', 1200, 627],
      ['facebook', 1200, 630],
    ]);
  });

  it('makes Instagram a 1080x1350 (4:5) sRGB JPEG, even from a small landscape image', async () => {
    for (const input of [article, await photo(500, 400).jpeg().toBuffer()]) {
      const out = await processFor('instagram', input);
      const meta = await sharp(out.bytes).metadata();
      expect([meta.format, meta.width, meta.height, meta.space]).toEqual([
        'jpeg',
        1080,
        1350,
        'srgb',
      ]);
    }
  });

  it('never enlarges a small image for a link card, and keeps the card aspect', async () => {
    const out = await processFor('bluesky', await photo(800, 600).jpeg().toBuffer());
    expect([out.width, out.height]).toEqual([800, 420]);
  });

  it('lowers the quality stepwise until a noisy Bluesky thumbnail is under 1,000,000 bytes', async () => {
    const noisy = await noise(1200, 630).jpeg({ quality: 100 }).toBuffer();
    expect(noisy.byteLength).toBeGreaterThan(1_000_000);
    const out = await processFor('bluesky', noisy);
    expect(out.bytes.byteLength).toBeLessThanOrEqual(1_000_000);
    expect([out.width, out.height]).toEqual([1200, 630]);
  });

  it('shrinks an X image to 4096 on the long side and under 5 MB', async () => {
    const big = await noise(4800, 3200).jpeg({ quality: 95 }).toBuffer();
    const out = await processFor('x', big);
    await expectWithinLimits('x', out);
    expect(Math.max(out.width, out.height)).toBeLessThanOrEqual(4096);
  });

  it('keeps a Mastodon image under 33,177,600 pixels', async () => {
    const big = await sharp({
      create: { width: 8000, height: 6000, channels: 3, background: '#4a5568' },
      limitInputPixels: false,
    })
      .jpeg()
      .toBuffer();
    const out = await processFor('mastodon', big);
    await expectWithinLimits('mastodon', out);
    expect(out.width * out.height).toBeLessThanOrEqual(33_177_600);
    expect(out.width / out.height).toBeCloseTo(8000 / 6000, 2);
  });

  it('keeps Telegram photos at width + height <= 10,000 and a ratio <= 20', async () => {
    const strip = await photo(12_000, 500).jpeg().toBuffer();
    const out = await processFor('telegram', strip);
    await expectWithinLimits('telegram', out);
    expect(out.width + out.height).toBeLessThanOrEqual(10_000);
    expect(out.width / out.height).toBeLessThanOrEqual(20);
  });

  it('scales Threads images to at most 1440 wide and a ratio within 10:1', async () => {
    const out = await processFor('threads', await photo(3000, 200).jpeg().toBuffer());
    await expectWithinLimits('threads', out);
    expect(out.width).toBeLessThanOrEqual(1440);
    expect(out.width / out.height).toBeLessThanOrEqual(10);
  });

  it('keeps transparency as PNG where the network takes PNG, and flattens it onto white elsewhere', async () => {
    for (const platform of ['x', 'mastodon', 'threads'] as const) {
      const out = await processFor(platform, transparent);
      await expectWithinLimits(platform, out);
      expect(out.format, platform).toBe('png');
      expect((await pixel(out.bytes, 0, 0))[3], platform).toBe(0);
    }
    for (const platform of ['bluesky', 'instagram', 'telegram'] as const) {
      const out = await processFor(platform, transparent);
      await expectWithinLimits(platform, out);
      expect(out.format, platform).toBe('jpeg');
      expect(await pixel(out.bytes, 0, 0), platform).toEqual([255, 255, 255]);
    }
  });

  it('applies the EXIF orientation, then drops every metadata block', async () => {
    // Stored sideways: red on the stored left, blue on the right; orientation 6 means
    // "turn 90 degrees clockwise to show", so a reader sees red on top.
    const halves = await sharp({
      create: { width: 600, height: 400, channels: 3, background: '#ff0000' },
    })
      .composite([
        {
          input: { create: { width: 300, height: 400, channels: 3, background: '#0000ff' } },
          left: 300,
          top: 0,
        },
      ])
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const out = await processFor('mastodon', halves);
    expect([out.width, out.height]).toEqual([400, 600]);
    const meta = await sharp(out.bytes).metadata();
    expect(meta.orientation).toBeUndefined();
    expect(meta.exif).toBeUndefined();
    const [r, , b] = await pixel(out.bytes, 200, 50);
    expect(r).toBeGreaterThan(200);
    expect(b).toBeLessThan(60);
    const [r2, , b2] = await pixel(out.bytes, 200, 550);
    expect(r2).toBeLessThan(60);
    expect(b2).toBeGreaterThan(200);
  });

  it('turns CMYK, greyscale and 16-bit images into 8-bit sRGB', async () => {
    const base = () =>
      sharp({ create: { width: 800, height: 600, channels: 3, background: '#336699' } });
    const inputs = [
      await base().toColourspace('cmyk').jpeg().toBuffer(),
      await base().greyscale().jpeg().toBuffer(),
      await base().toColourspace('rgb16').png().toBuffer(),
    ];
    for (const input of inputs) {
      const out = await processFor('bluesky', input);
      const meta = await sharp(out.bytes).metadata();
      expect([meta.space, meta.channels, meta.depth]).toEqual(['srgb', 3, 'uchar']);
    }
  });

  it('drops EXIF (camera, copyright, GPS) from the article photo', async () => {
    expect((await sharp(article).metadata()).exif).toBeDefined();
    const out = await processFor('x', article);
    expect((await sharp(out.bytes).metadata()).exif).toBeUndefined();
    expect(out.bytes.includes(Buffer.from('Newsroom'))).toBe(false);
  });
});

describe('targetSize', () => {
  it('crops a strip to the allowed aspect before scaling it', () => {
    expect(
      targetSize({ kind: 'inside', maxAspect: 20, maxSum: 10_000 }, { width: 12_000, height: 500 }),
    ).toEqual({
      width: 9520,
      height: 476,
    });
  });

  it('leaves an image within every bound as it is', () => {
    expect(
      targetSize({ kind: 'inside', maxLongSide: 4096 }, { width: 2400, height: 1600 }),
    ).toEqual({
      width: 2400,
      height: 1600,
    });
  });
});
