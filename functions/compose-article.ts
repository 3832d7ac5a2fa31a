/**
 * Compose queue consumer: one share per channel for each article revision in the batch,
 * a new revision over the shares not yet out, or a withdrawn article's withdrawal.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import {
  articleStore,
  clock,
  composeSettingsOf,
  directPath,
  liveChannels,
  publishQueue,
  sharePlanner,
  shareStore,
} from '../shared/composition';
import { serverLimit } from '../shared/composition/network';
import { enricher } from '../shared/composition/preview';
import { logger, metrics, withObservability } from '../shared/observability';
import { processBatch } from '../shared/queue/batch';
import { composeMessageSchema } from '../shared/queue/compose-queue';
import { jsonMessage } from '../shared/queue/messages';
import { composeArticle } from '../shared/usecases/compose-article';

const base = {
  serverLimit: serverLimit(),
  enrich: enricher(),
  articles: articleStore(),
  shares: shareStore(),
  schedule: sharePlanner(),
  clock,
  enqueueIfDue: directPath(),
  publishQueue: publishQueue(),
};

const messageSchema = jsonMessage(composeMessageSchema);

export const handler = withObservability(async (event: SQSEvent) =>
  processBatch(event.Records, async (record) => {
    const message = messageSchema.parse(record.body);
    // The channels as the table has them, at most a TTL old (shared/config/directory-cache.ts).
    const live = await liveChannels();
    const deps = {
      ...base,
      channels: live.all,
      statusOf: live.statusOf,
      settingsFor: (siteId: string) => composeSettingsOf(live, siteId),
    };
    const result = await composeArticle(deps, message);
    logger.info('Article composed', { ...result });
    if (result.outcome === 'composed') {
      metrics.addMetric('SharesComposed', MetricUnit.Count, result.created.length);
    }
  }),
);
