/**
 * Every five minutes (EventBridge): reads back the counts of the published posts whose
 * reading is due. The collection itself is not wired in yet: each tick reports nothing read.
 */
import { logger, withObservability } from '../shared/observability';

export const handler = withObservability(async () => {
  const report = { read: 0 };
  logger.debug('Metrics tick', { ...report });
  return report;
});
