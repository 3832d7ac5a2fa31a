/** The editor API (`/api/*`): articles and their shares, and the editors' actions on them. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { loadChannelsConfig } from '../shared/config/channels';
import { runtimeClock } from '../shared/config/clock';
import { readEnv, required } from '../shared/config/env';
import { readPublishingConfig } from '../shared/config/publishing';
import { fieldIssues } from '../shared/domain/article';
import type { Channel } from '../shared/domain/channel';
import { PayloadTooLargeError, ValidationError } from '../shared/domain/errors';
import type { Share } from '../shared/domain/share';
import { authorizeEditor, type Editor } from '../shared/http/editor-auth';
import {
  actionPathSchema,
  articlePathSchema,
  type EditorRouteKey,
  listQuerySchema,
  shareEditSchema,
  sharePathSchema,
} from '../shared/http/editor-routes';
import { type HttpEvent, httpEventSchema, rawBody } from '../shared/http/event';
import { openApiDocument } from '../shared/http/openapi';
import { errorResponse, json } from '../shared/http/responses';
import { logger, metrics, withObservability } from '../shared/observability';
import { instanceLimit } from '../shared/platforms/mastodon/instance';
import { createSafeFetch } from '../shared/preview/fetch';
import { createSqsClient } from '../shared/queue/client';
import { SqsPublishQueue } from '../shared/queue/publish-queue';
import { DynamoArticleStore } from '../shared/store/article-store';
import { DynamoChannelTimeline } from '../shared/store/channel-timeline';
import { createDocumentClient } from '../shared/store/client';
import { DynamoShareStore } from '../shared/store/share-store';
import { enqueueIfDue } from '../shared/usecases/dispatch';
import { actOnShare, editShare } from '../shared/usecases/edit-share';
import { getArticle, listArticles } from '../shared/usecases/read-articles';
import { listChannels } from '../shared/usecases/read-channels';
import { shareView } from '../shared/usecases/views';

const env = readEnv({
  TABLE_NAME: required(),
  PUBLISH_QUEUE_URL: required(),
  CRIER_CONFIG: z.string().optional(),
  // Unset in AWS, where API Gateway's JWT authorizer guards the routes.
  CRIER_EDITOR_TOKEN: z.string().min(16).optional(),
});

/** A PATCH body is a text of at most 70,000 characters and a date: far under this. */
const MAX_BODY_BYTES = 512 * 1024;

const config = loadChannelsConfig(env.CRIER_CONFIG);
const db = createDocumentClient();
const articles = new DynamoArticleStore(db, env.TABLE_NAME);
const shares = new DynamoShareStore(db, env.TABLE_NAME);
const dispatch = {
  shares,
  publishQueue: new SqsPublishQueue(createSqsClient(), env.PUBLISH_QUEUE_URL),
  clock: runtimeClock,
  config: readPublishingConfig(),
};
const safeFetch = createSafeFetch();
const reads = { articles, shares, timeline: new DynamoChannelTimeline(db, env.TABLE_NAME) };
const writes = {
  articles,
  shares,
  channels: config.channels,
  settings: { site: config.site, authors: config.authors },
  clock: runtimeClock,
  enqueueIfDue: (share: Share) => enqueueIfDue(dispatch, share),
  serverLimit: (channel: Channel) =>
    channel.platform === 'mastodon'
      ? instanceLimit(channel.account, safeFetch)
      : Promise.resolve(undefined),
};
const openApi = openApiDocument();

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = fieldIssues(result.error);
    throw new ValidationError(
      `Invalid ${[...new Set(issues.map((i) => i.field))].join(', ')}`,
      issues,
    );
  }
  return result.data;
}

function jsonBody(event: HttpEvent): unknown {
  const body = rawBody(event);
  if (body.length > MAX_BODY_BYTES) throw new PayloadTooLargeError('Body over 512 KiB');
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ValidationError('Invalid body', [{ field: '(body)', message: 'is not JSON' }], {
      cause: error,
    });
  }
}

type Answer = { status: number; body: unknown };
const ok = (body: unknown): Answer => ({ status: 200, body });

const routes: Record<EditorRouteKey, (event: HttpEvent, editor: Editor) => Promise<Answer>> = {
  'GET /api/articles': async (event) =>
    ok(await listArticles(reads, parse(listQuerySchema, event.queryStringParameters ?? {}))),
  'GET /api/articles/{articleId}': async (event) =>
    ok(await getArticle(reads, parse(articlePathSchema, event.pathParameters ?? {}).articleId)),
  'PATCH /api/articles/{articleId}/shares/{channelId}': async (event, editor) => {
    const path = parse(sharePathSchema, event.pathParameters ?? {});
    const body = parse(shareEditSchema, jsonBody(event) ?? {});
    const share = await editShare(
      writes,
      { articleId: path.articleId, key: path.channelId },
      body,
      editor,
    );
    return ok({ share: shareView(share) });
  },
  'POST /api/articles/{articleId}/shares/{channelId}/{action}': async (event, editor) => {
    const path = parse(actionPathSchema, event.pathParameters ?? {});
    const result = await actOnShare(
      writes,
      { articleId: path.articleId, key: path.channelId },
      path.action,
      editor,
    );
    return { status: result.accepted ? 202 : 200, body: { share: shareView(result.share) } };
  },
  'GET /api/openapi.json': async () => ok(openApi),
  'GET /api/channels': async () => ok(listChannels(config.channels)),
};

const isRouteKey = (key: string): key is EditorRouteKey => Object.hasOwn(routes, key);

export const handler = withObservability(async (input: unknown) => {
  try {
    const event = httpEventSchema.parse(input);
    metrics.addMetric('EditorRequests', MetricUnit.Count, 1);
    const editor = authorizeEditor(event, env.CRIER_EDITOR_TOKEN);
    if (!isRouteKey(event.routeKey)) {
      return json(404, { error: 'not_found', message: 'No such route' });
    }
    const answer = await routes[event.routeKey](event, editor);
    if (!event.routeKey.startsWith('GET ')) {
      // Who changed which share; an editor's name is no secret, and no token is logged.
      logger.info('Editor change', {
        route: event.routeKey,
        ...event.pathParameters,
        by: editor.by,
        status: answer.status,
      });
    }
    return json(answer.status, answer.body);
  } catch (error) {
    return errorResponse(error);
  }
});
