/**
 * The editor API's routes as data: each route's parameters, body and answers as zod
 * schemas. shared/http/editor-api.ts reads every request with them (request.ts), and
 * shared/http/openapi.ts writes the OpenAPI document from them.
 */
import * as z from 'zod';
import { MAX_EDITED_TEXT, SHARE_ACTIONS } from '../domain/share-edit';
import { imageChoiceSchema, MAX_IMAGE_ALT } from '../domain/share-image';
import { SHARE_STATUSES } from '../domain/share-state';
import { MAX_UPLOAD_BYTES, UPLOAD_TYPES } from '../preview/upload-limits';
import {
  auditListSchema,
  directoryChannelListSchema,
  directoryChannelViewSchema,
  editorListSchema,
  editorViewSchema,
  siteListSchema,
  siteViewSchema,
} from '../usecases/sites';
import { uploadAnswerSchema } from '../usecases/upload-media';
import {
  articleChannelsAnswerSchema,
  articleDetailSchema,
  articleListSchema,
  articleSummarySchema,
  articleViewSchema,
  historyEntrySchema,
  shareAnswerSchema,
  shareSummarySchema,
  shareViewSchema,
} from '../usecases/views';
import { BEST_TIMES_ROUTES } from './best-times-routes';
import { BULK_ROUTES, bulkAnswerSchema, bulkSharesSchema } from './bulk-routes';
import { DESK_COMPONENTS, DESK_ROUTES } from './desk-routes';
import { DIRECTORY_ROUTES } from './directory-routes';
import { ENGAGEMENT_COMPONENTS, ENGAGEMENT_ROUTES } from './engagement-routes';
import {
  articlePathSchema,
  channelIdSchema,
  type EditorRoute,
  errorSchema,
  refused,
  sharePathSchema,
  siteIdSchema,
} from './route-kit';

export { type EditorRoute, errorSchema, type ResponseStatus } from './route-kit';

/** A date (`2026-05-01`) or an instant with its offset, as a UTC ISO instant. */
const bound = (edge: 'start' | 'end') =>
  z
    .union([z.iso.datetime({ offset: true }), z.iso.date()])
    .transform((value) =>
      value.length === 10
        ? `${value}T${edge === 'start' ? '00:00:00.000' : '23:59:59.999'}Z`
        : new Date(value).toISOString(),
    );

export const listQuerySchema = z
  .object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(20)
      .meta({ description: 'Articles per page, 1-100 (default 20)' }),
    cursor: z
      .string()
      .max(2048)
      .optional()
      .meta({ description: "The previous page's `cursor`, to go on from there" }),
    status: z
      .string()
      .max(200)
      .transform((value) => value.split(',').map((s) => s.trim()))
      .pipe(z.array(z.enum(SHARE_STATUSES)).min(1))
      .optional()
      .meta({
        description: `Only articles with a share (on \`channel\`, if given) in one of these statuses, comma-separated: ${SHARE_STATUSES.join(', ')}`,
      }),
    channel: channelIdSchema.optional().meta({
      description:
        "Only articles with a share on this channel, ordered by that share's dueAt (latest first); `from` and `to` then bound that dueAt",
    }),
    siteId: siteIdSchema.optional().meta({
      description: "Only this site's articles (another site than the caller's own lists nothing)",
    }),
    from: bound('start').optional().meta({
      description:
        'Earliest receivedAt (or dueAt, with `channel`), inclusive: an ISO 8601 instant with its offset, or a date (from its start, UTC)',
    }),
    to: bound('end').optional().meta({
      description:
        'Latest receivedAt (or dueAt, with `channel`), inclusive: an ISO 8601 instant with its offset, or a date (to its end, UTC)',
    }),
    q: z.string().trim().min(1).max(200).optional().meta({
      description:
        'Only articles whose headline or URL holds this text, whatever its case and accents (1-200 characters)',
    }),
    section: z.string().trim().min(1).max(200).optional().meta({
      description:
        "Only articles of this section (the article's `section`, compared without regard to case)",
    }),
  })
  .superRefine((query, ctx) => {
    if (query.from && query.to && query.from > query.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    }
  });

export const mediaPathSchema = sharePathSchema.extend({
  index: z.coerce
    .number()
    .int()
    .min(0)
    .max(9)
    .meta({ description: "The image's position in the share's `media`, from 0" }),
});

const tooLargeImage = {
  description: 'An image over 4,000,000 bytes, more than an API answer holds',
  schema: errorSchema,
};

/** A stored image's bytes: the answer is the image itself, with its own content type. */
const imageAnswer = {
  contentType: 'image/*',
} as const;

export const actionPathSchema = sharePathSchema.extend({
  action: z.enum(SHARE_ACTIONS).meta({ description: 'What to do with the share' }),
});

export const shareEditSchema = z
  .strictObject({
    text: z.string().max(MAX_EDITED_TEXT).nullable().optional().meta({
      description:
        "The post's new text, checked as its network counts it; null drops the editor's text and composes it again from the article",
    }),
    thread: z.array(z.string().max(MAX_EDITED_TEXT)).max(20).nullable().optional().meta({
      description:
        "The thread's replies, the posts after the first, in order: each checked as its network counts a post (a refused one is named `thread.<i>`), at most the channel's thread size less one. [] makes a single post; null drops the editor's parts and composes them again from the article. A text alone keeps the parts as they are",
    }),
    dueAt: z.iso.datetime({ offset: true }).optional().meta({
      description:
        "When to post: an ISO 8601 instant with its offset, not in the past and not before the article's shareAt",
    }),
    image: imageChoiceSchema.optional().meta({
      description:
        "The share's image: `article` (the article's image, fitted to the network as compose fits it), `card` (the drawn share card), `upload` with `upload` an id from POST /api/media (fitted to the network likewise), or `none` (no image; Instagram refuses it). Kept through later revisions",
    }),
    imageAlt: z.string().max(MAX_IMAGE_ALT).nullable().optional().meta({
      description:
        "The image's alt text for this share, counted against the network's alt-text limit; null goes back to the image's own (the article's imageAlt, or the card's words). Kept through later revisions",
    }),
  })
  .refine(
    (body) =>
      body.text !== undefined ||
      body.thread !== undefined ||
      body.dueAt !== undefined ||
      body.image !== undefined ||
      body.imageAlt !== undefined,
    { message: 'give text, thread, dueAt, image or imageAlt, or any of them together' },
  );

export const uploadQuerySchema = z.object({
  siteId: siteIdSchema.optional().meta({
    description:
      "The site the image is for (its shares only can choose it); by default the editor's only site, or the default site for an admin",
  }),
});

export const articleChannelsSchema = z
  .strictObject({
    add: z.array(channelIdSchema).max(50).optional().meta({
      description:
        "Channels of the article's site to add: each gets a share composed as compose would make it, whatever the routing rules and the article's own choice say",
    }),
    drop: z.array(channelIdSchema).max(50).optional().meta({
      description:
        "Channels to drop: each one's pending share (draft, scheduled, queued) is cancelled",
    }),
  })
  .refine((body) => (body.add?.length ?? 0) + (body.drop?.length ?? 0) > 0, {
    message: 'name at least one channel in add or drop',
  });

/** The whole OpenAPI document is an object; its shape is OpenAPI 3.1's own. */
export const openApiDocumentSchema = z.record(z.string(), z.unknown());

/** Named schemas: components of the OpenAPI document, referred to by these names. */
export const COMPONENTS = {
  Article: articleViewSchema,
  ArticleSummary: articleSummarySchema,
  ArticleList: articleListSchema,
  ArticleDetail: articleDetailSchema,
  Share: shareViewSchema,
  ShareSummary: shareSummarySchema,
  ShareAnswer: shareAnswerSchema,
  HistoryEntry: historyEntrySchema,
  ShareEdit: shareEditSchema,
  UploadAnswer: uploadAnswerSchema,
  ArticleChannels: articleChannelsSchema,
  ArticleChannelsAnswer: articleChannelsAnswerSchema,
  BulkShares: bulkSharesSchema,
  BulkSharesAnswer: bulkAnswerSchema,
  Error: errorSchema,
  Channel: directoryChannelViewSchema,
  ChannelList: directoryChannelListSchema,
  Site: siteViewSchema,
  SiteList: siteListSchema,
  EditorAccount: editorViewSchema,
  EditorList: editorListSchema,
  AuditList: auditListSchema,
  ...DESK_COMPONENTS,
  ...ENGAGEMENT_COMPONENTS,
} as const;

const shareWrites = {
  ...refused,
  404: { description: 'No such article, or no such share of it', schema: errorSchema },
  409: {
    description:
      'The state machine forbids it (the share is no longer editable, a final share, an embargo, a withdrawn article), or the share kept changing meanwhile',
    schema: errorSchema,
  },
} as const;

export const EDITOR_ROUTES = [
  {
    routeKey: 'GET /api/articles',
    operationId: 'listArticles',
    summary: 'List articles, newest first, with their shares’ statuses',
    description:
      'Pages through the articles by the time they were received, or, with `channel`, through that channel’s shares by dueAt. With a `status` filter a page may hold fewer than `limit` articles (even none) and still have a `cursor`: keep following the cursor until it is null.',
    query: listQuerySchema,
    responses: {
      200: { description: 'One page of articles', schema: articleListSchema },
      400: { description: 'A bad filter, limit or cursor, naming the fields', schema: errorSchema },
      ...refused,
    },
  },
  {
    routeKey: 'GET /api/articles/{articleId}',
    operationId: 'getArticle',
    summary: 'One article and every share of it',
    path: articlePathSchema,
    responses: {
      200: { description: 'The article and its shares', schema: articleDetailSchema },
      ...refused,
      404: { description: 'No such article', schema: errorSchema },
    },
  },
  {
    routeKey: 'PATCH /api/articles/{articleId}/shares/{channelId}',
    operationId: 'editShare',
    summary: 'Edit a share’s text, its thread, its dueAt, its image and alt text',
    description:
      'Allowed while the share is draft, scheduled or queued. A queued share whose dueAt moves goes back to scheduled, and is sent again if it falls due soon. A new image or alt text is recorded in `edited` and the share’s `media` (or its card’s thumbnail on Bluesky and LinkedIn) follows.',
    path: sharePathSchema,
    body: shareEditSchema,
    bodyRequired: true,
    responses: {
      200: { description: 'The share as it now stands', schema: shareAnswerSchema },
      400: {
        description:
          'A bad body; a text the network would refuse also carries `length` (its count, limit and unit)',
        schema: errorSchema,
      },
      ...shareWrites,
      413: { description: 'A body over 512 KiB', schema: errorSchema },
    },
  },
  {
    routeKey: 'POST /api/articles/{articleId}/shares/{channelId}/{action}',
    operationId: 'actOnShare',
    summary: 'Approve, cancel, publish now or retry a share',
    description:
      '`approve`: a draft becomes scheduled. `cancel`: draft, scheduled or queued becomes cancelled; a publishing share records `cancelRequested` (202). `publish-now`: due now (a draft is approved by it; a queued share past its dueAt has its message sent again, and the claim keeps it to one post). `retry`: a failed share is scheduled again now with its attempts reset; an unknown share parked for an editor is confirmed not posted and posted again with the same keys (admins only). The body may be empty.',
    path: actionPathSchema,
    responses: {
      200: { description: 'The share as it now stands', schema: shareAnswerSchema },
      202: {
        description: 'Cancel requested while the share is being published: the outcome tells',
        schema: shareAnswerSchema,
      },
      400: { description: 'An unknown action, or a bad share key', schema: errorSchema },
      ...shareWrites,
    },
  },
  {
    routeKey: 'POST /api/articles/{articleId}/channels',
    operationId: 'changeArticleChannels',
    summary: 'Add channels to an article, or drop channels from it',
    description:
      "An editor's choice for this article, kept on it: a later revision from the CMS neither re-adds a dropped channel nor drops an added one. Adding composes the channel's share as compose would (its composer, schedule and approval rule); a channel with a share that is not cancelled is left as it is (`already-live`), and a cancelled share is composed again as a new pending one (`revived`). The channel must be the article's site's, and active or paused. Dropping cancels the channel's pending share, naming the editor; a share that is publishing or published cannot be dropped (withdraw its post instead). Every channel is checked before anything is written: a refused request changes nothing. Sending the same request again changes nothing more.",
    path: articlePathSchema,
    body: articleChannelsSchema,
    bodyRequired: true,
    responses: {
      200: {
        description:
          'What became of each channel, and the article and its shares as they now stand',
        schema: articleChannelsAnswerSchema,
      },
      400: {
        description:
          "A bad body, or a channel that is not the article's site's, is archived (to add), or is named in both lists, naming the fields",
        schema: errorSchema,
      },
      ...refused,
      404: { description: 'No such article (or another site’s)', schema: errorSchema },
      409: {
        description:
          'The article is withdrawn, a share to drop is publishing, published, unknown or failed, or a share kept changing meanwhile',
        schema: errorSchema,
      },
      413: { description: 'A body over 512 KiB', schema: errorSchema },
    },
  },
  {
    routeKey: 'GET /api/articles/{articleId}/shares/{channelId}/media/{index}',
    operationId: 'getShareMedia',
    summary: 'One image the share attaches, as Crier stored it',
    description:
      "The bytes of the share's processed image at `index` (the share's `images.media` names this path for each image Crier stored), with its content type, for the editor UI's previews. Only an image Crier stored is served: an article's own image on the publisher's site is not.",
    path: mediaPathSchema,
    responses: {
      200: { description: 'The image', ...imageAnswer },
      400: { description: 'A bad share key or index', schema: errorSchema },
      ...refused,
      404: {
        description:
          'No such article (or another site’s), share or stored image (the bucket may have let it go)',
        schema: errorSchema,
      },
      413: tooLargeImage,
    },
  },
  {
    routeKey: 'GET /api/articles/{articleId}/shares/{channelId}/card-image',
    operationId: 'getShareCardImage',
    summary: 'The thumbnail of the link card Crier sends, as stored',
    description:
      "The bytes of the share card's thumbnail (`images.card`), with its content type, for the editor UI's previews; only an image Crier stored (the share card it drew, or the article's image fitted) is served.",
    path: sharePathSchema,
    responses: {
      200: { description: 'The image', ...imageAnswer },
      400: { description: 'A bad share key', schema: errorSchema },
      ...refused,
      404: {
        description: 'No such article (or another site’s), share or stored card image',
        schema: errorSchema,
      },
      413: tooLargeImage,
    },
  },
  {
    routeKey: 'POST /api/media',
    operationId: 'uploadMedia',
    summary: 'Upload an image for shares to use',
    description: `The body is the image's bytes, sent with its \`content-type\` (${Object.keys(UPLOAD_TYPES).join(', ')}), at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB. The image is checked (really of that type, decodable to the end, not animated, each side 200-12,000 px and no longer than 10:1) and kept under its site; a share of that site then chooses it with PATCH … \`image: { source: 'upload', upload: <id> }\`, which fits a copy to the share's network. A refused image writes nothing.`,
    query: uploadQuerySchema,
    binaryBody: {
      contentTypes: Object.keys(UPLOAD_TYPES),
      description: "The image's bytes",
    },
    responses: {
      201: { description: 'The upload, kept', schema: uploadAnswerSchema },
      400: {
        description:
          'Not an image of the type sent, not decodable, animated, too small or too large in pixels, or a site that is not the editor’s, naming the field (`content-type`, `(body)` or `siteId`)',
        schema: errorSchema,
      },
      ...refused,
      413: { description: 'An image over 4 MiB', schema: errorSchema },
    },
  },
  {
    routeKey: 'GET /api/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document',
    responses: {
      200: { description: 'The OpenAPI 3.1 document', schema: openApiDocumentSchema },
      ...refused,
    },
  },
  ...BULK_ROUTES,
  ...DESK_ROUTES,
  ...DIRECTORY_ROUTES,
  ...ENGAGEMENT_ROUTES,
  ...BEST_TIMES_ROUTES,
] as const satisfies readonly EditorRoute[];

export type EditorRouteKey = (typeof EDITOR_ROUTES)[number]['routeKey'];
