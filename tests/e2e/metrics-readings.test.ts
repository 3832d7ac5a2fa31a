/**
 * The engagement readings on the local stack, with CRIER_METRICS_AFTER=2s,6s: the sample
 * article's eight posts are published, each share takes its first reading's time in the
 * write that records it, and the collector (on its own local schedule of a few seconds,
 * not the minute's tick) reads each post whose network's client gives counts at both ages,
 * keeping the series, and stops, saying why, for a network whose client gives none.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clientFor } from '../../shared/platforms/clients';
import { DynamoMetricsStore } from '../../shared/store/metrics-store';
import { DynamoShareStore } from '../../shared/store/share-store';
import { CHANNEL_COUNT, DEFAULT_CHANNELS } from '../support/channels';
import { sendArticle } from '../support/handler-stack';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let shares: DynamoShareStore;
let readings: DynamoMetricsStore;

beforeAll(async () => {
  stack = await startTestStack({ metricsAfter: '2s,6s' });
  shares = new DynamoShareStore(stack.db, stack.tableName);
  readings = new DynamoMetricsStore(stack.db, stack.tableName);
});

afterAll(async () => {
  await stack?.dispose();
});

describe('engagement readings on the local stack', () => {
  it("reads each post's counts at 2 s and 6 s, or says its network gives none", async () => {
    const articleId = await sendArticle(stack, { id: 'metrics-readings-e2e' });
    const published = await vi.waitFor(
      async () => {
        const all = await shares.listForArticle(articleId);
        expect(all.map((s) => s.status)).toEqual(DEFAULT_CHANNELS.map(() => 'published'));
        return all;
      },
      { timeout: 30_000, interval: 250 },
    );
    expect(published).toHaveLength(CHANNEL_COUNT);
    // The first reading's time went with the record (X's channel turns readings on with a
    // budget in the local default).
    for (const share of published) {
      expect(share.metricsDueAt ?? share.metricsSkipped).toBeDefined();
    }

    const gives = new Map(
      await Promise.all(
        published.map(
          async (s) => [s.channelId, Boolean((await clientFor(s.platform))?.metrics)] as const,
        ),
      ),
    );
    await vi.waitFor(
      async () => {
        for (const share of await shares.listForArticle(articleId)) {
          if (gives.get(share.channelId)) {
            // Both ages read: the series holds two readings, and nothing more is due.
            expect(share.metricsDueAt, share.channelId).toBeUndefined();
            expect(share.metrics?.collectedAt, share.channelId).toBeDefined();
            expect(await readings.readingsOf(share), share.channelId).toHaveLength(2);
          } else {
            expect(share.metricsDueAt, share.channelId).toBeUndefined();
            expect(share.metricsSkipped, share.channelId).toBe(
              `not read: ${share.platform} gives Crier no counts`,
            );
          }
        }
      },
      { timeout: 40_000, interval: 500 },
    );
  }, 90_000);
});
