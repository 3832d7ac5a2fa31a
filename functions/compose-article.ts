/**
 * Compose queue consumer: one share per channel for each article revision in the batch,
 * a new revision over the shares not yet out, or a withdrawn article's withdrawal.
 */

import { dirname } from 'node:path';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { loadChannelsConfig } from '../shared/config/channels';
import { runtimeClock } from '../shared/config/clock';
import { readEnv, required } from '../shared/config/env';
import { readPublishingConfig } from '../shared/config/publishing';
import type { Channel } from '../shared/domain/channel';
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
import { DynamoSlotStore } from '../shared/store/slot-store';
import { composeArticle } from '../shared/usecases/compose-article';
import { enqueueIfDue } from '../shared/usecases/dispatch';
import { sharePlanner } from '../shared/usecases/schedule-share';

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
  clock: runtimeClock,
  config: readPublishingConfig(),
};
const articles = new DynamoArticleStore(db, env.TABLE_NAME);
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
    clock: runtimeClock,
    baseDir: env.CRIER_CONFIG ? dirname(env.CRIER_CONFIG) : undefined,
  }),
  articles,
  shares,
  channels: config.channels,
  schedule: sharePlanner({
    slots: new DynamoSlotStore(db, env.TABLE_NAME),
    shares,
    articles,
    clock: runtimeClock,
  }),
  settings: { site: config.site, authors: config.authors },
  clock: runtimeClock,
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
