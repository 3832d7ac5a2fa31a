/**
 * The editor API's routes for the directory (sites, channels, editors and the audit of
 * their changes), as data, beside the article routes of editor-routes.ts.
 */
import * as z from 'zod';
import { SITE_STATUSES } from '../domain/channel-directory';
import { WEBHOOK_KINDS } from '../domain/editor';
import { notificationTargetsInputSchema } from '../domain/notification';
import {
  auditListSchema,
  channelAnswerSchema,
  channelHealthAnswerSchema,
  directoryChannelListSchema,
  editorCreatedSchema,
  editorListSchema,
  editorViewSchema,
  meAnswerSchema,
  siteAnswerSchema,
  siteCreatedSchema,
  siteListSchema,
  webhookSecretSchema,
} from '../usecases/sites';
import { adminOnly, type EditorRoute, errorSchema, refused } from './route-kit';

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
    defaults: z.record(z.string(), z.unknown()).optional().meta({
      description:
        'What its channels take where they set none: `template`, `templates` by network, `hashtags`',
    }),
  })
  .loose();

/** A channel as the channels file has it; checked whole by the directory (400 naming fields). */
export const channelBodySchema = z.record(z.string(), z.unknown()).meta({
  description:
    'A channel as the channels file has it (docs/configuring.md), with its `siteId`; checked as the file is',
});

export const credentialsBodySchema = z.record(z.string(), z.unknown()).meta({
  description:
    'The network’s credential fields, e.g. Bluesky `{ service, identifier, password }`; checked by the network’s own schema, then by the network',
});

export const channelPatchSchema = z.record(z.string(), z.unknown()).meta({
  description:
    'A JSON merge patch of the channel (null removes a field), checked whole afterwards; with `version`, refused with 409 unless the channel is still at it',
});

export const sitePatchSchema = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  brand: z.record(z.string(), z.unknown()).nullable().optional().meta({
    description:
      'Merged into the brand (background, foreground, accent, logo); null restores the defaults',
  }),
  staleAfterHours: z
    .number()
    .positive()
    .max(24 * 3650)
    .nullable()
    .optional()
    .meta({ description: 'null: articles are never taken for stale' }),
  url: z
    .string()
    .nullable()
    .optional()
    .meta({ description: "The site's address; null removes it" }),
  defaults: z.record(z.string(), z.unknown()).nullable().optional().meta({
    description:
      'Merged into what channels written later take where they set none (`template`, `templates` by network, `hashtags`); null removes them',
  }),
  status: z
    .enum(SITE_STATUSES)
    .optional()
    .meta({ description: '`paused` holds every channel of the site; `active` resumes them' }),
  version: z
    .number()
    .int()
    .min(1)
    .optional()
    .meta({ description: 'The version read: refused with 409 unless the site is still at it' }),
});

export const webhookKeyBodySchema = z.strictObject({
  kind: z
    .enum(WEBHOOK_KINDS)
    .default('generic')
    .meta({ description: 'Which webhook’s key to replace; `generic` when left out' }),
});

export const editorCreateSchema = z.strictObject({
  name: z.string().min(1).max(100),
  role: z.enum(['editor', 'admin']),
  sites: z.array(directoryId).max(100),
  email: z.email().max(254).optional().meta({
    description:
      'Where Cognito sends the invitation: required in AWS, where the editor is a Cognito user; unused locally',
  }),
});

const notificationsViewSchema = z.object({
  slack: z.boolean().meta({ description: 'Whether a Slack incoming webhook is set' }),
  email: z.boolean().meta({ description: "Whether digests go to the deployment's e-mail topic" }),
  emailAddresses: z
    .array(
      z.object({
        address: z.string(),
        state: z.enum(['pending', 'confirmed', 'unsubscribed']).meta({
          description:
            '`pending` until the address confirms from the e-mail AWS sends; `unsubscribed` once it left through the link in a digest, or never confirmed in time',
        }),
      }),
    )
    .meta({ description: "The addresses Crier subscribed to the site's digests" }),
  webhook: z.object({
    set: z.boolean(),
    origin: z.string().optional().meta({ description: "The webhook URL's origin, never its path" }),
  }),
  approvalReminderMinutes: z.number().int(),
});

export const notificationsAnswerSchema = z.object({
  notifications: notificationsViewSchema,
  webhookSecret: z.string().optional().meta({
    description: 'The new webhook signing key (`whsec_...`): only when a webhook is first set',
  }),
});

export const notificationTestAnswerSchema = z.object({
  results: z.array(
    z.object({
      target: z.enum(['slack', 'email', 'webhook']),
      ok: z.boolean(),
      reason: z.string().optional(),
    }),
  ),
});

export const auditQuerySchema = z.object({
  siteId: directoryId.optional().meta({ description: "Only this site's entries" }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});

export const connectQuerySchema = z.object({
  instance: z.string().min(1).max(253).optional().meta({
    description: 'Mastodon only: the instance, e.g. `mastodon.social` or `https://mastodon.social`',
  }),
  via: z.string().max(20).optional().meta({
    description:
      'Instagram only: `instagram` (Instagram login, the default) or `facebook` (Facebook login: the Facebook app’s consent, then the Instagram business account of a Page)',
  }),
});

const choiceId = z
  .string()
  .regex(/^[\w-]{16,64}$/, 'must be the id the callback put in the address')
  .meta({ description: 'The pending choice’s id, from the address the callback sent to' });

export const connectChoicePathSchema = channelPathSchema.extend({ choiceId });

const candidateSchema = z.object({
  id: z.string().meta({
    description:
      'Facebook: the Page id; LinkedIn: the author URN (`urn:li:organization:<id>` or `urn:li:person:<id>`); Instagram: the Instagram account id',
  }),
  name: z.string().meta({ description: 'What the network calls it' }),
});

export const connectChoiceAnswerSchema = z.object({
  choice: z.object({
    id: z.string(),
    channelId: z.string(),
    platform: z.string(),
    candidates: z.array(candidateSchema),
    createdAt: z.string(),
    expiresAt: z.string().meta({ description: 'Past it, the choice is refused (10 minutes)' }),
  }),
});

export const connectChooseBodySchema = z.strictObject({
  choice: choiceId,
  candidate: z.string().min(1).max(200).meta({ description: 'The picked candidate’s `id`' }),
});

export const connectAnswerSchema = z.object({
  authorizeUrl: z.string().meta({
    description:
      'The network’s consent page, with a single-use `state` (10 minutes) and a PKCE S256 challenge: open it in the browser',
  }),
});

export const DIRECTORY_ROUTES = [
  {
    routeKey: 'GET /api/channels',
    operationId: 'listChannels',
    summary: 'The channels of the sites the caller may see, from the channel directory',
    description:
      'Each with its network, account, time zone, approval and schedule, its site, routing, directory status (`active`, `paused`) and version, and `health`: the last check of its credentials (null before the first), whose reason fills `statusReason` when it is not `ok`. Archived channels are left out.',
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
      409: {
        description:
          'A channel with this id exists and is not archived (an archived one is restored)',
        schema: errorSchema,
      },
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
    routeKey: 'POST /api/channels/{id}/pause',
    operationId: 'pauseChannel',
    admin: true,
    summary: 'Stop posting on a channel until it is resumed (admins only)',
    description:
      'Its shares wait, scheduled, and go out once it is resumed. Audited as `pause`; pausing a paused channel changes nothing.',
    path: channelPathSchema,
    responses: {
      200: { description: 'The channel, paused', schema: channelAnswerSchema },
      ...adminOnly,
      404: { description: 'No such channel (or an archived one)', schema: errorSchema },
    },
  },
  {
    routeKey: 'POST /api/channels/{id}/resume',
    operationId: 'resumeChannel',
    admin: true,
    summary: 'Post on a paused channel again (admins only)',
    description: 'Audited as `resume`; resuming an active channel changes nothing.',
    path: channelPathSchema,
    responses: {
      200: { description: 'The channel, active', schema: channelAnswerSchema },
      ...adminOnly,
      404: { description: 'No such channel (or an archived one)', schema: errorSchema },
    },
  },
  {
    routeKey: 'PUT /api/channels/{id}/credentials',
    operationId: 'setChannelCredentials',
    admin: true,
    summary: 'Set a channel’s credentials, once its network accepts them (admins only)',
    description:
      'The body is the network’s JSON credential fields, as the credentials table of docs/configuring.md lists them. Crier first asks the network who they are (a who-am-I call); only credentials it accepts are stored, in the channel’s secret. No API returns them. Audited as `channel.credentials-set`, with the field names only.',
    path: channelPathSchema,
    body: credentialsBodySchema,
    bodyRequired: true,
    responses: {
      204: { description: 'Accepted by the network and stored' },
      400: {
        description: 'Wrong fields, or the network refused them: its reason, never a secret',
        schema: errorSchema,
      },
      ...adminOnly,
      404: { description: 'No such channel (or an archived one)', schema: errorSchema },
      409: {
        description:
          'The channel takes its credentials from the environment (`CRIER_CHANNEL_CREDENTIALS_<ID>`), which always wins',
        schema: errorSchema,
      },
    },
  },
  {
    routeKey: 'GET /api/channels/{id}/connect',
    operationId: 'connectChannel',
    admin: true,
    summary: 'Start connecting a channel through its network’s consent page (admins only)',
    description:
      'For X, Mastodon, LinkedIn, Threads, Instagram and Facebook. Answers the consent page’s URL; the network sends the admin back to `GET /oauth/callback/{platform}`, which stores the credentials and redirects to the editor UI. On Mastodon, Crier registers its app on the instance the first time (`POST /api/v1/apps`).',
    path: channelPathSchema,
    query: connectQuerySchema,
    responses: {
      200: { description: 'Where to send the admin', schema: connectAnswerSchema },
      400: {
        description:
          'Bluesky or Telegram (they take PUT credentials), no app configured for the network (naming its setting), a missing or bad Mastodon `instance`, or a `via` other than Instagram’s',
        schema: errorSchema,
      },
      ...adminOnly,
      404: { description: 'No such channel (or an archived one)', schema: errorSchema },
      409: {
        description: 'The channel takes its credentials from the environment, which always wins',
        schema: errorSchema,
      },
    },
  },
  {
    routeKey: 'GET /api/channels/{id}/connect/choices/{choiceId}',
    operationId: 'getConnectChoice',
    admin: true,
    summary: 'The accounts one consent reached, to pick one for the channel (admins only)',
    description:
      'When the consent reached several accounts (Facebook Pages, LinkedIn organizations and the member, Instagram accounts behind Pages), the callback keeps them for 10 minutes and sends the admin to `#/channels/<id>/connect/<choiceId>`. Ids and names only: never a token. Only the admin who started that Connect may read or use it.',
    path: connectChoicePathSchema,
    responses: {
      200: { description: 'The candidates', schema: connectChoiceAnswerSchema },
      ...adminOnly,
      404: {
        description: 'No such choice for this channel, or another admin’s',
        schema: errorSchema,
      },
      409: { description: 'The choice was already used, or has expired', schema: errorSchema },
    },
  },
  {
    routeKey: 'POST /api/channels/{id}/connect/choose',
    operationId: 'chooseConnectCandidate',
    admin: true,
    summary: 'Connect the channel to the account picked from a pending choice (admins only)',
    description:
      'Stores that account’s credentials as a Connect with one account does: the network checks them, the change is audited as `channel.connected`, and shares waiting for a reconnect go out. The choice is spent, whatever the outcome.',
    path: channelPathSchema,
    body: connectChooseBodySchema,
    bodyRequired: true,
    responses: {
      204: { description: 'Connected' },
      400: {
        description:
          'A missing or malformed field, a candidate that is not one of the choice’s, or the network refused the credentials',
        schema: errorSchema,
      },
      ...adminOnly,
      404: {
        description: 'No such choice for this channel, or another admin’s',
        schema: errorSchema,
      },
      409: {
        description:
          'The choice was already used, has expired, or a newer Connect of the channel replaced it',
        schema: errorSchema,
      },
    },
  },
  {
    routeKey: 'POST /api/channels/{id}/check',
    operationId: 'checkChannel',
    admin: true,
    summary: 'Check a channel’s credentials with its network now (admins only)',
    description:
      'The same who-am-I call the daily check makes; the result is stored and shows in `GET /api/channels` as `health`.',
    path: channelPathSchema,
    responses: {
      200: { description: 'The channel’s health', schema: channelHealthAnswerSchema },
      ...adminOnly,
      404: { description: 'No such channel (or an archived one)', schema: errorSchema },
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
    summary: 'Add a site, and make its webhook keys (admins only)',
    description:
      'The answer holds the site’s keys, one per webhook: `webhookSecret` for `POST /webhooks/generic/{siteId}`, `wordpressSecret` for `/webhooks/wordpress/{siteId}`, `ghostSecret` for `/webhooks/ghost/{siteId}`. They are shown only this once. In AWS the site’s Cognito group `site:<id>` is made too.',
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
    routeKey: 'PATCH /api/sites/{siteId}',
    operationId: 'patchSite',
    admin: true,
    summary: 'Rename a site, change its brand or stale threshold, pause or resume it (admins only)',
    description:
      'Each change is audited (`update`, `pause`, `resume`). A paused site holds every one of its channels: their shares wait, scheduled, until it is resumed.',
    path: sitePathSchema,
    body: sitePatchSchema,
    bodyRequired: true,
    responses: {
      200: { description: 'The site as it now stands', schema: siteAnswerSchema },
      400: { description: 'A bad body, naming the fields', schema: errorSchema },
      ...adminOnly,
      404: { description: 'No such site', schema: errorSchema },
      409: { description: 'The site is no longer at `version`', schema: errorSchema },
    },
  },
  {
    routeKey: 'POST /api/sites/{siteId}/webhook-key',
    operationId: 'rotateWebhookKey',
    admin: true,
    summary: 'Make a new webhook key of one kind for a site (admins only)',
    description:
      'The body may name the `kind` (`generic`, `wordpress`, `ghost`; `generic` without a body). The old key of that kind is still accepted for a grace period (24 hours by default, `CRIER_WEBHOOK_KEY_GRACE_SECONDS`); the new secret is shown only this once. The audit records the rotation and its kind, never a key.',
    path: sitePathSchema,
    body: webhookKeyBodySchema,
    responses: {
      201: { description: 'The new webhook secret and its kind', schema: webhookSecretSchema },
      400: { description: 'An unknown kind', schema: errorSchema },
      ...adminOnly,
      404: { description: 'No such site', schema: errorSchema },
    },
  },
  {
    routeKey: 'PUT /api/sites/{siteId}/notifications',
    operationId: 'setSiteNotifications',
    admin: true,
    summary:
      "Set where a site's editors are notified, and after how long drafts are reminded of (admins only)",
    description:
      'Each field is optional; `null` removes a target. `slackWebhookUrl` is a Slack incoming webhook URL; `emailAddresses` is the whole list of addresses that get the digests by e-mail: Crier subscribes the new ones to the deployment’s topic, filtered to this site (each confirms from the e-mail AWS sends), and unsubscribes the ones left out; addresses turn `email` on and an empty list turns it off (`email: true` alone sends to subscriptions made by hand); `webhook.url` gets a signed (Standard Webhooks) digest, and the first time it is set the answer holds its signing key, shown only then. The answer says which targets are set, never a URL’s secret part. Audited as `site.notifications-changed`, without secrets.',
    path: sitePathSchema,
    body: notificationTargetsInputSchema,
    bodyRequired: true,
    responses: {
      200: { description: "The site's targets, set or unset", schema: notificationsAnswerSchema },
      400: { description: 'A bad body, naming the fields', schema: errorSchema },
      ...adminOnly,
      404: { description: 'No such site', schema: errorSchema },
    },
  },
  {
    routeKey: 'POST /api/sites/{siteId}/notifications/test',
    operationId: 'testSiteNotifications',
    admin: true,
    summary: "Send a test message to each of a site's notification targets now (admins only)",
    description:
      'Answers how each target took it: `ok`, or the reason (an HTTP status, a timeout), never a URL. Audited as `site.notifications-tested`.',
    path: sitePathSchema,
    responses: {
      200: { description: 'How each target took the test', schema: notificationTestAnswerSchema },
      ...adminOnly,
      404: { description: 'No such site', schema: errorSchema },
    },
  },
  {
    routeKey: 'GET /api/me',
    operationId: 'getMe',
    summary: 'Who the caller is: their name, role and sites',
    description:
      'For a client to know what to offer: the editor UI shows its admin pages to admins only. The answer names no token.',
    responses: {
      200: { description: 'The caller', schema: meAnswerSchema },
      ...refused,
    },
  },
  {
    routeKey: 'GET /api/editors',
    operationId: 'listEditors',
    admin: true,
    summary: 'The editors (admins only): made through the API locally, the Cognito pool’s in AWS',
    description:
      'In AWS, the user pool’s users in the `admin` or `editor` group, each with its sites from its `site:<id>` groups and its email; `createdBy` is `cognito` there, as Cognito keeps no inviter (the audit does).',
    responses: {
      200: { description: 'The editors', schema: editorListSchema },
      ...adminOnly,
    },
  },
  {
    routeKey: 'POST /api/editors',
    operationId: 'createEditor',
    admin: true,
    summary: 'Make an editor (admins only): a token locally, a Cognito invitation in AWS',
    description:
      'Locally the token is shown only this once; the table keeps its SHA-256. In AWS the editor is a Cognito user, invited by email (`email` required) and put in the role’s group and each site’s `site:<id>` group; the answer has no token.',
    body: editorCreateSchema,
    bodyRequired: true,
    responses: {
      201: { description: 'The editor, and locally its token', schema: editorCreatedSchema },
      400: { description: 'A bad body, naming the fields', schema: errorSchema },
      ...adminOnly,
      409: { description: 'A Cognito user with this name or email exists', schema: errorSchema },
    },
  },
  {
    routeKey: 'DELETE /api/editors/{id}',
    operationId: 'deleteEditor',
    admin: true,
    summary: 'Revoke an editor: the local token, or the Cognito user (admins only)',
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
    summary:
      'Every change of the sites, channels, webhook keys and editors, newest first (admins only)',
    query: auditQuerySchema,
    responses: {
      200: { description: 'One page of entries', schema: auditListSchema },
      400: { description: 'A bad query, naming the fields', schema: errorSchema },
      ...adminOnly,
    },
  },
] as const satisfies readonly EditorRoute[];
