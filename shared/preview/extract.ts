/**
 * The card a page describes of itself, read from its <head> with htmlparser2's tokenizer
 * (no DOM): Open Graph first, then Twitter, then JSON-LD, then plain HTML. The page is
 * decoded and parsed only up to <body>; JSON-LD anywhere is found by a bounded search of
 * the raw page, and the body is read only when the head says too little.
 */
import { decodeHTMLStrict } from 'entities';
import { Parser } from 'htmlparser2';
import { isAsciiCompatible, pickCharset } from './charset';
import { type JsonLdArticle, parseJsonLd, readJsonLdArticle } from './jsonld';
import type { PageCard } from './types';

/** Bounds on the scan past <body>: real pages have one to three JSON-LD scripts. */
const MAX_JSONLD_SCRIPTS = 10;
const MAX_JSONLD_CHARS = 512 * 1024;
const MAX_BODY_META_TAGS = 200;
/** A body paragraph standing in for a description: about what any network's card shows. */
const MAX_FALLBACK_DESCRIPTION = 300;

type Meta = { key: string; value: string };
/** One og:image and the structured properties that follow it (Open Graph's own grouping). */
type OgImage = { url?: string; secureUrl?: string; width?: string; height?: string; alt?: string };

type Collected = {
  lang?: string;
  base?: string;
  title?: string;
  canonical?: string;
  imageSrc?: string;
  metas: Meta[];
  ogImages: OgImage[];
};

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
function resolveUrl(value: string | undefined, base: string): string | undefined {
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

function addMeta(collected: Collected, attribs: Record<string, string>): void {
  const value = attribs.content ?? attribs.value;
  if (value === undefined) return;
  const keys = new Set(
    [attribs.property, attribs.name, attribs.itemprop, attribs['http-equiv']]
      .filter((k): k is string => typeof k === 'string')
      .map((k) => k.trim().toLowerCase())
      .filter((k) => k !== ''),
  );
  for (const key of keys) {
    collected.metas.push({ key, value });
    const group = collected.ogImages.at(-1);
    if (key === 'og:image') {
      collected.ogImages.push({ url: value });
    } else if (key === 'og:image:url') {
      // the same as og:image: it names the current image again, or starts one
      if (group && (group.url === undefined || group.url === value)) group.url = value;
      else collected.ogImages.push({ url: value });
    } else if (key.startsWith('og:image:')) {
      const field = key.slice('og:image:'.length);
      let current = group;
      if (!current) {
        current = {};
        collected.ogImages.push(current);
      }
      if (field === 'secure_url') current.secureUrl ??= value;
      else if (field === 'width') current.width ??= value;
      else if (field === 'height') current.height ??= value;
      else if (field === 'alt') current.alt ??= value;
    }
  }
}

function onLink(collected: Collected, attribs: Record<string, string>): void {
  const rels = (attribs.rel ?? '').toLowerCase().split(/\s+/);
  const href = attribs.href;
  if (href === undefined) return;
  if (rels.includes('canonical')) collected.canonical ??= href;
  if (rels.includes('image_src')) collected.imageSrc ??= href;
}

/**
 * The page's text, handed out a piece at a time so that only the head is decoded, plus a
 * search for JSON-LD scripts that needs no decoding (their markup is ASCII).
 */
type PageSource = {
  /** the next piece of the page's text, or undefined past its end */
  next: () => string | undefined;
  /** the text of each JSON-LD script, in page order, bounded */
  jsonLd: () => string[];
  /** the source of each `<meta>` tag from a text offset on (the body), bounded */
  metaTags: (from: number) => string[];
};

/** Pieces fed to the parser: small enough that little past <body> is decoded. */
const CHUNK = 32 * 1024;

/** What the JSON-LD search needs of a page, whether text or ASCII-compatible bytes. */
type Haystack = {
  indexOf: (needle: string, from: number) => number;
  lastIndexOf: (needle: string, from: number) => number;
  /** markup between two offsets, for tag checks */
  ascii: (start: number, end: number) => string;
  /** content between two offsets, decoded */
  text: (start: number, end: number) => string;
  /** where `</script` follows `from` within `within`, or -1 */
  closingScript: (from: number, within: number) => number;
};

function findJsonLd(page: Haystack): string[] {
  const hits: number[] = [];
  for (const needle of ['ld+json', 'LD+JSON']) {
    for (
      let at = page.indexOf(needle, 0);
      at >= 0 && hits.length < 4 * MAX_JSONLD_SCRIPTS;
      at = page.indexOf(needle, at + 1)
    ) {
      hits.push(at);
    }
  }
  hits.sort((a, b) => a - b);
  const scripts: string[] = [];
  for (const at of hits) {
    if (scripts.length >= MAX_JSONLD_SCRIPTS) break;
    const open = page.lastIndexOf('<', at);
    const tagEnd = page.indexOf('>', at);
    if (open < 0 || tagEnd < 0 || page.ascii(open, open + 7).toLowerCase() !== '<script') continue;
    // the marker must sit inside this tag, not after an earlier `>`
    if (page.indexOf('>', open) < at) continue;
    const close = page.closingScript(tagEnd, MAX_JSONLD_CHARS);
    if (close < 0) continue;
    scripts.push(page.text(tagEnd + 1, close));
  }
  return scripts;
}

function stringSource(text: string): PageSource {
  let offset = 0;
  return {
    next() {
      if (offset >= text.length) return undefined;
      const piece = text.slice(offset, offset + CHUNK);
      offset += CHUNK;
      return piece;
    },
    jsonLd: () =>
      findJsonLd({
        indexOf: (needle, from) => text.indexOf(needle, from),
        lastIndexOf: (needle, from) => text.lastIndexOf(needle, from),
        ascii: (start, end) => text.slice(start, end),
        text: (start, end) => text.slice(start, end),
        closingScript: (from, within) => {
          const lower = text.indexOf('</script', from);
          const end = lower >= 0 && lower - from <= within ? lower : from + within;
          // the rare upper-case tag is looked for only before the lower-case one
          const upper = text.slice(from, end).indexOf('</SCRIPT');
          const at = upper >= 0 ? from + upper : lower;
          return at >= 0 && at - from <= within ? at : -1;
        },
      }),
    metaTags: (from) => metaTagsIn(text, from),
  };
}

function bytesSource(input: Uint8Array, contentType: string | undefined): PageSource {
  const { charset } = pickCharset(input, contentType);
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  // Markup cannot be found in UTF-16's bytes; such a page is decoded whole.
  if (!isAsciiCompatible(charset)) return stringSource(new TextDecoder(charset).decode(bytes));
  const utf8 = charset === 'utf-8';
  const streaming = new TextDecoder(charset);
  // Node's own UTF-8 decoder is several times faster than a streaming TextDecoder.
  let offset = utf8 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  // Where each UTF-8 piece began, in text and in bytes, to find a text offset's byte.
  const pieces: { text: string; charStart: number; byteStart: number }[] = [];
  let chars = 0;
  return {
    next() {
      if (offset >= bytes.length) return undefined;
      let end = Math.min(offset + CHUNK, bytes.length);
      if (utf8) {
        // never split a character: back up over continuation bytes (10xxxxxx)
        while (end < bytes.length && end > offset && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
        const piece = bytes.toString('utf8', offset, end);
        pieces.push({ text: piece, charStart: chars, byteStart: offset });
        chars += piece.length;
        offset = end;
        return piece;
      }
      const piece = streaming.decode(bytes.subarray(offset, end), { stream: end < bytes.length });
      offset = end;
      return piece;
    },
    jsonLd: () =>
      findJsonLd({
        indexOf: (needle, from) => bytes.indexOf(needle, from, 'latin1'),
        lastIndexOf: (needle, from) => bytes.lastIndexOf(needle, from, 'latin1'),
        ascii: (start, end) => bytes.toString('latin1', start, end),
        text: (from, to) =>
          utf8
            ? bytes.toString('utf8', from, to)
            : new TextDecoder(charset).decode(bytes.subarray(from, to)),
        closingScript: (from, within) => {
          // searched in a window, so a missing `</script` costs no scan of the whole page
          const window = bytes.subarray(from, from + within);
          const lower = window.indexOf('</script', 0, 'latin1');
          const upper = window
            .subarray(0, lower >= 0 ? lower : window.length)
            .indexOf('</SCRIPT', 0, 'latin1');
          const at = upper >= 0 ? upper : lower;
          return at < 0 ? -1 : from + at;
        },
      }),
    metaTags: (from) => {
      const piece = pieces.findLast((p) => p.charStart <= from);
      // Other encodings are rare enough to decode whole for this rare path.
      if (!utf8 || !piece) return metaTagsIn(new TextDecoder(charset).decode(bytes), from);
      const at = piece.byteStart + Buffer.byteLength(piece.text.slice(0, from - piece.charStart));
      const found: [number, string][] = [];
      for (const needle of ['<meta', '<META']) {
        for (
          let i = bytes.indexOf(needle, at, 'latin1');
          i >= 0 && found.length < MAX_BODY_META_TAGS;
          i = bytes.indexOf(needle, i + 1, 'latin1')
        ) {
          const end = bytes.indexOf('>', i, 'latin1');
          if (end < 0) break;
          found.push([i, bytes.toString('utf8', i, end + 1)]);
        }
      }
      // in page order, whatever their case
      return found.sort(([a], [b]) => a - b).map(([, tag]) => tag);
    },
  };
}

/** The `<meta>` tags of a text from an offset on. */
function metaTagsIn(text: string, from: number): string[] {
  const pattern = /<meta\b[^>]*>/gi;
  pattern.lastIndex = from;
  const tags: string[] = [];
  for (let m = pattern.exec(text); m && tags.length < MAX_BODY_META_TAGS; m = pattern.exec(text)) {
    tags.push(m[0]);
  }
  return tags;
}

/** What the body offers when the head says too little: its first heading, paragraph and picture. */
type BodyFacts = { h1?: string; paragraph?: string; image?: string };
type BodyWants = { h1: boolean; paragraph: boolean; image: boolean };

/** Elements whose text is not the article's. */
const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'nav',
  'footer',
  'aside',
  'form',
  'button',
  'select',
]);
/** How far into the body the fallback reads. */
const MAX_BODY_FALLBACK_CHARS = 512 * 1024;

type PageReader = {
  /** where <body> starts in the page's text, or -1 when the page has none (all of it was read) */
  bodyAt: number;
  /** Reads on into the body for what is still missing (only pages without metadata need it). */
  readBody: (want: BodyWants) => BodyFacts;
};

/** A usable card image in the body: not a pixel, an icon, inline data, a vector or a video. */
function bodyImage(name: string, attribs: Record<string, string>): string | undefined {
  const src = (name === 'video' ? attribs.poster : (attribs.src ?? attribs['data-src']))?.trim();
  if (!src || /^data:/i.test(src) || /\.(svg|mp4|webm)(\?|#|$)/i.test(src)) return undefined;
  const tiny = ['width', 'height'].some((d) => {
    const size = Number.parseInt(attribs[d] ?? '', 10);
    return Number.isFinite(size) && size < 100;
  });
  return tiny ? undefined : src;
}

function readPage(source: PageSource, collected: Collected): PageReader {
  let paused = false;
  let inTitle = false;
  let titleText = '';
  let svgDepth = 0;
  let bodyAt = -1;
  // Set only while readBody runs.
  let body: { want: BodyWants; facts: BodyFacts; skipDepth: number } | undefined;
  let capture: { tag: 'h1' | 'p'; text: string } | undefined;

  const stop = () => {
    paused = true;
    parser.pause();
  };

  const bodyDone = (b: NonNullable<typeof body>) =>
    (!b.want.h1 || b.facts.h1 !== undefined) &&
    (!b.want.paragraph || b.facts.paragraph !== undefined) &&
    (!b.want.image || b.facts.image !== undefined);

  const onBodyTag = (
    b: NonNullable<typeof body>,
    name: string,
    attribs: Record<string, string>,
  ) => {
    if (SKIPPED.has(name)) b.skipDepth++;
    if (b.skipDepth > 0) return;
    if (
      (name === 'h1' && b.facts.h1 === undefined) ||
      (name === 'p' && b.facts.paragraph === undefined)
    ) {
      capture = { tag: name, text: '' };
    } else if (b.facts.image === undefined && (name === 'img' || name === 'video')) {
      b.facts.image = bodyImage(name, attribs);
    }
  };

  const onBodyClose = (b: NonNullable<typeof body>, name: string) => {
    if (SKIPPED.has(name) && b.skipDepth > 0) b.skipDepth--;
    if (capture && name === capture.tag) {
      const text = cleanText(capture.text);
      // An empty paragraph (a spacer) does not count; the next one may.
      if (text && text.length >= 3) {
        if (capture.tag === 'h1') b.facts.h1 = text;
        else b.facts.paragraph = text;
      }
      capture = undefined;
    }
    if (bodyDone(b)) stop();
  };

  const parser: Parser = new Parser(
    {
      onopentag(name, attribs) {
        if (body) return onBodyTag(body, name, attribs);
        switch (name) {
          case 'html':
            collected.lang ??= attribs.lang ?? attribs['xml:lang'];
            break;
          case 'base':
            collected.base ??= attribs.href;
            break;
          case 'meta':
            addMeta(collected, attribs);
            break;
          case 'link':
            onLink(collected, attribs);
            break;
          case 'title':
            // An <svg> has titles of its own; only the document's first counts.
            if (svgDepth === 0 && collected.title === undefined) inTitle = true;
            break;
          case 'svg':
            svgDepth++;
            break;
          case 'body':
            bodyAt = parser.startIndex;
            stop();
            break;
        }
      },
      ontext(text) {
        if (body) {
          if (capture && body.skipDepth === 0) capture.text += text;
        } else if (inTitle) titleText += text;
      },
      onclosetag(name) {
        if (body) return onBodyClose(body, name);
        if (name === 'title' && inTitle) {
          inTitle = false;
          collected.title = titleText;
        } else if (name === 'svg' && svgDepth > 0) {
          svgDepth--;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );

  const feed = (limit: number) => {
    for (let fed = 0; !paused && fed < limit; ) {
      const piece = source.next();
      if (piece === undefined) {
        parser.end();
        return;
      }
      fed += piece.length;
      parser.write(piece);
    }
  };

  feed(Number.POSITIVE_INFINITY);
  return {
    bodyAt,
    readBody(want) {
      if (bodyAt < 0) return {};
      body = { want, facts: {}, skipDepth: 0 };
      paused = false;
      parser.resume();
      feed(MAX_BODY_FALLBACK_CHARS);
      return body.facts;
    },
  };
}

/** Attributes of one tag's source text, entities decoded. */
function tagAttributes(tag: string): Record<string, string> {
  const attribs: Record<string, string> = {};
  for (const m of tag.matchAll(/([^\s"'<>/=]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g)) {
    const name = m[1]?.toLowerCase();
    if (!name || name in attribs) continue;
    attribs[name] = decodeHTMLStrict(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attribs;
}

function firstMeta(metas: Meta[], ...keys: string[]): string | undefined {
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

function positiveInt(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const n = Number.parseInt(value.trim(), 10);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** An ISO 8601 UTC instant for a date the page gives, or undefined if it is not one. */
function instant(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isFinite(time) ? new Date(time).toISOString() : undefined;
}

/** A BCP 47 tag from `en_US`, `en-us`, `fr`; undefined for anything else. */
function languageTag(value: string | undefined): string | undefined {
  const tag = value?.trim().replace(/_/g, '-');
  if (!tag || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(tag)) return undefined;
  const [primary, ...rest] = tag.split('-');
  return [primary?.toLowerCase(), ...rest.map((p) => (p.length === 2 ? p.toUpperCase() : p))].join(
    '-',
  );
}

/** A name from a byline as pages write it ("By Will Smale"). */
const byline = (value: string | undefined) => value?.replace(/^by\s+/i, '') || undefined;

const looksLikeUrl = (value: string) => /^(https?:)?\/\//i.test(value);

function repeatWarnings(metas: Meta[], key: string): string[] {
  const values = metas.filter((m) => m.key === key).map((m) => cleanText(m.value) ?? '');
  if (values.length < 2) return [];
  const distinct = [...new Set(values)];
  if (distinct.length === 1) return [`${key} appears ${values.length} times (duplicate tags)`];
  return [
    `${key} appears ${values.length} times with ${distinct.length} different values; networks take the first ("${distinct[0]}")`,
  ];
}

function pick(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => v !== undefined && v !== '');
}

/**
 * The card of an HTML page fetched from `url`. `html` as bytes is decoded by its BOM,
 * `contentType`'s charset, or its own declaration; a string is taken as already decoded.
 */
export function extractCard(html: Buffer | string, url: string, contentType?: string): PageCard {
  const source = typeof html === 'string' ? stringSource(html) : bytesSource(html, contentType);
  const collected: Collected = { metas: [], ogImages: [] };
  const page = readPage(source, collected);
  const headHas = (...keys: string[]) => collected.metas.some((m) => keys.includes(m.key));
  const headLacks =
    !headHas('og:title', 'twitter:title') ||
    !headHas('og:description', 'twitter:description', 'description') ||
    !headHas('og:image', 'twitter:image');
  if (page.bodyAt >= 0 && headLacks) {
    // Some pages put their tags in the body; they are found without parsing it.
    for (const tag of source.metaTags(page.bodyAt)) addMeta(collected, tagAttributes(tag));
  }

  const { metas } = collected;
  const pageUrl = url;
  const base = resolveUrl(collected.base, pageUrl) ?? pageUrl;
  const ld: JsonLdArticle =
    readJsonLdArticle(
      source
        .jsonLd()
        .map(parseJsonLd)
        .filter((d) => d !== undefined),
    ) ?? {};

  const ogImage = collected.ogImages.find((g) => g.url || g.secureUrl);
  const ogImageUrl = resolveUrl(ogImage?.url, base) ?? resolveUrl(ogImage?.secureUrl, base);
  const twitterImage = resolveUrl(
    firstMeta(metas, 'twitter:image', 'twitter:image:src', 'twitter:image0'),
    base,
  );
  const ldImage = resolveUrl(ld.image?.url, base);
  let image = pick(
    ogImageUrl,
    twitterImage,
    ldImage,
    resolveUrl(cleanText(collected.imageSrc), base),
    resolveUrl(firstMeta(metas, 'image', 'thumbnail', 'thumbnailurl'), base),
  );
  const fromOg = image !== undefined && image === ogImageUrl;
  const fromLd = image !== undefined && !fromOg && image === ldImage;
  const imageWidth = fromOg ? positiveInt(ogImage?.width) : fromLd ? ld.image?.width : undefined;
  const imageHeight = fromOg ? positiveInt(ogImage?.height) : fromLd ? ld.image?.height : undefined;
  const imageAlt = fromOg
    ? (cleanText(ogImage?.alt) ?? firstMeta(metas, 'twitter:image:alt'))
    : image === twitterImage
      ? firstMeta(metas, 'twitter:image:alt')
      : undefined;

  let title = pick(
    firstMeta(metas, 'og:title'),
    firstMeta(metas, 'twitter:title'),
    cleanText(ld.headline),
    cleanText(collected.title),
    firstMeta(metas, 'title', 'headline', 'name'),
  );
  let description = pick(
    firstMeta(metas, 'og:description'),
    firstMeta(metas, 'twitter:description'),
    cleanText(ld.description),
    firstMeta(metas, 'description'),
  );
  if (!title || !description || !image) {
    // A page without metadata: what a reader sees first stands in for it.
    const facts = page.readBody({ h1: !title, paragraph: !description, image: !image });
    title ??= facts.h1;
    description ??= shorten(facts.paragraph, MAX_FALLBACK_DESCRIPTION);
    image ??= resolveUrl(facts.image, base);
  }
  const ogUrl = resolveUrl(firstMeta(metas, 'og:url'), base);
  const canonical = resolveUrl(cleanText(collected.canonical), base);
  const canonicalUrl = pick(ogUrl, canonical, resolveUrl(cleanText(ld.url), base));

  const articleAuthor = firstMeta(metas, 'article:author');
  const metaAuthor = firstMeta(metas, 'author', 'byl', 'sailthru.author', 'parsely-author');
  const author = byline(
    pick(
      articleAuthor && !looksLikeUrl(articleAuthor) ? articleAuthor : undefined,
      cleanText(ld.author),
      metaAuthor && !looksLikeUrl(metaAuthor) ? metaAuthor : undefined,
    ),
  );
  const publishedAt = pick(
    instant(firstMeta(metas, 'article:published_time', 'og:published_time')),
    instant(cleanText(ld.datePublished)),
    instant(
      firstMeta(
        metas,
        'datepublished',
        'pubdate',
        'publish-date',
        'publishdate',
        'date',
        'dc.date.issued',
        'dc.date',
        'article.published',
        'parsely-pub-date',
        'sailthru.date',
      ),
    ),
  );
  const language = pick(
    languageTag(cleanText(collected.lang)),
    languageTag(firstMeta(metas, 'og:locale')),
    languageTag(cleanText(ld.inLanguage)),
    languageTag(firstMeta(metas, 'content-language', 'language')),
  );
  const siteName = pick(
    firstMeta(metas, 'og:site_name'),
    cleanText(ld.publisher),
    firstMeta(metas, 'application-name', 'apple-mobile-web-app-title'),
  );

  const warnings = [
    ...repeatWarnings(metas, 'og:title'),
    ...repeatWarnings(metas, 'og:image'),
    ...repeatWarnings(metas, 'og:url'),
  ];
  if (ogUrl && !sameUrl(ogUrl, pageUrl))
    warnings.push(`og:url ${ogUrl} differs from the page's URL ${pageUrl}`);
  if (canonical && !sameUrl(canonical, pageUrl)) {
    warnings.push(`the canonical URL ${canonical} differs from the page's URL ${pageUrl}`);
  }
  if (ogUrl && canonical && !sameUrl(ogUrl, canonical)) {
    warnings.push(`og:url ${ogUrl} and the canonical URL ${canonical} disagree`);
  }

  return finished({
    url: pageUrl,
    canonicalUrl,
    title,
    description,
    image,
    imageAlt,
    imageWidth,
    imageHeight,
    siteName,
    publishedAt,
    author,
    language,
    twitterCard: firstMeta(metas, 'twitter:card'),
    warnings,
  });
}

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
function finished(card: PageCard): PageCard {
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

/** At most `max` characters, cut at a word and marked with an ellipsis. */
function shorten(text: string | undefined, max: number): string | undefined {
  if (text === undefined || text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s.,;:]+$/, '')}…`;
}
