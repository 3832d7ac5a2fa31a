/**
 * A page's card, fetched at most once per URL in a while: cards are kept 6 hours, and a
 * failure 10 minutes, so a page that cannot be reached (offline, as these machines are)
 * costs one attempt and then nothing: callers fall back to the article's own payload.
 */
import { extractCard } from './extract';
import { MAX_HTML_BYTES } from './fetch';
import { type PageCard, PreviewFetchError, type SafeFetch } from './types';

/** A card is good for a news cycle's morning; pages rarely change their card after. */
export const PREVIEW_TTL_SECONDS = 6 * 60 * 60;
/** Long enough that a burst of shares for one dead page costs one fetch, short enough to retry soon. */
export const FAILURE_TTL_SECONDS = 10 * 60;
/** A publish or compose step cannot wait longer for a page it can do without. */
export const PREVIEW_TIMEOUT_MS = 5_000;

export type PreviewEntry =
  | { status: 'ok'; url: string; card: PageCard; fetchedAt: string; expiresAt: number }
  | { status: 'failed'; url: string; reason: string; fetchedAt: string; expiresAt: number };

/** Where entries live: the table (shared/store/preview-store.ts), or memory in tests. */
export interface PreviewStore {
  get(url: string): Promise<PreviewEntry | undefined>;
  put(entry: PreviewEntry): Promise<void>;
}

export type PreviewDeps = {
  fetch: SafeFetch;
  store: PreviewStore;
  now?: () => Date;
  /** told of anything that went wrong (a failed fetch, the store being down); never throws back */
  report?: (
    event: 'fetch-failed' | 'store-failed',
    detail: { url: string; error: unknown },
  ) => void;
};

const HTML_TYPES = /^\s*(text\/html|application\/xhtml\+xml)\b/i;

/** The card for `url`: cached if fresh, else fetched and extracted; undefined if the page cannot be had. */
export async function getPreview(url: string, deps: PreviewDeps): Promise<PageCard | undefined> {
  const now = (deps.now ?? (() => new Date()))();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const report = (event: 'fetch-failed' | 'store-failed', error: unknown) => {
    try {
      deps.report?.(event, { url, error });
    } catch {
      // a broken reporter must not break the post
    }
  };

  try {
    const cached = await deps.store.get(url);
    // dynalite never expires items and DynamoDB deletes them late: freshness is checked here
    if (cached && cached.expiresAt > nowSeconds) {
      return cached.status === 'ok' ? cached.card : undefined;
    }
  } catch (error) {
    report('store-failed', error);
  }

  let entry: PreviewEntry;
  try {
    const response = await deps.fetch(url, {
      maxBytes: MAX_HTML_BYTES,
      timeoutMs: PREVIEW_TIMEOUT_MS,
      accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1',
    });
    const contentType = response.headers['content-type'];
    if (contentType && !HTML_TYPES.test(contentType)) {
      throw new PreviewFetchError(`${response.url} is ${contentType}, not a page`, 'status');
    }
    const card = extractCard(response.body, response.url, contentType);
    entry = {
      status: 'ok',
      url,
      card,
      fetchedAt: now.toISOString(),
      expiresAt: nowSeconds + PREVIEW_TTL_SECONDS,
    };
  } catch (error) {
    report('fetch-failed', error);
    entry = {
      status: 'failed',
      url,
      reason: error instanceof PreviewFetchError ? error.reason : 'network',
      fetchedAt: now.toISOString(),
      expiresAt: nowSeconds + FAILURE_TTL_SECONDS,
    };
  }

  try {
    await deps.store.put(entry);
  } catch (error) {
    report('store-failed', error);
  }
  return entry.status === 'ok' ? entry.card : undefined;
}
