/**
 * Share cards: the newsroom's branded image of an article (headline, section, site and
 * date, logo), drawn with satori and rasterised with resvg, for the networks that show an
 * image when the article has none, and for Instagram always.
 */
import { dirname, resolve } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import satori from 'satori';
import sharp from 'sharp';
import { EXTRA_FONT_FILES } from './card-fonts';
import {
  type EmojiSource,
  emojiPattern,
  installedEmojiSource,
  loadExtraFont,
  loadFonts,
  pickLanguageCode,
} from './card-glyphs';
import { type Brand, CARD_SIZES, type CardSize, layout, loadLogo } from './card-layout';
import {
  formatDate,
  graphemes,
  isRightToLeft,
  type Texts,
  tidy,
  withoutGraphemes,
} from './card-text';

export {
  EMOJI_PACKAGES,
  type EmojiSource,
  emojiFileName,
  installedEmojiSource,
  svgDataUrl,
} from './card-glyphs';
export { type Brand, CARD_SIZES, type CardSize } from './card-layout';
export { EXTRA_FONT_FILES };

export type CardContent = {
  title: string;
  section?: string;
  siteName: string;
  /** ISO 8601; shown as a date in the article's language */
  date?: string;
  /** BCP 47; picks the date's wording and the right-to-left layout */
  language?: string;
};

export type ShareCard = {
  bytes: Buffer;
  format: 'png' | 'jpeg';
  mimeType: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
};

export type CardOptions = {
  format?: 'png' | 'jpeg';
  /** where a logo given as a relative path is found: the channels file's folder */
  baseDir?: string;
  /** emoji images; by default the installed emoji set, if any. `false` drops emoji. */
  emoji?: EmojiSource | false;
  /** the date's time zone (the newsroom's); UTC by default */
  timeZone?: string;
};

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

/** The channels file's folder, which relative logo paths are written against. */
function configDir(): string {
  const config = process.env.CRIER_CONFIG;
  return config ? dirname(resolve(config)) : process.cwd();
}
