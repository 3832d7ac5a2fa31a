/**
 * `crier preview <url>` and `crier preview --html <file> --url <url>`: the page's card, its
 * warnings, and the post every configured channel would get, as JSON. It posts nothing
 * and writes nothing (no cache, no table).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError, loadChannelsConfig } from '../../shared/config/channels';
import { parseGenericArticle } from '../../shared/domain/article-payload';
import { type Site, siteSchema } from '../../shared/domain/channel';
import { ValidationError } from '../../shared/domain/errors';
import { composerFor } from '../../shared/platforms/composers';
import { PREVIEW_TIMEOUT_MS } from '../../shared/preview/cache';
import { checkCard } from '../../shared/preview/checker';
import { extractCard } from '../../shared/preview/extract';
import { createSafeFetch, MAX_HTML_BYTES } from '../../shared/preview/fetch';
import { type PageCard, PreviewFetchError, type SafeFetch } from '../../shared/preview/types';

/** What the command writes to: process.stdout and process.stderr, or a test's buffers. */
export type PreviewIo = {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
};

export type PreviewDeps = {
  /** the fetcher for `preview <url>`; by default a fresh SSRF-safe one */
  fetch?: SafeFetch;
  /** the published time an article gets when the page states none */
  now?: () => Date;
};

export const PREVIEW_USAGE =
  'Usage: crier preview <url> | crier preview --html <file> --url <url> [--help]';

const HELP = `${PREVIEW_USAGE}

Fetches the page (http or https, public addresses only, ${MAX_HTML_BYTES / 1024 / 1024} MiB, ${PREVIEW_TIMEOUT_MS / 1000} s),
or reads a saved one with --html (--url is then the address it was saved from), and
prints JSON: { card, warnings, posts: { <platform>: { channel, url, text, length, card?,
media?, warnings } } } for every channel of the configuration (CRIER_CONFIG, or the built-in
local default). Nothing is posted and nothing is written.

Exit status: 0 done, 1 the page or the configuration could not be read, 2 bad arguments.`;

class UsageError extends Error {
  override name = 'UsageError';
}

type Request =
  | { kind: 'help' }
  | { kind: 'fetch'; url: string }
  | { kind: 'file'; file: string; url: string };

function httpUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
  } catch {
    // reported below
  }
  throw new UsageError(`not an http(s) URL: ${value}`);
}

const OPTIONS = {
  html: { type: 'string' },
  url: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseRequest(argv: string[]): Request {
  const parse = () => {
    try {
      return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
      // unknown options, a missing value: node's own message says which
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  };
  const parsed = parse();
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.html !== undefined) {
    if (positionals.length > 0)
      throw new UsageError('give either <url> or --html <file> --url <url>, not both');
    if (values.url === undefined)
      throw new UsageError('--html needs --url, the address the page was saved from');
    return { kind: 'file', file: values.html, url: httpUrl(values.url) };
  }
  if (values.url !== undefined)
    throw new UsageError('--url goes with --html; to fetch a page, give its URL alone');
  const [url, ...extra] = positionals;
  if (url === undefined) throw new UsageError('a URL is needed');
  if (extra.length > 0) throw new UsageError(`one URL at a time (also got ${extra.join(' ')})`);
  return { kind: 'fetch', url: httpUrl(url) };
}

const HTML_TYPES = /^\s*(text\/html|application\/xhtml\+xml)\b/i;

async function fetchCard(url: string, fetch: SafeFetch): Promise<PageCard> {
  const response = await fetch(url, {
    maxBytes: MAX_HTML_BYTES,
    timeoutMs: PREVIEW_TIMEOUT_MS,
    accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1',
  });
  const contentType = response.headers['content-type'];
  if (contentType && !HTML_TYPES.test(contentType)) {
    throw new PreviewFetchError(`${response.url} is ${contentType}, not a page`, 'status');
  }
  return extractCard(response.body, response.url, contentType);
}

/** Cuts a value to a schema's maximum, so a long page field does not fail the whole article. */
const upTo = (value: string | undefined, max: number) =>
  value === undefined ? undefined : value.length > max ? value.slice(0, max) : value;

/** The article the page describes, through the same validation and cleaning as a webhook's. */
function articleFrom(card: PageCard, givenUrl: string, now: Date) {
  const url = card.canonicalUrl ?? givenUrl;
  return parseGenericArticle({
    id: `preview-${createHash('sha256').update(url).digest('hex').slice(0, 16)}`,
    url,
    title: upTo(card.title, 1000),
    publishedAt: card.publishedAt ?? now.toISOString(),
    summary: upTo(card.description, 5000),
    imageUrl: card.image,
    imageAlt: upTo(card.imageAlt, 1500),
    authors: card.author ? [{ name: upTo(card.author, 200) }] : undefined,
    language: card.language,
  });
}

export async function runPreview(
  argv: string[],
  io: PreviewIo,
  deps: PreviewDeps = {},
): Promise<number> {
  let request: Request;
  try {
    request = parseRequest(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`crier preview: ${error.message}\n${PREVIEW_USAGE}\n`);
    return 2;
  }
  if (request.kind === 'help') {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }

  let config: ReturnType<typeof loadChannelsConfig>;
  try {
    config = loadChannelsConfig(process.env.CRIER_CONFIG);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`crier preview: ${error.message}\n`);
    return 1;
  }

  let card: PageCard;
  if (request.kind === 'file') {
    let html: Buffer;
    try {
      html = await readFile(request.file);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      io.stderr.write(`crier preview: cannot read ${request.file}: ${reason}\n`);
      return 1;
    }
    card = extractCard(html, request.url);
  } else {
    const own = createSafeFetch();
    try {
      card = await fetchCard(request.url, deps.fetch ?? own);
    } catch (error) {
      const reason =
        error instanceof PreviewFetchError
          ? `${error.message} [${error.reason}]`
          : error instanceof Error
            ? error.message
            : String(error);
      io.stderr.write(`crier preview: cannot fetch the page: ${reason}\n`);
      return 1;
    } finally {
      await own.close();
    }
  }

  let article: ReturnType<typeof articleFrom>;
  try {
    article = articleFrom(card, request.url, (deps.now ?? (() => new Date()))());
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    io.stdout.write(`${JSON.stringify({ card, warnings: card.warnings, posts: {} }, null, 2)}\n`);
    io.stderr.write(
      `crier preview: the page does not make an article (${error.message}); nothing composed\n`,
    );
    return 1;
  }

  // The configured site names the newsroom; a page's og:site_name stands in when none is.
  const site: Site | undefined =
    config.site ??
    (card.siteName ? siteSchema.safeParse({ name: card.siteName.slice(0, 100) }).data : undefined);
  const posts: Record<string, unknown> = {};
  for (const channel of config.channels) {
    const composer = composerFor(channel.platform);
    // A second channel on one network is keyed by its id too.
    const key = channel.platform in posts ? `${channel.platform}:${channel.id}` : channel.platform;
    if (!composer) {
      posts[key] = { channel: channel.id, warnings: [`no composer for ${channel.platform} yet`] };
      continue;
    }
    try {
      const post = composer(article, channel, { site, authors: config.authors });
      posts[key] = {
        channel: channel.id,
        url: post.url,
        text: post.text,
        ...(post.thread ? { thread: post.thread } : {}),
        length: post.length,
        ...(post.card ? { card: post.card } : {}),
        ...(post.media ? { media: post.media } : {}),
        warnings: [
          ...(post.warnings ?? []),
          ...checkCard(card, {
            platform: channel.platform,
            text: post.text,
            url: post.url,
            card: post.card,
            media: post.media,
          }),
        ],
      };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      posts[key] = { channel: channel.id, warnings: [`cannot compose: ${reason}`] };
    }
  }

  io.stdout.write(`${JSON.stringify({ card, warnings: card.warnings, posts }, null, 2)}\n`);
  return 0;
}
