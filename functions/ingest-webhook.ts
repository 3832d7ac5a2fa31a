/**
 * The CMS webhooks: `POST /webhooks/generic`, `/webhooks/wordpress` and `/webhooks/ghost`
 * (the default site's), and each under `/{siteId}` (signed with that site's key of the
 * kind, from the table). Each is verified and read by its own reader, then stored and
 * queued for composing.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  accessStore,
  articleStore,
  channelDirectory,
  clock,
  composeMarkers,
  composeQueue,
  deliveryGuard,
  publishingConfig,
} from '../shared/composition';
import { secret } from '../shared/composition/secrets';
import { DEFAULT_SITE_ID } from '../shared/domain/article';
import type { WebhookKind } from '../shared/domain/editor';
import { UnauthorizedError } from '../shared/domain/errors';
import { requestIdOf } from '../shared/http/event';
import { errorResponse, json } from '../shared/http/responses';
import { changeSummary, webhookReader } from '../shared/http/webhooks';
import { logger, metrics, withObservability } from '../shared/observability';
import { METRICS } from '../shared/observability/metric-names';
import { receiveArticle } from '../shared/usecases/receive-article';

const deps = {
  articles: articleStore(),
  deliveries: deliveryGuard(),
  composeQueue: composeQueue(),
  markers: composeMarkers(),
  composeGraceSeconds: publishingConfig().revisionSweep.graceSeconds,
  clock,
};
const secrets = {
  webhook: await secret('CRIER_WEBHOOK_SECRET'),
  ghost: await secret('CRIER_GHOST_SECRET'),
};
const directory = channelDirectory();
const access = accessStore();

/**
 * A site's keys of a kind from the table. The default site's, until it has its own, are
 * the deployment's: CRIER_WEBHOOK_SECRET (generic, WordPress), CRIER_GHOST_SECRET (Ghost).
 */
async function siteKeys(siteId: string, kind: WebhookKind): Promise<string[] | undefined> {
  if (!(await directory.getSite(siteId))) return undefined;
  const keys = await access.webhookKeys(siteId, kind);
  if (keys.length > 0 || siteId !== DEFAULT_SITE_ID) return keys;
  return [kind === 'ghost' ? secrets.ghost : secrets.webhook];
}

const readDelivery = webhookReader(secrets, siteKeys, clock);

export const handler = withObservability(async (input: unknown) => {
  try {
    const { source, deliveryId, change } = await readDelivery(input);
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
    return errorResponse(error, requestIdOf(input));
  }
});
