/**
 * A page's text for the extractor, from a string or from bytes in the page's charset:
 * handed out a piece at a time, so only the head is decoded, with bounded searches for
 * JSON-LD scripts and body <meta> tags that need no parsing.
 */
import { isAsciiCompatible, pickCharset } from './charset';

/** Bounds on the scan past <body>: real pages have one to three JSON-LD scripts. */
const MAX_JSONLD_SCRIPTS = 10;
const MAX_JSONLD_CHARS = 512 * 1024;
const MAX_BODY_META_TAGS = 200;

/**
 * The page's text, handed out a piece at a time so that only the head is decoded, plus a
 * search for JSON-LD scripts that needs no decoding (their markup is ASCII).
 */
export type PageSource = {
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

export function stringSource(text: string): PageSource {
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

export function bytesSource(input: Uint8Array, contentType: string | undefined): PageSource {
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
