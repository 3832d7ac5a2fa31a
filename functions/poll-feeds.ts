/** Every minute (EventBridge): polls each configured feed that is due and takes its new items. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  articleStore,
  channelsConfig,
  clock,
  composeMarkers,
  composeQueue,
  deliveryGuard,
  feedStore,
  publishingConfig,
} from '../shared/composition';
import { safeFetch } from '../shared/composition/network';
import { logger, metrics, withObservability } from '../shared/observability';
import { pollFeeds } from '../shared/usecases/poll-feeds';

const deps = {
  feeds: channelsConfig().feeds,
  feedStore: feedStore(),
  // Feeds are fetched as article pages are: public addresses only, every hop checked.
  fetch: safeFetch(),
  articles: articleStore(),
  deliveries: deliveryGuard(),
  composeQueue: composeQueue(),
  markers: composeMarkers(),
  composeGraceSeconds: publishingConfig().revisionSweep.graceSeconds,
  clock,
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
