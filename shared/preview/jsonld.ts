/**
 * What a page's JSON-LD says of its article: the first NewsArticle, Article, BlogPosting
 * or ReportageNewsArticle (and their kin), top level, in an array or in an `@graph`.
 * JSON-LD is whatever the page wrote, so everything is read as `unknown` and narrowed.
 */

export type JsonLdArticle = {
  headline?: string;
  description?: string;
  image?: { url: string; width?: number; height?: number };
  datePublished?: string;
  author?: string;
  publisher?: string;
  url?: string;
  inLanguage?: string;
};

/** Article types a newsroom page uses; schema.org's subtypes of Article that describe a page. */
const ARTICLE_TYPES = new Set([
  'article',
  'newsarticle',
  'reportagenewsarticle',
  'analysisnewsarticle',
  'opinionnewsarticle',
  'backgroundnewsarticle',
  'reviewnewsarticle',
  'askpublicnewsarticle',
  'blogposting',
  'liveblogposting',
  'socialmediaposting',
  'techarticle',
  'report',
  'scholarlyarticle',
]);

/** Bounds on what a hostile page can make us walk. */
const MAX_NODES = 2_000;
const MAX_DEPTH = 8;

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function typesOf(node: Node): string[] {
  const type = node['@type'];
  const list = Array.isArray(type) ? type : [type];
  return list
    .filter((t): t is string => typeof t === 'string')
    .map((t) => t.replace(/^.*[/#:]/, '').toLowerCase());
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return text(value[0]);
  if (isNode(value)) return text(value['@value']);
  return undefined;
}

function positive(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string'
        ? Number.parseInt(value, 10)
        : Number.NaN;
  return Number.isFinite(n) && n > 0 ? Math.round(n) : undefined;
}

function imageOf(value: unknown, depth = 0): JsonLdArticle['image'] {
  if (depth > 3) return undefined;
  if (typeof value === 'string') return value.trim() ? { url: value.trim() } : undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = imageOf(item, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (!isNode(value)) return undefined;
  const url = text(value.url) ?? text(value.contentUrl) ?? text(value['@id']);
  if (!url) return undefined;
  const width = positive(value.width);
  const height = positive(value.height);
  return { url, ...(width ? { width } : {}), ...(height ? { height } : {}) };
}

function nameOf(value: unknown, depth = 0): string | undefined {
  if (depth > 3) return undefined;
  if (typeof value === 'string') return value.trim() || undefined;
  if (Array.isArray(value)) {
    const names = value.map((v) => nameOf(v, depth + 1)).filter((n): n is string => !!n);
    return names.length ? [...new Set(names)].join(', ') : undefined;
  }
  if (isNode(value)) return text(value.name);
  return undefined;
}

function urlOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (isNode(value)) return text(value['@id']) ?? text(value.url);
  return undefined;
}

/** Every object in the documents, breadth first, `@graph` and arrays opened. */
function* nodes(roots: unknown[]): Generator<Node> {
  const queue: [unknown, number][] = roots.map((r) => [r, 0]);
  let seen = 0;
  for (let i = 0; i < queue.length && seen < MAX_NODES; i++) {
    const entry = queue[i];
    if (!entry) continue;
    const [value, depth] = entry;
    if (depth > MAX_DEPTH) continue;
    if (Array.isArray(value)) {
      // a huge array is not walked past what the bound allows
      for (const item of value.slice(0, Math.max(0, MAX_NODES - queue.length)))
        queue.push([item, depth + 1]);
      continue;
    }
    if (!isNode(value)) continue;
    seen++;
    yield value;
    if (Array.isArray(value['@graph'])) queue.push([value['@graph'], depth + 1]);
    // an Article is sometimes the mainEntity of a WebPage
    if (isNode(value.mainEntity)) queue.push([value.mainEntity, depth + 1]);
  }
}

/** Parses one script's text; pages wrap it in comments or CDATA, or leave raw newlines in strings. */
export function parseJsonLd(source: string): unknown {
  const cleaned = source
    .trim()
    .replace(/^<!--|-->$/g, '')
    .replace(/^\s*(\/\/\s*)?<!\[CDATA\[|(\/\/\s*)?\]\]>\s*$/g, '')
    .trim();
  try {
    return JSON.parse(cleaned);
  } catch {
    try {
      // A control character inside a string is the most common fault real pages have.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
      return JSON.parse(cleaned.replace(/[\u0000-\u001f]+/g, ' '));
    } catch {
      return undefined;
    }
  }
}

/** The article the JSON-LD documents describe, or undefined. */
export function readJsonLdArticle(documents: unknown[]): JsonLdArticle | undefined {
  for (const node of nodes(documents)) {
    if (!typesOf(node).some((t) => ARTICLE_TYPES.has(t))) continue;
    const image = imageOf(node.image) ?? imageOf(node.thumbnailUrl);
    const publisher = isNode(node.publisher) ? text(node.publisher.name) : nameOf(node.publisher);
    const article: JsonLdArticle = {
      headline: text(node.headline) ?? text(node.name),
      description: text(node.description),
      image,
      datePublished: text(node.datePublished) ?? text(node.dateCreated),
      author: nameOf(node.author) ?? nameOf(node.creator),
      publisher,
      url: text(node.url) ?? urlOf(node.mainEntityOfPage),
      inLanguage: text(node.inLanguage),
    };
    return article;
  }
  return undefined;
}
