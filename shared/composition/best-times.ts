/**
 * The best times learned, wired: what the metrics collector hands each stored reading to
 * (its `onReading`), so a channel's estimate learns from its posts.
 */
import type { ReadingEvent } from '../domain/metrics';
import { readingLearner } from '../usecases/best-times';
import { bestTimesStore, channelDirectory, clock } from './index';

/**
 * `learnFromReading` over the table, for the collector's `deps.onReading`, given the
 * offsets it reads at (CRIER_METRICS_AFTER, parsed once by the collector). A channel's
 * time zone is read from the directory, once per learned post only.
 */
export function bestTimesLearner(
  metricsAfterMs: readonly number[],
): (event: ReadingEvent) => Promise<void> {
  return readingLearner({
    engagement: bestTimesStore(),
    timeZoneOf: async (channelId) => (await channelDirectory().getChannel(channelId))?.timezone,
    metricsAfterMs,
    clock,
  });
}
