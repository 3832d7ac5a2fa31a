/**
 * Publish queue consumer: posts each share once, records the outcome, reconciles the
 * unknown, and deletes or edits the post of a withdrawn article where its channel says so.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import {
  articleStore,
  channelStateStore,
  channelsConfig,
  clock,
  composeSettings,
  publishingConfig,
  publishQueue,
  sharePlanner,
  shareStore,
  syndicationQueue,
} from '../shared/composition';
import { channelCredentials, clientFor } from '../shared/composition/platforms';
import type { Share } from '../shared/domain/share';
import { logger, metrics, withObservability } from '../shared/observability';
import {
  DIMENSIONS,
  METRICS,
  PUBLISH_OUTCOMES,
  type PublishOutcomeDimensions,
  type PublishOutcomeName,
} from '../shared/observability/metric-names';
import { processBatch } from '../shared/queue/batch';
import { jsonMessage } from '../shared/queue/messages';
import { publishMessageSchema } from '../shared/queue/publish-queue';
import { scheduleReshare } from '../shared/usecases/evergreen';
import { handlePublishMessage } from '../shared/usecases/publish-share';

const { channels, site } = channelsConfig();
const reshare = {
  articles: articleStore(),
  shares: shareStore(),
  channels,
  settings: composeSettings(),
  schedule: sharePlanner(),
  clock,
};
const deps = {
  shares: shareStore(),
  articles: articleStore(),
  channelState: channelStateStore(),
  credentials: channelCredentials(),
  publishQueue: publishQueue(),
  channels,
  syndication: syndicationQueue(),
  site,
  clientFor,
  clock,
  config: publishingConfig(),
  afterPublished: (share: Share) => scheduleReshare(reshare, share),
};

const messageSchema = jsonMessage(publishMessageSchema);

const isPublishOutcome = (outcome: string): outcome is PublishOutcomeName =>
  PUBLISH_OUTCOMES.some((name) => name === outcome);

export const handler = withObservability(async (event: SQSEvent) =>
  processBatch(event.Records, async (record) => {
    const message = messageSchema.parse(record.body);
    logger.appendKeys({ articleId: message.articleId, channelId: message.channelId });
    const result = await handlePublishMessage(deps, message);
    const share = 'share' in result ? result.share : undefined;
    logger.info('Share handled', {
      outcome: result.outcome,
      ...(share
        ? {
            status: share.status,
            attempt: share.attempt,
            remoteId: share.remoteId,
            lastError: share.lastError,
          }
        : { reason: 'reason' in result ? result.reason : undefined }),
    });
    metrics.addDimensions({ outcome: result.outcome });
    metrics.addMetric('SharesHandled', MetricUnit.Count, 1);
    if (share && isPublishOutcome(result.outcome)) {
      // Per network, for the dashboard and the alarms: a dimension set of its own.
      const outcome = metrics.singleMetric();
      const dimensions: PublishOutcomeDimensions = {
        Platform: share.platform,
        Outcome: result.outcome,
      };
      outcome.addDimensions(dimensions);
      outcome.addMetric(METRICS.publishOutcome, MetricUnit.Count, 1);
      if ('refusal' in result && result.refusal === 'auth') {
        const auth = metrics.singleMetric();
        auth.addDimension(DIMENSIONS.platform, share.platform);
        auth.addMetric(METRICS.publishAuthFailures, MetricUnit.Count, 1);
      }
    }
    logger.removeKeys(['articleId', 'channelId']);
  }),
);
