/**
 * The metrics the handlers emit and the service stack's dashboard and alarms read, named
 * once: a metric the alarms watch and the handlers stop emitting would never go off.
 * Pure names, no Powertools: the CDK app imports this file.
 */
import type { Platform } from '../domain/platform';

export const METRIC_NAMESPACE = 'Crier';
/** Powertools adds it to every metric as the `service` dimension. */
export const SERVICE_NAME = 'crier';

export const METRICS = {
  /** one per share the publish worker handled, dimensions Platform and Outcome */
  publishOutcome: 'PublishOutcome',
  /** a network refused the channel's credentials (expired or revoked), dimension Platform */
  publishAuthFailures: 'PublishAuthFailures',
  /** each tick: shares whose lease ran out while queued or publishing (the sweeper's finds) */
  sharesStuck: 'SharesStuck',
  /**
   * each tick: shares the dispatcher could not read or write (an item it cannot parse, a
   * write the table refused); each is skipped and logged, and the tick goes on
   */
  sharesFailed: 'SharesFailed',
  /** each tick: unknown shares the sweeper sent to reconcile again */
  sharesReconciling: 'SharesReconciling',
  /**
   * each tick: stored revisions found uncomposed past their grace (a compose message lost
   * after the write) and sent to compose again
   */
  revisionsResent: 'RevisionsResent',
  /** webhooks refused for a missing, wrong or stale signature (the 401s) */
  webhookAuthFailures: 'WebhookAuthFailures',
  /** every refused webhook (401, 400, 413) */
  webhooksRefused: 'WebhooksRefused',
  articlesReceived: 'ArticlesReceived',
  /** one per channel health check, dimensions Platform and Health (ok, expiring, failing, unconnected) */
  channelHealth: 'ChannelHealth',
  /** each tick of check-channels: how many channels the last checks found failing */
  channelsFailing: 'ChannelsFailing',
  /** channels whose token the scheduled pass renewed */
  tokensRefreshed: 'TokensRefreshed',
  /** channels whose token could not be renewed: a person must reconnect them */
  tokensUnrefreshable: 'TokensUnrefreshable',
  /** each run of collect-metrics: posts' counts read and stored */
  readingsTaken: 'ReadingsTaken',
  /**
   * each run: readings left due for a later run (a channel whose token is dead or whose
   * network rate limited it, or past the run's share of a network's limits)
   */
  readingsPostponed: 'ReadingsPostponed',
  /** each run: readings that failed (tried again later) */
  readingsFailed: 'ReadingsFailed',
  /** each run: ages not read for good (an X budget spent, a refusal) */
  readingsSkipped: 'ReadingsSkipped',
  /** each run: posts no longer read (gone, withdrawn, no counts on their network) */
  readingsStopped: 'ReadingsStopped',
} as const;

export const DIMENSIONS = { platform: 'Platform', outcome: 'Outcome', health: 'Health' } as const;

/** The publish worker's outcomes that name a share, as PublishOutcome's Outcome dimension. */
export const PUBLISH_OUTCOMES = [
  'published',
  'failed',
  'deferred',
  'unknown',
  'parked',
  'cancelled',
] as const;
export type PublishOutcomeName = (typeof PUBLISH_OUTCOMES)[number];

export type PublishOutcomeDimensions = { Platform: Platform; Outcome: PublishOutcomeName };
