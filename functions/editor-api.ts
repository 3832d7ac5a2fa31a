/** The editor API (`/api/*`): articles and their shares, behind the editor's token. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { loadChannelsConfig } from '../shared/config/channels';
import { readEnv, required } from '../shared/config/env';
import { fieldIssues } from '../shared/domain/article';
import { ValidationError } from '../shared/domain/errors';
import { authorizeEditor } from '../shared/http/editor-auth';
import { type HttpEvent, httpEventSchema } from '../shared/http/event';
import { errorResponse, json } from '../shared/http/responses';
import { metrics, withObservability } from '../shared/observability';
import { DynamoArticleStore } from '../shared/store/article-store';
import { createDocumentClient } from '../shared/store/client';
import { DynamoShareStore } from '../shared/store/share-store';
import { getArticle, listArticles } from '../shared/usecases/read-articles';
import { listChannels } from '../shared/usecases/read-channels';

const env = readEnv({
  TABLE_NAME: required(),
  // Unset in AWS, where API Gateway's JWT authorizer guards the routes.
  CRIER_EDITOR_TOKEN: z.string().min(16).optional(),
  CRIER_CONFIG: z.string().optional(),
});

const { channels } = loadChannelsConfig(env.CRIER_CONFIG);

const db = createDocumentClient();
const deps = {
  articles: new DynamoArticleStore(db, env.TABLE_NAME),
  shares: new DynamoShareStore(db, env.TABLE_NAME),
};

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2048).optional(),
});

const articlePath = z.object({ articleId: z.string().min(1).max(128) });

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = fieldIssues(result.error);
    throw new ValidationError(`Invalid ${issues.map((i) => i.field).join(', ')}`, issues);
  }
  return result.data;
}

const routes: Record<string, (event: HttpEvent) => Promise<unknown>> = {
  'GET /api/articles': (event) =>
    listArticles(deps, parse(listQuery, event.queryStringParameters ?? {})),
  'GET /api/articles/{articleId}': (event) =>
    getArticle(deps, parse(articlePath, event.pathParameters ?? {}).articleId),
  'GET /api/channels': async () => listChannels(channels),
};

export const handler = withObservability(async (input: unknown) => {
  try {
    const event = httpEventSchema.parse(input);
    metrics.addMetric('EditorRequests', MetricUnit.Count, 1);
    authorizeEditor(event, env.CRIER_EDITOR_TOKEN);
    const route = routes[event.routeKey];
    if (!route) return json(404, { error: 'not_found', message: 'No such route' });
    return json(200, await route(event));
  } catch (error) {
    return errorResponse(error);
  }
});
