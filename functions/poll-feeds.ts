/** Every minute (EventBridge): polls each configured feed that is due and takes its new items. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { loadChannelsConfig } from '../shared/config/channels';
import { runtimeClock } from '../shared/config/clock';
import { readEnv, required } from '../shared/config/env';
import { logger, metrics, withObservability } from '../shared/observability';
import { createSafeFetch } from '../shared/preview/fetch';
import { createSqsClient } from '../shared/queue/client';
import { SqsComposeQueue } from '../shared/queue/compose-queue';
import { DynamoArticleStore } from '../shared/store/article-store';
import { createDocumentClient } from '../shared/store/client';
import { DynamoDeliveryGuard } from '../shared/store/delivery-guard';
import { DynamoFeedStore } from '../shared/store/feed-store';
import { pollFeeds } from '../shared/usecases/poll-feeds';

const env = readEnv({
  TABLE_NAME: required(),
  COMPOSE_QUEUE_URL: required(),
  CRIER_CONFIG: z.string().optional(),
});

const db = createDocumentClient();
const deps = {
  feeds: loadChannelsConfig(env.CRIER_CONFIG).feeds,
  feedStore: new DynamoFeedStore(db, env.TABLE_NAME),
  // Feeds are fetched as article pages are: public addresses only, every hop checked.
  fetch: createSafeFetch(),
  articles: new DynamoArticleStore(db, env.TABLE_NAME),
  deliveries: new DynamoDeliveryGuard(db, env.TABLE_NAME, runtimeClock),
  composeQueue: new SqsComposeQueue(createSqsClient(), env.COMPOSE_QUEUE_URL),
  clock: runtimeClock,
};

export const handler = withObservability(async () => {
  if (deps.feeds.length === 0) return { feeds: 0 };
  const reports = await pollFeeds(deps);
  for (const report of reports) {
    if (report.outcome === 'not-due') continue;
    const log = report.outcome === 'failed' || report.errors.length ? logger.warn : logger.info;
    log.call(logger, 'Feed polled', { ...report });
    metrics.addMetric('FeedItemsTaken', MetricUnit.Count, report.taken);
    if (report.outcome === 'failed') metrics.addMetric('FeedPollsFailed', MetricUnit.Count, 1);
  }
  return { feeds: reports.length, taken: reports.reduce((sum, r) => sum + r.taken, 0) };
});
