/**
 * What Telegram does with a message's text, written from the Bot API's formatting rules
 * and tdlib (MessageEntity.cpp), not from Crier's composer, so the sandbox checks the
 * composer instead of agreeing with it: HTML parse mode to plain text and entities, the
 * trimming, the entities Telegram finds by itself, and the length it counts.
 */
import twitterText from 'twitter-text';

/** A MessageEntity; offsets and lengths in UTF-16 code units. */
export type Entity = {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
  unix_time?: number;
  date_time_format?: string;
};

export type Formatted = { text: string; entities: Entity[] };

/**
 * Telegram does not say whether its 4,096 and 1,024 count code points or UTF-16 code
 * units (docs/networks.md). A 2026 measurement (FerroxLabs/wayland#934) found 4,096 astral
 * emoji accepted, so code points is the default; the other is a knob.
 */
export type LengthUnit = 'code-points' | 'utf-16';

export function lengthOf(text: string, unit: LengthUnit): number {
  if (unit === 'utf-16') return text.length;
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** tdlib's own words, after which the Bot API prefixes "Bad Request: can't parse entities: ". */
export class EntityParseError extends Error {
  override name = 'EntityParseError';
}

const SIMPLE_TAGS: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  code: 'code',
  pre: 'pre',
};
const OTHER_TAGS = new Set(['a', 'span', 'tg-emoji', 'tg-time', 'blockquote']);
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
const ATTRIBUTE = /([a-zA-Z_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;

type Open = { name: string; start: number; entity?: Omit<Entity, 'offset' | 'length'> };

const utf8Offset = (input: string, index: number) =>
  Buffer.byteLength(input.slice(0, index), 'utf8');

function decodeEntity(input: string, at: number): { text: string; end: number } | undefined {
  const match = /^&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,8});/.exec(input.slice(at, at + 12));
  if (!match?.[1]) return undefined;
  const name = match[1];
  let text: string | undefined;
  if (name.startsWith('#')) {
    const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    text = code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  } else {
    text = NAMED_ENTITIES[name.toLowerCase()];
  }
  // An unsupported named entity stays as written.
  return text === undefined ? undefined : { text, end: at + match[0].length };
}

function attributes(raw: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of raw.matchAll(ATTRIBUTE)) {
    if (match[1]) found.set(match[1].toLowerCase(), match[2] ?? match[3] ?? match[4] ?? '');
  }
  return found;
}

function startEntity(
  name: string,
  attrs: Map<string, string>,
  byteOffset: number,
  parent: Open | undefined,
): Open['entity'] | 'ignore' {
  const simple = SIMPLE_TAGS[name];
  if (simple) {
    // <pre><code class="language-x"> is one pre entity with a language.
    if (name === 'code' && parent?.name === 'pre' && parent.entity) {
      const language = /^language-(.+)$/.exec(attrs.get('class') ?? '')?.[1];
      if (language) parent.entity.language = language;
      return 'ignore';
    }
    return { type: simple };
  }
  if (name === 'a') {
    const href = attrs.get('href') ?? '';
    return href ? { type: 'text_link', url: href } : 'ignore';
  }
  if (name === 'span') {
    if (attrs.get('class') !== 'tg-spoiler') {
      throw new EntityParseError(
        `Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset}`,
      );
    }
    return { type: 'spoiler' };
  }
  if (name === 'tg-emoji') {
    const id = attrs.get('emoji-id');
    if (!id) throw new EntityParseError(`Custom emoji identifier is not specified`);
    return { type: 'custom_emoji', custom_emoji_id: id };
  }
  if (name === 'tg-time') {
    const unix = Number(attrs.get('unix'));
    if (!Number.isInteger(unix)) {
      throw new EntityParseError(
        `Date-time Unix time is not specified at byte offset ${byteOffset}`,
      );
    }
    return { type: 'date_time', unix_time: unix, date_time_format: attrs.get('format') ?? '' };
  }
  return { type: attrs.has('expandable') ? 'expandable_blockquote' : 'blockquote' };
}

/** parse_mode HTML: the text a reader sees and its entities, or tdlib's refusal. */
export function parseHtml(input: string): Formatted {
  let text = '';
  const entities: Entity[] = [];
  const open: Open[] = [];
  let at = 0;
  while (at < input.length) {
    const char = input[at] ?? '';
    if (char === '&') {
      const decoded = decodeEntity(input, at);
      text += decoded ? decoded.text : '&';
      at = decoded ? decoded.end : at + 1;
      continue;
    }
    if (char !== '<') {
      text += char;
      at += 1;
      continue;
    }
    const byteOffset = utf8Offset(input, at);
    const end = input.indexOf('>', at);
    if (end < 0) throw new EntityParseError(`Unclosed start tag at byte offset ${byteOffset}`);
    const raw = input.slice(at + 1, end);
    at = end + 1;
    if (raw.startsWith('/')) {
      const name = raw.slice(1).trim().toLowerCase();
      const last = open.pop();
      if (!last) throw new EntityParseError(`Unexpected end tag at byte offset ${byteOffset}`);
      if (last.name !== name) {
        throw new EntityParseError(
          `Unmatched end tag at byte offset ${byteOffset}, expected "</${last.name}>", found "</${name}>"`,
        );
      }
      if (last.entity && text.length > last.start) {
        entities.push({ ...last.entity, offset: last.start, length: text.length - last.start });
      }
      continue;
    }
    const name = (/^[a-zA-Z][a-zA-Z0-9-]*/.exec(raw)?.[0] ?? '').toLowerCase();
    if (!SIMPLE_TAGS[name] && !OTHER_TAGS.has(name)) {
      throw new EntityParseError(`Unsupported start tag "${name}" at byte offset ${byteOffset}`);
    }
    const entity = startEntity(name, attributes(raw.slice(name.length)), byteOffset, open.at(-1));
    open.push({ name, start: text.length, ...(entity === 'ignore' ? {} : { entity }) });
  }
  const unclosed = open.pop();
  if (unclosed) {
    throw new EntityParseError(`Can't find end tag corresponding to start tag "${unclosed.name}"`);
  }
  return { text, entities: entities.sort((a, b) => a.offset - b.offset) };
}

/** fix_formatted_text: surrounding whitespace goes, entities follow the text. */
export function trimmed({ text, entities }: Formatted): Formatted {
  const lead = text.length - text.trimStart().length;
  const result = text.trim();
  const kept = entities.flatMap((entity) => {
    const start = Math.max(0, entity.offset - lead);
    const end = Math.min(result.length, entity.offset + entity.length - lead);
    return end > start ? [{ ...entity, offset: start, length: end - start }] : [];
  });
  return { text: result, entities: kept };
}

// tdlib's match_hashtags: `#` not after a hashtag letter, 1-256 letters, digits, `_` or
// ZWNJ with at least one letter, and not running into another `#`.
const HASHTAG =
  /(?<![\p{L}\p{Nd}_\u200c])#([\p{L}\p{Nd}_\u200c]{1,256})(?![\p{L}\p{Nd}_\u200c]*#)/gu;
const MENTION = /(?<![\p{L}\p{Nd}_@])@([A-Za-z0-9_]{3,32})(?![A-Za-z0-9_])/gu;
/** Entities inside which Telegram finds nothing more. */
const OPAQUE = new Set(['code', 'pre', 'text_link', 'custom_emoji', 'date_time']);

/** The links, hashtags and mentions Telegram marks in a text by itself. */
export function detectedEntities(text: string): Entity[] {
  const urls = twitterText.extractUrlsWithIndices(text).map(
    ({ indices: [start, end] }): Entity => ({
      type: 'url',
      offset: start,
      length: end - start,
    }),
  );
  const hashtags = Array.from(text.matchAll(HASHTAG))
    .filter((match) => /\p{L}/u.test(match[1] ?? ''))
    .map((match): Entity => ({ type: 'hashtag', offset: match.index, length: match[0].length }));
  const mentions = Array.from(
    text.matchAll(MENTION),
    (match): Entity => ({ type: 'mention', offset: match.index, length: match[0].length }),
  );
  return [...urls, ...hashtags, ...mentions].sort((a, b) => a.offset - b.offset);
}

const overlaps = (a: Entity, b: Entity) =>
  a.offset < b.offset + b.length && b.offset < a.offset + a.length;

/** The entities of the message: the sender's, and those Telegram found where none opaque lies. */
export function withDetected(formatted: Formatted): Formatted {
  const opaque = formatted.entities.filter((e) => OPAQUE.has(e.type));
  const found: Entity[] = [];
  for (const entity of detectedEntities(formatted.text)) {
    if (opaque.some((o) => overlaps(o, entity)) || found.some((f) => overlaps(f, entity))) continue;
    found.push(entity);
  }
  return {
    text: formatted.text,
    entities: [...formatted.entities, ...found].sort(
      (a, b) => a.offset - b.offset || b.length - a.length,
    ),
  };
}

/** The first link a reader can follow: what the preview shows when none is named. */
export function firstUrl(formatted: Formatted): string | undefined {
  for (const entity of formatted.entities) {
    if (entity.type === 'text_link' && entity.url) return entity.url;
    if (entity.type === 'url') {
      return formatted.text.slice(entity.offset, entity.offset + entity.length);
    }
  }
  return undefined;
}
