/**
 * Compose queue consumer: one share per channel for each article revision in the batch,
 * a new revision over the shares not yet out, or a withdrawn article's withdrawal.
 */

import { dirname } from 'node:path';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { loadChannelsConfig } from '../shared/config/channels';
import { readEnv, required } from '../shared/config/env';
import { readPublishingConfig } from '../shared/config/publishing';
import type { Channel } from '../shared/domain/channel';
import { systemClock } from '../shared/domain/ports';
import type { Share } from '../shared/domain/share';
import { logger, metrics, withObservability } from '../shared/observability';
import { instanceLimit } from '../shared/platforms/mastodon/instance';
import { createEnricher } from '../shared/preview/enrich';
import { createSafeFetch } from '../shared/preview/fetch';
import { processBatch } from '../shared/queue/batch';
import { createSqsClient } from '../shared/queue/client';
import { composeMessageSchema } from '../shared/queue/compose-queue';
import { jsonMessage } from '../shared/queue/messages';
import { SqsPublishQueue } from '../shared/queue/publish-queue';
import { DynamoArticleStore } from '../shared/store/article-store';
import { createDocumentClient } from '../shared/store/client';
import { mediaStore } from '../shared/store/media-store';
import { DynamoPreviewStore } from '../shared/store/preview-store';
import { DynamoShareStore } from '../shared/store/share-store';
import { composeArticle } from '../shared/usecases/compose-article';
import { enqueueIfDue } from '../shared/usecases/dispatch';

const env = readEnv({
  TABLE_NAME: required(),
  PUBLISH_QUEUE_URL: required(),
  CRIER_CONFIG: z.string().optional(),
});

const config = loadChannelsConfig(env.CRIER_CONFIG);
const db = createDocumentClient();
const shares = new DynamoShareStore(db, env.TABLE_NAME);
const dispatch = {
  shares,
  publishQueue: new SqsPublishQueue(createSqsClient(), env.PUBLISH_QUEUE_URL),
  clock: systemClock,
  config: readPublishingConfig(),
};
const safeFetch = createSafeFetch();
const deps = {
  serverLimit: (channel: Channel) =>
    channel.platform === 'mastodon'
      ? instanceLimit(channel.account, safeFetch)
      : Promise.resolve(undefined),
  enrich: createEnricher({
    fetch: safeFetch,
    previews: new DynamoPreviewStore(db, env.TABLE_NAME),
    media: mediaStore(),
    site: config.site,
    clock: systemClock,
    baseDir: env.CRIER_CONFIG ? dirname(env.CRIER_CONFIG) : undefined,
  }),
  articles: new DynamoArticleStore(db, env.TABLE_NAME),
  shares,
  channels: config.channels,
  settings: { site: config.site, authors: config.authors },
  clock: systemClock,
  enqueueIfDue: (share: Share) => enqueueIfDue(dispatch, share),
  publishQueue: dispatch.publishQueue,
};

const messageSchema = jsonMessage(composeMessageSchema);

export const handler = withObservability(async (event: SQSEvent) =>
  processBatch(event.Records, async (record) => {
    const message = messageSchema.parse(record.body);
    const result = await composeArticle(deps, message);
    logger.info('Article composed', { ...result });
    if (result.outcome === 'composed') {
      metrics.addMetric('SharesComposed', MetricUnit.Count, result.created.length);
    }
  }),
);
