/**
 * Language tags: an article's `language` is a well-formed BCP 47 tag (RFC 5646), checked
 * at ingest, and each network takes only the tags it accepts (rules.ts of each).
 */

// RFC 5646's `langtag`: language (with extlang), script, region, variants, extensions,
// private use. Left out: irregular grandfathered tags (`i-klingon`), private-use-only
// tags (`x-…`), and language subtags of 4 letters (reserved) or 5 to 8 (none is
// registered), so that `english` or `fran` is not taken for a tag.
export const LANGUAGE_TAG = new RegExp(
  [
    '^[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}',
    '(?:-[A-Za-z]{4})?',
    '(?:-(?:[A-Za-z]{2}|[0-9]{3}))?',
    '(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*',
    '(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*',
    '(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?$',
  ].join(''),
);

/**
 * Whether `tag` is a well-formed BCP 47 language tag (`en`, `pt-BR`, `zh-Hant-TW`), as
 * RFC 5646 writes them and as the platform's `Intl` reads them: `en-12` (a region is two
 * letters or three digits) and `en_US` are not.
 */
export function isLanguageTag(tag: string): boolean {
  if (!LANGUAGE_TAG.test(tag)) return false;
  try {
    Intl.getCanonicalLocales(tag);
    return true;
  } catch {
    return false;
  }
}

/** The language subtag of a well-formed tag, lower case (`pt-BR` -> `pt`); undefined otherwise. */
export function primaryLanguage(tag: string): string | undefined {
  return isLanguageTag(tag) ? tag.split('-')[0]?.toLowerCase() : undefined;
}
