/**
 * An editor's upload checked before anything is stored (shared/preview/upload.ts): real
 * small PNG, JPEG, WebP and GIF files made by sharp pass with their facts; a file that is
 * not an image, one of another type than it claims, one cut short, an animated one, one
 * too small or too long, and one over 4 MiB are refused, each naming why.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError, ValidationError } from '../../../shared/domain/errors';
import { checkUpload, MAX_UPLOAD_BYTES } from '../../../shared/preview/upload';

const solid = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#2f4858' } });

async function refusal(work: Promise<unknown>): Promise<ValidationError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('checkUpload', () => {
  it('takes a real PNG, JPEG, WebP and GIF with their size and type', async () => {
    const files = {
      'image/png': await solid(640, 480).png().toBuffer(),
      'image/jpeg': await solid(1200, 800).jpeg().toBuffer(),
      'image/webp': await solid(500, 500).webp().toBuffer(),
      'image/gif': await solid(300, 400).gif().toBuffer(),
    };
    for (const [type, bytes] of Object.entries(files)) {
      const facts = await checkUpload(bytes, `${type}; charset=binary`);
      expect(facts.contentType, type).toBe(type);
      expect(facts.bytes).toBe(bytes.byteLength);
    }
    expect(await checkUpload(files['image/jpeg'], 'image/jpeg')).toMatchObject({
      width: 1200,
      height: 800,
    });
  });

  it('refuses bytes that are no image at all, naming the body', async () => {
    const fake = Buffer.from('GIF89a but really a text file pretending to be an image');
    const error = await refusal(checkUpload(fake, 'image/gif'));
    expect(error.issues[0]?.field).toBe('(body)');
    expect(error.message).toMatch(/not an image|could not be decoded/);
  });

  it('refuses an image of another type than its content-type says', async () => {
    const png = await solid(400, 400).png().toBuffer();
    const error = await refusal(checkUpload(png, 'image/jpeg'));
    expect(error.issues).toEqual([
      { field: 'content-type', message: 'the body is a png image, not image/jpeg' },
    ]);
  });

  it('refuses a type it does not take, and no content-type at all', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400"/>');
    expect((await refusal(checkUpload(svg, 'image/svg+xml'))).issues[0]?.field).toBe(
      'content-type',
    );
    expect((await refusal(checkUpload(svg, undefined))).issues[0]?.message).toContain('(none)');
  });

  it('refuses a JPEG cut short, whose header alone looks right', async () => {
    const jpeg = await solid(800, 600).jpeg().toBuffer();
    const error = await refusal(checkUpload(jpeg.subarray(0, jpeg.byteLength / 2), 'image/jpeg'));
    expect(error.message).toContain('does not decode');
  });

  it('refuses an animated GIF: every network gets a still copy', async () => {
    const frames = await Promise.all(
      ['#ff0000', '#00ff00', '#0000ff'].map((background) =>
        sharp({ create: { width: 300, height: 300, channels: 4, background } })
          .png()
          .toBuffer(),
      ),
    );
    const three = await sharp(frames, { join: { animated: true } })
      .gif()
      .toBuffer();
    expect((await sharp(three).metadata()).pages).toBe(3);
    const error = await refusal(checkUpload(three, 'image/gif'));
    expect(error.message).toContain('animated images are not taken');
  });

  it('refuses a thumbnail and a strip longer than 10:1, saying the size', async () => {
    const tiny = await solid(150, 150).png().toBuffer();
    expect((await refusal(checkUpload(tiny, 'image/png'))).message).toContain('150x150');
    const strip = await solid(4400, 400).png().toBuffer();
    expect((await refusal(checkUpload(strip, 'image/png'))).message).toContain('10:1');
  });

  it('answers 413 for an image over 4 MiB, before decoding it', async () => {
    const big = Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0xff);
    const error = await checkUpload(big, 'image/jpeg').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect((error as Error).message).toContain(`${MAX_UPLOAD_BYTES + 1} bytes`);
  });
});
