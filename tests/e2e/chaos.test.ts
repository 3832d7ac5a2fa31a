/**
 * The chaos run at a small size: faults on every network, duplicate and out-of-order
 * webhooks, and an extra publish worker killed with SIGKILL mid-batch. Nothing is posted
 * twice, nothing is lost, and every share settles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReport, runChaos } from '../../infra/local/chaos/run';
import { DEFAULT_CHANNELS } from '../support/channels';
import { startTestStack, type TestStack } from '../support/stack';

const settings: Record<string, string> = {
  CRIER_NETWORK_TIMEOUT_SECONDS: '2',
  CRIER_BACKOFF_BASE_SECONDS: '0.2',
  CRIER_DELIVERY_MARGIN_SECONDS: '2',
  CRIER_SANDBOX_RESET_SECONDS: '1',
};
const saved = Object.fromEntries(Object.keys(settings).map((k) => [k, process.env[k]]));

let stack: TestStack;

beforeAll(async () => {
  Object.assign(process.env, settings);
  stack = await startTestStack({ tickSeconds: 1 });
});

afterAll(async () => {
  await stack?.dispose();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('the chaos run', () => {
  it(
    'posts every share at most once and loses none, with faults, duplicates and killed workers',
    async () => {
      const articles = 6;
      const report = await runChaos({
        url: stack.url,
        dataDir: stack.dataDir,
        webhookSecret: stack.secrets.webhookSecret.value,
        editorToken: stack.secrets.editorToken.value,
        channels: DEFAULT_CHANNELS,
        articles,
        faults:
          'x:429:0.3,bluesky:500:0.3,mastodon:503:0.3,threads:crash-after-post:0.2,linkedin:reset:0.2,facebook:500-after-post:0.2,telegram:reset:0.1,*:crash-after-post:0.1',
        workers: 1,
        killChance: 0.5,
        settleTimeoutMs: 5 * 60_000,
      });
      console.log(formatReport(report));

      expect(report.unsettled).toEqual([]);
      expect(report.rows.map((r) => r.platform).sort()).toEqual(
        [...new Set(DEFAULT_CHANNELS.map((c) => c.platform))].sort(),
      );
      for (const row of report.rows) {
        expect(row.expected, row.platform).toBe(articles);
        expect(row.duplicates, row.platform).toBe(0);
        expect(row.lost, row.platform).toBe(0);
        // Every share is accounted for: on the network, failed with a reason, or parked.
        expect(row.posted + row.failed + row.cancelled, row.platform).toBeGreaterThanOrEqual(
          row.expected - row.parked,
        );
        // Only a network with no way to look parks a share.
        if (row.platform !== 'telegram') expect(row.parked, row.platform).toBe(0);
      }
      expect(report.ok).toBe(true);
    },
    8 * 60_000,
  );
});
