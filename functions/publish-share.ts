/**
 * Publish queue consumer: posts each share once, records the outcome, reconciles the
 * unknown, and deletes or edits the post of a withdrawn article where its channel says so.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { loadChannelsConfig } from '../shared/config/channels';
import { runtimeClock } from '../shared/config/clock';
import { ChannelCredentials } from '../shared/config/credentials';
import { readEnv, required } from '../shared/config/env';
import { readPublishingConfig } from '../shared/config/publishing';
import type { Share } from '../shared/domain/share';
import { logger, metrics, withObservability } from '../shared/observability';
import {
  DIMENSIONS,
  METRICS,
  PUBLISH_OUTCOMES,
  type PublishOutcomeDimensions,
  type PublishOutcomeName,
} from '../shared/observability/metric-names';
import { clientFor } from '../shared/platforms/clients';
import { processBatch } from '../shared/queue/batch';
import { createSqsClient } from '../shared/queue/client';
import { jsonMessage } from '../shared/queue/messages';
import { publishMessageSchema, SqsPublishQueue } from '../shared/queue/publish-queue';
import { SqsSyndicationQueue } from '../shared/queue/syndicate-queue';
import { DynamoArticleStore } from '../shared/store/article-store';
import { DynamoChannelStateStore } from '../shared/store/channel-state-store';
import { createDocumentClient } from '../shared/store/client';
import { DynamoShareStore } from '../shared/store/share-store';
import { DynamoSlotStore } from '../shared/store/slot-store';
import { scheduleReshare } from '../shared/usecases/evergreen';
import { handlePublishMessage } from '../shared/usecases/publish-share';
import { sharePlanner } from '../shared/usecases/schedule-share';

const env = readEnv({
  TABLE_NAME: required(),
  PUBLISH_QUEUE_URL: required(),
  SYNDICATE_QUEUE_URL: required(),
  CRIER_CONFIG: z.string().optional(),
});

const db = createDocumentClient();
const sqs = createSqsClient();
const shares = new DynamoShareStore(db, env.TABLE_NAME);
const articles = new DynamoArticleStore(db, env.TABLE_NAME);
const config = loadChannelsConfig(env.CRIER_CONFIG);
const reshare = {
  articles,
  shares,
  channels: config.channels,
  settings: { site: config.site, authors: config.authors },
  schedule: sharePlanner({
    slots: new DynamoSlotStore(db, env.TABLE_NAME),
    shares,
    articles,
    clock: runtimeClock,
  }),
  clock: runtimeClock,
};
const deps = {
  shares,
  articles,
  channelState: new DynamoChannelStateStore(db, env.TABLE_NAME),
  credentials: new ChannelCredentials(),
  publishQueue: new SqsPublishQueue(sqs, env.PUBLISH_QUEUE_URL),
  channels: config.channels,
  // Announced for the CMS only where the config says where to tell it.
  syndication: config.syndication
    ? new SqsSyndicationQueue(sqs, env.SYNDICATE_QUEUE_URL)
    : undefined,
  site: config.site,
  clientFor,
  clock: runtimeClock,
  config: readPublishingConfig(),
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
