/** Every minute (EventBridge): sends the shares falling due, and sweeps shares stuck in flight. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { runtimeClock } from '../shared/config/clock';
import { readEnv, required } from '../shared/config/env';
import { readPublishingConfig } from '../shared/config/publishing';
import { logger, metrics, withObservability } from '../shared/observability';
import { createSqsClient } from '../shared/queue/client';
import { SqsPublishQueue } from '../shared/queue/publish-queue';
import { createDocumentClient } from '../shared/store/client';
import { DynamoShareStore } from '../shared/store/share-store';
import { dispatchDue } from '../shared/usecases/dispatch';

const env = readEnv({ TABLE_NAME: required(), PUBLISH_QUEUE_URL: required() });

const deps = {
  shares: new DynamoShareStore(createDocumentClient(), env.TABLE_NAME),
  publishQueue: new SqsPublishQueue(createSqsClient(), env.PUBLISH_QUEUE_URL),
  clock: runtimeClock,
  config: readPublishingConfig(),
};

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
