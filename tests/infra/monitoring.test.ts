/**
 * The service stack's dashboard and alarms against the metrics the handlers emit
 * (shared/observability/metric-names.ts): every alarm watches a metric by the name and
 * dimensions it is emitted with, and notifies the alarm topic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../infra/constructs/bundling';
import {
  METRICS_COLLECTOR_FAILED_TICKS,
  WEBHOOK_AUTH_FAILURES_THRESHOLD,
} from '../../infra/constructs/monitoring';
import { type CrierApp, createCrierApp } from '../../infra/stacks/crier';
import { PLATFORMS } from '../../shared/domain/platform';
import { METRIC_NAMESPACE, METRICS, SERVICE_NAME } from '../../shared/observability/metric-names';
import { FUNCTIONS, QUEUES } from '../../shared/resources';

const ASSEMBLIES = mkdtempSync(join(tmpdir(), 'crier-monitoring-'));
afterAll(() => rmSync(ASSEMBLIES, { recursive: true, force: true }));

type Alarm = { Properties: Record<string, unknown> };
type MetricStat = { Metric: { MetricName: string; Namespace: string; Dimensions: unknown[] } };

let crierApp: CrierApp;
let service: Template;
let topicRef: { Ref: string };

beforeAll(() => {
  crierApp = createCrierApp(
    {
      outdir: mkdtempSync(join(ASSEMBLIES, 'cdk.out-')),
      context: {
        'aws:cdk:bundling-stacks': [],
        stage: 'test',
        config: join(REPOSITORY_ROOT, 'config/channels.example.json'),
      },
      builtinCloudFormationValidation: false,
    },
    REPOSITORY_ROOT,
  );
  service = Template.fromStack(crierApp.service);
  const [topicId] = Object.keys(service.findResources('AWS::SNS::Topic'));
  topicRef = { Ref: topicId ?? '' };
});

/** The dimensions a metric is emitted with: Powertools' `service`, and its own. */
const crierDimensions = (dimensions: Record<string, string>) =>
  Object.entries({ ...dimensions, service: SERVICE_NAME })
    .map(([Name, Value]) => ({ Name, Value }))
    .sort((a, b) => a.Name.localeCompare(b.Name));

/** The alarms whose math expression reads `metricName` from every network. */
function alarmsOverEveryNetwork(metricName: string, outcome?: string): Alarm[] {
  const alarms = Object.values(service.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
  return alarms.filter((alarm) => {
    const metrics = (alarm.Properties.Metrics ?? []) as { MetricStat?: MetricStat }[];
    const read = metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []));
    return PLATFORMS.every((platform) =>
      read.some(
        (metric) =>
          metric.MetricName === metricName &&
          metric.Namespace === METRIC_NAMESPACE &&
          JSON.stringify(metric.Dimensions).includes(`"Value":"${platform}"`) &&
          (!outcome || JSON.stringify(metric.Dimensions).includes(`"Value":"${outcome}"`)),
      ),
    );
  });
}

describe('alarms', () => {
  it('goes off on the first failed share of each network, from PublishOutcome by Platform and Outcome', () => {
    for (const platform of PLATFORMS) {
      service.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: METRIC_NAMESPACE,
        MetricName: METRICS.publishOutcome,
        Dimensions: crierDimensions({ Platform: platform, Outcome: 'failed' }),
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('goes off on shares stuck past their lease twice in fifteen minutes, or when the tick falls silent', () => {
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRIC_NAMESPACE,
      MetricName: METRICS.sharesStuck,
      Dimensions: crierDimensions({}),
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
  });

  it('goes off when the tick skips shares it cannot read or write in three periods running', () => {
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRIC_NAMESPACE,
      MetricName: METRICS.sharesFailed,
      Dimensions: crierDimensions({}),
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('goes off when the tick sends uncomposed revisions to compose again in two of three periods', () => {
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRIC_NAMESPACE,
      MetricName: METRICS.revisionsResent,
      Dimensions: crierDimensions({}),
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('goes off on webhook signature failures (401s) past a threshold', () => {
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRIC_NAMESPACE,
      MetricName: METRICS.webhookAuthFailures,
      Dimensions: crierDimensions({}),
      Threshold: WEBHOOK_AUTH_FAILURES_THRESHOLD,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('goes off when any network refuses credentials, and when any share is parked as unknown', () => {
    expect(alarmsOverEveryNetwork(METRICS.publishAuthFailures)).toHaveLength(1);
    expect(alarmsOverEveryNetwork(METRICS.publishOutcome, 'parked')).toHaveLength(1);
  });

  it('goes off when the channel check finds any channel failing, and is quiet without checks', () => {
    const health = FUNCTIONS['check-channels'].rules.find((rule) => rule.input.task === 'health');
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRIC_NAMESPACE,
      MetricName: METRICS.channelsFailing,
      Dimensions: crierDimensions({}),
      Statistic: 'Maximum',
      // One period per run of the hourly check: a failing channel stays in ALARM between runs.
      Period: (health?.everyMinutes ?? 0) * 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('goes off when the metrics collector fails three ticks running, and is quiet while it does not run', () => {
    const collector = crierApp.service.functions.get('collect-metrics');
    if (!collector) throw new Error('no collect-metrics function in the service stack');
    const functionId = crierApp.service.getLogicalId(
      collector.function.node.defaultChild as CfnElement,
    );
    const onErrors = Object.values(
      service.findResources('AWS::CloudWatch::Alarm', {
        Properties: { Namespace: 'AWS/Lambda', MetricName: 'Errors' },
      }),
    ) as Alarm[];
    // The collector's alone: the other functions' errors show on the dashboard, and their
    // failures raise the alarms on what they failed to do.
    expect(onErrors).toHaveLength(1);
    expect(onErrors[0]?.Properties).toMatchObject({
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      Statistic: 'Sum',
      Period: FUNCTIONS['collect-metrics'].rules[0].everyMinutes * 60,
      EvaluationPeriods: METRICS_COLLECTOR_FAILED_TICKS,
      DatapointsToAlarm: METRICS_COLLECTOR_FAILED_TICKS,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(String(onErrors[0]?.Properties.AlarmDescription)).toMatch(/"Readings that stop"/);
  });

  it('notifies the alarm topic of every alarm, when it goes off and when it clears', () => {
    const alarms = Object.values(service.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
    // One DLQ alarm per queue, one per network, stuck, skipped, resent revisions, parked,
    // the two kinds of auth failure, failing channels, and the metrics collector's errors.
    expect(alarms).toHaveLength(Object.keys(QUEUES).length + PLATFORMS.length + 8);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
      expect(alarm.Properties.OKActions).toEqual([topicRef]);
      expect(String(alarm.Properties.AlarmDescription)).toMatch(/docs\/operating\.md/);
    }
  });
});

describe('the dashboard', () => {
  it('shows queues, dead letters, outcomes per network, stuck shares, auth failures, channel health and every function', () => {
    const dashboards = service.findResources('AWS::CloudWatch::Dashboard');
    expect(Object.keys(dashboards)).toHaveLength(1);
    const body = JSON.stringify(Object.values(dashboards)[0]);
    for (const metric of [
      'ApproximateNumberOfMessagesVisible',
      'ApproximateAgeOfOldestMessage',
      METRICS.publishOutcome,
      METRICS.sharesStuck,
      METRICS.revisionsResent,
      METRICS.webhookAuthFailures,
      METRICS.publishAuthFailures,
      METRICS.channelsFailing,
      'Errors',
      'Duration',
    ]) {
      expect(body, metric).toContain(`\\"${metric}\\"`);
    }
    for (const platform of PLATFORMS) expect(body).toContain(`\\"${platform}\\"`);
    for (const outcome of ['published', 'failed', 'deferred', 'unknown', 'parked']) {
      expect(body).toContain(`\\"${outcome}\\"`);
    }
    // Each check's result, by the Health dimension the check-channels function sets.
    expect(body).toMatch(new RegExp(`MetricName=\\\\+"${METRICS.channelHealth}\\\\+" Health=`));
    for (const name of Object.keys(FUNCTIONS)) expect(body, name).toContain(`\\"${name}\\"`);
    // Every alarm is on it, DLQ alarms included.
    const alarms = Object.keys(service.findResources('AWS::CloudWatch::Alarm'));
    for (const alarm of alarms) expect(body).toContain(alarm);
  });

  it('is named after the stage, and its name is an output', () => {
    service.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'crier-test' });
    service.hasOutput('DashboardName', Match.anyValue());
  });
});
