/**
 * What a Mastodon server does with a status's text: StatusLengthValidator's count,
 * TextFormatter's HTML, and the plain text a reader gets back from that HTML. Written
 * from the server's Ruby, not from Crier's composer, so the sandbox checks the composer
 * instead of agreeing with it.
 */
import { decodeHTML } from 'entities';
import twitterText from 'twitter-text';

type Span = { start: number; end: number };
type UrlEntity = Span & { kind: 'url'; url: string };
type Entity =
  | UrlEntity
  | (Span & { kind: 'hashtag'; tag: string })
  | (Span & { kind: 'mention'; username: string; domain?: string });

const USERNAME = '[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*';
// Ruby's [[:word:]]: letters, marks, numbers and connector punctuation.
const WORD = String.raw`[\p{L}\p{M}\p{N}\p{Pc}]`;
// Account::MENTION_RE: `@user` or `@user@remote.host`, not inside a word, a path or a URL query.
const MENTION_RE = new RegExp(
  `(?<![=/]|${WORD})@(${USERNAME})(?:@(${WORD}+(?:[.-]+${WORD}+)*))?`,
  'giu',
);
// Ruby's String#blank?: nothing but whitespace, Unicode spaces included.
const BLANK = /^[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/u;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function urls(text: string): UrlEntity[] {
  return twitterText
    .extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false })
    .map(({ url, indices: [start, end] }) => ({ kind: 'url', url, start, end }));
}

function mentions(text: string): Entity[] {
  return Array.from(text.matchAll(MENTION_RE), (match) => ({
    kind: 'mention',
    username: match[1] ?? '',
    domain: match[2],
    start: match.index,
    end: match.index + match[0].length,
  }));
}

function hashtags(text: string): Entity[] {
  return twitterText
    .extractHashtagsWithIndices(text)
    .map(({ hashtag, indices: [start, end] }) => ({ kind: 'hashtag', tag: hashtag, start, end }));
}

/** Extractor.remove_overlapping_entities: by position, the first of two overlapping wins. */
function withoutOverlaps(entities: Entity[]): Entity[] {
  const kept: Entity[] = [];
  let end = -1;
  for (const entity of [...entities].sort((a, b) => a.start - b.start)) {
    if (entity.start < end) continue;
    kept.push(entity);
    end = entity.end;
  }
  return kept;
}

export function isBlank(text: string): boolean {
  return BLANK.test(text);
}

/**
 * StatusLengthValidator: spoiler text plus the status, in grapheme clusters, after every
 * URL with a scheme became `reservedPerUrl` characters and every `@user@host` became
 * `@user`.
 */
export function countableLength(text: string, spoilerText: string, reservedPerUrl: number): number {
  let countable = '';
  if (!isBlank(text)) {
    let at = 0;
    for (const entity of withoutOverlaps([...urls(text), ...mentions(text)])) {
      const replacement =
        entity.kind === 'mention' ? `@${entity.username}` : 'x'.repeat(reservedPerUrl);
      countable += text.slice(at, entity.start) + replacement;
      at = entity.end;
    }
    countable += text.slice(at);
  }
  let count = 0;
  for (const _ of segmenter.segment(spoilerText + countable)) count++;
  return count;
}

/** ERB::Util.html_escape, as Rails' `h` */
export function h(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`,
  );
}

const URL_PREFIX = /^(https?:\/\/(www\.)?|xmpp:)/;

/** TextFormatter.shortened_link: the scheme and `www.` hidden, the rest cut after 30 characters. */
function shortenedLink(url: string): string {
  const prefix = URL_PREFIX.exec(url)?.[0] ?? '';
  const rest = url.slice(prefix.length);
  const display = rest.slice(0, 30);
  const suffix = rest.slice(30);
  return (
    `<a href="${h(url)}" target="_blank" rel="nofollow noopener" translate="no">` +
    `<span class="invisible">${h(prefix)}</span>` +
    `<span class="${rest.length > 30 ? 'ellipsis' : ''}">${h(display)}</span>` +
    `<span class="invisible">${h(suffix)}</span></a>`
  );
}

export type FormatContext = {
  /** the instance's public base URL, e.g. http://127.0.0.1:41234 */
  base: string;
  /** local accounts a mention can link to (the sandbox never resolves a remote one) */
  localUsernames: readonly string[];
  localDomain: string;
};

/** Rails' simple_format as Mastodon calls it: `<p>` per paragraph, `<br />` per line break. */
function simpleFormat(html: string): string {
  const paragraphs = html
    .replace(/\r\n?/g, '\n')
    .split(/\n\n+/)
    .map((p) => p.replace(/([^\n]\n)(?=[^\n])/g, '$1<br />'));
  // Ruby's split drops trailing empty strings; JavaScript's keeps them.
  while (paragraphs.length > 0 && paragraphs[paragraphs.length - 1] === '') paragraphs.pop();
  if (paragraphs.length === 0) return '<p></p>';
  return paragraphs
    .map((p) => `<p>${p}</p>`)
    .join('')
    .replace(/\n/g, '');
}

/** TextFormatter#to_s for a local status: links, hashtags and local mentions as HTML. */
export function statusHtml(text: string, context: FormatContext): string {
  if (isBlank(text)) return '';
  let html = '';
  let at = 0;
  for (const entity of withoutOverlaps([...urls(text), ...hashtags(text), ...mentions(text)])) {
    html += h(text.slice(at, entity.start));
    const original = text.slice(entity.start, entity.end);
    if (entity.kind === 'url') html += shortenedLink(entity.url);
    else if (entity.kind === 'hashtag') {
      html += `<a href="${h(`${context.base}/tags/${encodeURIComponent(entity.tag)}`)}" class="mention hashtag" rel="tag">#<span>${h(entity.tag)}</span></a>`;
    } else {
      const local =
        (!entity.domain || entity.domain.toLowerCase() === context.localDomain) &&
        context.localUsernames.some((u) => u.toLowerCase() === entity.username.toLowerCase());
      // An account the server cannot resolve stays plain text, as on a real instance.
      html += local
        ? `<span class="h-card" translate="no"><a href="${h(`${context.base}/@${entity.username}`)}" class="u-url mention">@<span>${h(entity.username)}</span></a></span>`
        : h(original);
    }
    at = entity.end;
  }
  html += h(text.slice(at));
  return simpleFormat(html);
}

/** The HTML of a status as a reader sees it: paragraphs, line breaks, entities decoded. */
export function htmlToText(html: string): string {
  return decodeHTML(
    html
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/p>\s*<p(?:\s[^>]*)?>/gi, '\n\n')
      .replace(/<[^>]*>/g, ''),
  );
}

/** The first link a reader can follow: the URL FetchLinkCardService would build a card for. */
export function firstLink(text: string): string | undefined {
  return urls(text)[0]?.url;
}
