/**
 * Reads a page with htmlparser2's tokenizer (no DOM): the head's meta and link tags, its
 * title, language and base, pausing at <body>; and on request a bounded read into the
 * body for its first heading, paragraph and picture.
 */
import { decodeHTMLStrict } from 'entities';
import { Parser } from 'htmlparser2';
import type { PageSource } from './page-source';
import { cleanText, type Meta } from './page-values';

/** One og:image and the structured properties that follow it (Open Graph's own grouping). */
type OgImage = { url?: string; secureUrl?: string; width?: string; height?: string; alt?: string };

/** What the page's tags said, as the reader collects it. */
export type Collected = {
  lang?: string;
  base?: string;
  title?: string;
  canonical?: string;
  imageSrc?: string;
  metas: Meta[];
  ogImages: OgImage[];
};

/** A meta tag under each of its keys (one tag may carry several), og:image's grouped. */
export function addMeta(collected: Collected, attribs: Record<string, string>): void {
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

/** Words that mark a picture as part of the page's furniture rather than its story. */
const FURNITURE =
  /(?:^|[^a-z])(?:icon|favicon|logo|avatar|sprite|badge|emoji|spinner|loader|placeholder|pixel|spacer)(?:$|[^a-z])/;

/** Words of an attribute, camelCase split, lower-cased: `profileIcon_1.png` -> `profile icon_1.png`. */
const words = (value: string | undefined) =>
  (value ?? '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/**
 * A usable card image in the body: not a pixel, an icon, a logo or an avatar (by its size, or
 * by what its address, class, alt text or its parent's class call it), inline data, a vector
 * or a video.
 */
function bodyImage(
  name: string,
  attribs: Record<string, string>,
  parentClass: string | undefined,
): string | undefined {
  // A lazy-loaded picture has its address in data-src and a placeholder, if anything, in src.
  const given = attribs.src?.trim();
  const src = (
    name === 'video'
      ? attribs.poster
      : given && !/^data:/i.test(given)
        ? given
        : attribs['data-src']
  )?.trim();
  if (!src || /^data:/i.test(src)) return undefined;
  // Some templates write a whole srcset list into src: its first address is the picture.
  const first = /^(\S+?)(?:\s+|%20)\d+(?:\.\d+)?[wx](?:,|$)/i.exec(src)?.[1] ?? src;
  if (/\.(svg|mp4|webm)(\?|#|$)/i.test(first)) return undefined;
  const tiny = ['width', 'height'].some((d) => {
    const size = Number.parseInt(attribs[d] ?? '', 10);
    return Number.isFinite(size) && size < 100;
  });
  const file = first.replace(/[?#].*$/, '');
  const named = [file, attribs.class, attribs.id, attribs.alt, parentClass].some((v) =>
    FURNITURE.test(words(v)),
  );
  return tiny || named ? undefined : first;
}

/** Elements that hold a page's story: a picture inside one beats any picture outside. */
const STORY = new Set(['article', 'main']);

export function readPage(source: PageSource, collected: Collected): PageReader {
  let paused = false;
  let inTitle = false;
  let titleText = '';
  let svgDepth = 0;
  let bodyAt = -1;
  // Set only while readBody runs.
  let body:
    | {
        want: BodyWants;
        facts: BodyFacts;
        skipDepth: number;
        /** open <article> and <main> elements */
        storyDepth: number;
        /** the first usable picture outside them, taken if none is found inside */
        looseImage?: string;
        /** the class of each open element, for a picture's parent */
        classes: (string | undefined)[];
      }
    | undefined;
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
    const parentClass = b.classes.at(-1);
    b.classes.push(attribs.class);
    if (SKIPPED.has(name)) b.skipDepth++;
    if (STORY.has(name)) b.storyDepth++;
    if (b.skipDepth > 0) return;
    if (
      (name === 'h1' && b.facts.h1 === undefined) ||
      (name === 'p' && b.facts.paragraph === undefined)
    ) {
      capture = { tag: name, text: '' };
    } else if (
      b.want.image &&
      b.facts.image === undefined &&
      (name === 'img' || name === 'video')
    ) {
      const image = bodyImage(name, attribs, parentClass);
      if (b.storyDepth > 0) b.facts.image = image;
      else b.looseImage ??= image;
    }
  };

  const onBodyClose = (b: NonNullable<typeof body>, name: string) => {
    b.classes.pop();
    if (SKIPPED.has(name) && b.skipDepth > 0) b.skipDepth--;
    if (STORY.has(name) && b.storyDepth > 0) b.storyDepth--;
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
      body = { want, facts: {}, skipDepth: 0, storyDepth: 0, classes: [] };
      paused = false;
      parser.resume();
      feed(MAX_BODY_FALLBACK_CHARS);
      if (want.image) body.facts.image ??= body.looseImage;
      return body.facts;
    },
  };
}

/** Attributes of one tag's source text, entities decoded. */
export function tagAttributes(tag: string): Record<string, string> {
  const attribs: Record<string, string> = {};
  for (const m of tag.matchAll(/([^\s"'<>/=]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g)) {
    const name = m[1]?.toLowerCase();
    if (!name || name in attribs) continue;
    attribs[name] = decodeHTMLStrict(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attribs;
}
