/**
 * The last step of an extracted card: unset fields dropped, values cut to what an article
 * may hold, fields in print order, and the warnings bounded.
 */
import { shorten } from './page-values';
import type { PageCard } from './types';

/**
 * The longest value kept per field: what an article takes (shared/domain/article.ts), so
 * a hostile page cannot make a card too big to store or compose. A URL past the limit is
 * dropped, not cut, since a cut URL points elsewhere.
 */
const FIELD_LIMITS = new Map<keyof PageCard, number>([
  ['canonicalUrl', 2048],
  ['title', 1000],
  ['description', 5000],
  ['image', 2048],
  ['imageAlt', 1500],
  ['siteName', 200],
  ['publishedAt', 64],
  ['author', 200],
  ['language', 35],
  ['twitterCard', 64],
]);
const URL_FIELDS: ReadonlySet<keyof PageCard> = new Set(['canonicalUrl', 'image']);
/** The card's fields in the order a reader wants them printed. */
const CARD_FIELDS = [
  'canonicalUrl',
  'title',
  'description',
  'image',
  'imageAlt',
  'imageWidth',
  'imageHeight',
  'siteName',
  'publishedAt',
  'author',
  'language',
  'twitterCard',
] as const satisfies readonly (keyof PageCard)[];
const MAX_WARNINGS = 20;
const MAX_WARNING_CHARS = 600;

/** The card without its unset fields, so what is stored and printed shows only what the page said. */
export function finished(card: PageCard): PageCard {
  const fields: Omit<Partial<PageCard>, 'url' | 'warnings'> = {};
  for (const key of CARD_FIELDS) {
    let value = card[key];
    if (value === undefined) continue;
    if (typeof value === 'string') {
      const limit = FIELD_LIMITS.get(key) ?? 2048;
      if (URL_FIELDS.has(key) && value.length > limit) continue;
      value = shorten(value, limit);
    }
    Object.assign(fields, { [key]: value });
  }
  const warnings = card.warnings
    .slice(0, MAX_WARNINGS)
    .map((w) => shorten(w, MAX_WARNING_CHARS) ?? w);
  // warnings last, so a printed card reads top-down: what the page says, then what is wrong
  return { url: card.url, ...fields, warnings };
}
