/** Every minute (EventBridge): sends the shares falling due, and sweeps shares stuck in flight. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { dispatchDeps } from '../shared/composition';
import { logger, metrics, withObservability } from '../shared/observability';
import { dispatchDue, type ShareFailure } from '../shared/usecases/dispatch';

const deps = dispatchDeps();

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
  return report;
});
