/**
 * What operators watch: one CloudWatch dashboard (queues, dead letters, publish outcomes
 * per network, stuck shares, webhook auth failures, the functions' errors and duration)
 * and the alarms beyond the dead-letter ones, all to the alarm topic. The metrics are the
 * ones the handlers emit through Powertools (shared/observability/metric-names.ts).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PLATFORMS, type Platform } from '../../shared/domain/platform';
import {
  DIMENSIONS,
  METRIC_NAMESPACE,
  METRICS,
  type PublishOutcomeName,
  SERVICE_NAME,
} from '../../shared/observability/metric-names';
import { FUNCTIONS, type FunctionName, type QueueName } from '../../shared/resources';
import { pascal } from '../stacks/names';
import type { CrierFunction } from './crier-function';

export type MonitoringProps = {
  stage: string;
  topic: sns.ITopic;
  functions: ReadonlyMap<FunctionName, CrierFunction>;
  queues: Record<QueueName, { queue: sqs.IQueue; dlq: sqs.IQueue }>;
  /** the dead-letter alarms, made beside the queues; shown on the dashboard */
  dlqAlarms: readonly cloudwatch.IAlarm[];
};

const FIVE_MINUTES = Duration.minutes(5);

/**
 * How often check-channels reports the failing channels: its health rule's period. The
 * alarm looks at one such period, so a failing channel keeps it in ALARM between runs.
 */
export const HEALTH_CHECK_PERIOD = Duration.minutes(
  FUNCTIONS['check-channels'].rules.find((rule) => rule.input?.task === 'health')?.everyMinutes ??
    60,
);

/**
 * Failed runs of the metrics collector in a row (one a five-minute tick) before its alarm
 * goes off: one failed tick (a network slow to answer, a throttled read) heals on the next,
 * and a reading hours apart loses nothing by waiting a few minutes.
 */
export const METRICS_COLLECTOR_FAILED_TICKS = 3;

/** Webhooks refused for their signature within five minutes before the alarm goes off. */
export const WEBHOOK_AUTH_FAILURES_THRESHOLD = 3;

/** A metric the handlers emit: namespace Crier, dimension service=crier and any others. */
export function crierMetric(
  metricName: string,
  dimensions: Record<string, string> = {},
  options: { statistic?: string; period?: Duration; label?: string } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME, ...dimensions },
    statistic: options.statistic ?? cloudwatch.Stats.SUM,
    period: options.period ?? FIVE_MINUTES,
    label: options.label,
  });
}

/** Labelled for a graph; an alarm takes it unlabelled, as a plain metric. */
export const publishOutcome = (platform: Platform, outcome: PublishOutcomeName, label?: string) =>
  crierMetric(
    METRICS.publishOutcome,
    { [DIMENSIONS.platform]: platform, [DIMENSIONS.outcome]: outcome },
    { label },
  );

/** The sum of one metric over every network, as one line. */
function acrossNetworks(
  label: string,
  metric: (platform: Platform) => cloudwatch.Metric,
): cloudwatch.MathExpression {
  const usingMetrics = Object.fromEntries(PLATFORMS.map((p) => [p, metric(p)]));
  return new cloudwatch.MathExpression({
    // A network that posted nothing in the period has no datapoint: count it as 0.
    expression: PLATFORMS.map((platform) => `FILL(${platform}, 0)`).join(' + '),
    usingMetrics,
    label,
    period: FIVE_MINUTES,
  });
}

export class CrierMonitoring extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  /** by construct id: `PublishFailuresXAlarm`, `SharesStuckAlarm`, ... */
  readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const alarms = new Map<string, cloudwatch.Alarm>();
    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps): cloudwatch.Alarm => {
      const created = new cloudwatch.Alarm(this, alarmId, alarmProps);
      created.addAlarmAction(new SnsAction(props.topic));
      created.addOkAction(new SnsAction(props.topic));
      alarms.set(alarmId, created);
      return created;
    };
    const atLeastOnce = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No datapoint: nothing was published, so nothing failed.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    } as const;

    for (const platform of PLATFORMS) {
      alarm(`PublishFailures${pascal(platform)}Alarm`, {
        alarmDescription: `A share failed on ${platform} (the network rejected it, refused the credentials, or every attempt was spent): see docs/operating.md, "Alarms and the dashboard". The share's lastError says why.`,
        metric: publishOutcome(platform, 'failed'),
        ...atLeastOnce,
      });
    }
    alarm('NetworkAuthFailuresAlarm', {
      alarmDescription:
        'A network refused a channel\'s credentials (expired or revoked token): renew them at the network and put them in the channel\'s secret; see docs/operating.md, "An expired network token".',
      metric: acrossNetworks('network auth failures', (platform) =>
        crierMetric(METRICS.publishAuthFailures, { [DIMENSIONS.platform]: platform }),
      ),
      ...atLeastOnce,
    });
    alarm('WebhookAuthFailuresAlarm', {
      alarmDescription: `At least ${WEBHOOK_AUTH_FAILURES_THRESHOLD} webhooks in five minutes were refused for their signature (401): the CMS and Crier disagree on the key or the clock, or someone is probing the endpoint. See docs/operating.md, "Alarms and the dashboard".`,
      metric: crierMetric(METRICS.webhookAuthFailures),
      ...atLeastOnce,
      threshold: WEBHOOK_AUTH_FAILURES_THRESHOLD,
    });
    alarm('SharesStuckAlarm', {
      alarmDescription:
        'Shares were found past their lease (a lost message, or a publish worker that died) in two of the last three five-minute periods, or the minute tick stopped reporting: see docs/operating.md, "Alarms and the dashboard".',
      metric: crierMetric(METRICS.sharesStuck),
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // The tick reports every minute, zero included: silence means it is not running.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    alarm('SharesFailedAlarm', {
      alarmDescription:
        'The minute tick skipped shares it could not read or write, in each of the last three five-minute periods: those shares are not going out. The dispatch-due log line "Share skipped by the tick" names them; see docs/operating.md, "A share the tick skips".',
      metric: crierMetric(METRICS.sharesFailed),
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // A silent tick is SharesStuckAlarm's to report.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('RevisionsResentAlarm', {
      alarmDescription:
        'The minute tick found stored revisions never composed (their compose message was lost, or compose keeps failing on them) and sent them to compose again, in two of the last three five-minute periods: articles are late. See docs/operating.md, "Revisions composed late".',
      metric: crierMetric(METRICS.revisionsResent),
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // A silent tick is SharesStuckAlarm's to report.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('SharesParkedAlarm', {
      alarmDescription:
        'A share is parked as unknown: Crier cannot tell whether it was posted and waits for an editor. See docs/operating.md, "A share left unknown".',
      metric: acrossNetworks('parked', (platform) => publishOutcome(platform, 'parked')),
      ...atLeastOnce,
    });
    alarm('ChannelsFailingAlarm', {
      alarmDescription:
        "A channel's network refuses its credentials (the hourly pass of the daily checks, or an admin's check now, found it failing): the channel's health in the editor UI says why. Set new credentials; see docs/operating.md, \"Channel health\".",
      metric: crierMetric(
        METRICS.channelsFailing,
        {},
        { statistic: cloudwatch.Stats.MAXIMUM, period: HEALTH_CHECK_PERIOD },
      ),
      ...atLeastOnce,
    });
    const collector = props.functions.get('collect-metrics');
    if (collector) {
      alarm('MetricsCollectorErrorsAlarm', {
        alarmDescription: `The metrics collector failed in ${METRICS_COLLECTOR_FAILED_TICKS} ticks running (${METRICS_COLLECTOR_FAILED_TICKS * 5} minutes): no post's counts are being read or stored. Publishing goes on regardless. See docs/operating.md, "Readings that stop".`,
        metric: collector.function.metricErrors({
          period: FIVE_MINUTES,
          statistic: cloudwatch.Stats.SUM,
        }),
        threshold: 1,
        evaluationPeriods: METRICS_COLLECTOR_FAILED_TICKS,
        datapointsToAlarm: METRICS_COLLECTOR_FAILED_TICKS,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // Lambda reports Errors only for periods it ran in: no run, nothing failed.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    this.alarms = alarms;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `crier-${props.stage}`,
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [...props.dlqAlarms, ...alarms.values()],
        width: 24,
        height: 4,
      }),
    );
    this.dashboard.addWidgets(...queueWidgets(props.queues));
    const byNetwork = (title: string, outcome: PublishOutcomeName) =>
      new cloudwatch.GraphWidget({
        title,
        left: PLATFORMS.map((platform) => publishOutcome(platform, outcome, platform)),
        width: 6,
        stacked: true,
      });
    this.dashboard.addWidgets(
      byNetwork('Published, by network', 'published'),
      byNetwork('Failed, by network', 'failed'),
      byNetwork('Deferred (retries, rate limits), by network', 'deferred'),
      byNetwork('Unknown outcome, by network', 'unknown'),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Shares stuck past their lease, and reconciles',
        left: [
          crierMetric(METRICS.sharesStuck, {}, { label: 'stuck (lease ran out)' }),
          crierMetric(METRICS.sharesReconciling, {}, { label: 'sent to reconcile again' }),
          crierMetric(METRICS.sharesFailed, {}, { label: 'skipped (cannot read or write)' }),
          crierMetric(METRICS.revisionsResent, {}, { label: 'revisions sent to compose again' }),
        ],
        right: [acrossNetworks('parked for an editor', (p) => publishOutcome(p, 'parked'))],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Auth failures: webhooks (401) and networks',
        left: [
          crierMetric(METRICS.webhookAuthFailures, {}, { label: 'webhook 401s' }),
          crierMetric(METRICS.webhooksRefused, {}, { label: 'webhooks refused (all)' }),
        ],
        right: PLATFORMS.map((platform) =>
          crierMetric(
            METRICS.publishAuthFailures,
            { [DIMENSIONS.platform]: platform },
            { label: platform },
          ),
        ),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Articles received',
        left: [
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${METRIC_NAMESPACE},outcome,service} MetricName="${METRICS.articlesReceived}"', 'Sum', 300)`,
            label: '',
            period: FIVE_MINUTES,
          }),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Channel health: checks by result, and channels failing',
        left: (['ok', 'expiring', 'failing', 'unconnected'] as const).map(
          (health) =>
            new cloudwatch.MathExpression({
              expression: `SEARCH('{${METRIC_NAMESPACE},${DIMENSIONS.health},${DIMENSIONS.platform},service} MetricName="${METRICS.channelHealth}" ${DIMENSIONS.health}="${health}"', 'Sum', 3600)`,
              label: health,
              period: Duration.hours(1),
            }),
        ),
        right: [
          crierMetric(
            METRICS.channelsFailing,
            {},
            { statistic: cloudwatch.Stats.MAXIMUM, label: 'channels failing' },
          ),
        ],
        width: 24,
      }),
    );
    const functions = [...props.functions.entries()];
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        left: functions.map(([name, fn]) =>
          fn.function.metricErrors({ period: FIVE_MINUTES, label: name }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function duration, p99',
        left: functions.map(([name, fn]) =>
          fn.function.metricDuration({ period: FIVE_MINUTES, statistic: 'p99', label: name }),
        ),
        width: 12,
      }),
    );
  }
}

function queueWidgets(queues: MonitoringProps['queues']): cloudwatch.IWidget[] {
  const entries = Object.entries(queues);
  const max = { period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM };
  return [
    new cloudwatch.GraphWidget({
      title: 'Queue depth',
      left: entries.map(([name, { queue }]) =>
        queue.metricApproximateNumberOfMessagesVisible({ ...max, label: name }),
      ),
      width: 8,
    }),
    new cloudwatch.GraphWidget({
      title: 'Age of the oldest message (s)',
      left: entries.map(([name, { queue }]) =>
        queue.metricApproximateAgeOfOldestMessage({ ...max, label: name }),
      ),
      width: 8,
    }),
    new cloudwatch.GraphWidget({
      title: 'Dead-letter queue depth',
      left: entries.map(([name, { dlq }]) =>
        dlq.metricApproximateNumberOfMessagesVisible({ ...max, label: `${name} DLQ` }),
      ),
      width: 8,
    }),
  ];
}
