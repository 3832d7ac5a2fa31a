/**
 * Links as the Bluesky app writes them: the post's text shows a short label (the host
 * and the start of the path, cut with `...`), and a link facet on the label's bytes
 * carries the full URL, UTM parameters and all. The label costs a few graphemes of the
 * 300 where the full URL would cost a third of them (docs/networks.md, Bluesky).
 */
import { findLinks, type Link } from '../compose/tokens';

/** The app shows this much of the path (with the query and fragment) before it cuts. */
const PATH_SHOWN = 13;
/** A path of up to this many characters is shown whole. */
const PATH_WHOLE = 15;

/**
 * The Bluesky app's label for a link (its `toShortUrl`): the URL's host as the URL
 * parser gives it (lower case, an IDN in its `xn--` form, a port kept, `www.` kept),
 * then the path, query and fragment (no path when it is only `/`), cut to its first 13
 * characters and `...` when longer than 15. Anything that is not an http(s) URL stays
 * as it is.
 */
export function blueskyLinkLabel(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return url;
  const path = (parsed.pathname === '/' ? '' : parsed.pathname) + parsed.search + parsed.hash;
  if (path.length > PATH_WHOLE) return `${parsed.host}${path.slice(0, PATH_SHOWN)}...`;
  return parsed.host + path;
}

/** A label the text already shows for a link: found again after an edit. */
export type KnownLink = { label: string; uri: string };

/** A text whose full URLs became labels, and where each linked label now is. */
export type Labelled = { text: string; links: Link[] };

// Where a label may start and end: not glued to a word, a path or another link.
const GLUED_BEFORE = /[\p{L}\p{M}\p{N}_@#$/:.-]/u;
const GLUED_AFTER = /[\p{L}\p{M}\p{N}_/]/u;

/**
 * A detected link, or the URL the post shares where the text has it there whole: a
 * shared URL that ends in punctuation (`…#section.`, `…_(film)`) keeps it, though a
 * sentence's full stop after any other link is the sentence's.
 */
export function wholeLink(text: string, link: Link, urls: readonly string[]): Link {
  const url = urls.find(
    (candidate) => candidate.length > link.uri.length && text.startsWith(candidate, link.start),
  );
  return url ? { uri: url, start: link.start, end: link.start + url.length } : link;
}

function overlaps(links: readonly Link[], start: number, end: number): boolean {
  return links.some((link) => link.start < end && start < link.end);
}

/** Each place `known` labels stand alone in `text`, outside the links already placed. */
export function findKnown(
  text: string,
  known: readonly KnownLink[],
  placed: readonly Link[],
): Link[] {
  const found: Link[] = [];
  // The longest label first: one that is the start of another is not linked inside it.
  const byLength = [...known].sort((a, b) => b.label.length - a.label.length);
  for (const { label, uri } of byLength) {
    if (label === '') continue;
    for (let at = text.indexOf(label); at !== -1; at = text.indexOf(label, at + 1)) {
      const end = at + label.length;
      const before = text[at - 1];
      const after = text[end];
      if (before !== undefined && GLUED_BEFORE.test(before)) continue;
      if (after !== undefined && GLUED_AFTER.test(after)) continue;
      if (overlaps(placed, at, end) || overlaps(found, at, end)) continue;
      found.push({ uri, start: at, end });
    }
  }
  return found;
}

/**
 * `text` with every full http(s) URL replaced by its label, and the labels `known` from
 * an earlier version of the text linked again where they stand whole. `urls` are the
 * links the post shares on purpose, linked whole even when they end in punctuation.
 * Offsets are UTF-16, in the new text, in text order.
 */
export function labelLinks(
  text: string,
  options: { urls?: readonly string[]; known?: readonly KnownLink[] } = {},
): Labelled {
  const urls = options.urls ?? [];
  const known = options.known ?? [];
  // The text never depends on `known` (only its links do), so the editor UI, which does
  // not know them, counts the very text the server keeps.
  const full = findLinks(text).map((found) => wholeLink(text, found, urls));
  let out = '';
  let cursor = 0;
  const links: Link[] = [];
  for (const link of full) {
    out += text.slice(cursor, link.start);
    const label = blueskyLinkLabel(link.uri);
    links.push({ uri: link.uri, start: out.length, end: out.length + label.length });
    out += label;
    cursor = link.end;
  }
  out += text.slice(cursor);
  const relinked = findKnown(out, known, links);
  return { text: out, links: [...links, ...relinked].sort((a, b) => a.start - b.start) };
}

/**
 * The labels a stored post shows and the URLs they link to, read from its link facets
 * (UTF-8 byte ranges of `text`), and the label of the URL it shares. A facet is taken
 * only where its bytes are its URL's label: one left over from another text (its range
 * now covers other words) would link whatever words it covers.
 */
export function knownLinks(post: {
  text: string;
  url?: string;
  facets?: readonly {
    index: { byteStart: number; byteEnd: number };
    features: readonly { $type: string; uri?: string }[];
  }[];
}): KnownLink[] {
  const bytes = new TextEncoder().encode(post.text);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const known: KnownLink[] = [];
  for (const facet of post.facets ?? []) {
    const uri = facet.features.find((f) => f.$type === 'app.bsky.richtext.facet#link')?.uri;
    if (!uri) continue;
    try {
      const label = decoder.decode(bytes.slice(facet.index.byteStart, facet.index.byteEnd));
      // A facet over a full URL is found again as a URL; only a label needs remembering.
      if (label !== uri && label === blueskyLinkLabel(uri)) known.push({ label, uri });
    } catch {
      // A range that cuts a character is no label.
    }
  }
  if (post.url) known.push({ label: blueskyLinkLabel(post.url), uri: post.url });
  return known;
}
