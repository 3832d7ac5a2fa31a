/**
 * The feed poller: each configured feed, when due, fetched with a conditional GET; each
 * item not taken before goes through receive-article as a `feed` article, and is then
 * remembered, so a crash between the two takes it again (which changes nothing).
 */
import { createHash } from 'node:crypto';
import { CrierError } from '../domain/errors';
import type { Feed, FeedItem, FeedState, FeedStore } from '../domain/feed';
import { mapLimited } from '../domain/map-limited';
import { DEFAULT_SITE_ID } from '../domain/routing';
import {
  FeedParseError,
  feedItemArticle,
  feedItemId,
  feedItemRevision,
  parseFeed,
} from '../ingest/feeds';
import { PreviewFetchError, type SafeFetch } from '../preview/types';
import { type ReceiveArticleDeps, receiveArticle } from './receive-article';

/** Feeds with their full text run to a few MiB; the fetcher's own fence is 5 MiB. */
export const MAX_FEED_BYTES = 5 * 1024 * 1024;
export const FEED_TIMEOUT_MS = 10_000;
/** Items taken from one feed in one poll; the rest wait for the next poll. */
export const MAX_ITEMS_PER_POLL = 50;
/** Feeds fetched at once. */
const CONCURRENCY = 4;
/** A poll that runs a little early (the schedule's own jitter) still counts as due. */
const DUE_SLACK_MS = 10_000;

const ACCEPT =
  'application/feed+json, application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1';

export type PollFeedsDeps = ReceiveArticleDeps & {
  feeds: readonly Feed[];
  feedStore: FeedStore;
  fetch: SafeFetch;
};

export type FeedReport = {
  feedId: string;
  outcome: 'not-due' | 'not-modified' | 'polled' | 'failed';
  /** items that went to receive-article */
  taken: number;
  /** items remembered without being taken: older than the feed, or not an article */
  skipped: number;
  /** why a poll or an item failed; never a secret (feed URLs are the operator's) */
  errors: string[];
};

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** When an item was published, for the backlog rule and the order items are taken in. */
const datedAt = (item: FeedItem) => Date.parse(item.publishedAt ?? item.updatedAt ?? '');

/** Every feed polled, a few at a time; the reports in the feeds' order. */
export function pollFeeds(deps: PollFeedsDeps): Promise<FeedReport[]> {
  return mapLimited(deps.feeds, CONCURRENCY, (feed) => pollFeed(deps, feed));
}

export async function pollFeed(deps: PollFeedsDeps, feed: Feed): Promise<FeedReport> {
  const report: FeedReport = {
    feedId: feed.id,
    outcome: 'polled',
    taken: 0,
    skipped: 0,
    errors: [],
  };
  const now = deps.clock.now();
  const state = await deps.feedStore.getState(feed.id);
  if (state) {
    const elapsed = now.getTime() - Date.parse(state.lastPolledAt);
    if (elapsed + DUE_SLACK_MS < feed.everyMinutes * 60_000)
      return { ...report, outcome: 'not-due' };
  }
  const firstPolledAt = state?.firstPolledAt ?? now.toISOString();
  const polled: FeedState = {
    firstPolledAt,
    lastPolledAt: now.toISOString(),
    etag: state?.etag,
    lastModified: state?.lastModified,
  };
  const fail = async (reason: string): Promise<FeedReport> => {
    await deps.feedStore.saveState(feed.id, { ...polled, lastError: reason });
    return { ...report, outcome: 'failed', errors: [...report.errors, reason] };
  };

  let items: FeedItem[];
  let validators: Pick<FeedState, 'etag' | 'lastModified'>;
  try {
    const response = await deps.fetch(feed.url, {
      maxBytes: MAX_FEED_BYTES,
      timeoutMs: FEED_TIMEOUT_MS,
      accept: ACCEPT,
      validators: state ? { etag: state.etag, lastModified: state.lastModified } : undefined,
    });
    if (response.status === 304) {
      await deps.feedStore.saveState(feed.id, polled);
      return { ...report, outcome: 'not-modified' };
    }
    items = parseFeed(response.body, response.headers['content-type'], response.url).items;
    validators = { etag: response.headers.etag, lastModified: response.headers['last-modified'] };
  } catch (error) {
    if (error instanceof PreviewFetchError || error instanceof FeedParseError) {
      return fail(reasonOf(error));
    }
    throw error;
  }

  // Taken oldest first, so the articles arrive in the order they were published.
  const byId = new Map(items.map((item) => [feedItemId(item), item]));
  const ordered = [...byId.entries()].sort(
    ([, a], [, b]) =>
      (datedAt(a) || Number.MAX_SAFE_INTEGER) - (datedAt(b) || Number.MAX_SAFE_INTEGER),
  );
  const seen = await deps.feedStore.seen(feed.id, [...byId.keys()]);
  // The backlog: what was published before the feed was first polled (less backlogHours).
  // On the first poll an undated item counts as backlog; later, one not seen before is new.
  const cutoff = Date.parse(firstPolledAt) - feed.backlogHours * 3_600_000;
  const isBacklog = (item: FeedItem) => {
    const at = datedAt(item);
    return Number.isFinite(at) ? at < cutoff : !state;
  };

  let complete = true;
  for (const [id, item] of ordered) {
    const revision = feedItemRevision(item);
    const known = seen.get(id);
    if (known !== undefined && known >= revision) continue;
    if (report.taken >= MAX_ITEMS_PER_POLL) {
      complete = false;
      break;
    }
    if (isBacklog(item)) {
      await deps.feedStore.markSeen(feed.id, id, revision);
      report.skipped += 1;
      continue;
    }
    try {
      const taken = feedItemArticle(item, now.toISOString());
      const siteId = feed.siteId && feed.siteId !== DEFAULT_SITE_ID ? feed.siteId : undefined;
      const article = siteId ? { ...taken, siteId } : taken;
      const hash = createHash('sha256').update(id).digest('hex').slice(0, 32);
      await receiveArticle(deps, {
        source: 'feed',
        deliveryId: `${feed.id}:${hash}:${revision}`,
        article,
      });
      report.taken += 1;
    } catch (error) {
      if (!(error instanceof CrierError)) {
        // The table or the queue failed: this item, and the feed's validators, wait for
        // the next poll, which fetches the whole feed again.
        complete = false;
        report.errors.push(`${id}: ${reasonOf(error)}`);
        break;
      }
      // Not an article (no link, no title): remembered, so it is not tried every poll.
      report.skipped += 1;
      report.errors.push(`${id}: ${reasonOf(error)}`);
    }
    await deps.feedStore.markSeen(feed.id, id, revision);
  }

  await deps.feedStore.saveState(feed.id, {
    ...polled,
    ...(complete ? validators : { etag: undefined, lastModified: undefined }),
    lastError: complete ? undefined : report.errors.at(-1),
  });
  return report;
}
