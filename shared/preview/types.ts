/** What the preview code hands the rest of Crier: fetched bytes, extracted cards, processed images. */

/** A response fetched by the SSRF-safe fetcher (shared/preview/fetch.ts). */
export type FetchedResource = {
  /** the URL after redirects */
  url: string;
  status: number;
  /** lower-cased header names */
  headers: Record<string, string>;
  body: Buffer;
};

export type SafeFetchOptions = {
  /** bytes; the body is refused past it */
  maxBytes: number;
  timeoutMs: number;
  /** what to ask for; the fetcher sends an honest User-Agent */
  accept?: string;
  /**
   * A conditional GET: the validators of the copy the caller holds. A `304 Not Modified`
   * is then an answer (status 304, empty body) rather than an error.
   */
  validators?: { etag?: string; lastModified?: string };
};

/** Fetches a public http(s) URL, refusing private, loopback, link-local and reserved addresses. */
export type SafeFetch = (url: string, options: SafeFetchOptions) => Promise<FetchedResource>;

/** The card a page describes of itself (Open Graph, Twitter, JSON-LD, canonical, fallbacks). */
export type PageCard = {
  url: string;
  canonicalUrl?: string;
  title?: string;
  description?: string;
  image?: string;
  imageAlt?: string;
  imageWidth?: number;
  imageHeight?: number;
  siteName?: string;
  publishedAt?: string;
  author?: string;
  language?: string;
  twitterCard?: string;
  /** problems seen while reading the page (duplicate or conflicting tags...) */
  warnings: string[];
};

export class PreviewFetchError extends Error {
  override name = 'PreviewFetchError';
  constructor(
    message: string,
    readonly reason:
      | 'blocked'
      | 'too-large'
      | 'timeout'
      | 'status'
      | 'network'
      | 'redirects'
      | 'scheme',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
