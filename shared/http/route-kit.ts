/**
 * What every editor API route declares: its shape, the error body, the refusals every
 * route shares (no token, not allowed), and the paths that name an article or a share.
 */
import * as z from 'zod';
import { parseShareKey } from '../domain/share-key';

export const errorSchema = z.object({
  error: z.enum([
    'invalid_request',
    'unauthorized',
    'forbidden',
    'not_found',
    'conflict',
    'payload_too_large',
    'internal_error',
    'write_failed',
  ]),
  message: z.string(),
  /** the failing fields, on a 400 */
  fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  /** a text the network would refuse: its count, limit and unit, on a 400 */
  length: z.object({ used: z.number(), limit: z.number(), unit: z.string() }).optional(),
  /** on a 500: API Gateway's request id (the `apigw-requestid` header), to find the log */
  requestId: z.string().optional(),
});

export type ResponseStatus = 200 | 201 | 202 | 204 | 400 | 401 | 403 | 404 | 409 | 413;

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
  /**
   * A body of raw bytes instead of JSON (an image upload): the types it may be sent as,
   * for the OpenAPI document; the handler reads `raw` and checks it itself.
   */
  binaryBody?: { contentTypes: readonly string[]; description: string };
  /**
   * A response without a schema has no body (204), unless it names a `contentType`: then
   * the body is bytes of that type (an image), not JSON.
   */
  responses: Partial<
    Record<ResponseStatus, { description: string; schema?: z.ZodType; contentType?: string }>
  >;
};

export const refused = {
  401: { description: 'No valid token', schema: errorSchema },
  403: {
    description: 'The token holder is in neither the editor nor the admin group',
    schema: errorSchema,
  },
} as const;

export const adminOnly = {
  401: { description: 'No valid token', schema: errorSchema },
  403: { description: 'The token holder is not an admin', schema: errorSchema },
} as const;

const articleId = z
  .string()
  .min(1)
  .max(128)
  .meta({ description: "The article's id, as the webhook answered it" });

export const articlePathSchema = z.object({ articleId });

/** A share's key: its channel id, or `<channelId>~<round>` for an evergreen re-share. */
export const shareKeySchema = z
  .string()
  .refine(
    (key) => parseShareKey(key) !== undefined,
    'must be a channel id, or <channelId>~<round>',
  );

export const sharePathSchema = z.object({
  articleId,
  channelId: shareKeySchema.meta({
    description:
      "The share: its channel id, or `<channelId>~<round>` for an evergreen re-share (the share's `key`)",
  }),
});

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A site's id, in a query or a body. */
export const siteIdSchema = z.string().regex(ID, 'must be a site id');

/** A channel's id, in a query or a body. */
export const channelIdSchema = z.string().regex(ID, 'must be a channel id');
