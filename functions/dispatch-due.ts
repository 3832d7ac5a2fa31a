/**
 * Every minute (EventBridge): sends the shares falling due, sweeps shares stuck in flight,
 * and sends again the stored revisions whose compose message was lost.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { dispatchDeps, revisionSweepDeps } from '../shared/composition';
import { logger, metrics, withObservability } from '../shared/observability';
import { METRICS } from '../shared/observability/metric-names';
import { dispatchDue, type ShareFailure } from '../shared/usecases/dispatch';
import { sweepRevisions } from '../shared/usecases/sweep-revisions';

const deps = dispatchDeps();
const revisions = revisionSweepDeps();

/**
 * The share and the error's name and message, cut short: enough to find the item, and no
 * field of the share (its text, its keys) nor any response body.
 */
const brief = (error: unknown) =>
  error instanceof Error
    ? { name: error.name, message: error.message.slice(0, 300) }
    : { name: typeof error };

function logFailure({ share, step, error }: ShareFailure): void {
  logger.error('Share skipped by the tick', {
    share,
    step,
    error: brief(error),
    // The database's own words, as why the table refused a write (an item too large).
    ...(error instanceof Error && error.cause !== undefined ? { cause: brief(error.cause) } : {}),
  });
}

export const handler = withObservability(async () => {
  const report = await dispatchDue(deps, logFailure);
  for (const [name, count] of Object.entries(report)) {
    metrics.addMetric(`Shares${name[0]?.toUpperCase()}${name.slice(1)}`, MetricUnit.Count, count);
  }
  if (Object.values(report).some((count) => count > 0)) {
    logger.info('Dispatched', { ...report });
  }
  // After the shares: a sweep that throws (the table, the queue) waits for the next tick
  // and never holds back a share that is due.
  try {
    const swept = await sweepRevisions(revisions);
    metrics.addMetric(METRICS.revisionsResent, MetricUnit.Count, swept.resent);
    if (swept.resent > 0) logger.warn('Revisions never composed, sent again', { ...swept });
  } catch (error) {
    logger.error('Revision sweep failed', {
      error:
        error instanceof Error ? { name: error.name, message: error.message.slice(0, 300) } : {},
    });
  }
  return report;
});
