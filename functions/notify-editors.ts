/** Every minute (EventBridge): sends each site's editors one digest of what needs them. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import {
  articleStore,
  cachedDirectory,
  clock,
  notificationStore,
  shareStore,
} from '../shared/composition';
import { notificationSender } from '../shared/composition/network';
import { readEnv } from '../shared/config/env';
import { logger, metrics, withObservability } from '../shared/observability';
import { ENV } from '../shared/resources';
import { findWaitingDrafts, notifyEditors } from '../shared/usecases/notify-editors';

const store = notificationStore();
const sender = notificationSender();
const reads = { articles: articleStore(), shares: shareStore() };
const editorUrl = readEnv({ [ENV.editorUrl]: z.url().optional() })[ENV.editorUrl];

export const handler = withObservability(async () => {
  const { sites } = await cachedDirectory().snapshot();
  const report = await notifyEditors({
    store,
    sender,
    sites: sites.map((site) => ({ id: site.id, name: site.name })),
    waitingDrafts: (siteIds, before) => findWaitingDrafts(reads, siteIds, before),
    clock,
    ...(editorUrl ? { editorUrl } : {}),
    log: (message, fields) => logger.warn(message, fields),
  });
  for (const [name, count] of Object.entries(report)) {
    metrics.addMetric(
      `Notifications${name[0]?.toUpperCase()}${name.slice(1)}`,
      MetricUnit.Count,
      count,
    );
  }
  if (report.batches + report.sent + report.failed > 0) logger.info('Notified editors', report);
  return report;
});
