/**
 * Share cards: the newsroom's branded image of an article (headline, section, site and
 * date, logo), drawn with satori and rasterised with resvg, for the networks that show an
 * image when the article has none, and for Instagram always.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import satori, { type Font } from 'satori';
import sharp from 'sharp';
import type { Site } from '../domain/channel';
import { EXTRA_FONT_FILES } from './card-fonts';

export { EXTRA_FONT_FILES };

export type CardSize = 'landscape' | 'portrait';

export const CARD_SIZES: Record<CardSize, { width: number; height: number }> = {
  // 1.91:1, the link-card shape of X, Bluesky, LinkedIn and Facebook.
  landscape: { width: 1200, height: 630 },
  // Instagram's tallest feed image, 4:5.
  portrait: { width: 1080, height: 1350 },
};

export type CardContent = {
  title: string;
  section?: string;
  siteName: string;
  /** ISO 8601; shown as a date in the article's language */
  date?: string;
  /** BCP 47; picks the date's wording and the right-to-left layout */
  language?: string;
};

export type Brand = Site['brand'];

export type ShareCard = {
  bytes: Buffer;
  format: 'png' | 'jpeg';
  mimeType: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
};

/**
 * The image of one emoji (an RGI emoji sequence such as "👍🏽") as a data: URL, or
 * undefined when the set has none.
 */
export type EmojiSource = (emoji: string) => string | undefined;

export type CardOptions = {
  format?: 'png' | 'jpeg';
  /** where a logo given as a relative path is found: the channels file's folder */
  baseDir?: string;
  /** emoji images; by default the installed emoji set, if any. `false` drops emoji. */
  emoji?: EmojiSource | false;
  /** the date's time zone (the newsroom's); UTC by default */
  timeZone?: string;
};

const require = createRequire(import.meta.url);

/**
 * DejaVu Sans: Latin, Greek and Cyrillic in both weights; Arabic and Hebrew in the regular
 * weight only (satori falls back to it glyph by glyph). No CJK, Thai or Indic scripts.
 */
const FONT_FILES = {
  bold: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
  regular: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
} as const;

type ExtraFontFile = (typeof EXTRA_FONT_FILES)[number];

const [NOTO_SC, NOTO_JP, NOTO_KR] = EXTRA_FONT_FILES;

/** satori's language codes for the scripts the extra fonts cover. */
const EXTRA_FONT_BY_CODE: Record<string, ExtraFontFile> = {
  'ja-JP': NOTO_JP,
  'ko-KR': NOTO_KR,
  'zh-CN': NOTO_SC,
  'zh-TW': NOTO_SC,
  'zh-HK': NOTO_SC,
};

/**
 * Packages that may hold emoji images named by code points as Twemoji names them
 * (`1f44d-1f3fd.svg`). None ships with Crier yet; without one, emoji are dropped.
 */
export const EMOJI_PACKAGES = ['@twemoji/svg'] as const;

const FAMILY = 'Card';
let baseFonts: Font[] | undefined;
const extraFonts = new Map<ExtraFontFile, Font[]>();

/** Read once per process: satori parses the fonts it is handed on every call anyway. */
function loadFonts(): Font[] {
  baseFonts ??= [
    { name: FAMILY, data: readFileSync(require.resolve(FONT_FILES.bold)), weight: 700 },
    { name: FAMILY, data: readFileSync(require.resolve(FONT_FILES.regular)), weight: 400 },
  ];
  return baseFonts;
}

/**
 * satori names the languages a run of text may be in, `|`-separated for Han characters
 * ("ja-JP|zh-CN|zh-TW|zh-HK"): the article's own language picks among them, so kanji in
 * a Japanese headline are drawn in Japanese forms.
 */
function pickLanguageCode(code: string, language: string | undefined): string {
  const codes = code.split('|');
  const primary = language?.toLowerCase().split('-')[0];
  return (
    codes.find((c) => primary && c.toLowerCase().startsWith(`${primary}-`)) ??
    codes.find((c) => c.startsWith('zh-')) ??
    codes[0] ??
    code
  );
}

/** The extra font for one of satori's language codes, or none when none covers it. */
function loadExtraFont(code: string): Font[] {
  const file = EXTRA_FONT_BY_CODE[code];
  if (!file) return [];
  let fonts = extraFonts.get(file);
  if (!fonts) {
    try {
      fonts = [
        {
          name: file.split('/')[1] ?? file,
          data: readFileSync(require.resolve(file)),
          weight: 700,
        },
      ];
    } catch {
      // Not installed (a trimmed bundle): the text is left out, as for other scripts.
      fonts = [];
    }
    extraFonts.set(file, fonts);
  }
  return fonts;
}

/** Twemoji's file name: code points in hex, FE0F dropped unless the emoji has a ZWJ. */
export function emojiFileName(emoji: string): string {
  const text = emoji.includes('\u200d') ? emoji : emoji.replace(/\ufe0f/g, '');
  return [...text].map((char) => char.codePointAt(0)?.toString(16) ?? '').join('-');
}

let installedEmoji: EmojiSource | false | undefined;

/** The first emoji set of EMOJI_PACKAGES that is installed, or false. */
export function installedEmojiSource(): EmojiSource | false {
  if (installedEmoji !== undefined) return installedEmoji;
  installedEmoji = false;
  for (const name of EMOJI_PACKAGES) {
    let root: string;
    try {
      root = dirname(require.resolve(`${name}/package.json`));
    } catch {
      continue;
    }
    const folders = [root, resolve(root, 'svg'), resolve(root, 'assets/svg')];
    installedEmoji = (emoji) => {
      const file = `${emojiFileName(emoji)}.svg`;
      for (const folder of folders) {
        try {
          return svgDataUrl(readFileSync(resolve(folder, file)));
        } catch {
          // not in this folder of the package
        }
      }
      return undefined;
    };
    break;
  }
  return installedEmoji;
}

export const svgDataUrl = (svg: Buffer | string) =>
  `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;

/** Every RGI emoji sequence (flags, skin tones, ZWJ families, keycaps). */
// biome-ignore lint/complexity/useRegexLiterals: TypeScript refuses the `v` flag in a literal below ES2024; Node 20 has it.
const emojiPattern = () => new RegExp('\\p{RGI_Emoji}', 'gv');
const graphemes = (text: string) =>
  [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);
const tidy = (text: string) => text.replace(/\s{2,}/g, ' ').trim();

const RTL_LANGUAGES = new Set(['ar', 'he', 'fa', 'ur', 'yi', 'ps', 'sd', 'ug', 'dv', 'ckb']);
const STRONG_RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/g;
const STRONG_LTR = /[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]/g;

/** From the language when given, else from which kind of letters the headline has more of. */
function isRightToLeft(title: string, language?: string): boolean {
  const primary = language?.toLowerCase().split('-')[0];
  if (primary) return RTL_LANGUAGES.has(primary);
  return (title.match(STRONG_RTL)?.length ?? 0) > (title.match(STRONG_LTR)?.length ?? 0);
}

function formatDate(iso: string | undefined, language: string | undefined, timeZone: string) {
  if (!iso) return undefined;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  try {
    return new Intl.DateTimeFormat(language ?? 'en', { dateStyle: 'long', timeZone }).format(date);
  } catch {
    // An unknown language tag or time zone: the date still shows, in English and UTC.
    return new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  }
}

type Logo = { src: string; width: number; height: number };

/** The tallest a logo is drawn; it is rasterised at twice that for a crisp edge. */
const LOGO_HEIGHT: Record<CardSize, number> = { landscape: 56, portrait: 72 };

const resvgFonts = () => ({
  loadSystemFonts: false,
  fontFiles: Object.values(FONT_FILES).map((file) => require.resolve(file)),
  defaultFontFamily: 'DejaVu Sans',
});

/**
 * The brand's logo as a PNG data: URL with its size; undefined when there is none or it
 * cannot be read, since a card without its logo beats no card. An SVG logo is rasterised
 * here, with the card's fonts: as an image inside satori's SVG its text would have none.
 */
async function loadLogo(
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
type El = { type: string; props: Record<string, unknown> };

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

type Texts = { title: string; section?: string; siteName: string; date?: string };

function layout(
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

/**
 * Renders the card. Emoji are drawn from `options.emoji` (by default the installed set)
 * or dropped. Text in a script no installed font covers (CJK, Thai... without an extra
 * font) is left out rather than drawn as empty boxes: a date falls back to English, and a
 * headline that would lose most of itself gives way to the site's name.
 */
export async function renderShareCard(
  content: CardContent,
  brand: Brand,
  size: CardSize,
  options: CardOptions = {},
): Promise<ShareCard> {
  const emoji = options.emoji ?? installedEmojiSource();
  const graphemeImages: Record<string, string> = {};
  // satori would draw an emoji with whatever glyph a font has (DejaVu has a few, in
  // black and white): every emoji is an image from the set, or gone.
  const withEmoji = (text: string) =>
    tidy(
      text.replace(emojiPattern(), (found) => {
        const image = emoji ? emoji(found) : undefined;
        if (!image) return '';
        graphemeImages[found] = image;
        return found;
      }),
    );
  const timeZone = options.timeZone ?? 'UTC';
  let texts: Texts = {
    title: withEmoji(content.title),
    section: content.section ? withEmoji(content.section) || undefined : undefined,
    siteName: withEmoji(content.siteName) || content.siteName,
    date: formatDate(content.date, content.language, timeZone),
  };
  if (!texts.title) texts.title = texts.siteName;
  const rtl = isRightToLeft(texts.title, content.language);
  const logo = await loadLogo(brand.logo, options.baseDir ?? configDir(), size);
  const { width, height } = CARD_SIZES[size];

  const draw = async (current: Texts) => {
    const missing = new Set<string>();
    const svg = await satori(layout(current, rtl, content.language, brand, size, logo), {
      width,
      height,
      fonts: loadFonts(),
      graphemeImages,
      // Called for every grapheme no font has, emoji included; a string answer becomes
      // that grapheme's image (an empty one would replace the image given above).
      loadAdditionalAsset: async (code, segment) => {
        if (code === 'emoji') {
          const image = graphemeImages[segment];
          if (image) return image;
          missing.add(segment);
          return '';
        }
        const extra = loadExtraFont(pickLanguageCode(code, content.language));
        if (extra.length) return extra;
        for (const grapheme of graphemes(segment)) missing.add(grapheme);
        return [];
      },
    });
    return { svg, missing };
  };

  let { svg, missing } = await draw(texts);
  if (missing.size) {
    texts = withoutGraphemes(texts, missing, () => formatDate(content.date, 'en', timeZone));
    ({ svg } = await draw(texts));
  }
  const png = new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    // satori has turned every text into paths: no font is needed, and none is looked up.
    font: { loadSystemFonts: false },
  })
    .render()
    .asPng();
  if (options.format === 'jpeg') {
    const jpeg = await sharp(png)
      .flatten({ background: brand.background })
      .jpeg({ quality: 90, chromaSubsampling: '4:4:4' })
      .toBuffer();
    return { bytes: jpeg, format: 'jpeg', mimeType: 'image/jpeg', width, height };
  }
  return { bytes: png, format: 'png', mimeType: 'image/png', width, height };
}

function withoutGraphemes(
  texts: Texts,
  missing: Set<string>,
  englishDate: () => string | undefined,
) {
  const strip = (text: string) =>
    tidy(
      graphemes(text)
        .filter((g) => !missing.has(g))
        .join(''),
    );
  const letters = (text: string) => graphemes(text).filter((g) => /\S/u.test(g)).length;
  const hasMissing = (text: string | undefined) =>
    !!text && graphemes(text).some((g) => missing.has(g));
  const siteName = strip(texts.siteName) || 'News';
  const title = strip(texts.title);
  return {
    // Half a headline misleads; the site's name does not.
    title: letters(title) * 2 >= letters(texts.title) ? title : siteName,
    section: texts.section ? strip(texts.section) || undefined : undefined,
    siteName,
    date: hasMissing(texts.date) ? englishDate() : texts.date,
  };
}

/** The channels file's folder, which relative logo paths are written against. */
function configDir(): string {
  const config = process.env.CRIER_CONFIG;
  return config ? dirname(resolve(config)) : process.cwd();
}
