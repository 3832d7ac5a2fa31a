/**
 * Articles, channels and shares for the use-case unit tests, made as ingest and compose
 * make them (parseGenericArticle, newShare), and the deps each use case takes, wired to
 * an in-memory world.
 */
import { readPublishingConfig } from '../../../shared/config/publishing';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Channel, type ChannelInput, channelSchema } from '../../../shared/domain/channel';
import { articleIdFor } from '../../../shared/domain/ids';
import type { Platform } from '../../../shared/domain/platform';
import type { ArticleRecord, ShareRef } from '../../../shared/domain/ports';
import type { HistoryEntry, Share } from '../../../shared/domain/share';
import type { NetworkClient } from '../../../shared/platforms/client';
import { type ComposeArticleDeps, newShare } from '../../../shared/usecases/compose-article';
import { type DispatchDeps, enqueueIfDue } from '../../../shared/usecases/dispatch';
import type { PublishShareDeps } from '../../../shared/usecases/publish-share';
import { type SharePlanner, sharePlanner } from '../../../shared/usecases/schedule-share';
import { type InMemoryWorld, StaticCredentials } from './index';

export const PUBLISHING = readPublishingConfig({});

export function channelOf(
  input: Partial<ChannelInput> & { id: string; platform?: Platform },
): Channel {
  return channelSchema.parse({
    platform: 'mastodon',
    account: '@desk@social.example',
    template: '{title} {url}',
    ...input,
  });
}

let serial = 0;

/** A new article as ingest stores it (revision 1, published unless `patch` says otherwise). */
export function articleRecord(
  world: Pick<InMemoryWorld, 'clock'>,
  patch: Record<string, unknown> = {},
): ArticleRecord {
  serial += 1;
  const sourceId = String(patch.id ?? `unit-${serial}`);
  const article = parseGenericArticle({
    id: sourceId,
    url: `https://news.example.org/2026/${sourceId}`,
    title: `Council approves the river crossing (${sourceId})`,
    summary: 'The vote ends two years of debate.',
    publishedAt: '2026-03-02T08:00:00Z',
    section: 'City',
    ...patch,
  });
  const at = world.clock.now().toISOString();
  return {
    articleId: articleIdFor('generic', article.sourceId),
    article,
    receivedAt: at,
    updatedAt: at,
  };
}

export async function storeArticle(
  world: Pick<InMemoryWorld, 'clock' | 'articles'>,
  patch: Record<string, unknown> = {},
): Promise<ArticleRecord> {
  const record = articleRecord(world, patch);
  await world.articles.putRevision(record);
  return record;
}

/** A later revision of a stored article, stored as ingest would (same id, revision + 1). */
export async function storeRevision(
  world: Pick<InMemoryWorld, 'clock' | 'articles'>,
  record: ArticleRecord,
  patch: Partial<ArticleRecord['article']>,
): Promise<ArticleRecord> {
  const at = world.clock.now().toISOString();
  const next: ArticleRecord = {
    ...record,
    article: { ...record.article, revision: record.article.revision + 1, ...patch },
    receivedAt: at,
    updatedAt: at,
  };
  const { written, current } = await world.articles.putRevision(next);
  if (!written) throw new Error(`revision ${next.article.revision} was not written`);
  return current;
}

/** The share's ref as a publish message names it: with its round, for an evergreen re-share. */
export const refOf = (share: Share): ShareRef => ({
  articleId: share.articleId,
  channelId: share.channelId,
  ...(share.round ? { round: share.round } : {}),
});

/** The deps of the dispatcher (enqueueIfDue, dispatchDue, the sweep). */
export function dispatchDeps(
  world: InMemoryWorld,
  config: DispatchDeps['config'] = PUBLISHING,
): DispatchDeps {
  return { shares: world.shares, publishQueue: world.publishQueue, clock: world.clock, config };
}

/**
 * The publisher's deps: every channel's credentials configured, `client` for every
 * platform, and a fixed jitter (0.5: a backoff of three quarters of its step).
 */
export function publishDeps(
  world: InMemoryWorld,
  channels: readonly Channel[],
  client: NetworkClient,
  overrides: Partial<PublishShareDeps> = {},
): PublishShareDeps {
  return {
    shares: world.shares,
    articles: world.articles,
    channelState: world.channelState,
    credentials: new StaticCredentials(
      Object.fromEntries(channels.map((c) => [c.id, { token: `token-${c.id}` }])),
    ),
    publishQueue: world.publishQueue,
    channels,
    clientFor: () => client,
    clock: world.clock,
    config: PUBLISHING,
    random: () => 0.5,
    syndication: world.syndication,
    ...overrides,
  };
}

/** The compose worker's deps, placing shares on the calendar unless `schedule` is false. */
export function composeDeps(
  world: InMemoryWorld,
  channels: readonly Channel[],
  options: { schedule?: boolean } = {},
): ComposeArticleDeps & { schedule?: SharePlanner } {
  const dispatch = dispatchDeps(world);
  return {
    articles: world.articles,
    shares: world.shares,
    channels,
    clock: world.clock,
    publishQueue: world.publishQueue,
    enqueueIfDue: (share) => enqueueIfDue(dispatch, share),
    ...(options.schedule === false
      ? {}
      : {
          schedule: sharePlanner({
            slots: world.slots,
            shares: world.shares,
            articles: world.articles,
            clock: world.clock,
            random: () => 0.5,
          }),
        }),
  };
}

/** The share compose writes for `record` on `channel`, stored (scheduled, or a draft). */
export async function composedShare(
  world: InMemoryWorld,
  record: ArticleRecord,
  channel: Channel,
  patch: Partial<Share> = {},
): Promise<Share> {
  const share = { ...newShare(record, channel, world.clock.now()), ...patch };
  if (!(await world.shares.createIfAbsent(share))) throw new Error('share already stored');
  const read = await world.shares.get(share);
  if (!read) throw new Error('share not stored');
  return read;
}

/**
 * A share claimed by the dispatcher (scheduled -> queued) for its message, which the test
 * then hands to the publisher: the message itself is taken off the queue.
 */
export async function queuedShare(
  world: InMemoryWorld,
  record: ArticleRecord,
  channel: Channel,
  patch: Partial<Share> = {},
): Promise<Share> {
  const scheduled = await composedShare(world, record, channel, patch);
  const queued = await enqueueIfDue(dispatchDeps(world), scheduled);
  if (queued.status !== 'queued') throw new Error(`share is ${queued.status}, not queued`);
  world.publishQueue.take();
  return queued;
}

/** History entries without their instants, for exact comparison. */
export const moves = (share: Share | undefined, last?: number) =>
  (share?.history ?? [])
    .slice(last === undefined ? 0 : -last)
    .map(({ at: _at, ...entry }): Omit<HistoryEntry, 'at'> => entry);
