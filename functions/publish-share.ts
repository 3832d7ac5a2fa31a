/**
 * Publish queue consumer: posts each share once, records the outcome, reconciles the
 * unknown, and deletes or edits the post of a withdrawn article where its channel says so.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { loadChannelsConfig } from '../shared/config/channels';
import { ChannelCredentials } from '../shared/config/credentials';
import { readEnv, required } from '../shared/config/env';
import { readPublishingConfig } from '../shared/config/publishing';
import { systemClock } from '../shared/domain/ports';
import { logger, metrics, withObservability } from '../shared/observability';
import { clientFor } from '../shared/platforms/clients';
import { processBatch } from '../shared/queue/batch';
import { createSqsClient } from '../shared/queue/client';
import { jsonMessage } from '../shared/queue/messages';
import { publishMessageSchema, SqsPublishQueue } from '../shared/queue/publish-queue';
import { DynamoArticleStore } from '../shared/store/article-store';
import { DynamoChannelStateStore } from '../shared/store/channel-state-store';
import { createDocumentClient } from '../shared/store/client';
import { DynamoShareStore } from '../shared/store/share-store';
import { handlePublishMessage } from '../shared/usecases/publish-share';

const env = readEnv({
  TABLE_NAME: required(),
  PUBLISH_QUEUE_URL: required(),
  CRIER_CONFIG: z.string().optional(),
});

const db = createDocumentClient();
const config = loadChannelsConfig(env.CRIER_CONFIG);
const deps = {
  shares: new DynamoShareStore(db, env.TABLE_NAME),
  articles: new DynamoArticleStore(db, env.TABLE_NAME),
  channelState: new DynamoChannelStateStore(db, env.TABLE_NAME),
  credentials: new ChannelCredentials(),
  publishQueue: new SqsPublishQueue(createSqsClient(), env.PUBLISH_QUEUE_URL),
  channels: config.channels,
  site: config.site,
  clientFor,
  clock: systemClock,
  config: readPublishingConfig(),
};

const messageSchema = jsonMessage(publishMessageSchema);

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
    logger.removeKeys(['articleId', 'channelId']);
  }),
);
