/**
 * The CMS webhooks: `POST /webhooks/generic`, `/webhooks/wordpress` and `/webhooks/ghost`.
 * Each is verified and read by its own reader, then stored and queued for composing.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { articleStore, clock, composeQueue, deliveryGuard } from '../shared/composition';
import { secret } from '../shared/composition/secrets';
import { UnauthorizedError } from '../shared/domain/errors';
import { errorResponse, json } from '../shared/http/responses';
import { changeSummary, webhookReader } from '../shared/http/webhooks';
import { logger, metrics, withObservability } from '../shared/observability';
import { METRICS } from '../shared/observability/metric-names';
import { receiveArticle } from '../shared/usecases/receive-article';

const deps = {
  articles: articleStore(),
  deliveries: deliveryGuard(),
  composeQueue: composeQueue(),
  clock,
};
const readDelivery = webhookReader({
  webhook: await secret('CRIER_WEBHOOK_SECRET'),
  ghost: await secret('CRIER_GHOST_SECRET'),
});

export const handler = withObservability(async (input: unknown) => {
  try {
    const { source, deliveryId, change } = readDelivery(input);
    const { sourceId, revision, withdrawal } = changeSummary(change);
    logger.appendKeys({ deliveryId, source, sourceId });
    const result = await receiveArticle(deps, { source, deliveryId, ...change });
    logger.info('Article received', { ...result, revision, withdrawal });
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
