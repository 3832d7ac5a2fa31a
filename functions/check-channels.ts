/**
 * Two EventBridge rules: `{ task: 'tokens' }` every five minutes renews each channel's
 * OAuth token that is inside its margin; `{ task: 'health' }` every hour checks with its
 * network each channel not checked for a day (a who-am-I call with its stored
 * credentials), records its health, and reports how many channels are failing, for the
 * alarm. Any other event (the local tick's Scheduled Event, a run by hand) does both.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import {
  channelDirectory,
  channelStateStore,
  clock,
  notificationStore,
} from '../shared/composition';
import { channelCredentials, tokenKeeper } from '../shared/composition/platforms';
import { logger, metrics, withObservability } from '../shared/observability';
import { DIMENSIONS, METRICS } from '../shared/observability/metric-names';
import { verifyCredentials } from '../shared/platforms/verify';
import { CHECK_CHANNELS_TASKS } from '../shared/resources';
import { checkDueChannels } from '../shared/usecases/channel-health';
import { notifyChannelHealth } from '../shared/usecases/notify-editors';
import { refreshDueTokens } from '../shared/usecases/token-keeper';

const deps = {
  directory: channelDirectory(),
  credentials: channelCredentials(),
  verify: verifyCredentials,
  channelState: channelStateStore(),
  clock,
};

/** Leaves room within the function's 50 s for a check that starts just before the end. */
const BUDGET_MS = 35_000;
/** The token pass goes first and takes at most this much of the budget. */
const REFRESH_BUDGET_MS = 15_000;

const taskEvent = z.object({ task: z.enum(CHECK_CHANNELS_TASKS) });

export const handler = withObservability(async (event: unknown) => {
  const started = Date.now();
  const parsed = taskEvent.safeParse(event);
  const task = parsed.success ? parsed.data.task : undefined;
  const report: { refreshed?: number; checked?: number; failing?: number } = {};
  if (task !== 'health') report.refreshed = await renewTokens();
  if (task !== 'tokens')
    Object.assign(report, await checkHealth(BUDGET_MS - (Date.now() - started)));
  return report;
});

async function renewTokens(): Promise<number> {
  const tokens = await refreshDueTokens({ ...deps, keeper: tokenKeeper() }, REFRESH_BUDGET_MS);
  for (const { id, platform, reason } of tokens.unrefreshable) {
    logger.warn('Channel token cannot be refreshed', { channelId: id, platform, reason });
  }
  metrics.addMetric(METRICS.tokensRefreshed, MetricUnit.Count, tokens.refreshed.length);
  metrics.addMetric(METRICS.tokensUnrefreshable, MetricUnit.Count, tokens.unrefreshable.length);
  return tokens.refreshed.length;
}

async function checkHealth(budgetMs: number): Promise<{ checked: number; failing: number }> {
  const { checked, failing } = await checkDueChannels(deps, budgetMs);
  for (const { channelId, platform, siteId, name, health } of checked) {
    // The reason is the network's words, with every credential value blanked out. A
    // healthy channel is not news: only the others are worth a line at the default level.
    const log = health.status === 'ok' ? logger.debug : logger.warn;
    log.call(logger, 'Channel checked', { channelId, platform, ...health });
    const metric = metrics.singleMetric();
    metric.addDimensions({ [DIMENSIONS.platform]: platform, [DIMENSIONS.health]: health.status });
    metric.addMetric(METRICS.channelHealth, MetricUnit.Count, 1);
    // An expiring or failing channel is news for its site's editors (once a day at most).
    await notifyChannelHealth(notificationStore(), {
      siteId,
      channelId,
      name,
      status: health.status,
      reason: health.reason ?? undefined,
      at: new Date(health.checkedAt),
    });
  }
  metrics.addMetric(METRICS.channelsFailing, MetricUnit.Count, failing);
  return { checked: checked.length, failing };
}
