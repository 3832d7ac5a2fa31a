/**
 * The editor API's HTTP side: checks the event, authorizes the editor, finds the route,
 * reads its input with the route's own schemas (editor-routes.ts), and writes the
 * answer or the error as JSON. functions/editor-api.ts only says which use case each
 * route calls.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger, metrics } from '../observability';
import { authorizeEditor, type Editor, type EditorLookup, requireAdmin } from './editor-auth';
import { EDITOR_ROUTES, type EditorRouteKey } from './editor-routes';
import { httpEventSchema, rawBody, requestIdOf } from './event';
import { type RouteInput, readInput } from './request';
import { errorResponse, json } from './responses';

/**
 * A route's answer: its status and the body to send as JSON, or `bytes` sent as they are
 * with their content type (an image).
 */
export type Answer = {
  status: number;
  body: unknown;
  bytes?: { data: Uint8Array; contentType: string; download?: string };
};

export const ok = (body: unknown): Answer => ({ status: 200, body });

export const created = (body: unknown): Answer => ({ status: 201, body });

/**
 * Bytes, such as an image: base64 with `isBase64Encoded`, which API Gateway turns back
 * into the bytes. Kept a few minutes by the editor's browser only (`private`).
 */
export const bytes = (data: Uint8Array, contentType: string): Answer => ({
  status: 200,
  body: undefined,
  bytes: { data, contentType },
});

/** A file to save under `filename` (a CSV export): read fresh each time, never kept. */
export const download = (data: Uint8Array, contentType: string, filename: string): Answer => ({
  status: 200,
  body: undefined,
  bytes: { data, contentType, download: filename },
});

/** Done, with nothing to say. */
export const noContent = (): Answer => ({ status: 204, body: undefined });

type RouteOf<K extends EditorRouteKey> = Extract<(typeof EDITOR_ROUTES)[number], { routeKey: K }>;

/** A request's body as bytes, with its Content-Type: for the routes that take raw bytes. */
export type RawRequestBody = { bytes: Buffer; contentType: string | undefined };

/** What a route's handler gets: its checked input, and who is asking. */
export type EditorRequest<K extends EditorRouteKey> = RouteInput<RouteOf<K>> & {
  editor: Editor;
  raw: RawRequestBody;
};

/** One handler per route: a new route in EDITOR_ROUTES fails to compile until it has one. */
export type EditorRouteHandlers = {
  [K in EditorRouteKey]: (request: EditorRequest<K>) => Promise<Answer>;
};

const ROUTES = new Map<string, (typeof EDITOR_ROUTES)[number]>(
  EDITOR_ROUTES.map((route) => [route.routeKey, route]),
);

/**
 * The API as a Lambda handler's body. `editorToken` is the local bearer token; unset in
 * AWS, where API Gateway's JWT authorizer has checked the caller before the function runs.
 */
export function editorApi(
  handlers: EditorRouteHandlers,
  editorToken: string | undefined,
  lookup?: EditorLookup,
): (input: unknown) => Promise<APIGatewayProxyStructuredResultV2> {
  // Typed per route for whoever writes them; here each is found by the event's routeKey,
  // and handed the input its own route's schemas read.
  const byKey = handlers as Record<
    string,
    (request: EditorRequest<EditorRouteKey>) => Promise<Answer>
  >;
  return async (input) => {
    const requestId = requestIdOf(input);
    try {
      const event = httpEventSchema.parse(input);
      metrics.addMetric('EditorRequests', MetricUnit.Count, 1);
      const editor = await authorizeEditor(event, editorToken, lookup);
      const route = ROUTES.get(event.routeKey);
      const handle = byKey[event.routeKey];
      if (!route || !handle) {
        return json(404, { error: 'not_found', message: 'No such route' });
      }
      if ('admin' in route && route.admin) requireAdmin(editor);
      const raw = { bytes: rawBody(event), contentType: event.headers['content-type'] };
      const answer = await handle({ ...readInput(route, event), editor, raw });
      if (!event.routeKey.startsWith('GET ')) {
        // Who changed which share; an editor's name is no secret, and no token is logged.
        logger.info('Editor change', {
          route: event.routeKey,
          ...event.pathParameters,
          by: editor.by,
          status: answer.status,
        });
      }
      if (answer.bytes) {
        return {
          statusCode: answer.status,
          headers: {
            'content-type': answer.bytes.contentType,
            'cache-control': answer.bytes.download ? 'no-store' : 'private, max-age=300',
            'x-content-type-options': 'nosniff',
            ...(answer.bytes.download
              ? { 'content-disposition': `attachment; filename="${answer.bytes.download}"` }
              : {}),
          },
          body: Buffer.from(answer.bytes.data).toString('base64'),
          isBase64Encoded: true,
        };
      }
      if (answer.status === 204)
        return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
      return json(answer.status, answer.body);
    } catch (error) {
      return errorResponse(error, requestId);
    }
  };
}
