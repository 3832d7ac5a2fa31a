/**
 * The shapes of stored items, checked on the way out of the table: an item written by
 * an older version, or by hand, fails loudly here instead of deep in a use case.
 */
import * as z from 'zod';
import { ARTICLE_PRIORITIES, ARTICLE_SOURCES, ARTICLE_STATUSES } from '../domain/article';
import { correctionRecordSchema, pendingCorrectionSchema } from '../domain/correction';
import { readingSchema } from '../domain/metrics';
import { PLATFORMS } from '../domain/platform';
import { channelOverridesSchema } from '../domain/routing';
import { HISTORY_NOTES, mediaRefSchema } from '../domain/share';
import { imageChoiceSchema } from '../domain/share-image';
import { SHARE_EVENTS, SHARE_STATUSES } from '../domain/share-state';

const authorSchema = z.object({
  name: z.string(),
  handles: z.partialRecord(z.enum(PLATFORMS), z.string()),
});

export const storedArticleSchema = z.object({
  source: z.enum(ARTICLE_SOURCES),
  sourceId: z.string(),
  url: z.string(),
  /** a desk post's link */
  link: z.string().optional(),
  title: z.string(),
  summary: z.string().optional(),
  imageUrl: z.string().optional(),
  imageAlt: z.string().optional(),
  imageCredit: z.string().optional(),
  authors: z.array(authorSchema),
  section: z.string().optional(),
  tags: z.array(z.string()),
  language: z.string().optional(),
  revision: z.number().int(),
  correction: z.string().optional(),
  priority: z.enum(ARTICLE_PRIORITIES),
  publishedAt: z.string(),
  shareAt: z.string().optional(),
  status: z.enum(ARTICLE_STATUSES),
  /** absent: the default site (shared/domain/routing.ts) */
  siteId: z.string().optional(),
  /** the article's own choice of channels */
  channels: z
    .object({ only: z.array(z.string()).optional(), skip: z.array(z.string()).optional() })
    .optional(),
  /** what was dropped on the way in (a `data:` image) */
  warnings: z.array(z.string()).optional(),
});

export const articleItemSchema = z.object({
  articleId: z.string(),
  article: storedArticleSchema,
  receivedAt: z.string(),
  updatedAt: z.string(),
  composedRevision: z.number().int().optional(),
  channelOverrides: channelOverridesSchema.optional(),
});

const facetSchema = z.object({
  index: z.object({ byteStart: z.number().int(), byteEnd: z.number().int() }),
  features: z.array(
    z.union([
      z.object({ $type: z.literal('app.bsky.richtext.facet#link'), uri: z.string() }),
      z.object({ $type: z.literal('app.bsky.richtext.facet#tag'), tag: z.string() }),
    ]),
  ),
});

export const shareItemSchema = z.object({
  articleId: z.string(),
  channelId: z.string(),
  platform: z.enum(PLATFORMS),
  articleRevision: z.number().int(),
  status: z.enum(SHARE_STATUSES),
  text: z.string(),
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
    .optional(),
  facets: z.array(facetSchema).optional(),
  thread: z.array(z.string()).optional(),
  media: z.array(mediaRefSchema).optional(),
  warnings: z.array(z.string()).optional(),
  preparedId: z.string().optional(),
  language: z.string().optional(),
  length: z
    .object({
      used: z.number(),
      limit: z.number(),
      unit: z.enum(['weighted', 'graphemes', 'characters']),
    })
    .optional(),
  dueAt: z.string(),
  attempt: z.number().int(),
  version: z.number().int(),
  idempotencyKey: z.string(),
  remoteKey: z.string().optional(),
  firstClaimedAt: z.string().optional(),
  leaseUntil: z.string().optional(),
  remoteId: z.string().optional(),
  remoteUrl: z.string().optional(),
  threadIds: z.array(z.string()).optional(),
  threadWithdrawn: z.number().int().min(0).optional(),
  threadKeys: z.array(z.string()).optional(),
  lastError: z.string().optional(),
  cancelRequested: z.boolean().optional(),
  waitingForReconnect: z.string().optional(),
  edited: z
    .object({
      text: z.string().optional(),
      thread: z.string().optional(),
      dueAt: z.string().optional(),
      image: imageChoiceSchema.optional(),
      imageAlt: z.string().optional(),
    })
    .optional(),
  round: z.number().int().min(2).optional(),
  syndicatedAt: z.string().optional(),
  syndicationError: z.string().optional(),
  withdrawal: z
    .object({
      action: z.enum(['delete', 'edit']),
      at: z.string(),
      outcome: z.enum(['done', 'refused']),
      text: z.string().optional(),
      reason: z.string().optional(),
    })
    .optional(),
  metrics: readingSchema.optional(),
  metricsDueAt: z.string().optional(),
  metricsRound: z.number().int().min(0).optional(),
  metricsTries: z.number().int().min(0).optional(),
  metricsSkipped: z.string().optional(),
  headline: z.string().optional(),
  correctionsDue: z.array(pendingCorrectionSchema).optional(),
  corrections: z.array(correctionRecordSchema).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  historyDropped: z.number().int().min(1).optional(),
  history: z.array(
    z.object({
      at: z.string(),
      event: z.enum([...SHARE_EVENTS, ...HISTORY_NOTES]),
      from: z.enum(SHARE_STATUSES).optional(),
      to: z.enum(SHARE_STATUSES),
      by: z.string(),
      reason: z.string().optional(),
    }),
  ),
});
