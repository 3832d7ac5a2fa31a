/**
 * Share cards as pictures: exact sizes, a headline that never runs into the foot, the
 * scripts DejaVu covers, emoji as images or gone, the logo, and no crash (and no empty
 * boxes) on scripts no bundled font covers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Brand,
  type CardContent,
  emojiFileName,
  renderShareCard,
  svgDataUrl,
} from '../../../shared/preview/card-image';

const BRAND: Brand = { background: '#111827', foreground: '#ffffff', accent: '#2563eb' };
const SAMPLE: CardContent = {
  title: '“Hands off Venezuela”: thousands march in Buenos Aires against US threats',
  section: 'Latin America',
  siteName: 'Left Voice',
  date: '2026-01-04T15:00:00Z',
  language: 'en',
};

const work = mkdtempSync(join(tmpdir(), 'crier-card-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Rgb = [number, number, number];
const hex = (colour: string): Rgb =>
  [1, 3, 5].map((i) => Number.parseInt(colour.slice(i, i + 2), 16)) as Rgb;

/** The picture's pixels, and which rows hold any pixel that is not the background. */
async function pixels(bytes: Buffer) {
  const { data, info } = await sharp(bytes)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number): Rgb => {
    const i = (y * info.width + x) * 3;
    return [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0];
  };
  const near = (a: Rgb, b: Rgb, tolerance = 24) =>
    a.every((v, i) => Math.abs(v - (b[i] ?? 0)) <= tolerance);
  /** Whether any pixel of the box [x0, x1) x [y0, y1) is close to `colour`. */
  const has = (colour: Rgb, x0: number, y0: number, x1: number, y1: number) => {
    for (let y = y0; y < y1; y++)
      for (let x = x0; x < x1; x++) if (near(at(x, y), colour)) return true;
    return false;
  };
  /** Whether every pixel of the box is the background. */
  const blank = (background: Rgb, x0: number, y0: number, x1: number, y1: number) => {
    for (let y = y0; y < y1; y++)
      for (let x = x0; x < x1; x++) if (!near(at(x, y), background, 8)) return false;
    return true;
  };
  return { info, at, has, blank, data };
}

describe('renderShareCard', () => {
  it('draws a 1200x630 landscape PNG and a 1080x1350 portrait PNG', async () => {
    for (const [size, width, height] of [
      ['landscape', 1200, 630],
      ['portrait', 1080, 1350],
    ] as const) {
      const card = await renderShareCard(SAMPLE, BRAND, size);
      const meta = await sharp(card.bytes).metadata();
      expect([card.format, card.mimeType, card.width, card.height]).toEqual([
        'png',
        'image/png',
        width,
        height,
      ]);
      expect([meta.format, meta.width, meta.height]).toEqual(['png', width, height]);
      writeFileSync(`/tmp/crier-card-${size}.png`, card.bytes);
    }
  });

  it('draws a JPEG of the same size when asked', async () => {
    const card = await renderShareCard(SAMPLE, BRAND, 'portrait', { format: 'jpeg' });
    const meta = await sharp(card.bytes).metadata();
    expect([card.mimeType, meta.format, meta.width, meta.height]).toEqual([
      'image/jpeg',
      'jpeg',
      1080,
      1350,
    ]);
  });

  it('paints the brand: background, headline in the foreground colour, accent bar and kicker', async () => {
    const card = await renderShareCard(SAMPLE, BRAND, 'landscape');
    const { at, has } = await pixels(card.bytes);
    expect(at(600, 5)).toEqual(hex(BRAND.accent));
    expect(at(20, 300)).toEqual(hex(BRAND.background));
    // The kicker, in the accent colour, above the headline in the foreground colour.
    expect(has(hex(BRAND.accent), 72, 60, 400, 100)).toBe(true);
    expect(has(hex(BRAND.foreground), 72, 120, 1128, 320)).toBe(true);
  });

  it('clamps a very long headline above the foot instead of pushing the foot off the card', async () => {
    const title = `${'A very long headline about the budget vote '.repeat(40)}END`;
    const brand: Brand = { background: '#fdf6e3', foreground: '#1f2937', accent: '#0f766e' };
    for (const [size, height] of [
      ['landscape', 630],
      ['portrait', 1350],
    ] as const) {
      const card = await renderShareCard({ ...SAMPLE, title }, brand, size);
      writeFileSync(`/tmp/crier-card-long-${size}.png`, card.bytes);
      const { at, blank, has } = await pixels(card.bytes);
      // The foot's rule: the accent, full width, in the lower part of the card.
      let rule = -1;
      for (let y = Math.floor(height / 2); y < height; y++) {
        if (
          at(90, y).join() === hex(brand.accent).join() &&
          at(900, y).join() === at(90, y).join()
        ) {
          rule = y;
          break;
        }
      }
      expect(rule, size).toBeGreaterThan(height * 0.6);
      // Clear space between the clamped headline and the rule, and the site name below it.
      expect(blank(hex(brand.background), 72, rule - 24, 1000, rule - 2), size).toBe(true);
      expect(has(hex(brand.foreground), 72, rule + 10, 400, height - 20), size).toBe(true);
    }
  });

  it('draws Cyrillic and Greek with the bundled font, not as a fallback', async () => {
    const cyrillic = {
      ...SAMPLE,
      title: 'Правительство объявило о новых мерах поддержки для регионов',
      section: 'Политика',
      siteName: 'Новая газета',
      language: 'ru',
    };
    const card = await renderShareCard(cyrillic, BRAND, 'landscape');
    writeFileSync('/tmp/crier-card-cyrillic.png', card.bytes);
    const asSiteName = await renderShareCard(
      { ...cyrillic, title: cyrillic.siteName },
      BRAND,
      'landscape',
    );
    expect(card.bytes.equals(asSiteName.bytes)).toBe(false);
    const greek = await renderShareCard(
      { ...SAMPLE, title: 'Η κυβέρνηση ανακοίνωσε νέα μέτρα', language: 'el' },
      BRAND,
      'portrait',
    );
    expect(greek.width).toBe(1080);
  });

  it('lays Arabic out right to left, and never crashes on it', async () => {
    const card = await renderShareCard(
      {
        title: 'الحكومة تعلن عن إجراءات جديدة',
        section: 'سياسة',
        siteName: 'الجريدة',
        date: '2026-03-08T10:00:00Z',
        language: 'ar',
      },
      BRAND,
      'landscape',
    );
    writeFileSync('/tmp/crier-card-arabic.png', card.bytes);
    const { has } = await pixels(card.bytes);
    const white = hex(BRAND.foreground);
    // A short right-to-left headline hugs the right margin and leaves the left one empty.
    expect(has(white, 1000, 120, 1128, 320)).toBe(true);
    expect(has(white, 72, 120, 200, 320)).toBe(false);
  });

  it('draws Chinese, Japanese and Korean headlines and dates with the Noto fonts', async () => {
    const siteOnly = await renderShareCard(
      { title: 'Nikkei', siteName: 'Nikkei', date: SAMPLE.date, language: 'en' },
      BRAND,
      'portrait',
    );
    for (const [language, title, section, one, other] of [
      ['ja', '政府は地域を支える新しい対策を発表した', '政治', '東', '京'],
      ['zh', '政府宣布支持地区的新措施', '政治', '国', '家'],
      ['ko', '정부, 지역 지원을 위한 새 대책 발표', '정치', '정', '부'],
    ] as const) {
      const card = await renderShareCard(
        { title, section, siteName: 'Nikkei', date: SAMPLE.date, language },
        BRAND,
        'portrait',
      );
      writeFileSync(`/tmp/crier-card-${language}.png`, card.bytes);
      expect(card.width, language).toBe(1080);
      expect(card.bytes.equals(siteOnly.bytes), language).toBe(false);
      const { has } = await pixels(card.bytes);
      // The headline's glyphs are drawn in the text colour, not left out.
      expect(has(hex(BRAND.foreground), 72, 160, 1008, 700), language).toBe(true);
      // Real glyphs, not the same empty box for every character.
      const [a, b] = await Promise.all(
        [one, other].map((glyph) =>
          renderShareCard({ title: glyph, siteName: 'Nikkei', language }, BRAND, 'landscape'),
        ),
      );
      expect(a?.bytes.equals(b?.bytes ?? Buffer.alloc(0)), language).toBe(false);
    }
  });

  it('leaves out a script no font covers rather than drawing empty boxes: the site name stands in', async () => {
    const thai = await renderShareCard(
      { title: 'รัฐบาลประกาศมาตรการใหม่', siteName: 'Nation', date: SAMPLE.date, language: 'en' },
      BRAND,
      'portrait',
    );
    const english = await renderShareCard(
      { title: 'Nation', siteName: 'Nation', date: SAMPLE.date, language: 'en' },
      BRAND,
      'portrait',
    );
    expect(thai.bytes.equals(english.bytes)).toBe(true);
  });

  it('keeps the words a mixed headline can show when most of it is covered', async () => {
    const card = await renderShareCard(
      { ...SAMPLE, title: 'Bangkok (กรุงเทพ) votes on a new budget for the coming year' },
      BRAND,
      'landscape',
    );
    const plain = await renderShareCard(
      { ...SAMPLE, title: 'Bangkok () votes on a new budget for the coming year' },
      BRAND,
      'landscape',
    );
    expect(card.bytes.equals(plain.bytes)).toBe(true);
  });

  it('draws emoji as images from the emoji set', async () => {
    const red = svgDataUrl(
      '<svg xmlns="http://www.w3.org/2000/svg" width="36" height="36"><rect width="36" height="36" fill="#ff0000"/></svg>',
    );
    const asked: string[] = [];
    const card = await renderShareCard(
      { ...SAMPLE, title: 'Vote 🗳️ today 👍🏽' },
      BRAND,
      'landscape',
      {
        emoji: (emoji) => {
          asked.push(emoji);
          return red;
        },
      },
    );
    writeFileSync('/tmp/crier-card-emoji.png', card.bytes);
    expect(asked).toEqual(['🗳️', '👍🏽']);
    const { has } = await pixels(card.bytes);
    expect(has([255, 0, 0], 72, 100, 1128, 400)).toBe(true);
  });

  it('drops emoji without an emoji set, as if they were never written', async () => {
    const withEmoji = await renderShareCard(
      { ...SAMPLE, title: 'Vote 🗳️ today 👨‍👩‍👧 🇫🇷 1️⃣' },
      BRAND,
      'landscape',
      { emoji: false },
    );
    const without = await renderShareCard({ ...SAMPLE, title: 'Vote today' }, BRAND, 'landscape', {
      emoji: false,
    });
    expect(withEmoji.bytes.equals(without.bytes)).toBe(true);
  });

  it('draws the logo from a data: URL or a path relative to the config folder, and skips a missing one', async () => {
    const green = '#16a34a';
    const logoSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><rect width="200" height="60" rx="8" fill="${green}"/></svg>`;
    writeFileSync(join(work, 'logo.png'), await sharp(Buffer.from(logoSvg)).png().toBuffer());
    for (const logo of [svgDataUrl(logoSvg), 'logo.png']) {
      const card = await renderShareCard(SAMPLE, { ...BRAND, logo }, 'landscape', {
        baseDir: work,
      });
      const { has } = await pixels(card.bytes);
      expect(has(hex(green), 900, 500, 1128, 610), logo.slice(0, 20)).toBe(true);
    }
    const missing = await renderShareCard(SAMPLE, { ...BRAND, logo: 'nowhere.png' }, 'landscape', {
      baseDir: work,
    });
    const none = await renderShareCard(SAMPLE, BRAND, 'landscape');
    expect(missing.bytes.equals(none.bytes)).toBe(true);
  });
});

describe('emojiFileName', () => {
  it.each([
    ['👍🏽', '1f44d-1f3fd'],
    ['❤️', '2764'],
    ['👨‍👩‍👧', '1f468-200d-1f469-200d-1f467'],
    ['🏳️‍🌈', '1f3f3-fe0f-200d-1f308'],
    ['1️⃣', '31-20e3'],
    ['🇫🇷', '1f1eb-1f1f7'],
  ])('names %s as Twemoji does: %s', (emoji, name) => {
    expect(emojiFileName(emoji)).toBe(name);
  });
});
