/**
 * What the editor API answers, checked at the edge before the UI uses it (zod/mini
 * keeps the bundle small). Fields the UI can do without are optional, so an API that
 * adds or leaves out a detail still renders.
 */
import * as z from 'zod/mini';
import { ARTICLE_PRIORITIES } from '../../shared/domain/article';
import { CHANNEL_STATUSES } from '../../shared/domain/channel-directory';
import { PLATFORMS } from '../../shared/domain/platform';
import { SHARE_STATUSES } from '../../shared/domain/share-state';
import { readingSchema } from './engagement-schemas';

const text = z.string();
const optionalText = z.nullish(z.string());

export const platformSchema = z.enum(PLATFORMS);
export const statusSchema = z.enum(SHARE_STATUSES);

const length = z.object({ used: z.number(), limit: z.number(), unit: z.string() });

/** A share as the article list carries it. */
export const shareSummarySchema = z.object({
  /** the share's name in its routes: the channel id, or `<channelId>~<round>` for a re-share */
  key: z.optional(text),
  channelId: text,
  platform: platformSchema,
  status: statusSchema,
  dueAt: text,
  remoteId: optionalText,
  remoteUrl: optionalText,
  /** a draft whose dueAt has passed (the article list says so) */
  overdue: z.optional(z.boolean()),
});

export const historyEntrySchema = z.object({
  at: text,
  event: text,
  from: optionalText,
  to: text,
  by: text,
  reason: optionalText,
});

export const shareSchema = z.object({
  ...shareSummarySchema.shape,
  /** the post's latest counts: null until the first reading; absent on a share not out */
  metrics: z.nullish(readingSchema),
  /** why a reading was not taken, or why the post is no longer read */
  metricsSkipped: optionalText,
  text,
  remoteId: optionalText,
  url: z._default(text, ''),
  hashtags: z._default(z.array(text), []),
  card: z.nullish(
    z.object({
      url: text,
      title: text,
      description: optionalText,
      imageUrl: optionalText,
      imageAlt: optionalText,
    }),
  ),
  media: z.nullish(
    z.array(
      z.object({
        url: text,
        alt: optionalText,
        width: z.nullish(z.number()),
        height: z.nullish(z.number()),
      }),
    ),
  ),
  /** the editor API paths of the share's stored images, loaded with the bearer token */
  images: z.nullish(
    z.object({ card: z.nullable(text), media: z._default(z.array(z.nullable(text)), []) }),
  ),
  thread: z.nullish(z.array(text)),
  /** Bluesky: where the text's link labels lead (UTF-8 byte ranges of `text`) */
  facets: z.nullish(
    z.array(
      z.object({
        index: z.object({ byteStart: z.number(), byteEnd: z.number() }),
        features: z.array(z.object({ $type: text, uri: z.optional(text) })),
      }),
    ),
  ),
  threadIds: z._default(z.array(text), []),
  threadWithdrawn: z._default(z.number(), 0),
  withdrawal: z.nullish(
    z.object({
      action: z.enum(['delete', 'edit']),
      at: text,
      outcome: z.enum(['done', 'refused']),
      reason: optionalText,
    }),
  ),
  /** what each revision that corrected the published post did, the latest few */
  corrections: z._default(
    z.array(
      z.object({
        revision: z.number(),
        trigger: text,
        action: text,
        outcome: text,
        at: text,
        note: optionalText,
        remoteId: optionalText,
        reason: optionalText,
      }),
    ),
    [],
  ),
  /** the revisions whose correction is still on its way */
  correctionsDue: z._default(z.array(z.number()), []),
  length: z.nullish(length),
  warnings: z._default(z.array(text), []),
  attempt: z._default(z.number(), 0),
  version: z._default(z.number(), 0),
  lastError: optionalText,
  cancelRequested: z.nullish(z.boolean()),
  waitingForReconnect: optionalText,
  history: z._default(z.array(historyEntrySchema), []),
  /** history entries between the first and the kept ones that the server let go */
  historyDropped: z._default(z.number(), 0),
  /** when an editor last set the text or the time by hand */
  edited: z.nullish(
    z.object({
      text: optionalText,
      thread: optionalText,
      dueAt: optionalText,
      /** the image an editor chose, and their alt text for it */
      image: z.nullish(z.object({ source: text, upload: optionalText })),
      imageAlt: optionalText,
    }),
  ),
  round: z.nullish(z.number()),
});

const articleFields = {
  id: text,
  url: text,
  /** `desk` for a post of the desk's own, which has no URL (`url` empty) */
  source: optionalText,
  /** a desk post's link */
  link: optionalText,
  title: text,
  summary: optionalText,
  imageUrl: optionalText,
  imageAlt: optionalText,
  section: optionalText,
  /** what routing reads of the article (the channel form's preview) */
  siteId: z._default(text, 'default'),
  tags: z._default(z.array(text), []),
  language: optionalText,
  priority: z._default(z.enum(ARTICLE_PRIORITIES), 'normal'),
  authors: z._default(z.array(z.object({ name: text })), []),
  status: z._default(text, 'published'),
  publishedAt: optionalText,
  receivedAt: optionalText,
  /** the embargo: no share goes out before it */
  shareAt: optionalText,
  /** the channels an editor added to the article or dropped from it */
  channelOverrides: z.nullish(
    z.object({
      added: z._default(z.array(text), []),
      dropped: z._default(z.array(text), []),
    }),
  ),
};

export const articleListSchema = z.object({
  articles: z.array(
    z.object({ ...articleFields, shares: z._default(z.array(shareSummarySchema), []) }),
  ),
  cursor: optionalText,
});

/** The name of a share in its article and its routes. */
export const shareKey = (share: { key?: string | null; channelId: string }) =>
  share.key ?? share.channelId;

export const articleDetailSchema = z.object({
  article: z.object(articleFields),
  shares: z.array(shareSchema),
});

/** The last check of a channel's credentials with its network. */
export const channelHealthSchema = z.object({
  status: z.enum(['ok', 'expiring', 'failing', 'unconnected']),
  reason: z.nullable(text),
  checkedAt: text,
});
export const channelHealthAnswerSchema = z.object({ health: channelHealthSchema });

/** The accounts one consent reached, for the admin to pick one: ids and names, never a token. */
export const connectChoiceAnswerSchema = z.object({
  choice: z.object({
    id: text,
    channelId: text,
    platform: text,
    candidates: z.array(z.object({ id: text, name: z.string() })),
    expiresAt: text,
  }),
});
export type ConnectChoice = z.infer<typeof connectChoiceAnswerSchema>['choice'];
export type ChannelHealth = z.infer<typeof channelHealthSchema>;

/** A channel as the directory lists it; the fields the form does not show are kept as they are. */
export const channelSchema = z.looseObject({
  id: text,
  platform: platformSchema,
  name: optionalText,
  account: text,
  timezone: optionalText,
  siteId: z._default(text, 'default'),
  status: z._default(z.enum(CHANNEL_STATUSES), 'active'),
  version: z._default(z.number(), 0),
  template: z.optional(text),
  routing: z.nullish(z.record(text, z.unknown())),
  statusReason: z.nullish(text),
  health: z.nullish(channelHealthSchema),
  /** whether a long standfirst continues in replies, and in how many posts at most */
  thread: z.optional(z.object({ enabled: z.boolean(), max: z.number() })),
});

export const channelListSchema = z.object({ channels: z.array(channelSchema) });

/** `POST /api/posts`: the desk post's id, which reads as an article's. */
export const deskPostAnswerSchema = z.object({ articleId: text });
export const channelAnswerSchema = z.object({ channel: channelSchema });

/** `GET /api/me`: who the caller is, and so what the UI offers them. */
export const meSchema = z.object({
  editor: z.object({
    name: text,
    role: z.enum(['editor', 'admin']),
    sites: z.union([z.literal('all'), z.array(text)]),
  }),
});

/** A site's notification targets: set or unset, never a URL's secret part or a key. */
export const notificationsViewSchema = z.object({
  slack: z.boolean(),
  email: z.boolean(),
  emailAddresses: z._default(
    z.array(z.object({ address: text, state: z.enum(['pending', 'confirmed', 'unsubscribed']) })),
    [],
  ),
  webhook: z.object({ set: z.boolean(), origin: z.optional(text) }),
  approvalReminderMinutes: z.number(),
});

export const siteListSchema = z.object({
  sites: z.array(
    z.looseObject({
      id: text,
      name: text,
      status: z._default(text, 'active'),
      notifications: z.optional(notificationsViewSchema),
    }),
  ),
});

export const notificationsAnswerSchema = z.object({
  notifications: notificationsViewSchema,
  webhookSecret: z.optional(text),
});

export const notificationTestSchema = z.object({
  results: z.array(
    z.object({
      target: z.enum(['slack', 'email', 'webhook']),
      ok: z.boolean(),
      reason: z.optional(text),
    }),
  ),
});

export const editorSchema = z.object({
  id: text,
  name: text,
  role: z.enum(['editor', 'admin']),
  sites: z._default(z.array(text), []),
  createdAt: optionalText,
  createdBy: optionalText,
});

export const editorListSchema = z.object({ editors: z.array(editorSchema) });

/**
 * `POST /api/editors`: with the token locally (shown only then); without one where
 * editors are Cognito users, who get an email invitation instead.
 */
export const editorCreatedSchema = z.object({ editor: editorSchema, token: optionalText });

const auditFields = z.nullish(z.record(z.string(), z.unknown()));

export const auditEntrySchema = z.object({
  at: text,
  who: text,
  action: text,
  target: text,
  siteId: optionalText,
  version: z.nullish(z.number()),
  before: auditFields,
  after: auditFields,
});

export const auditListSchema = z.object({
  entries: z.array(auditEntrySchema),
  cursor: optionalText,
});

/** The API's error body: `{ error, message, fields?, length? }` (API Gateway's own: `{ message }`). */
export const errorBodySchema = z.object({
  error: optionalText,
  message: optionalText,
  fields: z.nullish(z.array(z.object({ field: text, message: text }))),
  length: z.nullish(length),
});

/** The answer to adding channels to an article or dropping them: each one's outcome, and every share. */
export const articleChannelsAnswerSchema = z.object({
  article: z.object(articleFields),
  changes: z.array(z.object({ channelId: text, outcome: text, share: z.nullish(shareSchema) })),
  shares: z.array(shareSchema),
});

/** A write's answer: `{ share }` (a bare share is taken too). */
export const shareAnswerSchema = z.union([z.object({ share: shareSchema }), shareSchema]);

export type ShareSummary = z.infer<typeof shareSummarySchema>;
export type Share = z.infer<typeof shareSchema>;
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export type ArticleSummary = z.infer<typeof articleListSchema>['articles'][number];
export type Article = z.infer<typeof articleDetailSchema>['article'];
export type ArticleDetail = z.infer<typeof articleDetailSchema>;
export type Channel = z.infer<typeof channelSchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;
export type Me = z.infer<typeof meSchema>['editor'];
export type Site = z.infer<typeof siteListSchema>['sites'][number];
export type NotificationsView = z.infer<typeof notificationsViewSchema>;
export type NotificationTestResult = z.infer<typeof notificationTestSchema>['results'][number];
export type EditorAccount = z.infer<typeof editorSchema>;
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type ArticleChannelsAnswer = z.infer<typeof articleChannelsAnswerSchema>;
