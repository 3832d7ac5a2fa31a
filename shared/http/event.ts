/** The parts of an API Gateway HTTP API (payload 2.0) event that handlers read, checked. */
import * as z from 'zod';

export const httpEventSchema = z.object({
  routeKey: z.string(),
  rawPath: z.string(),
  headers: z.record(z.string(), z.string()).default({}),
  queryStringParameters: z.record(z.string(), z.string()).optional(),
  pathParameters: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().default(false),
  requestContext: z.object({
    requestId: z.string(),
    authorizer: z
      .object({ jwt: z.object({ claims: z.record(z.string(), z.unknown()) }).optional() })
      .optional(),
  }),
});

export type HttpEvent = z.output<typeof httpEventSchema>;

const requestIdSchema = z.object({ requestContext: z.object({ requestId: z.string() }) });

/**
 * API Gateway's request id, read apart from the rest of the event, so that even a
 * request refused as a whole is answered with it.
 */
export const requestIdOf = (input: unknown): string | undefined =>
  requestIdSchema.safeParse(input).data?.requestContext.requestId;

/** The raw request body as bytes, however API Gateway passed it. */
export function rawBody(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === undefined) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}
