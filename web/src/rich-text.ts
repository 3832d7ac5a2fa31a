/**
 * A post's text in the pieces a network draws differently: links, hashtags and
 * mentions, found the way that network finds them, and links shortened the way it
 * shows them. The previews draw these; nothing here changes what is sent.
 */
import twitterText from 'twitter-text';
import type { Platform } from '../../shared/domain/platform';
import { blueskyLinkLabel, findKnown, type KnownLink } from '../../shared/platforms/bluesky/links';
import { findHashtags } from '../../shared/platforms/compose/hashtags';

export type Piece =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'hashtag'; text: string }
  | { kind: 'mention'; text: string };

type Found = { start: number; end: number; piece: Piece };

/** How each network shows a mention; null where a handle in the text stays plain text. */
const MENTIONS: Record<Platform, RegExp | null> = {
  x: /(?<![\p{L}\p{N}_@])@[A-Za-z0-9_]{1,15}(?![A-Za-z0-9_@])/gu,
  bluesky: /(?<![\p{L}\p{N}_@])@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]/giu,
  mastodon:
    /(?<![=/\p{L}\p{N}_])@[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*(?:@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+)?/giu,
  threads: /(?<![\p{L}\p{N}_@])@[A-Za-z0-9._]{1,30}(?<!\.)/gu,
  instagram: /(?<![\p{L}\p{N}_@])@[A-Za-z0-9._]{1,30}(?<!\.)/gu,
  telegram: /(?<![\p{L}\p{N}_@])@[A-Za-z][A-Za-z0-9_]{3,31}/gu,
  // A LinkedIn or Facebook mention needs the member's id; a typed @name is text.
  linkedin: null,
  facebook: null,
};

/** Networks that link a domain written without `https://` (twitter-text finds those). */
const LINKS_BARE_DOMAINS: ReadonlySet<Platform> = new Set(['x', 'threads', 'telegram']);

/** How many characters of a link each network shows before its `…`; null shows it whole. */
const LINK_DISPLAY: Record<Platform, number | null> = {
  x: 25,
  bluesky: 27,
  mastodon: 30,
  threads: 30,
  linkedin: null,
  facebook: null,
  instagram: null,
  telegram: null,
};

/** A link as the network prints it: no scheme, no `www.`, cut with `…` where it cuts. */
export function displayLink(platform: Platform, url: string): string {
  // Bluesky posts the app's own label in the text (shared/platforms/bluesky/links.ts).
  if (platform === 'bluesky') return blueskyLinkLabel(url);
  const max = LINK_DISPLAY[platform];
  if (max === null) return url;
  const bare = url.replace(/^https?:\/\//i, '').replace(/^www\./i, '');
  return bare.length > max ? `${bare.slice(0, max)}…` : bare;
}

/** The host of a URL without `www.`, or the URL itself if it is not one. */
export function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./i, '');
  } catch {
    return url;
  }
}

/**
 * `known`: on Bluesky, the labels the share's text shows and the URLs their facets link
 * to, drawn as those links.
 */
export function pieces(
  platform: Platform,
  text: string,
  known: readonly KnownLink[] = [],
): Piece[] {
  const found: Found[] = [];
  if (platform === 'bluesky') {
    for (const { uri, start, end } of findKnown(text, known, [])) {
      found.push({ start, end, piece: { kind: 'link', text: text.slice(start, end), href: uri } });
    }
  }
  // Instagram captions never link: a URL there is text a reader must copy.
  if (platform !== 'instagram') {
    const urls = twitterText.extractUrlsWithIndices(text, {
      extractUrlsWithoutProtocol: LINKS_BARE_DOMAINS.has(platform),
    });
    for (const { url, indices } of urls) {
      const href = /^https?:\/\//i.test(url) ? url : `https://${url}`;
      found.push({
        start: indices[0],
        end: indices[1],
        piece: { kind: 'link', text: displayLink(platform, url), href },
      });
    }
  }
  for (const { start, end } of findHashtags(text)) {
    found.push({ start, end, piece: { kind: 'hashtag', text: text.slice(start, end) } });
  }
  const mention = MENTIONS[platform];
  if (mention) {
    for (const match of text.matchAll(mention)) {
      const start = match.index;
      found.push({
        start,
        end: start + match[0].length,
        piece: { kind: 'mention', text: match[0] },
      });
    }
  }
  // Links first where pieces overlap (a `#fragment` or `@` inside a URL is the URL's).
  const order = { link: 0, mention: 1, hashtag: 2, text: 3 } as const;
  found.sort((a, b) => a.start - b.start || order[a.piece.kind] - order[b.piece.kind]);
  const result: Piece[] = [];
  let at = 0;
  for (const { start, end, piece } of found) {
    if (start < at) continue;
    if (start > at) result.push({ kind: 'text', text: text.slice(at, start) });
    result.push(piece);
    at = end;
  }
  if (at < text.length) result.push({ kind: 'text', text: text.slice(at) });
  return result;
}
