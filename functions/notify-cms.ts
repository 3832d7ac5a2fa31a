/** Syndicate queue consumer: tells the CMS where each published share was posted. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { loadChannelsConfig } from '../shared/config/channels';
import { runtimeClock } from '../shared/config/clock';
import { readEnv, required } from '../shared/config/env';
import { requireSecret } from '../shared/config/secrets';
import { readSyndicationRetry } from '../shared/config/syndication';
import { fetchWebhookSender } from '../shared/http/webhook-sender';
import { logger, metrics, withObservability } from '../shared/observability';
import { processBatch } from '../shared/queue/batch';
import { createSqsClient } from '../shared/queue/client';
import { jsonMessage } from '../shared/queue/messages';
import { SqsRedelivery, syndicateMessageSchema } from '../shared/queue/syndicate-queue';
import { DynamoArticleStore } from '../shared/store/article-store';
import { createDocumentClient } from '../shared/store/client';
import { DynamoShareStore } from '../shared/store/share-store';
import { notifyCms } from '../shared/usecases/notify-cms';

const env = readEnv({ TABLE_NAME: required(), CRIER_CONFIG: z.string().optional() });
const config = loadChannelsConfig(env.CRIER_CONFIG);

const db = createDocumentClient();
const deps = {
  shares: new DynamoShareStore(db, env.TABLE_NAME),
  articles: new DynamoArticleStore(db, env.TABLE_NAME),
  channels: config.channels,
  syndication: config.syndication,
  sender: fetchWebhookSender,
  secret: await requireSecret('CRIER_SYNDICATION_SECRET'),
  retry: readSyndicationRetry(),
  clock: runtimeClock,
};
const redelivery = new SqsRedelivery(createSqsClient());

const messageSchema = jsonMessage(syndicateMessageSchema);

/** A failed notification: the batch reports it, and SQS shows it again after its backoff. */
class NotificationFailed extends Error {
  override name = 'NotificationFailed';
}

export const handler = withObservability(async (event: SQSEvent) =>
  processBatch(event.Records, async (record) => {
    const message = messageSchema.parse(record.body);
    const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
    logger.appendKeys({ articleId: message.articleId, channelId: message.channelId, attempt });
    try {
      const result = await notifyCms(deps, message, attempt);
      logger.info('CMS notification', { ...result });
      metrics.addDimensions({ outcome: result.outcome });
      metrics.addMetric('SyndicationNotifications', MetricUnit.Count, 1);
      if (result.outcome === 'failed') {
        if (result.retryInSeconds !== undefined) {
          await redelivery.later(record, result.retryInSeconds);
        }
        throw new NotificationFailed(result.reason);
      }
    } finally {
      logger.removeKeys(['articleId', 'channelId', 'attempt']);
    }
  }),
);
