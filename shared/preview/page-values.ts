/**
 * How a page's raw strings become card values: entities decoded and whitespace folded,
 * URLs resolved against the page and compared, sizes, dates, language tags and bylines
 * as pages write them, and the first of the meta tags that says something.
 */
import { decodeHTMLStrict } from 'entities';

/** One meta tag the page gave: its key (property, name, itemprop...) lower-cased. */
export type Meta = { key: string; value: string };

/** An entity left over after the parser's own decoding: pages double-encode (`&amp;#8217;`). */
const LEFTOVER_ENTITY = /&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});/i;

/** Entities decoded (twice at most), whitespace folded, empty as undefined. */
export function cleanText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let text = value;
  for (let pass = 0; pass < 2 && LEFTOVER_ENTITY.test(text); pass++) text = decodeHTMLStrict(text);
  // Every space but the ideographic one (U+3000), which CJK titles use on purpose; a
  // zero-width space is a line-break hint, not a space.
  text = text
    .replace(/\u200b/g, '')
    .replace(/[^\S\u3000]+/g, ' ')
    .trim();
  return text || undefined;
}

/** An absolute http(s) URL for `value` read against `base`, or undefined. */
export function resolveUrl(value: string | undefined, base: string): string | undefined {
  if (!value) return undefined;
  // Whitespace inside a URL attribute is an authoring slip, and an `&amp;` a double encoding.
  const trimmed = value
    .trim()
    .replace(/[\n\r\t]/g, '')
    .replace(/&amp;/g, '&');
  if (!trimmed) return undefined;
  try {
    const url = new URL(trimmed, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Two URLs name the same page: same scheme, host, port and path (a trailing slash aside), query without UTM parameters. */
export function sameUrl(a: string, b: string): boolean {
  const key = (value: string) => {
    try {
      const url = new URL(value);
      const params = [...url.searchParams].filter(([name]) => !/^utm_/i.test(name));
      params.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
      const path = url.pathname.replace(/\/+$/, '') || '/';
      return `${url.protocol}//${url.host}${path}?${new URLSearchParams(params).toString()}`;
    } catch {
      return value;
    }
  };
  return key(a) === key(b);
}

export function firstMeta(metas: Meta[], ...keys: string[]): string | undefined {
  for (const key of keys) {
    for (const meta of metas) {
      if (meta.key === key) {
        const value = cleanText(meta.value);
        if (value) return value;
      }
    }
  }
  return undefined;
}

export function positiveInt(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const n = Number.parseInt(value.trim(), 10);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** An ISO 8601 UTC instant for a date the page gives, or undefined if it is not one. */
export function instant(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isFinite(time) ? new Date(time).toISOString() : undefined;
}

/** A BCP 47 tag from `en_US`, `en-us`, `fr`; undefined for anything else. */
export function languageTag(value: string | undefined): string | undefined {
  const tag = value?.trim().replace(/_/g, '-');
  if (!tag || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(tag)) return undefined;
  const [primary, ...rest] = tag.split('-');
  return [primary?.toLowerCase(), ...rest.map((p) => (p.length === 2 ? p.toUpperCase() : p))].join(
    '-',
  );
}

/** A name from a byline as pages write it ("By Will Smale"). */
export const byline = (value: string | undefined) => value?.replace(/^by\s+/i, '') || undefined;

export const looksLikeUrl = (value: string) => /^(https?:)?\/\//i.test(value);

export function pick(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => v !== undefined && v !== '');
}

/** At most `max` characters, cut at a word and marked with an ellipsis. */
export function shorten(text: string | undefined, max: number): string | undefined {
  if (text === undefined || text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s.,;:]+$/, '')}…`;
}
