/**
 * RSS 2.0 (and 1.0), Atom and JSON Feed 1.x documents to feed items, and a feed item to
 * the article. XML is read with htmlparser2 in XML mode, which never fetches or expands
 * a DTD's entities.
 */
import { createHash } from 'node:crypto';
import { DomUtils, parseDocument } from 'htmlparser2';
import * as z from 'zod';
import type { Article } from '../domain/article';
import { type GenericArticle, parseArticleAs } from '../domain/article-payload';
import type { FeedItem, ParsedFeed } from '../domain/feed';
import { isLanguageTag } from '../domain/language';
import { charsetOf } from '../preview/charset';
import { htmlText } from './html-text';

export class FeedParseError extends Error {
  override name = 'FeedParseError';
}

type Element = ReturnType<typeof DomUtils.getElementsByTagName>[number];
type Node = Element['children'][number];

/** An element, as opposed to text, CDATA or a comment. */
const isElement = (node: Node): node is Element => 'attribs' in node;

/** A feed's description is often the whole article: a post wants a standfirst. */
export const MAX_FEED_SUMMARY = 500;
/** The generic article's longest id; a longer feed id is hashed to fit. */
const MAX_ID = 256;

/**
 * Direct children named `name` (`dc:creator`). `prefix` is the one a document gave the
 * feed's own namespace (`<atom:feed>`): `title` then also matches `atom:title`, never
 * `media:title`.
 */
function childrenNamed(parent: Element, name: string, prefix?: string): Element[] {
  const qualified = prefix ? `${prefix}:${name}` : name;
  return parent.children.filter(
    (node): node is Element => isElement(node) && (node.name === name || node.name === qualified),
  );
}

const childNamed = (parent: Element, name: string, prefix?: string) =>
  childrenNamed(parent, name, prefix)[0];

function textOf(element: Element | undefined): string | undefined {
  const value = element ? DomUtils.textContent(element).trim() : '';
  return value || undefined;
}

function childText(parent: Element, names: string[], prefix?: string): string | undefined {
  for (const name of names) {
    const value = textOf(childNamed(parent, name, prefix));
    if (value) return value;
  }
  return undefined;
}

/** An absolute http(s) URL, resolved against `base`; anything else is left out. */
function absoluteUrl(value: string | undefined, base: string): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function isoDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value.trim());
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** `Ana Rivera`, `ana@example.org (Ana Rivera)` -> the name; a bare address is no name. */
function personName(value: string | undefined): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const inParens = /^\S+@\S+\s*\((.+)\)$/.exec(text)?.[1];
  if (inParens) return inParens.trim();
  return /^\S+@\S+$/.test(text) ? undefined : text;
}

const unique = (values: (string | undefined)[]) => [
  ...new Set(values.filter((v): v is string => !!v)),
];

/** The image of an item: Media RSS content or thumbnail, or an image enclosure. */
function imageOf(item: Element, base: string): { url?: string; alt?: string } {
  const media = [
    ...childrenNamed(item, 'media:content'),
    ...childrenNamed(item, 'media:group').flatMap((group) => childrenNamed(group, 'media:content')),
  ].find(
    (element) =>
      element.attribs.medium === 'image' || (element.attribs.type ?? '').startsWith('image/'),
  );
  const thumbnail = childNamed(item, 'media:thumbnail');
  const enclosure = [
    ...childrenNamed(item, 'enclosure'),
    ...childrenNamed(item, 'link').filter((link) => link.attribs.rel === 'enclosure'),
  ].find((element) => (element.attribs.type ?? '').startsWith('image/'));
  const found = media ?? thumbnail ?? enclosure;
  const url = absoluteUrl(found?.attribs.url ?? found?.attribs.href, base);
  const alt = media ? childText(media, ['media:description', 'media:title']) : undefined;
  return url ? { url, alt } : {};
}

function rssItem(item: Element, base: string): FeedItem {
  const guid = childNamed(item, 'guid');
  const guidText = textOf(guid);
  const link =
    absoluteUrl(childText(item, ['link']), base) ??
    (guid?.attribs.isPermaLink !== 'false' ? absoluteUrl(guidText, base) : undefined);
  const image = imageOf(item, base);
  return {
    id: guidText ?? link ?? '',
    url: link,
    title: childText(item, ['title']),
    summary: childText(item, ['description', 'content:encoded']),
    imageUrl: image.url,
    imageAlt: image.alt,
    authors: unique([
      ...childrenNamed(item, 'dc:creator').map(textOf),
      ...childrenNamed(item, 'author').map((author) => personName(textOf(author))),
    ]),
    categories: unique(childrenNamed(item, 'category').map(textOf)),
    language: childText(item, ['dc:language']),
    publishedAt: isoDate(childText(item, ['pubDate', 'dc:date'])),
    updatedAt: isoDate(childText(item, ['atom:updated', 'dcterms:modified'])),
  };
}

function atomLink(entry: Element, base: string, prefix?: string): string | undefined {
  const links = childrenNamed(entry, 'link', prefix);
  const alternate =
    links.find(
      (link) => link.attribs.rel === 'alternate' && !link.attribs.type?.includes('json'),
    ) ?? links.find((link) => !link.attribs.rel);
  return absoluteUrl(alternate?.attribs.href, base);
}

function atomEntry(
  entry: Element,
  base: string,
  feed: { language?: string; prefix?: string },
): FeedItem {
  const { prefix } = feed;
  const own = entry.attribs['xml:base'];
  const entryBase = absoluteUrl(own, base) ?? base;
  const link = atomLink(entry, entryBase, prefix);
  const image = imageOf(entry, entryBase);
  return {
    id: childText(entry, ['id'], prefix) ?? link ?? '',
    url: link,
    title: childText(entry, ['title'], prefix),
    summary: childText(entry, ['summary', 'content'], prefix),
    imageUrl: image.url,
    imageAlt: image.alt,
    authors: unique(
      childrenNamed(entry, 'author', prefix).map((author) => childText(author, ['name'], prefix)),
    ),
    categories: unique(
      childrenNamed(entry, 'category', prefix).map(
        (category) => category.attribs.label || category.attribs.term,
      ),
    ),
    language: entry.attribs['xml:lang'] ?? feed.language,
    publishedAt: isoDate(childText(entry, ['published', 'issued'], prefix)),
    updatedAt: isoDate(childText(entry, ['updated', 'modified'], prefix)),
  };
}

const jsonAuthor = z.object({ name: z.string().optional() });
const jsonFeedSchema = z.object({
  version: z.string().startsWith('https://jsonfeed.org/version/1'),
  language: z.string().optional(),
  items: z.array(
    z.object({
      id: z.union([z.string(), z.number()]).transform(String),
      url: z.string().optional(),
      external_url: z.string().optional(),
      title: z.string().optional(),
      summary: z.string().optional(),
      content_html: z.string().optional(),
      content_text: z.string().optional(),
      image: z.string().optional(),
      banner_image: z.string().optional(),
      date_published: z.string().optional(),
      date_modified: z.string().optional(),
      authors: z.array(jsonAuthor).optional(),
      /** JSON Feed 1.0 */
      author: jsonAuthor.optional(),
      tags: z.array(z.string()).optional(),
      language: z.string().optional(),
    }),
  ),
});

function parseJsonFeed(text: string, base: string): ParsedFeed {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FeedParseError('The feed is not valid JSON', { cause: error });
  }
  const parsed = jsonFeedSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))];
    throw new FeedParseError(`Not a JSON Feed 1.x: ${fields.join(', ')}`);
  }
  const feed = parsed.data;
  return {
    format: 'json',
    language: feed.language,
    items: feed.items.map((item) => ({
      id: item.id,
      url: absoluteUrl(item.url ?? item.external_url, base),
      title: item.title,
      summary: item.summary ?? item.content_html ?? item.content_text,
      imageUrl: absoluteUrl(item.image ?? item.banner_image, base),
      authors: unique(
        [...(item.authors ?? []), ...(item.author ? [item.author] : [])].map((a) => a.name),
      ),
      categories: unique(item.tags ?? []),
      language: item.language ?? feed.language,
      publishedAt: isoDate(item.date_published),
      updatedAt: isoDate(item.date_modified),
    })),
  };
}

function parseXmlFeed(text: string, base: string): ParsedFeed {
  const document = parseDocument(text, { xmlMode: true });
  const root = document.children.find(isElement);
  const [prefix, rootName] = root?.name.includes(':')
    ? [root.name.slice(0, root.name.indexOf(':')), root.name.slice(root.name.indexOf(':') + 1)]
    : [undefined, root?.name];
  if (root && rootName === 'feed') {
    const language = root.attribs['xml:lang'];
    const feedBase = absoluteUrl(root.attribs['xml:base'], base) ?? base;
    return {
      format: 'atom',
      language,
      items: childrenNamed(root, 'entry', prefix).map((entry) =>
        atomEntry(entry, feedBase, { language, prefix }),
      ),
    };
  }
  if (root && (rootName === 'rss' || rootName === 'RDF')) {
    const channel = childNamed(root, 'channel', prefix);
    const language = channel ? childText(channel, ['language', 'dc:language']) : undefined;
    // RSS 2.0 nests items in the channel; RSS 1.0 puts them beside it.
    const items = [
      ...(channel ? childrenNamed(channel, 'item') : []),
      ...childrenNamed(root, 'item'),
    ];
    return {
      format: 'rss',
      language,
      items: items.map((item) => {
        const parsed = rssItem(item, base);
        return { ...parsed, language: parsed.language ?? language };
      }),
    };
  }
  throw new FeedParseError(
    root ? `Not a feed: the document is <${root.name}>` : 'Not a feed: no root element',
  );
}

/** The text of an XML feed: a byte order mark, the content-type charset, the XML declaration, UTF-8. */
function decodeXml(body: Buffer, contentType: string | undefined): string {
  const head = body.subarray(0, 200).toString('latin1');
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
  const bom =
    body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf
      ? 'utf-8'
      : body[0] === 0xfe && body[1] === 0xff
        ? 'utf-16be'
        : body[0] === 0xff && body[1] === 0xfe
          ? 'utf-16le'
          : undefined;
  for (const label of [bom, charsetOf(contentType), declared, 'utf-8']) {
    if (!label) continue;
    try {
      return new TextDecoder(label).decode(body);
    } catch {
      // an unknown label: the next one
    }
  }
  return body.toString('utf8');
}

/**
 * Parses a feed document of any of the three formats, telling JSON from XML by the
 * content type or the first character. `baseUrl` (the feed's own URL) resolves relative
 * links. Items come in document order.
 */
export function parseFeed(
  body: Buffer,
  contentType: string | undefined,
  baseUrl: string,
): ParsedFeed {
  const text = decodeXml(body, contentType);
  const isJson =
    /\bjson\b/i.test(contentType ?? '') ||
    text
      .replace(/^\uFEFF/, '')
      .trimStart()
      .startsWith('{');
  return isJson ? parseJsonFeed(text.replace(/^\uFEFF/, ''), baseUrl) : parseXmlFeed(text, baseUrl);
}

/** A long description cut to a standfirst: at a sentence end if one is near, else on a word. */
export function standfirst(html: string | undefined, max = MAX_FEED_SUMMARY): string {
  const text = htmlText(html);
  if (text.length <= max) return text;
  const room = text.slice(0, max);
  const sentence = room.search(/[.!?…](?=\s)[^.!?…]*$/);
  if (sentence >= max / 2) return room.slice(0, sentence + 1);
  const space = room.lastIndexOf(' ');
  return `${room.slice(0, space > 0 ? space : max - 1).replace(/[\s,;:–—-]+$/u, '')}…`;
}

/** The id an article takes from a feed item: the item's own, hashed when too long. */
export function feedItemId(item: FeedItem): string {
  return item.id.length <= MAX_ID
    ? item.id
    : `sha256:${createHash('sha256').update(item.id).digest('hex')}`;
}

/**
 * The revision of a feed item: its updated date in epoch milliseconds, else its
 * published date, else 1. A later edit that the feed dates replaces an earlier one.
 */
export function feedItemRevision(item: FeedItem): number {
  const ms = Date.parse(item.updatedAt ?? item.publishedAt ?? '');
  return Number.isFinite(ms) && ms > 0 ? ms : 1;
}

/**
 * A feed item as a `feed` article; `seenAt` stands in for a publication date the feed
 * does not give. Throws a ValidationError for an item that cannot be one (no link, no
 * title).
 */
export function feedItemArticle(item: FeedItem, seenAt: string): Article {
  const language = item.language?.trim();
  const generic: Partial<Record<keyof GenericArticle, unknown>> = {
    id: feedItemId(item),
    url: item.url,
    title: item.title,
    publishedAt: item.publishedAt ?? item.updatedAt ?? seenAt,
    summary: standfirst(item.summary),
    imageUrl: item.imageUrl,
    imageAlt: item.imageAlt,
    authors: item.authors.map((name) => ({ name: name.slice(0, 200) })),
    section: item.categories[0],
    tags: item.categories.slice(1),
    language: language && isLanguageTag(language) ? language : undefined,
    revision: feedItemRevision(item),
  };
  return parseArticleAs('feed', generic, { url: 'link', title: 'title' });
}
