/** Syndicate queue consumer: tells the CMS where each published share was posted. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import {
  articleStore,
  channelsConfig,
  clock,
  liveChannels,
  redelivery,
  shareStore,
  syndicationRetry,
  webhookSender,
} from '../shared/composition';
import { secret } from '../shared/composition/secrets';
import { logger, metrics, withObservability } from '../shared/observability';
import { processBatch } from '../shared/queue/batch';
import { jsonMessage } from '../shared/queue/messages';
import { syndicateMessageSchema } from '../shared/queue/syndicate-queue';
import { notifyCms } from '../shared/usecases/notify-cms';

const base = {
  shares: shareStore(),
  articles: articleStore(),
  syndication: channelsConfig().syndication,
  sender: webhookSender,
  secret: await secret('CRIER_SYNDICATION_SECRET'),
  retry: syndicationRetry(),
  clock,
};
const redeliver = redelivery();

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
      // Every channel, archived ones included: the post was made before any archiving.
      const deps = { ...base, channels: (await liveChannels()).all };
      const result = await notifyCms(deps, message, attempt);
      logger.info('CMS notification', { ...result });
      metrics.addDimensions({ outcome: result.outcome });
      metrics.addMetric('SyndicationNotifications', MetricUnit.Count, 1);
      if (result.outcome === 'failed') {
        if (result.retryInSeconds !== undefined) {
          await redeliver.later(record, result.retryInSeconds);
        }
        throw new NotificationFailed(result.reason);
      }
    } finally {
      logger.removeKeys(['articleId', 'channelId', 'attempt']);
    }
  }),
);
