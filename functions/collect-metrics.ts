/**
 * Every five minutes (EventBridge): reads the engagement counts of the published posts
 * whose reading is due, stores each reading and schedules the next (collect-metrics.ts).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { liveChannels } from '../shared/composition';
import { collectMetricsDeps, metricsAfter } from '../shared/composition/metrics';
import { logger, metrics, withObservability } from '../shared/observability';
import { METRICS } from '../shared/observability/metric-names';
import { collectMetrics } from '../shared/usecases/collect-metrics';

// At cold start: a bad CRIER_METRICS_AFTER stops the function here, naming the variable.
metricsAfter();

export const handler = withObservability(async () => {
  // Every channel, archived ones included: a past post is still read.
  const live = await liveChannels();
  const report = await collectMetrics(collectMetricsDeps(live.all));
  metrics.addMetric(METRICS.readingsTaken, MetricUnit.Count, report.read);
  metrics.addMetric(METRICS.readingsPostponed, MetricUnit.Count, report.postponed);
  metrics.addMetric(METRICS.readingsFailed, MetricUnit.Count, report.failed);
  metrics.addMetric(METRICS.readingsSkipped, MetricUnit.Count, report.skipped);
  metrics.addMetric(METRICS.readingsStopped, MetricUnit.Count, report.stopped);
  // A run with nothing to do is not news (locally it may run every few seconds).
  const log = Object.values(report).some((count) => count > 0) ? logger.info : logger.debug;
  log.call(logger, 'Readings collected', { ...report });
  return report;
});
