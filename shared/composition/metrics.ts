/**
 * What the metrics collector takes: the stores of the one table, the network clients and
 * the channels' credentials as publishing uses them (tokens renewed on use, one Bluesky
 * login at a time), and CRIER_METRICS_AFTER.
 */
import { readMetricsAfter } from '../config/metrics';
import type { Channel } from '../domain/channel';
import type { ReadingEvent } from '../domain/metrics';
import { logger } from '../observability';
import { TABLE } from '../resources';
import { DynamoReadingState } from '../store/reading-state';
import type { CollectMetricsDeps } from '../usecases/collect-metrics';
import { bestTimesLearner } from './best-times';
import {
  articleStore,
  clock,
  engagementStore,
  metricsStore,
  once,
  onTable,
  publishingConfig,
  shareStore,
} from './index';
import { channelCredentials, channelSessions, clientFor, tokenKeeper } from './platforms';

export const readingState = onTable((db, table) => new DynamoReadingState(db, table));

/** Read at cold start: a bad CRIER_METRICS_AFTER stops the function, naming it. */
export const metricsAfter = once(() => readMetricsAfter());

/**
 * Who hears of each stored reading (the desk's figures, the best-time estimate), in turn:
 * one that throws is logged and keeps none of the others from theirs.
 */
const readingSubscribers = once((): readonly ((event: ReadingEvent) => unknown)[] => [
  (event) => engagementStore().recordReading(event),
  bestTimesLearner(metricsAfter()),
]);

const base = once(() => {
  const shares = shareStore();
  return {
    shares,
    index: {
      dueBy: (shard: number, until: string, limit: number, after?: string) =>
        shares.readingsDueBy(shard, until, limit, after),
    },
    readingState: readingState(),
    readings: metricsStore(),
    articles: articleStore(),
    ...channelSessions(),
    credentials: channelCredentials(),
    tokens: tokenKeeper(),
    clientFor,
    clock,
    offsetsMs: metricsAfter(),
    networkTimeoutMs: publishingConfig().networkTimeoutMs,
    shardCount: TABLE.shardCount,
    log: (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) =>
      logger[level](message, fields),
  };
});

/** The collector's deps for one run, with the channels as the table has them now. */
export function collectMetricsDeps(channels: readonly Channel[]): CollectMetricsDeps {
  return {
    ...base(),
    channels,
    onReading: async (event) => {
      for (const subscriber of readingSubscribers()) {
        try {
          await subscriber(event);
        } catch (error) {
          logger.error('A reading subscriber failed', {
            articleId: event.articleId,
            channelId: event.channelId,
            error:
              error instanceof Error
                ? { name: error.name, message: error.message.slice(0, 300) }
                : {},
          });
        }
      }
    },
  };
}
