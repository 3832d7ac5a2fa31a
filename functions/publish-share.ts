/**
 * Publish queue consumer: posts each share once, records the outcome, reconciles the
 * unknown, and deletes or edits the post of a withdrawn article where its channel says so.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import {
  articleStore,
  clock,
  composeSettingsOf,
  liveChannels,
  notificationStore,
  publishingConfig,
  publishQueue,
  sharePlanner,
  shareStore,
  syndicationQueue,
} from '../shared/composition';
import { mediaKeeper } from '../shared/composition/media';
import {
  channelCredentials,
  channelSessions,
  clientFor,
  tokenKeeper,
} from '../shared/composition/platforms';
import { fileSiteOf } from '../shared/domain/channel-directory';
import { DEFAULT_SITE_ID } from '../shared/domain/routing';
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
import { handlePublishMessage } from '../shared/usecases/publish-share';

const base = {
  shares: shareStore(),
  articles: articleStore(),
  ...channelSessions(),
  credentials: channelCredentials(),
  tokens: tokenKeeper(),
  publishQueue: publishQueue(),
  syndication: syndicationQueue(),
  clientFor,
  clock,
  config: publishingConfig(),
  notifications: notificationStore(),
  // Stored images checked (and made again where gone) at the claim, linked at the call.
  media: mediaKeeper(),
  // A message SQS delivered before its share's time waits the fraction of a second left.
  wait: (ms: number) => sleep(ms),
};

/**
 * The deps for one message, with the channels as the table has them (at most a TTL old):
 * every channel, archived ones included, for a past post; its status for the claim.
 */
async function depsFor(channelId: string) {
  const live = await liveChannels();
  const siteId = live.all.find((c) => c.id === channelId)?.siteId;
  const site = siteId === undefined ? undefined : live.siteOf(siteId);
  const reshare = {
    articles: base.articles,
    shares: base.shares,
    channels: live.open,
    settings: composeSettingsOf(live, siteId ?? DEFAULT_SITE_ID),
    schedule: sharePlanner(),
    clock,
  };
  return {
    ...base,
    channels: live.all,
    statusOf: live.statusOf,
    site: site ? fileSiteOf(site) : undefined,
    // The composers an evergreen round needs are loaded by the first share published.
    afterPublished: async (share: Share) =>
      (await import('../shared/usecases/evergreen')).scheduleReshare(reshare, share),
  };
}

const messageSchema = jsonMessage(publishMessageSchema);

const isPublishOutcome = (outcome: string): outcome is PublishOutcomeName =>
  PUBLISH_OUTCOMES.some((name) => name === outcome);

export const handler = withObservability(async (event: SQSEvent) =>
  processBatch(event.Records, async (record) => {
    const message = messageSchema.parse(record.body);
    logger.appendKeys({ articleId: message.articleId, channelId: message.channelId });
    const result = await handlePublishMessage(await depsFor(message.channelId), message);
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
