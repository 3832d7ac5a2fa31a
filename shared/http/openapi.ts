/**
 * The OpenAPI 3.1 document of the CMS webhooks and the editor API, written from the zod
 * schemas they validate with (zod's own JSON Schema output), so the document is the
 * code's contract. `npm run openapi` writes it to docs/openapi.json.
 */
import * as z from 'zod';
import { genericArticleSchema } from '../domain/article-payload';
import { MAX_WEBHOOK_BYTES } from '../ingest/generic';
import {
  GHOST_SIGNATURE_HEADER,
  payloadSchema as ghostPayloadSchema,
  postSchema as ghostPostSchema,
  MAX_GHOST_WEBHOOK_BYTES,
} from '../ingest/ghost';
import { SIGNATURE_TOLERANCE_SECONDS } from '../ingest/standard-webhooks';
import { postSchema as wordPressPostSchema } from '../ingest/wordpress';
import { COMPONENTS, EDITOR_ROUTES, type EditorRoute } from './editor-routes';

type JsonObject = Record<string, unknown>;

const COMPONENT_URI = (id: string) => `#/components/schemas/${id}`;

/** JSON Schema keywords that mean nothing inside an OpenAPI document's schemas. */
function bare(schema: JsonObject): JsonObject {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** What a webhook answers once the revision is stored and queued. */
const acceptedSchema = z.object({
  articleId: z
    .string()
    .meta({ description: "Crier's id of the article, the same for every revision" }),
});

/** Ghost's envelope, with the post Crier reads in `current` (empty on `post.deleted`). */
const ghostDeliverySchema = z.object({
  post: z.object({
    current: z
      .union([ghostPostSchema, z.object({})])
      .nullish()
      .meta({ description: 'The post as it now is; an empty object when it was deleted' }),
    previous: ghostPayloadSchema.shape.post.shape.previous.meta({
      description: 'The fields that changed, as they were; the whole post on `post.deleted`',
    }),
  }),
});

/** Request bodies of the webhooks: read on their input side (before defaults). */
const WEBHOOK_COMPONENTS = {
  GenericArticle: genericArticleSchema,
  WordPressPost: wordPressPostSchema,
  GhostDelivery: ghostDeliverySchema,
  GhostPost: ghostPostSchema,
} as const;

/** Answers of the webhooks. */
const WEBHOOK_ANSWER_COMPONENTS = { Accepted: acceptedSchema } as const;

function registered(
  named: Record<string, z.ZodType>,
  io: 'input' | 'output',
): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { uri: COMPONENT_URI, unrepresentable: 'any', io });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, bare(schema)]));
}

function components(): Record<string, JsonObject> {
  return {
    ...registered(COMPONENTS, 'output'),
    ...registered(WEBHOOK_ANSWER_COMPONENTS, 'output'),
    ...registered(WEBHOOK_COMPONENTS, 'input'),
  };
}

const ref = (id: string) => ({ $ref: COMPONENT_URI(id) });
const errorRef = (description: string) => ({
  description,
  content: { 'application/json': { schema: ref('Error') } },
});

const header = (name: string, description: string, example: string) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string' },
  example,
});

const STANDARD_WEBHOOK_HEADERS = [
  header(
    'webhook-id',
    'The delivery id, the same for every retry of a delivery',
    'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
  ),
  header(
    'webhook-timestamp',
    `Unix seconds when the delivery was signed; refused when more than ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes off`,
    '1573572602',
  ),
  header(
    'webhook-signature',
    '`v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`, the key being the base64-decoded bytes after `whsec_` of the webhook secret; several space-separated signatures are accepted',
    'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  ),
];

type Webhook = {
  path: string;
  operationId: string;
  summary: string;
  description: string;
  headers: JsonObject[];
  body: keyof typeof WEBHOOK_COMPONENTS;
  maxBytes: number;
  invalid: string;
  /** a path parameter naming the site, and its 404 */
  site?: boolean;
};

const KIB = 1024;

const WEBHOOKS: readonly Webhook[] = [
  {
    path: '/webhooks/generic',
    operationId: 'receiveGenericArticle',
    summary: 'Receive an article from any CMS',
    description:
      'The generic article, signed per Standard Webhooks. An article is known by its `id`: a revision already stored changes nothing, a higher `revision` replaces it, and `status` `unpublished` or `deleted` withdraws it. Unknown fields are ignored. A refused request writes nothing.',
    headers: STANDARD_WEBHOOK_HEADERS,
    body: 'GenericArticle',
    maxBytes: MAX_WEBHOOK_BYTES,
    invalid: 'A body that is not JSON, or fields that fail the schema, each named in `fields`',
  },
  {
    path: '/webhooks/generic/{siteId}',
    operationId: 'receiveSiteArticle',
    summary: 'Receive an article for one site',
    description:
      "The generic article for the site `siteId`, signed per Standard Webhooks with that site's own key (`POST /api/sites` made it); while a key is rotated, the replaced one is accepted for its grace period. The article is stored with that `siteId`. `/webhooks/generic` is the default site's.",
    headers: STANDARD_WEBHOOK_HEADERS,
    body: 'GenericArticle',
    maxBytes: MAX_WEBHOOK_BYTES,
    invalid: 'A body that is not JSON, or fields that fail the schema, each named in `fields`',
    site: true,
  },
  {
    path: '/webhooks/wordpress',
    operationId: 'receiveWordPressPost',
    summary: 'Receive a WordPress post',
    description:
      "A post object as WordPress's REST API returns it (`/wp/v2/posts/<id>`, with `_embed` or without), signed per Standard Webhooks with the same secret as the generic webhook. `modified_gmt` is the revision; `publish` publishes, `trash` deletes, any other status unpublishes. Only the fields below are read.",
    headers: STANDARD_WEBHOOK_HEADERS,
    body: 'WordPressPost',
    maxBytes: MAX_WEBHOOK_BYTES,
    invalid:
      "A body that is not JSON, or the post's fields that fail the schema (`link`, `title.rendered`…)",
  },
  {
    path: '/webhooks/wordpress/{siteId}',
    operationId: 'receiveSiteWordPressPost',
    summary: 'Receive a WordPress post for one site',
    description:
      "The WordPress post object, as `/webhooks/wordpress` takes it, for the site `siteId`, signed per Standard Webhooks with that site's own WordPress key (`wordpressSecret`, which `POST /api/sites` made; rotated with `POST /api/sites/{siteId}/webhook-key` and `kind` `wordpress`, the replaced key accepted for its grace period). The article is that site's: the same post id on two sites is two articles. The default site's keys are the deployment's until it has its own.",
    headers: STANDARD_WEBHOOK_HEADERS,
    body: 'WordPressPost',
    maxBytes: MAX_WEBHOOK_BYTES,
    invalid:
      "A body that is not JSON, or the post's fields that fail the schema (`link`, `title.rendered`…)",
    site: true,
  },
  {
    path: '/webhooks/ghost',
    operationId: 'receiveGhostPost',
    summary: 'Receive a Ghost post event',
    description:
      "Ghost's webhook payload for `post.published`, `post.published.edited`, `post.unpublished` and `post.deleted`. `current.status` `published` is the article; any other status unpublishes it; an empty `current` deletes it. `updated_at` is the revision.",
    headers: [
      header(
        GHOST_SIGNATURE_HEADER,
        `\`sha256=<hex HMAC-SHA256 of the body followed by t>, t=<milliseconds>\` under the Ghost secret; refused when t is more than ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes off`,
        'sha256=3b7c…, t=1573572602000',
      ),
    ],
    body: 'GhostDelivery',
    maxBytes: MAX_GHOST_WEBHOOK_BYTES,
    invalid:
      "A body that is not JSON, or the post's fields that fail the schema (`post.current.url`…)",
  },
  {
    path: '/webhooks/ghost/{siteId}',
    operationId: 'receiveSiteGhostPost',
    summary: 'Receive a Ghost post event for one site',
    description:
      "Ghost's payload, as `/webhooks/ghost` takes it, for the site `siteId`, signed with that site's own Ghost secret (`ghostSecret`, which `POST /api/sites` made; rotated with `POST /api/sites/{siteId}/webhook-key` and `kind` `ghost`, the replaced secret accepted for its grace period). The article is that site's. The default site's secret is the deployment's until it has its own.",
    headers: [
      header(
        GHOST_SIGNATURE_HEADER,
        `\`sha256=<hex HMAC-SHA256 of the body followed by t>, t=<milliseconds>\` under the site's Ghost secret; refused when t is more than ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes off`,
        'sha256=3b7c…, t=1573572602000',
      ),
    ],
    body: 'GhostDelivery',
    maxBytes: MAX_GHOST_WEBHOOK_BYTES,
    invalid:
      "A body that is not JSON, or the post's fields that fail the schema (`post.current.url`…)",
    site: true,
  },
];

function webhookOperation(webhook: Webhook): JsonObject {
  return {
    operationId: webhook.operationId,
    summary: webhook.summary,
    description: webhook.description,
    tags: ['webhooks'],
    // Signed, not authorised by a bearer token.
    security: [],
    parameters: webhook.site
      ? [
          {
            name: 'siteId',
            in: 'path',
            required: true,
            description: "The site's id",
            schema: { type: 'string' },
          },
          ...webhook.headers,
        ]
      : webhook.headers,
    requestBody: {
      required: true,
      content: { 'application/json': { schema: ref(webhook.body) } },
    },
    responses: {
      202: {
        description: 'Accepted: the revision is stored and queued for composing',
        content: { 'application/json': { schema: ref('Accepted') } },
      },
      400: errorRef(webhook.invalid),
      401: errorRef('A missing, wrong or stale signature'),
      ...(webhook.site ? { 404: errorRef('No such site') } : {}),
      413: errorRef(`A body over ${webhook.maxBytes / KIB} KiB`),
      429: THROTTLED,
    },
  };
}

/** Refused before Crier's code runs: by the route's throttle, or the optional firewall. */
const THROTTLED: JsonObject = {
  description:
    "Throttled: past the webhook route's own rate and burst (API Gateway's route settings; the local gateway's token bucket) or, behind the optional firewall, past the sending address's limit. Nothing was read or stored: send the same delivery again (the same `webhook-id`) after a backoff, never before `Retry-After`.",
  headers: {
    'Retry-After': {
      description:
        "Seconds to wait before sending again: given by the local gateway and by the firewall's rate rule; API Gateway's own 429 may carry none",
      schema: { type: 'integer', minimum: 1 },
    },
  },
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: { message: { type: 'string' } },
        required: ['message'],
      },
    },
  },
};

/** `$ref` to a named component, or the schema written out where it has no name. */
function schemaRef(schema: z.ZodType): JsonObject {
  for (const [id, named] of Object.entries(COMPONENTS)) {
    if (named === schema) return { $ref: COMPONENT_URI(id) };
  }
  return bare(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }));
}

function parameters(where: 'path' | 'query', shape: z.ZodObject | undefined): JsonObject[] {
  if (!shape) return [];
  return Object.entries(shape.shape).map(([name, field]) => {
    // Parameters arrive as strings, before coercion and defaults: the input side.
    const schema = bare(z.toJSONSchema(field, { io: 'input', unrepresentable: 'any' }));
    const { description, ...rest } = schema;
    return {
      name,
      in: where,
      required: where === 'path' || !field.safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function operation(route: EditorRoute): JsonObject {
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, answer]) => [
      status,
      {
        description: answer.description,
        ...(answer.schema
          ? { content: { 'application/json': { schema: schemaRef(answer.schema) } } }
          : 'contentType' in answer && answer.contentType
            ? { content: { [answer.contentType]: {} } }
            : {}),
      },
    ]),
  );
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: ['editor'],
    parameters: [...parameters('path', route.path), ...parameters('query', route.query)],
    ...(route.binaryBody
      ? {
          requestBody: {
            required: true,
            description: route.binaryBody.description,
            content: Object.fromEntries(
              route.binaryBody.contentTypes.map((type) => [
                type,
                { schema: { type: 'string', contentMediaType: type } },
              ]),
            ),
          },
        }
      : {}),
    ...(route.body
      ? {
          requestBody: {
            required: route.bodyRequired ?? false,
            content: { 'application/json': { schema: schemaRef(route.body) } },
          },
        }
      : {}),
    responses,
  };
}

/** Where a network's consent page sends the admin's browser back (GET /api/channels/{id}/connect). */
const OAUTH_CALLBACK: JsonObject = {
  operationId: 'oauthCallback',
  summary: 'Finish connecting a channel: the network sends the admin’s browser here',
  description:
    'Public: no bearer token. Takes the single-use `state` made by `GET /api/channels/{id}/connect` (ten minutes), exchanges `code` with its PKCE verifier, checks the account with the network and stores the channel’s credentials (audited `channel.connected`). Never answers a token.',
  tags: ['editor'],
  security: [],
  parameters: [
    {
      name: 'platform',
      in: 'path',
      required: true,
      description: 'x, mastodon, linkedin, threads, instagram or facebook',
      schema: { type: 'string' },
    },
    ...['state', 'code', 'error'].map((name) => ({
      name,
      in: 'query',
      required: false,
      description: `The network's \`${name}\``,
      schema: { type: 'string' },
    })),
  ],
  responses: {
    302: {
      description:
        'To the editor UI’s channels page: `#/channels?connected=<id>`, or `#/channels?connectError=<reason>&channel=<id>`; or, when the consent reached several accounts, to the pick page `#/channels/<id>/connect/<choiceId>`',
    },
    400: {
      description: 'An unknown, used or expired state: an HTML page in plain words',
      content: { 'text/html': { schema: { type: 'string' } } },
    },
  },
};

export function openApiDocument(routes: readonly EditorRoute[] = EDITOR_ROUTES): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const webhook of WEBHOOKS) paths[webhook.path] = { post: webhookOperation(webhook) };
  for (const route of routes) {
    const [method = '', path = ''] = route.routeKey.split(' ');
    paths[path] = { ...paths[path], [method.toLowerCase()]: operation(route) };
  }
  paths['/oauth/callback/{platform}'] = { get: OAUTH_CALLBACK };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Crier API',
      version: '1',
      description:
        'The webhooks a CMS signs to tell Crier of an article, and the editor API: articles and their shares, and what editors do with them. Every `/api` route wants `Authorization: Bearer <token>`: a Cognito ID token of a member of the `editor` or `admin` group in AWS, the `CRIER_EDITOR_TOKEN` locally. The webhooks are signed instead.',
    },
    tags: [
      { name: 'webhooks', description: 'What the CMS sends: signed, answered 202 once stored' },
      { name: 'editor', description: 'The editor API, for the editor UI and scripts' },
    ],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: components(),
    },
  };
}
