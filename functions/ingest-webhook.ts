/**
 * The CMS webhooks: `POST /webhooks/generic`, `/webhooks/wordpress` and `/webhooks/ghost`.
 * Each is verified and read by its own reader, then stored and queued for composing.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { runtimeClock } from '../shared/config/clock';
import { readEnv, required } from '../shared/config/env';
import { requireSecret } from '../shared/config/secrets';
import type { ArticleChange, ArticleSource } from '../shared/domain/article';
import { NotFoundError, UnauthorizedError } from '../shared/domain/errors';
import { httpEventSchema, rawBody } from '../shared/http/event';
import { errorResponse, json } from '../shared/http/responses';
import { readGenericWebhook } from '../shared/ingest/generic';
import { readGhostWebhook } from '../shared/ingest/ghost';
import type { WebhookHeaders } from '../shared/ingest/standard-webhooks';
import { readWordPressWebhook } from '../shared/ingest/wordpress';
import { logger, metrics, withObservability } from '../shared/observability';
import { METRICS } from '../shared/observability/metric-names';
import { createSqsClient } from '../shared/queue/client';
import { SqsComposeQueue } from '../shared/queue/compose-queue';
import { DynamoArticleStore } from '../shared/store/article-store';
import { createDocumentClient } from '../shared/store/client';
import { DynamoDeliveryGuard } from '../shared/store/delivery-guard';
import { receiveArticle } from '../shared/usecases/receive-article';

const env = readEnv({ TABLE_NAME: required(), COMPOSE_QUEUE_URL: required() });
const webhookSecret = await requireSecret('CRIER_WEBHOOK_SECRET');
const ghostSecret = await requireSecret('CRIER_GHOST_SECRET');

const db = createDocumentClient();
const deps = {
  articles: new DynamoArticleStore(db, env.TABLE_NAME),
  deliveries: new DynamoDeliveryGuard(db, env.TABLE_NAME, runtimeClock),
  composeQueue: new SqsComposeQueue(createSqsClient(), env.COMPOSE_QUEUE_URL),
  clock: runtimeClock,
};

type Reader = (
  headers: WebhookHeaders,
  body: Buffer,
) => { deliveryId: string; change: ArticleChange };

const READERS: Record<string, { source: ArticleSource; read: Reader }> = {
  'POST /webhooks/generic': {
    source: 'generic',
    read: (headers, body) => {
      const { deliveryId, article } = readGenericWebhook(webhookSecret, headers, body);
      return { deliveryId, change: { article } };
    },
  },
  'POST /webhooks/wordpress': {
    source: 'wordpress',
    read: (headers, body) => readWordPressWebhook(webhookSecret, headers, body),
  },
  'POST /webhooks/ghost': {
    source: 'ghost',
    read: (headers, body) => readGhostWebhook(ghostSecret, headers, body),
  },
};

export const handler = withObservability(async (input: unknown) => {
  try {
    const event = httpEventSchema.parse(input);
    const reader = READERS[event.routeKey];
    if (!reader) throw new NotFoundError(`No webhook at ${event.routeKey}`);
    const { source } = reader;
    const { deliveryId, change } = reader.read(event.headers, rawBody(event));
    const sourceId = 'article' in change ? change.article.sourceId : change.withdrawal.sourceId;
    logger.appendKeys({ deliveryId, source, sourceId });
    const result = await receiveArticle(deps, { source, deliveryId, ...change });
    logger.info('Article received', {
      ...result,
      revision: 'article' in change ? change.article.revision : change.withdrawal.revision,
      withdrawal: 'withdrawal' in change ? change.withdrawal.status : undefined,
    });
    metrics.addDimensions({ outcome: result.outcome, source });
    metrics.addMetric(METRICS.articlesReceived, MetricUnit.Count, 1);
    return json(202, { articleId: result.articleId });
  } catch (error) {
    metrics.addMetric(METRICS.webhooksRefused, MetricUnit.Count, 1);
    // A CMS with the wrong key, or someone probing the public endpoint: the alarm's to tell.
    if (error instanceof UnauthorizedError) {
      metrics.addMetric(METRICS.webhookAuthFailures, MetricUnit.Count, 1);
    }
    return errorResponse(error);
  }
});
