/**
 * Bytes of an HTML page to text, the way a browser picks the encoding: a byte order mark,
 * then the response's `content-type` charset, then a `<meta charset>` or `http-equiv`
 * declaration in the first bytes, then UTF-8. One departure: a page that declares a legacy
 * encoding in its markup but whose text is valid UTF-8 is read as UTF-8 (a CMS re-encoded
 * it and left the old declaration).
 */

/** How far into the page a declaration is looked for (browsers look at 1024 bytes; some pages put theirs later). */
const PRESCAN_BYTES = 4096;

export type DecodedPage = {
  text: string;
  /** the WHATWG name of the encoding used, e.g. `utf-8`, `windows-1251`, `shift_jis` */
  charset: string;
  source: 'bom' | 'content-type' | 'meta' | 'utf-8-text' | 'default';
};

/** How much of a page is checked for being UTF-8 against its own declaration. */
const UTF8_CHECK_BYTES = 64 * 1024;

/** The WHATWG name of the encoding a label names, or undefined if this Node knows none. */
function encodingOf(label: string): string | undefined {
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    return undefined;
  }
}

/** The `charset` parameter of a content-type value. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const match = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType);
  return match?.[2];
}

function sniffBom(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return undefined;
}

/** The charset a `<meta>` in the first bytes declares (read as Latin-1: every encoding a page may declare this way is ASCII-compatible). */
function sniffMeta(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, PRESCAN_BYTES))
    .toString('latin1')
    // a commented-out declaration is not one
    .replace(/<!--[\s\S]*?-->/g, '');
  for (const tag of head.matchAll(/<meta\b[^>]*>/gi)) {
    const text = tag[0];
    const direct = /\bcharset\s*=\s*["']?\s*([^"'\s/>;]+)/i.exec(text);
    if (direct?.[1] && !/\bcontent\s*=/i.test(text)) return direct[1];
    if (/http-equiv\s*=\s*["']?\s*content-type/i.test(text)) {
      const content = /\bcontent\s*=\s*(["'])([^"']*)\1/i.exec(text)?.[2];
      const declared = charsetOf(content ? content.replace(/^[^;]*/, ';') : undefined);
      if (declared) return declared;
    }
  }
  return undefined;
}

/**
 * A label as the HTML standard applies it: a page cannot declare itself UTF-16 from inside
 * (its bytes were readable as ASCII), and `x-user-defined` means windows-1252.
 */
function fromPage(label: string): string {
  const name = encodingOf(label);
  if (name === 'utf-16le' || name === 'utf-16be') return 'utf-8';
  if (label.trim().toLowerCase() === 'x-user-defined') return 'windows-1252';
  return label;
}

/**
 * Whether the first bytes read as UTF-8 and hold some non-ASCII text. Text in a legacy
 * encoding almost never does: its non-ASCII bytes rarely line up as UTF-8 sequences.
 */
function looksUtf8(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, UTF8_CHECK_BYTES);
  if (!head.some((byte) => byte >= 0x80)) return false;
  try {
    // `stream` lets a sequence cut at the end of the sample pass.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** The encoding of a page's bytes, and what said so. */
export function pickCharset(
  input: Uint8Array,
  contentType?: string,
): { charset: string; source: DecodedPage['source'] } {
  const candidates: [() => string | undefined, DecodedPage['source']][] = [
    [() => sniffBom(input), 'bom'],
    [() => charsetOf(contentType), 'content-type'],
    [
      () => {
        const declared = sniffMeta(input);
        return declared ? fromPage(declared) : undefined;
      },
      'meta',
    ],
  ];
  for (const [find, source] of candidates) {
    const label = find();
    // An unknown label is skipped, as a browser skips it, not treated as an error.
    const charset = label ? encodingOf(label) : undefined;
    if (charset && source === 'meta' && charset !== 'utf-8' && looksUtf8(input)) {
      return { charset: 'utf-8', source: 'utf-8-text' };
    }
    if (charset) return { charset, source };
  }
  return { charset: 'utf-8', source: 'default' };
}

/**
 * Whether markup can be found in the raw bytes: an ASCII byte is that character and never
 * part of another. Not so in UTF-16, nor in ISO-2022-JP, whose kanji are pairs of ASCII bytes.
 */
export const isAsciiCompatible = (charset: string) =>
  !['utf-16le', 'utf-16be', 'iso-2022-jp', 'replacement'].includes(charset);

export function decodeHtml(input: Uint8Array, contentType?: string): DecodedPage {
  const { charset, source } = pickCharset(input, contentType);
  // TextDecoder drops a BOM that matches its encoding; replacement characters stand in for bad bytes.
  return { text: new TextDecoder(charset).decode(input), charset, source };
}
