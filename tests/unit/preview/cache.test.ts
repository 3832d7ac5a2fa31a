import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FAILURE_TTL_SECONDS,
  getPreview,
  PREVIEW_TIMEOUT_MS,
  PREVIEW_TTL_SECONDS,
  type PreviewEntry,
  type PreviewStore,
} from '../../../shared/preview/cache';
import { MAX_HTML_BYTES } from '../../../shared/preview/fetch';
import {
  type FetchedResource,
  PreviewFetchError,
  type SafeFetch,
  type SafeFetchOptions,
} from '../../../shared/preview/types';

const SEED = readFileSync(join(import.meta.dirname, '../../../tests/fixtures/seed-article.html'));
const URL_ = 'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/';

function memoryStore(): PreviewStore & { entries: Map<string, PreviewEntry>; puts: number } {
  const entries = new Map<string, PreviewEntry>();
  return {
    entries,
    puts: 0,
    async get(url) {
      return entries.get(url);
    },
    async put(entry) {
      this.puts++;
      entries.set(entry.url, entry);
    },
  };
}

function fakeFetch(answer: (url: string) => FetchedResource | Error) {
  const calls: { url: string; options: SafeFetchOptions }[] = [];
  const fetch: SafeFetch = async (url, options) => {
    calls.push({ url, options });
    const result = answer(url);
    if (result instanceof Error) throw result;
    return result;
  };
  return { fetch, calls };
}

const page = (url: string): FetchedResource => ({
  url,
  status: 200,
  headers: { 'content-type': 'text/html; charset=UTF-8' },
  body: SEED,
});

describe('getPreview', () => {
  it('fetches with the HTML cap and a 5 s timeout, extracts, and stores the card for 6 hours', async () => {
    const store = memoryStore();
    const { fetch, calls } = fakeFetch(page);
    const now = new Date('2024-06-01T12:00:00Z');
    const card = await getPreview(URL_, { fetch, store, now: () => now });
    expect(card?.title).toBe('Trump Declares Support for Coup in Bolivia');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.options).toMatchObject({ maxBytes: MAX_HTML_BYTES, timeoutMs: 5_000 });
    expect(PREVIEW_TIMEOUT_MS).toBe(5_000);
    const entry = store.entries.get(URL_);
    expect(entry).toMatchObject({ status: 'ok', url: URL_, fetchedAt: now.toISOString() });
    expect(entry?.expiresAt).toBe(now.getTime() / 1000 + 6 * 3600);
    expect(PREVIEW_TTL_SECONDS).toBe(6 * 3600);
  });

  it('answers from the cache while fresh and fetches again once stale', async () => {
    const store = memoryStore();
    const { fetch, calls } = fakeFetch(page);
    let now = new Date('2024-06-01T12:00:00Z');
    const deps = { fetch, store, now: () => now };
    await getPreview(URL_, deps);
    now = new Date('2024-06-01T17:59:00Z');
    expect((await getPreview(URL_, deps))?.title).toBe(
      'Trump Declares Support for Coup in Bolivia',
    );
    expect(calls).toHaveLength(1);
    now = new Date('2024-06-01T18:00:01Z');
    await getPreview(URL_, deps);
    expect(calls).toHaveLength(2);
  });

  it('caches a failure for 10 minutes so an offline page fails fast', async () => {
    const store = memoryStore();
    const { fetch, calls } = fakeFetch(
      () => new PreviewFetchError('getaddrinfo ENOTFOUND www.leftvoice.org', 'network'),
    );
    let now = new Date('2024-06-01T12:00:00Z');
    const reported: string[] = [];
    const deps = {
      fetch,
      store,
      now: () => now,
      report: (event: string) => {
        reported.push(event);
      },
    };
    expect(await getPreview(URL_, deps)).toBeUndefined();
    expect(store.entries.get(URL_)).toMatchObject({
      status: 'failed',
      reason: 'network',
      expiresAt: now.getTime() / 1000 + FAILURE_TTL_SECONDS,
    });
    expect(FAILURE_TTL_SECONDS).toBe(600);
    now = new Date('2024-06-01T12:09:00Z');
    // Within the failure's TTL: answered from the cache, the page is not fetched again.
    expect(await getPreview(URL_, deps)).toBeUndefined();
    expect(calls).toHaveLength(1);
    now = new Date('2024-06-01T12:10:01Z');
    await getPreview(URL_, deps);
    expect(calls).toHaveLength(2);
    expect(reported).toEqual(['fetch-failed', 'fetch-failed']);
  });

  it('returns undefined for an answer that is not a page', async () => {
    const store = memoryStore();
    const { fetch } = fakeFetch((url) => ({
      url,
      status: 200,
      headers: { 'content-type': 'application/pdf' },
      body: Buffer.from('%PDF-1.7'),
    }));
    expect(await getPreview(URL_, { fetch, store })).toBeUndefined();
    expect(store.entries.get(URL_)?.status).toBe('failed');
  });

  it('uses the URL after redirects to resolve the card', async () => {
    const store = memoryStore();
    const { fetch } = fakeFetch(() => page('https://www.leftvoice.org/2019/11/12/moved/'));
    const card = await getPreview('https://lv.example/s/1', { fetch, store });
    expect(card?.url).toBe('https://www.leftvoice.org/2019/11/12/moved/');
  });

  it('still answers when the store is down, and says so', async () => {
    const broken: PreviewStore = {
      get: async () => {
        throw new Error('table unreachable');
      },
      put: async () => {
        throw new Error('table unreachable');
      },
    };
    const { fetch } = fakeFetch(page);
    const reported: string[] = [];
    const card = await getPreview(URL_, {
      fetch,
      store: broken,
      report: (event) => {
        reported.push(event);
      },
    });
    expect(card?.title).toBe('Trump Declares Support for Coup in Bolivia');
    expect(reported).toEqual(['store-failed', 'store-failed']);
  });
});
