/**
 * What a share card looks like: its sizes, the element tree satori lays out (a headline
 * sized to its length, the section, the site and date, the logo; mirrored right to left),
 * and the brand's logo made ready for it.
 */
import { readFileSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import sharp from 'sharp';
import type { Site } from '../domain/channel';
import { FAMILY, resvgFonts } from './card-glyphs';
import { graphemes, type Texts } from './card-text';

export type CardSize = 'landscape' | 'portrait';

export const CARD_SIZES: Record<CardSize, { width: number; height: number }> = {
  // 1.91:1, the link-card shape of X, Bluesky, LinkedIn and Facebook.
  landscape: { width: 1200, height: 630 },
  // Instagram's tallest feed image, 4:5.
  portrait: { width: 1080, height: 1350 },
};

export type Brand = Site['brand'];

export type Logo = { src: string; width: number; height: number };

/** The tallest a logo is drawn; it is rasterised at twice that for a crisp edge. */
const LOGO_HEIGHT: Record<CardSize, number> = { landscape: 56, portrait: 72 };

/**
 * The brand's logo as a PNG data: URL with its size; undefined when there is none or it
 * cannot be read, since a card without its logo beats no card. An SVG logo is rasterised
 * here, with the card's fonts: as an image inside satori's SVG its text would have none.
 */
export async function loadLogo(
  logo: string | undefined,
  baseDir: string,
  size: CardSize,
): Promise<Logo | undefined> {
  if (!logo) return undefined;
  try {
    let bytes: Buffer;
    let svg: boolean;
    const dataUrl = /^data:image\/(png|svg\+xml|jpeg);base64,(.+)$/s.exec(logo);
    if (dataUrl?.[1] && dataUrl[2]) {
      svg = dataUrl[1] === 'svg+xml';
      bytes = Buffer.from(dataUrl[2], 'base64');
    } else if (logo.startsWith('data:')) {
      return undefined;
    } else {
      const file = isAbsolute(logo) ? logo : resolve(baseDir, logo);
      bytes = readFileSync(file);
      svg = extname(file).toLowerCase() === '.svg';
    }
    const png = svg
      ? new Resvg(bytes, {
          fitTo: { mode: 'height', value: LOGO_HEIGHT[size] * 2 },
          font: resvgFonts(),
        })
          .render()
          .asPng()
      : bytes;
    const { width, height } = await sharp(png, { limitInputPixels: 25_000_000 }).metadata();
    if (!width || !height) return undefined;
    return { src: `data:image/png;base64,${png.toString('base64')}`, width, height };
  } catch {
    return undefined;
  }
}

/** The element tree satori takes: React's shape, without React. */
export type El = { type: string; props: Record<string, unknown> };

const el = (type: string, style: Record<string, unknown>, children?: unknown, extra = {}): El => ({
  type,
  props: { style, children, ...extra },
});

/** Fewer, bigger lines for a short headline; more, smaller ones for a long one. */
function headlineSize(title: string, size: CardSize): { fontSize: number; lines: number } {
  const length = graphemes(title).length;
  if (size === 'landscape') {
    if (length <= 45) return { fontSize: 72, lines: 3 };
    if (length <= 90) return { fontSize: 60, lines: 4 };
    return { fontSize: 52, lines: 4 };
  }
  if (length <= 60) return { fontSize: 92, lines: 6 };
  if (length <= 120) return { fontSize: 76, lines: 8 };
  return { fontSize: 64, lines: 9 };
}

export function layout(
  texts: Texts,
  rtl: boolean,
  language: string | undefined,
  brand: Brand,
  size: CardSize,
  logo: Logo | undefined,
): El {
  const { width, height } = CARD_SIZES[size];
  const landscape = size === 'landscape';
  const pad = landscape ? 72 : 80;
  const { fontSize, lines } = headlineSize(texts.title, size);
  const logoHeight = LOGO_HEIGHT[size];
  const logoWidth = logo ? Math.min(320, Math.round((logo.width / logo.height) * logoHeight)) : 0;

  // With `direction: rtl` on the card, rows and lines start at the right by themselves.
  const kicker = texts.section
    ? el(
        'div',
        {
          display: 'flex',
          color: brand.accent,
          fontSize: landscape ? 26 : 32,
          fontWeight: 700,
          // Spacing would break the joins of a cursive script.
          letterSpacing: rtl ? 0 : 3,
          textTransform: 'uppercase',
          marginBottom: landscape ? 20 : 36,
        },
        texts.section,
      )
    : undefined;

  const headline = el(
    'div',
    {
      display: 'block',
      width: width - 2 * pad,
      fontSize,
      fontWeight: 700,
      lineHeight: 1.15,
      lineClamp: lines,
      textOverflow: 'ellipsis',
      overflow: 'hidden',
      textAlign: 'start',
    },
    texts.title,
  );

  const byline = el('div', { display: 'flex', flexDirection: 'column' }, [
    el('div', { display: 'flex', fontSize: landscape ? 30 : 36, fontWeight: 700 }, texts.siteName),
    ...(texts.date
      ? [
          el(
            'div',
            {
              display: 'flex',
              fontSize: landscape ? 24 : 30,
              fontWeight: 400,
              opacity: 0.8,
              marginTop: 6,
            },
            texts.date,
          ),
        ]
      : []),
  ]);

  const foot = el(
    'div',
    {
      display: 'flex',
      flexDirection: 'row',
      alignItems: 'center',
      justifyContent: 'space-between',
      borderTop: `2px solid ${brand.accent}`,
      paddingTop: landscape ? 22 : 32,
      marginTop: 24,
    },
    [
      byline,
      ...(logo
        ? [
            el('img', { width: logoWidth, height: logoHeight, objectFit: 'contain' }, undefined, {
              src: logo.src,
              width: logoWidth,
              height: logoHeight,
            }),
          ]
        : []),
    ],
  );

  const story = el(
    'div',
    {
      display: 'flex',
      flexDirection: 'column',
      flexGrow: 1,
      // A portrait card has room to spare: the story sits in its middle, not at the top.
      justifyContent: landscape ? 'flex-start' : 'center',
    },
    [kicker, headline].filter(Boolean),
  );

  return el(
    'div',
    {
      display: 'flex',
      flexDirection: 'column',
      width,
      height,
      backgroundColor: brand.background,
      color: brand.foreground,
      fontFamily: FAMILY,
      direction: rtl ? 'rtl' : 'ltr',
    },
    [
      el('div', { display: 'flex', height: 14, width, backgroundColor: brand.accent }),
      el(
        'div',
        {
          display: 'flex',
          flexDirection: 'column',
          flexGrow: 1,
          padding: `${landscape ? 52 : 72}px ${pad}px ${landscape ? 44 : 64}px`,
        },
        [story, foot],
      ),
    ],
    language ? { lang: language } : {},
  );
}
