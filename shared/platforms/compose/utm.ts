/** The shared URL: the article URL with the channel's UTM parameters. */
import { type Channel, UTM_FIELDS } from '../../domain/channel';

export type UtmVariables = Record<(typeof UTM_FIELDS)[number], string>;

const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

const UTM_PLACEHOLDER = new RegExp(`\\{(${UTM_FIELDS.join('|')})\\}`, 'g');
// Characters that would end a link early wherever the post is shown.
const UNSAFE_IN_URL = /[\s"<>]/gu;

/** Lowercase words joined by dashes: "Latin America" -> "latin-america". */
export function slugify(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/(?<=\p{sc=Latin})\p{M}+/gu, '')
      .normalize('NFC')
      .toLowerCase()
      // A mark with no letter to sit on (the variation selector of an emoji) is dropped.
      .replace(/(?<![\p{L}\p{M}\p{N}])\p{M}+/gu, '')
      .replace(/[^\p{L}\p{M}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
  );
}

function renderUtmValue(template: string, variables: UtmVariables): string {
  return template.replace(UTM_PLACEHOLDER, (_, name: keyof UtmVariables) => variables[name]).trim();
}

function parameterName(pair: string): string {
  const name = pair.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * Adds the channel's UTM parameters to `url`. The rest of the query string stays byte for
 * byte; a `utm_*` parameter the channel sets is removed from it, and the channel's
 * parameters follow it, before the fragment. A value that renders empty is left out.
 */
export function withUtm(url: string, utm: Channel['utm'], variables: UtmVariables): string {
  const safe = url.replace(UNSAFE_IN_URL, (c) => encodeURIComponent(c));
  if (!utm) return safe;
  const hashAt = safe.indexOf('#');
  const fragment = hashAt === -1 ? '' : safe.slice(hashAt);
  const beforeFragment = hashAt === -1 ? safe : safe.slice(0, hashAt);
  const queryAt = beforeFragment.indexOf('?');
  if (queryAt === -1)
    return `${beforeFragment}${joinQuery('', utmParameters(utm, variables))}${fragment}`;
  const query = beforeFragment.slice(queryAt + 1);
  const replaced = new Set(
    UTM_KEYS.filter((key) => utm[key] !== undefined).map((key) => `utm_${key}`),
  );
  const kept = query
    .split('&')
    .filter((pair) => !replaced.has(parameterName(pair)))
    .join('&');
  const joined = joinQuery(kept, utmParameters(utm, variables));
  return `${beforeFragment.slice(0, queryAt)}${joined || (query ? '' : '?')}${fragment}`;
}

function utmParameters(utm: NonNullable<Channel['utm']>, variables: UtmVariables): string {
  return UTM_KEYS.flatMap((key) => {
    const value = renderUtmValue(utm[key] ?? '', variables);
    return value ? [`utm_${key}=${encodeURIComponent(value)}`] : [];
  }).join('&');
}

/** `?kept&added`, without a doubled or dangling `&`; empty when both are. */
function joinQuery(kept: string, added: string): string {
  if (!kept || !added) return kept || added ? `?${kept}${added}` : '';
  return `?${kept}${kept.endsWith('&') ? '' : '&'}${added}`;
}
