/**
 * What the editor API shows of articles and shares, as zod schemas: the use cases build
 * their answers with these types, and the OpenAPI document is generated from the same
 * schemas, so the two cannot drift apart.
 */
import * as z from 'zod';
import { ARTICLE_PRIORITIES, ARTICLE_SOURCES, ARTICLE_STATUSES, siteOf } from '../domain/article';
import { correctionRecordSchema } from '../domain/correction';
import { readingSchema } from '../domain/metrics';
import { PLATFORMS } from '../domain/platform';
import type { ArticleRecord } from '../domain/ports';
import { HISTORY_NOTES, mediaRefSchema, type Share } from '../domain/share';
import { imageChoiceSchema } from '../domain/share-image';
import { shareKeyOf } from '../domain/share-key';
import { SHARE_EVENTS, SHARE_STATUSES } from '../domain/share-state';
import { storedImagePaths } from './share-images';

const instant = z.iso.datetime({ offset: true });

export const articleViewSchema = z.object({
  id: z.string(),
  /** the site it came in for */
  siteId: z.string(),
  source: z.enum(ARTICLE_SOURCES),
  sourceId: z.string(),
  url: z.string(),
  /** a desk post's link (its `url` is empty: it has no page of its own) */
  link: z.string().nullable(),
  title: z.string(),
  summary: z.string().nullable(),
  imageUrl: z.string().nullable(),
  imageAlt: z.string().nullable(),
  imageCredit: z.string().nullable(),
  authors: z.array(
    z.object({ name: z.string(), handles: z.partialRecord(z.enum(PLATFORMS), z.string()) }),
  ),
  section: z.string().nullable(),
  tags: z.array(z.string()),
  language: z.string().nullable(),
  revision: z.number().int(),
  priority: z.enum(ARTICLE_PRIORITIES),
  status: z.enum(ARTICLE_STATUSES),
  publishedAt: z.string(),
  /** no share goes out before it */
  shareAt: z.string().nullable(),
  receivedAt: instant,
  updatedAt: instant,
  /** channels an editor added to this article or dropped from it: no CMS revision undoes them */
  channelOverrides: z.object({ added: z.array(z.string()), dropped: z.array(z.string()) }),
});
export type ArticleView = z.output<typeof articleViewSchema>;

export const historyEntrySchema = z.object({
  at: instant,
  event: z.enum([...SHARE_EVENTS, ...HISTORY_NOTES]),
  from: z.enum(SHARE_STATUSES).optional(),
  to: z.enum(SHARE_STATUSES),
  /** `crier`, `dispatcher`, `publisher`, or the editor who did it */
  by: z.string(),
  reason: z.string().optional(),
});

const lengthSchema = z.object({
  used: z.number(),
  limit: z.number(),
  unit: z.enum(['weighted', 'graphemes', 'characters']),
});

export const shareViewSchema = z.object({
  /** the share's name within its article, and the `{channelId}` of its routes */
  key: z.string(),
  channelId: z.string(),
  /** an evergreen re-share's round (2 and up); null for the first share */
  round: z.number().int().nullable(),
  platform: z.enum(PLATFORMS),
  status: z.enum(SHARE_STATUSES),
  text: z.string(),
  dueAt: instant,
  remoteId: z.string().nullable(),
  remoteUrl: z.string().nullable(),
  preparedId: z.string().nullable(),
  /** the article URL with the channel's UTM parameters */
  url: z.string(),
  hashtags: z.array(z.string()),
  card: z
    .object({
      url: z.string(),
      title: z.string(),
      description: z.string().optional(),
      imageUrl: z.string().optional(),
      imageAlt: z.string().optional(),
    })
    .nullable(),
  /** Bluesky's rich-text facets for `text` (UTF-8 byte offsets) */
  facets: z
    .array(
      z.object({
        index: z.object({ byteStart: z.number().int(), byteEnd: z.number().int() }),
        features: z.array(
          z.union([
            z.object({ $type: z.literal('app.bsky.richtext.facet#link'), uri: z.string() }),
            z.object({ $type: z.literal('app.bsky.richtext.facet#tag'), tag: z.string() }),
          ]),
        ),
      }),
    )
    .nullable(),
  thread: z.array(z.string()).nullable(),
  /** the remote ids of the thread's replies posted so far, in order */
  threadIds: z.array(z.string()),
  /** a withdrawal under way or done: how many of `threadIds`, from the last, are deleted */
  threadWithdrawn: z.number().int(),
  media: z.array(mediaRefSchema).nullable(),
  /**
   * Where a signed-in editor loads the share's stored images from (the editor API's image
   * routes, with the bearer token): the card's thumbnail and each medium, null where the
   * image is not one Crier stored
   */
  images: z.object({ card: z.string().nullable(), media: z.array(z.string().nullable()) }),
  warnings: z.array(z.string()),
  language: z.string().nullable(),
  /** the network's own count of `text`, and its limit */
  length: lengthSchema.nullable(),
  articleRevision: z.number().int(),
  attempt: z.number().int(),
  version: z.number().int(),
  lastError: z.string().nullable(),
  cancelRequested: z.boolean(),
  /** since when the share waits for its channel to be reconnected (a dead token); null: not */
  waitingForReconnect: z.string().nullable(),
  /** what was done to the published post once its article was withdrawn */
  withdrawal: z
    .object({
      action: z.enum(['delete', 'edit']),
      at: z.string(),
      outcome: z.enum(['done', 'refused']),
      text: z.string().optional(),
      reason: z.string().optional(),
    })
    .nullable(),
  /**
   * What each revision that corrected the published post did (edit, reply, notify,
   * ignore), the latest few, oldest first; empty when none
   */
  corrections: z.array(correctionRecordSchema),
  /** the revisions whose correction of the published post is still on its way */
  correctionsDue: z.array(z.number().int()),
  /** when the CMS was told of the published post (the syndication webhook), or its last error */
  syndicatedAt: z.string().nullable(),
  syndicationError: z.string().nullable(),
  /** when an editor last set the text, the thread or the dueAt by hand; null when never */
  edited: z
    .object({
      text: instant.optional(),
      thread: instant.optional(),
      dueAt: instant.optional(),
      /** the image an editor chose for this share, kept through new revisions */
      image: imageChoiceSchema.optional(),
      /** the editor's alt text for it */
      imageAlt: z.string().optional(),
    })
    .nullable(),
  createdAt: instant,
  updatedAt: instant,
  /** the first entry and the latest ones (at most 50); `historyDropped` counts the rest */
  history: z.array(historyEntrySchema),
  historyDropped: z.number().int().meta({
    description: 'How many history entries between the first and the kept ones were let go',
  }),
  metrics: readingSchema.nullable().optional().meta({
    description:
      "The post's latest counts (every reading: GET …/shares/{channelId}/metrics): null on a published share until its first reading; a count the network does not report is absent. Absent on a share that was never read and is not published",
  }),
  metricsSkipped: z.string().optional().meta({
    description:
      'Why a reading was not taken, or why the post is no longer read (readings off for the channel, the monthly budget spent, the network gives no counts)',
  }),
});
export type ShareView = z.output<typeof shareViewSchema>;

/** What the article list shows of each share. */
export const shareSummarySchema = shareViewSchema
  .pick({
    key: true,
    channelId: true,
    round: true,
    platform: true,
    status: true,
    dueAt: true,
    remoteId: true,
    remoteUrl: true,
  })
  .extend({
    /** a draft whose dueAt has passed: it waits for an editor and is late */
    overdue: z.boolean(),
  });

export const articleSummarySchema = articleViewSchema.extend({
  shares: z.array(shareSummarySchema),
});
export type ArticleSummary = z.output<typeof articleSummarySchema>;

export const articleListSchema = z.object({
  articles: z.array(articleSummarySchema),
  /** pass it back as `cursor` for the next page; null on the last page */
  cursor: z.string().nullable(),
});
export type ArticleList = z.output<typeof articleListSchema>;

export const articleDetailSchema = z.object({
  article: articleViewSchema,
  shares: z.array(shareViewSchema),
});
export type ArticleDetail = z.output<typeof articleDetailSchema>;

export const shareAnswerSchema = z.object({ share: shareViewSchema });

/**
 * What became of each channel an editor added or dropped: `added` (a new share),
 * `revived` (its cancelled share composed again as a new pending one), `already-live`
 * (it has a share that is not cancelled: nothing done), `dropped` (its pending share
 * cancelled, or none there to cancel), `already-dropped` (its share was cancelled
 * already: nothing done).
 */
export const CHANNEL_OUTCOMES = [
  'added',
  'revived',
  'already-live',
  'dropped',
  'already-dropped',
] as const;
export type ChannelOutcome = (typeof CHANNEL_OUTCOMES)[number];

export const articleChannelsAnswerSchema = z.object({
  article: articleViewSchema,
  /** each channel named, adds first, then drops */
  changes: z.array(
    z.object({
      channelId: z.string(),
      outcome: z.enum(CHANNEL_OUTCOMES),
      /** the channel's share as it now stands; null where it has none */
      share: shareViewSchema.nullable(),
    }),
  ),
  /** every share of the article, as it now stands */
  shares: z.array(shareViewSchema),
});
export type ArticleChannelsAnswer = z.output<typeof articleChannelsAnswerSchema>;
export type ShareAnswer = z.output<typeof shareAnswerSchema>;

export function articleView(record: ArticleRecord): ArticleView {
  const { article } = record;
  return {
    id: record.articleId,
    siteId: siteOf(article),
    source: article.source,
    sourceId: article.sourceId,
    url: article.url,
    link: article.link ?? null,
    title: article.title,
    summary: article.summary ?? null,
    imageUrl: article.imageUrl ?? null,
    imageAlt: article.imageAlt ?? null,
    imageCredit: article.imageCredit ?? null,
    authors: article.authors,
    section: article.section ?? null,
    tags: article.tags,
    language: article.language ?? null,
    revision: article.revision,
    priority: article.priority,
    status: article.status,
    publishedAt: article.publishedAt,
    shareAt: article.shareAt ?? null,
    receivedAt: record.receivedAt,
    updatedAt: record.updatedAt,
    channelOverrides: {
      added: record.channelOverrides?.added ?? [],
      dropped: record.channelOverrides?.dropped ?? [],
    },
  };
}

export function shareView(share: Share): ShareView {
  return {
    key: shareKeyOf(share),
    channelId: share.channelId,
    round: share.round ?? null,
    platform: share.platform,
    status: share.status,
    text: share.text,
    dueAt: share.dueAt,
    remoteId: share.remoteId ?? null,
    remoteUrl: share.remoteUrl ?? null,
    preparedId: share.preparedId ?? null,
    url: share.url,
    hashtags: share.hashtags,
    card: share.card ?? null,
    facets: share.facets ?? null,
    thread: share.thread ?? null,
    threadIds: share.threadIds ?? [],
    threadWithdrawn: share.threadWithdrawn ?? 0,
    media: share.media ?? null,
    images: storedImagePaths(share),
    warnings: share.warnings ?? [],
    language: share.language ?? null,
    length: share.length ?? null,
    articleRevision: share.articleRevision,
    attempt: share.attempt,
    version: share.version,
    lastError: share.lastError ?? null,
    cancelRequested: share.cancelRequested ?? false,
    waitingForReconnect: share.waitingForReconnect ?? null,
    withdrawal: share.withdrawal ?? null,
    corrections: share.corrections ?? [],
    correctionsDue: (share.correctionsDue ?? []).map((pending) => pending.revision),
    syndicatedAt: share.syndicatedAt ?? null,
    syndicationError: share.syndicationError ?? null,
    edited: share.edited ?? null,
    createdAt: share.createdAt,
    updatedAt: share.updatedAt,
    history: share.history,
    historyDropped: share.historyDropped ?? 0,
    ...metricsOf(share),
  };
}

/** A published share always says what was read of it (null: nothing yet); another, only if read. */
function metricsOf(share: Share): Pick<ShareView, 'metrics' | 'metricsSkipped'> {
  const skipped = share.metricsSkipped ? { metricsSkipped: share.metricsSkipped } : {};
  if (share.metrics) return { metrics: share.metrics, ...skipped };
  return share.status === 'published' ? { metrics: null, ...skipped } : {};
}

/** The view's fields that shareSummarySchema picks, so the two read a share alike. */
export function shareSummary(share: Share, now: Date): z.output<typeof shareSummarySchema> {
  const { key, channelId, round, platform, status, dueAt, remoteId, remoteUrl } = shareView(share);
  const overdue = status === 'draft' && Date.parse(dueAt) < now.getTime();
  return { key, channelId, round, platform, status, dueAt, remoteId, remoteUrl, overdue };
}
