/** Every minute (EventBridge): sends the shares falling due, and sweeps shares stuck in flight. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { dispatchDeps } from '../shared/composition';
import { logger, metrics, withObservability } from '../shared/observability';
import { dispatchDue } from '../shared/usecases/dispatch';

const deps = dispatchDeps();

export const handler = withObservability(async () => {
  const report = await dispatchDue(deps);
  for (const [name, count] of Object.entries(report)) {
    metrics.addMetric(`Shares${name[0]?.toUpperCase()}${name.slice(1)}`, MetricUnit.Count, count);
  }
  if (Object.values(report).some((count) => count > 0)) {
    logger.info('Dispatched', { ...report });
  }
  return report;
});
