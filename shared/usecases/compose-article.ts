/**
 * Writes one share per channel that takes an article's stored revision, stamped
 * with that revision: new shares, a new revision over the ones not yet out, or, for a
 * withdrawn article, the withdrawal. Each write is conditional, so a redelivered
 * message or a second compose of the same revision changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { type Article, isDeskPost, siteOf } from '../domain/article';
import type { Channel } from '../domain/channel';
import type { ChannelStatus } from '../domain/channel-directory';
import type { Platform } from '../domain/platform';
import type { ArticleRecord, ArticleStore, Clock, PublishQueue, ShareStore } from '../domain/ports';
import { isDropped, takes } from '../domain/routing';
import { firstDueAt } from '../domain/schedule';
import type { Share } from '../domain/share';
import { refOf } from '../domain/share-key';
import type { ShareStatus } from '../domain/share-state';
import { isWithdrawn } from '../domain/withdrawal';
import { composerFor } from '../platforms/composers';
import type { ComposedPost, ComposeSettings } from '../platforms/types';
import { CARD_THUMBNAIL } from '../preview/card-rules';
import { checkCard } from '../preview/checker';
import type { PlatformMedia } from '../preview/media';
import type { PageCard } from '../preview/types';
import { planCorrection } from './plan-correction';
import { recomposeStored } from './recompose-share';
import type { SharePlanner } from './schedule-share';
import { type WithdrawReport, withdrawArticle } from './withdraw-article';

export type ComposeArticleDeps = {
  articles: ArticleStore;
  shares: ShareStore;
  /** every channel, archived ones included (a withdrawn article's past posts need theirs) */
  channels: readonly Channel[];
  /**
   * The channel's effective status (the channel directory): an archived channel takes no
   * new article, a paused one does (its shares wait at the claim until it is resumed).
   */
  statusOf?: (channelId: string) => ChannelStatus | undefined;
  /** the config's site and author directory, for `{site}` and `{handles}` */
  settings?: ComposeSettings;
  /** the article's own site's settings (the channel directory), where they differ by site */
  settingsFor?: (siteId: string) => ComposeSettings | undefined;
  clock: Clock;
  /** places each share on its channel's calendar; without it, dueAt ignores other posts */
  schedule?: SharePlanner;
  /** the direct path: claims and sends a share that falls due within the look-ahead */
  enqueueIfDue: (share: Share) => Promise<unknown>;
  /** where a withdrawn article's published posts are sent to be deleted or edited */
  publishQueue: PublishQueue;
  /** the article's page card and processed images, once per article (shared/preview) */
  enrich?: (article: Article, platforms: readonly Platform[]) => Promise<Enrichment>;
  /** a network's own text limit for a channel, where the server sets it (Mastodon) */
  serverLimit?: (channel: Channel) => Promise<number | undefined>;
};

export type ComposeResult =
  | {
      outcome: 'composed';
      articleId: string;
      revision: number;
      created: string[];
      /** already there, and not changed by this revision */
      existing: string[];
      /** already there, and rewritten from this revision */
      recomposed: string[];
      /** channels that do not take the article (routing, its site, its own choice) */
      notTaken?: string[];
      /** published posts this revision corrects: sent to the publish worker */
      corrected?: string[];
    }
  | ({ outcome: 'withdrawn'; articleId: string; revision: number } & WithdrawReport)
  | { outcome: 'skipped'; articleId: string; reason: string };

/** The page's own card and the processed images for each network, when they could be had. */
export type Enrichment = {
  page?: PageCard;
  media: Partial<Record<Platform, PlatformMedia>>;
  /** text limits the channels' servers set, by channel id */
  limits?: Record<string, number>;
};

async function serverLimits(
  deps: Pick<ComposeArticleDeps, 'serverLimit'>,
  channels: readonly Channel[],
): Promise<Record<string, number>> {
  const { serverLimit } = deps;
  if (!serverLimit) return {};
  const pairs = await Promise.all(
    channels.map(async (channel) => [channel.id, await serverLimit(channel)] as const),
  );
  return Object.fromEntries(
    pairs.filter((pair): pair is readonly [string, number] => pair[1] !== undefined),
  );
}

const NOTHING_MORE: Enrichment = { media: {} };

export class ArticleMissingError extends Error {
  override name = 'ArticleMissingError';
}

export async function composeArticle(
  deps: ComposeArticleDeps,
  message: { articleId: string; revision: number },
): Promise<ComposeResult> {
  let record = await deps.articles.get(message.articleId);
  // Ingest stores the article before it sends the message, so this is an anomaly
  // worth retrying (and, if it lasts, worth a dead letter).
  if (!record) throw new ArticleMissingError(`Article ${message.articleId} is not in the table`);

  const { articleId } = record;
  // A desk post's shares are the editor's channels, written with it (desk-post.ts): never routed.
  if (isDeskPost(record.article)) {
    return { outcome: 'skipped', articleId, reason: 'a desk post is not composed from routing' };
  }
  // The table holds the newest revision: a late message of an older one finds it composed.
  if ((record.composedRevision ?? 0) >= record.article.revision) {
    return {
      outcome: 'skipped',
      articleId,
      reason: `revision ${record.article.revision} already composed`,
    };
  }
  // Write what the stored revision says, then read the article again: a revision stored
  // meanwhile (a withdrawal above all) is applied to what was just written, so messages
  // that arrive out of order cannot revive a withdrawn article (docs/architecture.md, Ingest order).
  for (let round = 1; ; round += 1) {
    const written = isWithdrawn(record.article.status)
      ? { result: await withdrawn(deps, record), shares: [], corrections: [] }
      : await writeShares(deps, record);
    const current = await deps.articles.get(articleId);
    if (!current || current.article.revision <= record.article.revision || round >= MAX_ROUNDS) {
      // Sent only now, so nothing goes out for a revision a newer one replaced; each
      // share's own write comes before its send, the shares side by side.
      await settleAll(written.shares.map((share) => deps.enqueueIfDue(share)));
      // A published post a correction waits on: the publish worker edits it or replies (correct-post.ts).
      await settleAll(written.corrections.map((share) => deps.publishQueue.send(refOf(share), 0)));
      await deps.articles.markComposed(articleId, record.article.revision);
      return written.result;
    }
    record = current;
  }
}

/** Newer revisions one message follows before it leaves the rest to their own messages. */
const MAX_ROUNDS = 5;

async function withdrawn(deps: ComposeArticleDeps, record: ArticleRecord): Promise<ComposeResult> {
  const report = await withdrawArticle(deps, record);
  return {
    outcome: 'withdrawn',
    articleId: record.articleId,
    revision: record.article.revision,
    ...report,
  };
}

/**
 * A share per channel that takes the article (shared/domain/routing.ts): new ones
 * created, existing ones recomposed (recompose-share.ts). A channel that does not take
 * this revision gets no new share, but a share it already has is kept and follows the
 * article's revisions as before: routing decides what is created, never what is dropped.
 */
async function writeShares(
  siteless: ComposeArticleDeps,
  record: ArticleRecord,
): Promise<{ result: ComposeResult; shares: Share[]; corrections: Share[] }> {
  const { articleId, article, channelOverrides } = record;
  const deps = forSite(siteless, article);
  const channels: Channel[] = [];
  const notTaken: string[] = [];
  for (const channel of deps.channels) {
    if (deps.statusOf?.(channel.id) === 'archived') notTaken.push(channel.id);
    else if (takes(channel, article, channelOverrides)) channels.push(channel);
    // A channel an editor dropped keeps its cancelled share as it is.
    else if (isDropped(channelOverrides, channel.id)) notTaken.push(channel.id);
    else if (await deps.shares.get({ articleId, channelId: channel.id })) channels.push(channel);
    else notTaken.push(channel.id);
  }
  const prepared = await prepareShares(deps, record, channels);
  // Each channel's share is composed, placed on its own calendar and written apart from
  // the others: side by side, the lists below kept in the channels' order.
  const outcomes = await settleAll(
    channels.map(async (channel) => {
      const share = await composeShare(deps, record, channel, prepared);
      if (await deps.shares.createIfAbsent(share)) return { kind: 'created' as const, share };
      // A new revision over a share that exists; or a redelivery after a crash between the
      // write and the send, whose send completes in composeArticle.
      const stored = await recomposeStored(deps, share);
      // The slot planned for the fresh share is given back unless the stored one took its time.
      await deps.schedule?.abandon(share, stored?.share);
      // A post already out that this revision corrects (plan-correction.ts).
      const corrected =
        stored && !stored.recomposed
          ? await planCorrection(deps, record, channel, stored.share, share)
          : undefined;
      return {
        kind: stored?.recomposed ? ('recomposed' as const) : ('existing' as const),
        share: corrected ?? stored?.share,
        corrected,
      };
    }),
  );
  const created: string[] = [];
  const existing: string[] = [];
  const recomposed: string[] = [];
  const shares: Share[] = [];
  const corrections: Share[] = [];
  const lists = { created, existing, recomposed };
  for (const [index, outcome] of outcomes.entries()) {
    const id = channels[index]?.id;
    if (id === undefined) continue;
    lists[outcome.kind].push(id);
    if (outcome.share) shares.push(outcome.share);
    if ('corrected' in outcome && outcome.corrected) corrections.push(outcome.corrected);
  }
  return {
    result: {
      outcome: 'composed',
      articleId,
      revision: article.revision,
      created,
      existing,
      recomposed,
      ...(notTaken.length ? { notTaken } : {}),
      ...(corrections.length ? { corrected: corrections.map((share) => share.channelId) } : {}),
    },
    shares,
    corrections,
  };
}

/**
 * Waits for every one of `work` and then, if any failed, throws the first failure: none
 * is left running behind a failure (a retried message finds them all done or not begun).
 */
async function settleAll<T>(work: readonly Promise<T>[]): Promise<T[]> {
  const values: T[] = [];
  for (const outcome of await Promise.allSettled(work)) {
    if (outcome.status === 'rejected') throw outcome.reason;
    values.push(outcome.value);
  }
  return values;
}

/** The deps with the article's own site's settings, for `{site}` and `{handles}`. */
export function forSite<D extends Pick<ComposeArticleDeps, 'settings' | 'settingsFor'>>(
  deps: D,
  article: Article,
): D {
  return { ...deps, settings: deps.settingsFor?.(siteOf(article)) ?? deps.settings };
}

/** What composing one channel's share reads of the deps. */
export type ShareComposer = Pick<
  ComposeArticleDeps,
  'clock' | 'settings' | 'schedule' | 'enrich' | 'serverLimit'
>;

/** What every share of one compose shares: the page card, images and limits, and staleness. */
export type PreparedShares = { enrichment: Enrichment; stale?: string };

/** Fetches (or reads from cache) what the channels' shares need beyond the article. */
export async function prepareShares(
  deps: ShareComposer,
  record: ArticleRecord,
  channels: readonly Channel[],
): Promise<PreparedShares> {
  // The page, the images and the servers' limits are fetched side by side.
  const [enriched, limits] = await Promise.all([
    deps.enrich
      ? deps.enrich(record.article, [...new Set(channels.map((c) => c.platform))])
      : NOTHING_MORE,
    serverLimits(deps, channels),
  ]);
  return {
    enrichment: { ...enriched, limits },
    stale: staleness(record, deps.settings?.site?.staleAfterHours),
  };
}

/**
 * One channel's share as compose makes it: composed (newShare), held as a draft if the
 * article is stale, and placed on the channel's calendar. Not written: the caller does.
 */
export async function composeShare(
  deps: ShareComposer,
  record: ArticleRecord,
  channel: Channel,
  prepared: PreparedShares,
): Promise<Share> {
  const fresh = newShare(record, channel, deps.clock.now(), deps.settings, prepared.enrichment);
  const composed = prepared.stale ? asStaleDraft(fresh, prepared.stale) : fresh;
  return deps.schedule ? deps.schedule.place(composed, channel, record) : composed;
}

const HOUR_MS = 3_600_000;

/**
 * Why an article is stale, or nothing: it was first seen (`receivedAt`, the first
 * arrival's time) more than `staleAfterHours` after it was published.
 */
export function staleness(
  record: Pick<ArticleRecord, 'receivedAt' | 'article'>,
  staleAfterHours: number | undefined,
): string | undefined {
  if (staleAfterHours === undefined) return undefined;
  const late = Date.parse(record.receivedAt) - Date.parse(record.article.publishedAt);
  if (!(late > staleAfterHours * HOUR_MS)) return undefined;
  const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  const hours = Math.floor(late / HOUR_MS);
  const after =
    hours < 1
      ? count(Math.floor(late / 60_000), 'minute')
      : hours < 48
        ? count(hours, 'hour')
        : count(Math.floor(hours / 24), 'day');
  return `stale: first seen ${after} after it was published`;
}

/** A share of a stale article waits as a draft for an editor's approval, saying why. */
function asStaleDraft(share: Share, reason: string): Share {
  if (share.status !== 'scheduled' && share.status !== 'draft') return share;
  return {
    ...share,
    status: 'draft',
    history: share.history.map((entry, index) =>
      index === 0 && entry.event === 'compose'
        ? { ...entry, to: 'draft', reason: share.lastError ? entry.reason : reason }
        : entry,
    ),
  };
}

/**
 * The composer's image and card with the processed copies in their place: where the
 * composer attaches the image (or the network needs one, Instagram), the copy fitted to
 * the network replaces the article's original URL; and the networks whose card Crier
 * sends itself get the thumbnail sized for them.
 */
export function withProcessedMedia(
  platform: Platform,
  post: Pick<ComposedPost, 'media' | 'card'> | undefined,
  processed: PlatformMedia | undefined,
): Pick<ComposedPost, 'media' | 'card'> {
  const media =
    post?.media || platform === 'instagram'
      ? processed?.media.length
        ? processed.media
        : post?.media
      : undefined;
  const thumbnail = CARD_THUMBNAIL.includes(platform) ? processed?.media[0] : undefined;
  const card =
    post?.card && thumbnail
      ? { ...post.card, imageUrl: thumbnail.url, imageAlt: thumbnail.alt ?? post.card.imageAlt }
      : post?.card;
  return { media, card };
}

/** A share as composed for one channel: scheduled, or a draft awaiting approval. */
export function newShare(
  record: ArticleRecord,
  channel: Channel,
  now: Date,
  settings?: ComposeSettings,
  enrichment: Enrichment = NOTHING_MORE,
): Share {
  const { articleId } = record;
  // What the page itself says fills what the CMS left out (never the other way round).
  const article: Article = {
    ...record.article,
    summary: record.article.summary ?? enrichment.page?.description,
    imageUrl: record.article.imageUrl ?? enrichment.page?.image,
    imageAlt: record.article.imageAlt ?? enrichment.page?.imageAlt,
  };
  const at = now.toISOString();
  const dueAt = firstDueAt(channel.schedule, {
    now,
    receivedAt: record.receivedAt,
    shareAt: article.shareAt,
    timeZone: channel.timezone,
    lane: article.priority,
  });
  const base = {
    articleId,
    channelId: channel.id,
    platform: channel.platform,
    articleRevision: article.revision,
    dueAt,
    attempt: 0,
    version: 1,
    idempotencyKey: randomUUID(),
    headline: article.title,
    createdAt: at,
    updatedAt: at,
  };
  const composer = composerFor(channel.platform);
  let status: ShareStatus = channel.approval === 'required' ? 'draft' : 'scheduled';
  try {
    if (!composer) throw new Error(`No composer for ${channel.platform}`);
    // The server's own limit wins over the configured one, unless the channel asks for less.
    const serverLimit = enrichment.limits?.[channel.id];
    const fitted = serverLimit
      ? { ...channel, maxCharacters: Math.min(channel.maxCharacters ?? serverLimit, serverLimit) }
      : channel;
    const post = composer(article, fitted, settings);
    const processed = enrichment.media[channel.platform];
    const { media, card } = withProcessedMedia(channel.platform, post, processed);
    const warnings = [
      ...(article.warnings ?? []),
      ...(post.warnings ?? []),
      ...(media ? (processed?.warnings ?? []) : []),
      ...checkCard(enrichment.page, {
        platform: channel.platform,
        text: post.text,
        url: post.url,
        card,
        media,
      }),
    ];
    return {
      ...base,
      status,
      text: post.text,
      url: post.url,
      hashtags: post.hashtags,
      card,
      facets: post.facets,
      thread: post.thread,
      media,
      warnings: warnings.length ? [...new Set(warnings)] : undefined,
      language: post.language,
      length: post.length,
      history: [
        { at, event: 'compose', to: status, by: 'crier', reason: `revision ${article.revision}` },
      ],
    };
  } catch (error) {
    // A post that cannot be made valid waits as a draft for an editor, with the reason.
    status = 'draft';
    const reason = `Could not compose: ${error instanceof Error ? error.message : String(error)}`;
    return {
      ...base,
      status,
      text: '',
      url: article.url,
      hashtags: [],
      lastError: reason,
      history: [{ at, event: 'compose', to: status, by: 'crier', reason }],
    };
  }
}
