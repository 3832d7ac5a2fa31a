/**
 * The CMS webhooks: `POST /webhooks/generic` (the default site's), `/webhooks/generic/{siteId}`
 * (signed with that site's key from the table), `/webhooks/wordpress` and `/webhooks/ghost`.
 * Each is verified and read by its own reader, then stored and queued for composing.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  accessStore,
  articleStore,
  channelDirectory,
  clock,
  composeQueue,
  deliveryGuard,
} from '../shared/composition';
import { secret } from '../shared/composition/secrets';
import { DEFAULT_SITE_ID } from '../shared/domain/article';
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
const webhookSecret = await secret('CRIER_WEBHOOK_SECRET');
const directory = channelDirectory();
const access = accessStore();

/** A site's keys from the table; the default site's, until it has its own, CRIER_WEBHOOK_SECRET. */
async function siteKeys(siteId: string): Promise<string[] | undefined> {
  if (!(await directory.getSite(siteId))) return undefined;
  const keys = await access.webhookKeys(siteId);
  return keys.length === 0 && siteId === DEFAULT_SITE_ID ? [webhookSecret] : keys;
}

const readDelivery = webhookReader(
  { webhook: webhookSecret, ghost: await secret('CRIER_GHOST_SECRET') },
  siteKeys,
  clock,
);

export const handler = withObservability(async (input: unknown) => {
  try {
    const { source, deliveryId, change, siteId } = await readDelivery(input);
    const { sourceId, revision, withdrawal } = changeSummary(change);
    logger.appendKeys({ deliveryId, source, sourceId });
    const result = await receiveArticle(deps, { source, deliveryId, siteId, ...change });
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
