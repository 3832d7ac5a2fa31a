/** POST /webhooks/generic: a signed article from the CMS, stored and queued for composing. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { runtimeClock } from '../shared/config/clock';
import { readEnv, required } from '../shared/config/env';
import { requireSecret } from '../shared/config/secrets';
import { httpEventSchema, rawBody } from '../shared/http/event';
import { errorResponse, json } from '../shared/http/responses';
import { readGenericWebhook } from '../shared/ingest/generic';
import { logger, metrics, withObservability } from '../shared/observability';
import { createSqsClient } from '../shared/queue/client';
import { SqsComposeQueue } from '../shared/queue/compose-queue';
import { DynamoArticleStore } from '../shared/store/article-store';
import { createDocumentClient } from '../shared/store/client';
import { DynamoDeliveryGuard } from '../shared/store/delivery-guard';
import { receiveArticle } from '../shared/usecases/receive-article';

const env = readEnv({ TABLE_NAME: required(), COMPOSE_QUEUE_URL: required() });
const webhookSecret = await requireSecret('CRIER_WEBHOOK_SECRET');

const db = createDocumentClient();
const deps = {
  articles: new DynamoArticleStore(db, env.TABLE_NAME),
  deliveries: new DynamoDeliveryGuard(db, env.TABLE_NAME, runtimeClock),
  composeQueue: new SqsComposeQueue(createSqsClient(), env.COMPOSE_QUEUE_URL),
  clock: runtimeClock,
};

export const handler = withObservability(async (input: unknown) => {
  try {
    const event = httpEventSchema.parse(input);
    const { deliveryId, article } = readGenericWebhook(
      webhookSecret,
      event.headers,
      rawBody(event),
    );
    logger.appendKeys({ deliveryId, source: 'generic', sourceId: article.sourceId });
    const result = await receiveArticle(deps, { source: 'generic', deliveryId, article });
    logger.info('Article received', { ...result, revision: article.revision });
    metrics.addDimensions({ outcome: result.outcome });
    metrics.addMetric('ArticlesReceived', MetricUnit.Count, 1);
    return json(202, { articleId: result.articleId });
  } catch (error) {
    metrics.addMetric('WebhooksRefused', MetricUnit.Count, 1);
    return errorResponse(error);
  }
});
