/**
 * Where a share card's glyphs come from: DejaVu Sans for the scripts it covers, an extra
 * Noto font per CJK language when installed, and emoji as images from an installed emoji
 * set (Twemoji's file names), or none.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { Font } from 'satori';
import { EXTRA_FONT_FILES } from './card-fonts';

/**
 * The image of one emoji (an RGI emoji sequence such as "👍🏽") as a data: URL, or
 * undefined when the set has none.
 */
export type EmojiSource = (emoji: string) => string | undefined;

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

export const FAMILY = 'Card';
let baseFonts: Font[] | undefined;
const extraFonts = new Map<ExtraFontFile, Font[]>();

/** Read once per process: satori parses the fonts it is handed on every call anyway. */
export function loadFonts(): Font[] {
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
export function pickLanguageCode(code: string, language: string | undefined): string {
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
export function loadExtraFont(code: string): Font[] {
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
export const emojiPattern = () => new RegExp('\\p{RGI_Emoji}', 'gv');

export const resvgFonts = () => ({
  loadSystemFonts: false,
  fontFiles: Object.values(FONT_FILES).map((file) => require.resolve(file)),
  defaultFontFamily: 'DejaVu Sans',
});
