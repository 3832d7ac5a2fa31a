/**
 * The editor API's routes as data: each route's parameters, body and answers as zod
 * schemas. shared/http/editor-api.ts reads every request with them (request.ts), and
 * shared/http/openapi.ts writes the OpenAPI document from them.
 */
import { z } from 'zod';
import { SHARE_ACTIONS } from '../domain/share-edit';
import { parseShareKey } from '../domain/share-key';
import { SHARE_STATUSES } from '../domain/share-state';
import { MAX_EDITED_TEXT } from '../platforms/edited-text';
import {
  auditListSchema,
  channelAnswerSchema,
  directoryChannelListSchema,
  directoryChannelViewSchema,
  editorCreatedSchema,
  editorListSchema,
  editorViewSchema,
  siteCreatedSchema,
  siteListSchema,
  siteViewSchema,
  webhookSecretSchema,
} from '../usecases/sites';
import {
  articleDetailSchema,
  articleListSchema,
  articleSummarySchema,
  articleViewSchema,
  historyEntrySchema,
  shareAnswerSchema,
  shareSummarySchema,
  shareViewSchema,
} from '../usecases/views';

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
    channel: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a channel id')
      .optional()
      .meta({
        description:
          "Only articles with a share on this channel, ordered by that share's dueAt (latest first); `from` and `to` then bound that dueAt",
      }),
    from: bound('start').optional().meta({
      description:
        'Earliest receivedAt (or dueAt, with `channel`), inclusive: an ISO 8601 instant with its offset, or a date (from its start, UTC)',
    }),
    to: bound('end').optional().meta({
      description:
        'Latest receivedAt (or dueAt, with `channel`), inclusive: an ISO 8601 instant with its offset, or a date (to its end, UTC)',
    }),
  })
  .superRefine((query, ctx) => {
    if (query.from && query.to && query.from > query.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    }
  });

const articleId = z
  .string()
  .min(1)
  .max(128)
  .meta({ description: "The article's id, as the webhook answered it" });

export const articlePathSchema = z.object({ articleId });

const shareKey = z
  .string()
  .refine((key) => parseShareKey(key) !== undefined, 'must be a channel id, or <channelId>~<round>')
  .meta({
    description:
      "The share: its channel id, or `<channelId>~<round>` for an evergreen re-share (the share's `key`)",
  });

export const sharePathSchema = z.object({ articleId, channelId: shareKey });

export const actionPathSchema = sharePathSchema.extend({
  action: z.enum(SHARE_ACTIONS).meta({ description: 'What to do with the share' }),
});

export const shareEditSchema = z
  .strictObject({
    text: z.string().max(MAX_EDITED_TEXT).nullable().optional().meta({
      description:
        "The post's new text, checked as its network counts it; null drops the editor's text and composes it again from the article",
    }),
    dueAt: z.iso.datetime({ offset: true }).optional().meta({
      description:
        "When to post: an ISO 8601 instant with its offset, not in the past and not before the article's shareAt",
    }),
  })
  .refine((body) => body.text !== undefined || body.dueAt !== undefined, {
    message: 'give text, dueAt or both',
  });

const directoryId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes, at most 63');

export const sitePathSchema = z.object({
  siteId: directoryId.meta({ description: "The site's id" }),
});

export const channelPathSchema = z.object({
  id: directoryId.meta({ description: "The channel's id" }),
});

export const editorPathSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .meta({ description: "The editor's id, as POST /api/editors answered it" }),
});

export const siteCreateSchema = z
  .object({
    id: directoryId.meta({ description: "The site's id: lowercase letters, digits and dashes" }),
    name: z.string().min(1).max(100),
    brand: z.record(z.string(), z.unknown()).optional().meta({
      description: 'Share card colours and logo: background, foreground, accent, logo',
    }),
  })
  .loose();

/** A channel as the channels file has it; checked whole by the directory (400 naming fields). */
export const channelBodySchema = z.record(z.string(), z.unknown()).meta({
  description:
    'A channel as the channels file has it (docs/configuring.md), with its `siteId`; checked as the file is',
});

export const channelPatchSchema = z.record(z.string(), z.unknown()).meta({
  description:
    'A JSON merge patch of the channel (null removes a field), checked whole afterwards; with `version`, refused with 409 unless the channel is still at it',
});

export const editorCreateSchema = z.strictObject({
  name: z.string().min(1).max(100),
  role: z.enum(['editor', 'admin']),
  sites: z.array(directoryId).max(100),
});

export const auditQuerySchema = z.object({
  siteId: directoryId.optional().meta({ description: "Only this site's entries" }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});

export const errorSchema = z.object({
  error: z.enum([
    'invalid_request',
    'unauthorized',
    'forbidden',
    'not_found',
    'conflict',
    'payload_too_large',
    'internal_error',
  ]),
  message: z.string(),
  /** the failing fields, on a 400 */
  fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  /** a text the network would refuse: its count, limit and unit, on a 400 */
  length: z.object({ used: z.number(), limit: z.number(), unit: z.string() }).optional(),
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
  Error: errorSchema,
  Channel: directoryChannelViewSchema,
  ChannelList: directoryChannelListSchema,
  Site: siteViewSchema,
  SiteList: siteListSchema,
  EditorAccount: editorViewSchema,
  EditorList: editorListSchema,
  AuditList: auditListSchema,
} as const;

export type ResponseStatus = 200 | 201 | 202 | 400 | 401 | 403 | 404 | 409 | 413;

export type EditorRoute = {
  /** `METHOD /path`, as in shared/resources.ts */
  routeKey: string;
  operationId: string;
  summary: string;
  description?: string;
  path?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** admins only: an editor is refused with 403 before the input is read */
  admin?: boolean;
  /** whether a request without a body is refused */
  bodyRequired?: boolean;
  responses: Partial<Record<ResponseStatus, { description: string; schema: z.ZodType }>>;
};

const refused = {
  401: { description: 'No valid token', schema: errorSchema },
  403: {
    description: 'The token holder is in neither the editor nor the admin group',
    schema: errorSchema,
  },
} as const;

const adminOnly = {
  401: { description: 'No valid token', schema: errorSchema },
  403: { description: 'The token holder is not an admin', schema: errorSchema },
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
    summary: 'Edit a share’s text, its dueAt, or both',
    description:
      'Allowed while the share is draft, scheduled or queued. A queued share whose dueAt moves goes back to scheduled, and is sent again if it falls due soon.',
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
      '`approve`: a draft becomes scheduled. `cancel`: draft, scheduled or queued becomes cancelled; a publishing share records `cancelRequested` (202). `publish-now`: due now (a draft is approved by it). `retry`: a failed share is scheduled again now with its attempts reset; an unknown share parked for an editor is confirmed not posted and posted again with the same keys (admins only). The body may be empty.',
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
    routeKey: 'GET /api/channels',
    operationId: 'listChannels',
    summary: 'The channels of the sites the caller may see, from the channel directory',
    description:
      'Each with its network, account, time zone, approval and schedule, its site, routing, directory status (`active`, `paused`) and version. Archived channels are left out.',
    responses: {
      200: { description: 'The channels, by id', schema: directoryChannelListSchema },
      ...refused,
    },
  },
  {
    routeKey: 'POST /api/channels',
    operationId: 'createChannel',
    admin: true,
    summary: 'Add a channel to the directory (admins only)',
    body: channelBodySchema,
    bodyRequired: true,
    responses: {
      201: { description: 'The channel, at version 1', schema: channelAnswerSchema },
      400: { description: 'An invalid channel, naming the fields', schema: errorSchema },
      ...adminOnly,
      409: { description: 'A channel with this id exists', schema: errorSchema },
    },
  },
  {
    routeKey: 'PATCH /api/channels/{id}',
    operationId: 'patchChannel',
    admin: true,
    summary: 'Change a channel: a JSON merge patch, checked whole (admins only)',
    path: channelPathSchema,
    body: channelPatchSchema,
    bodyRequired: true,
    responses: {
      200: { description: 'The channel as it now stands', schema: channelAnswerSchema },
      400: {
        description: 'The patched channel is invalid, naming the fields',
        schema: errorSchema,
      },
      ...adminOnly,
      404: { description: 'No such channel', schema: errorSchema },
      409: { description: 'The channel is no longer at `version`', schema: errorSchema },
    },
  },
  {
    routeKey: 'DELETE /api/channels/{id}',
    operationId: 'archiveChannel',
    admin: true,
    summary: 'Archive a channel: gone from the lists, kept for history (admins only)',
    path: channelPathSchema,
    responses: {
      200: { description: 'The archived channel', schema: channelAnswerSchema },
      ...adminOnly,
      404: { description: 'No such channel', schema: errorSchema },
    },
  },
  {
    routeKey: 'GET /api/sites',
    operationId: 'listSites',
    summary: 'The sites the caller may see',
    responses: {
      200: { description: 'The sites, by id', schema: siteListSchema },
      ...refused,
    },
  },
  {
    routeKey: 'POST /api/sites',
    operationId: 'createSite',
    admin: true,
    summary: 'Add a site, and make its webhook key (admins only)',
    description:
      'The answer holds the site’s webhook secret for `POST /webhooks/generic/{siteId}`: it is shown only this once.',
    body: siteCreateSchema,
    bodyRequired: true,
    responses: {
      201: { description: 'The site and its webhook secret', schema: siteCreatedSchema },
      400: { description: 'A bad body, naming the fields', schema: errorSchema },
      ...adminOnly,
      409: { description: 'A site with this id exists', schema: errorSchema },
    },
  },
  {
    routeKey: 'POST /api/sites/{siteId}/webhook-key',
    operationId: 'rotateWebhookKey',
    admin: true,
    summary: 'Make a new webhook key for a site (admins only)',
    description:
      'The old key is still accepted for a grace period (24 hours by default, `CRIER_WEBHOOK_KEY_GRACE_SECONDS`); the new secret is shown only this once.',
    path: sitePathSchema,
    responses: {
      201: { description: 'The new webhook secret', schema: webhookSecretSchema },
      ...adminOnly,
      404: { description: 'No such site', schema: errorSchema },
    },
  },
  {
    routeKey: 'GET /api/editors',
    operationId: 'listEditors',
    admin: true,
    summary: 'The editors made through the API (admins only)',
    responses: {
      200: { description: 'The editors', schema: editorListSchema },
      ...adminOnly,
    },
  },
  {
    routeKey: 'POST /api/editors',
    operationId: 'createEditor',
    admin: true,
    summary: 'Make an editor and its token (admins only; the local runtime)',
    description:
      'The token is shown only this once; the table keeps its SHA-256. In AWS, editors are Cognito users (docs/security.md).',
    body: editorCreateSchema,
    bodyRequired: true,
    responses: {
      201: { description: 'The editor and its token', schema: editorCreatedSchema },
      400: { description: 'A bad body, naming the fields', schema: errorSchema },
      ...adminOnly,
    },
  },
  {
    routeKey: 'DELETE /api/editors/{id}',
    operationId: 'deleteEditor',
    admin: true,
    summary: 'Revoke an editor’s token (admins only)',
    path: editorPathSchema,
    responses: {
      200: { description: 'The revoked editor', schema: z.object({ editor: editorViewSchema }) },
      ...adminOnly,
      404: { description: 'No such editor', schema: errorSchema },
    },
  },
  {
    routeKey: 'GET /api/audit',
    operationId: 'listAudit',
    admin: true,
    summary: 'Every change of the sites and channels, newest first (admins only)',
    query: auditQuerySchema,
    responses: {
      200: { description: 'One page of entries', schema: auditListSchema },
      400: { description: 'A bad query, naming the fields', schema: errorSchema },
      ...adminOnly,
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
] as const satisfies readonly EditorRoute[];

export type EditorRouteKey = (typeof EDITOR_ROUTES)[number]['routeKey'];
