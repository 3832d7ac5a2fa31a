/**
 * Writes one share per configured channel for an article's stored revision, stamped
 * with that revision. Each write is conditional, so a redelivered message or a second
 * compose of the same revision changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Article } from '../domain/article';
import type { Channel } from '../domain/channel';
import type { Platform } from '../domain/platform';
import type { ArticleRecord, ArticleStore, Clock, ShareStore } from '../domain/ports';
import { firstDueAt } from '../domain/schedule';
import type { Share } from '../domain/share';
import type { ShareStatus } from '../domain/share-state';
import { composerFor } from '../platforms/composers';
import type { ComposeSettings } from '../platforms/types';
import { checkCard } from '../preview/checker';
import type { PlatformMedia } from '../preview/media';
import type { PageCard } from '../preview/types';
import type { SharePlanner } from './schedule-share';

export type ComposeArticleDeps = {
  articles: ArticleStore;
  shares: ShareStore;
  channels: readonly Channel[];
  /** the config's site and author directory, for `{site}` and `{handles}` */
  settings?: ComposeSettings;
  clock: Clock;
  /** places each share on its channel's calendar; without it, dueAt ignores other posts */
  schedule?: SharePlanner;
  /** the direct path: claims and sends a share that falls due within the look-ahead */
  enqueueIfDue: (share: Share) => Promise<unknown>;
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
      existing: string[];
    }
  | { outcome: 'skipped'; articleId: string; reason: string };

/** The page's own card and the processed images for each network, when they could be had. */
export type Enrichment = {
  page?: PageCard;
  media: Partial<Record<Platform, PlatformMedia>>;
  /** text limits the channels' servers set, by channel id */
  limits?: Record<string, number>;
};

async function serverLimits(deps: ComposeArticleDeps): Promise<Record<string, number>> {
  const { serverLimit } = deps;
  if (!serverLimit) return {};
  const pairs = await Promise.all(
    deps.channels.map(async (channel) => [channel.id, await serverLimit(channel)] as const),
  );
  return Object.fromEntries(
    pairs.filter((pair): pair is readonly [string, number] => pair[1] !== undefined),
  );
}

const NOTHING_MORE: Enrichment = { media: {} };

/** Networks whose link card Crier builds and uploads itself (DESIGN.md, Platforms). */
const CARD_THUMBNAIL: readonly Platform[] = ['bluesky', 'linkedin'];

export class ArticleMissingError extends Error {
  override name = 'ArticleMissingError';
}

export async function composeArticle(
  deps: ComposeArticleDeps,
  message: { articleId: string; revision: number },
): Promise<ComposeResult> {
  const record = await deps.articles.get(message.articleId);
  // Ingest stores the article before it sends the message, so this is an anomaly
  // worth retrying (and, if it lasts, worth a dead letter).
  if (!record) throw new ArticleMissingError(`Article ${message.articleId} is not in the table`);

  const { articleId, article } = record;
  if ((record.composedRevision ?? 0) >= article.revision) {
    return {
      outcome: 'skipped',
      articleId,
      reason: `revision ${article.revision} already composed`,
    };
  }
  if (article.status !== 'published') {
    return { outcome: 'skipped', articleId, reason: `the article is ${article.status}` };
  }

  const enriched = deps.enrich
    ? await deps.enrich(article, [...new Set(deps.channels.map((c) => c.platform))])
    : NOTHING_MORE;
  const limits = await serverLimits(deps);
  const enrichment: Enrichment = { ...enriched, limits };
  const created: string[] = [];
  const existing: string[] = [];
  for (const channel of deps.channels) {
    const composed = newShare(record, channel, deps.clock.now(), deps.settings, enrichment);
    const share = deps.schedule ? await deps.schedule.place(composed, channel, record) : composed;
    if (await deps.shares.createIfAbsent(share)) {
      created.push(channel.id);
      await deps.enqueueIfDue(share);
    } else {
      existing.push(channel.id);
      // A redelivery after a crash between the write and the send completes the send.
      const stored = await deps.shares.get({ articleId, channelId: channel.id });
      await deps.schedule?.abandon(share, stored);
      if (stored) await deps.enqueueIfDue(stored);
    }
  }
  await deps.articles.markComposed(articleId, article.revision);
  return { outcome: 'composed', articleId, revision: article.revision, created, existing };
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
    // Where the composer attaches the image (or the network needs one), the processed
    // copy replaces the article's original URL.
    const media =
      post.media || channel.platform === 'instagram'
        ? processed?.media.length
          ? processed.media
          : post.media
        : undefined;
    // Networks whose card Crier sends itself get the thumbnail sized for them.
    const thumbnail = CARD_THUMBNAIL.includes(channel.platform) ? processed?.media[0] : undefined;
    const card =
      post.card && thumbnail
        ? { ...post.card, imageUrl: thumbnail.url, imageAlt: thumbnail.alt ?? post.card.imageAlt }
        : post.card;
    const warnings = [
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
