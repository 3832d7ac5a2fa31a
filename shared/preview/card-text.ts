/**
 * The card's words as they are drawn: graphemes counted and spaces tidied, the direction
 * a headline reads in, the date in the article's language, and what is left when some
 * graphemes have no font.
 */

export type Texts = { title: string; section?: string; siteName: string; date?: string };

export const graphemes = (text: string) =>
  [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);
export const tidy = (text: string) => text.replace(/\s{2,}/g, ' ').trim();

const RTL_LANGUAGES = new Set(['ar', 'he', 'fa', 'ur', 'yi', 'ps', 'sd', 'ug', 'dv', 'ckb']);
const STRONG_RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/g;
const STRONG_LTR = /[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]/g;

/** From the language when given, else from which kind of letters the headline has more of. */
export function isRightToLeft(title: string, language?: string): boolean {
  const primary = language?.toLowerCase().split('-')[0];
  if (primary) return RTL_LANGUAGES.has(primary);
  return (title.match(STRONG_RTL)?.length ?? 0) > (title.match(STRONG_LTR)?.length ?? 0);
}

export function formatDate(
  iso: string | undefined,
  language: string | undefined,
  timeZone: string,
) {
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

/** The texts without the graphemes no font could draw; the date in English if it lost any. */
export function withoutGraphemes(
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
