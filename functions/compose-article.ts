/** Compose queue consumer: one share per channel for each article revision in the batch. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { loadChannelsConfig } from '../shared/config/channels';
import { readEnv, required } from '../shared/config/env';
import { systemClock } from '../shared/domain/ports';
import { logger, metrics, withObservability } from '../shared/observability';
import { processBatch } from '../shared/queue/batch';
import { composeMessageSchema } from '../shared/queue/compose-queue';
import { DynamoArticleStore } from '../shared/store/article-store';
import { createDocumentClient } from '../shared/store/client';
import { DynamoShareStore } from '../shared/store/share-store';
import { composeArticle } from '../shared/usecases/compose-article';

const env = readEnv({ TABLE_NAME: required(), CRIER_CONFIG: z.string().optional() });

const db = createDocumentClient();
const deps = {
  articles: new DynamoArticleStore(db, env.TABLE_NAME),
  shares: new DynamoShareStore(db, env.TABLE_NAME),
  channels: loadChannelsConfig(env.CRIER_CONFIG).channels,
  clock: systemClock,
};

const messageSchema = z
  .string()
  .transform((body, ctx) => {
    try {
      return JSON.parse(body) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'the message body is not JSON' });
      return z.NEVER;
    }
  })
  .pipe(composeMessageSchema);

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
