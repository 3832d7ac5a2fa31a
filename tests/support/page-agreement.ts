/**
 * The real fixture pages (tests/fixtures/pages/*) and how a card is compared with what their
 * source suites expect: shared by the extractor's agreement test and the extraction benchmark.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { decodeHTMLStrict } from 'entities';
import * as z from 'zod';

export const PAGES_DIR = new URL('../fixtures/pages/', import.meta.url);

export const FIELDS = ['title', 'description', 'image', 'url'] as const;
export type Field = (typeof FIELDS)[number];
export type CardFields = Partial<Record<Field, string>>;

const expectedSchema = z.object({
  url: z.string(),
  /** the suite and file the expectations come from, e.g. `metascraper test/integration/bbc` */
  source: z.string(),
  expected: z.record(z.string(), z.string().nullish()),
  /** fields the source suite asserts with a meaning other than a preview's, and why */
  notCompared: z.partialRecord(z.enum(FIELDS), z.string()).optional(),
});

export type FixturePage = z.infer<typeof expectedSchema> & {
  name: string;
  html: Buffer;
  /** the suite: the first word of `source` */
  suite: string;
};

export function readFixturePages(): FixturePage[] {
  return readdirSync(PAGES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const dir = new URL(`${name}/`, PAGES_DIR);
      const expected = expectedSchema.parse(
        JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')),
      );
      return {
        ...expected,
        name,
        html: readFileSync(new URL('input.html', dir)),
        suite: expected.source.split(' ')[0] ?? expected.source,
      };
    });
}

/** Whitespace and entities: what the comparison always ignores. */
const plain = (value: string) =>
  decodeHTMLStrict(decodeHTMLStrict(value)).replace(/\s+/g, ' ').trim();

/**
 * Also typography: a reference extractor may rewrite straight quotes as curly ones, "..."
 * as "…" or a hyphen as a dash, while Crier keeps the page's own characters; neither is
 * wrong, so they count as equal.
 */
const typographic = (value: string) =>
  plain(value)
    .replace(/[‘’‚‛′]/g, "'")
    .replace(/[“”„‟″]/g, '"')
    .replace(/…/g, '...')
    .replace(/[‐‑‒–—―]/g, '-');

/** A URL as resolved and absolute; a trailing slash or a default port does not matter. */
function urlKey(value: string, decodePercent: boolean): string {
  try {
    const url = new URL(value);
    const path = url.pathname.replace(/\/+$/, '');
    const rest = `${path}${url.search}${url.hash}`;
    let decoded = rest;
    if (decodePercent) {
      // Metascraper normalizes %28 to ( and %253A to %3A; the page said it the other way.
      for (let i = 0; i < 2; i++) {
        try {
          decoded = decodeURIComponent(decoded);
        } catch {
          break;
        }
      }
    }
    return `${url.protocol}//${url.host}${decoded}`;
  } catch {
    return value;
  }
}

/** Letters and digits only, lower-cased: how a site's name is recognized in a title. */
const letters = (value: string) => value.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/** The parts of a page's host that can name its site (`sect.iij.ad.jp`: sect, iij). */
export const hostNames = (url: string) =>
  new URL(url).hostname
    .split('.')
    .slice(0, -1)
    .filter((label) => label.length >= 3 && label !== 'www');

/** What may stand between a headline and the site's name: " | ", " - ", " -- ", "：", ":", "_". */
const SEPARATOR = String.raw`(?:\s+(?:[|·»]|-+)\s+|\s*[｜：]\s*|\s*:\s*|_)`;
const AFTER = new RegExp(`^${SEPARATOR}`, 'u');
const BEFORE = new RegExp(`${SEPARATOR}$`, 'u');

/**
 * Whether `long` is `short` with the site's name the page adds to its title, after it
 * (" | CNN Politics", "：朝日新聞デジタル", " - Pastebin.com") or before it ("TechCrunch | "):
 * the other suites expect the headline alone, metascraper's the title as the page writes
 * it, and Crier keeps what the page writes. The added part must name the site: contain its
 * declared name or a label of its host.
 */
function withSiteName(long: string, short: string, names: string[]): boolean {
  if (!short || long === short) return false;
  let added: string | undefined;
  if (long.startsWith(short) && AFTER.test(long.slice(short.length))) {
    added = long.slice(short.length);
  } else if (long.endsWith(short) && BEFORE.test(long.slice(0, -short.length))) {
    added = long.slice(0, -short.length);
  }
  if (added === undefined) return false;
  const key = letters(added);
  return names
    .map(letters)
    .some((name) => name.length >= 3 && (key.includes(name) || name.includes(key)));
}

/**
 * Whether a card's field agrees with what the suite expects. Strict: equal once whitespace
 * and entities are normalized (URLs: resolved, a trailing slash aside). Lenient: also equal
 * once typography, URL percent-encoding and a site name added to a title are.
 */
export function agrees(
  field: Field,
  got: string | undefined,
  want: string,
  lenient: boolean,
  siteNames: string[] = [],
): boolean {
  if (got === undefined) return false;
  if (field === 'url' || field === 'image') return urlKey(got, lenient) === urlKey(want, lenient);
  if (!lenient) return plain(got) === plain(want);
  const [a, b] = [typographic(got), typographic(want)];
  if (a === b) return true;
  return field === 'title' && (withSiteName(a, b, siteNames) || withSiteName(b, a, siteNames));
}
