/**
 * cdk-nag's AwsSolutions and Serverless rules over both stacks: no finding left
 * unacknowledged, and each acknowledgement one finding, next to its resource, with a reason.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../infra/constructs/bundling';
import { type CrierApp, createCrierApp } from '../../infra/stacks/crier';

const EXAMPLE_CONFIG = join(REPOSITORY_ROOT, 'config/channels.example.json');
/** cdk.json's feature flags, as `cdk synth` applies them: some change the grants cdk-nag reads. */
const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;
/** Where the test apps write their cloud assemblies; removed afterwards. */
const ASSEMBLIES = mkdtempSync(join(tmpdir(), 'crier-infra-'));
afterAll(() => rmSync(ASSEMBLIES, { recursive: true, force: true }));

function crier(context: Record<string, unknown> = {}): CrierApp {
  return createCrierApp(
    {
      outdir: mkdtempSync(join(ASSEMBLIES, 'cdk.out-')),
      context: {
        ...CDK_JSON_CONTEXT,
        'aws:cdk:bundling-stacks': [],
        config: EXAMPLE_CONFIG,
        ...context,
      },
      builtinCloudFormationValidation: false,
    },
    REPOSITORY_ROOT,
  );
}

/** `RULE at path` for every finding of both packs that nobody acknowledged. */
function findings(crierApp: CrierApp): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(crierApp.app)
      .violations.flatMap((violation) =>
        violation.violatingResources.map((r) => `${violation.ruleName} at ${r.constructPath}`),
      ),
  );
}

type Acknowledgement = { path: string; id: string; reason: string };

function acknowledgements(root: IConstruct): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  const visit = (construct: IConstruct) => {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
    for (const child of construct.node.children) visit(child);
  };
  visit(root);
  return found;
}

describe('cdk-nag AwsSolutions and Serverless', () => {
  it.each([
    ['a rehearsal stage', {}],
    ['prod, with an alarm address', { stage: 'prod', alarmEmail: 'ops@newsroom.example' }],
    [
      'prod, with the webhook firewall (three stacks, two regions)',
      { stage: 'prod', webhookFirewall: 'true', region: 'eu-west-1' },
    ],
  ])('leaves no finding unacknowledged in %s', (_label, context) => {
    const crierApp = crier(context);
    // The app registers the rules itself: its synth fails on a finding...
    let failure: unknown;
    try {
      crierApp.app.synth();
    } catch (error) {
      failure = error;
    }
    // ...and these name them.
    expect(findings(crierApp)).toEqual([]);
    expect(failure).toBeUndefined();
  });

  it('acknowledges findings one by one, on the resource, each with a reason', () => {
    const { app } = crier();
    const all = acknowledgements(app);
    expect(all.length).toBeGreaterThan(0);
    for (const { path, id, reason } of all) {
      expect(id).toMatch(/^(AwsSolutions-[A-Z]+\d+(\[.+\])?|Serverless-[A-Za-z]+)$/);
      // A wildcard finding is acknowledged for the one resource it names, never whole; the
      // exceptions, the S3 actions a bucket grant brings and the data keys of SNS's managed
      // key, are acknowledged action by action.
      if (id.startsWith('AwsSolutions-IAM5')) {
        expect(id).toMatch(
          /\[Resource::.+\]$|\[Action::s3:[A-Za-z]+\*\]$|\[Action::kms:GenerateDataKey\*\]$/,
        );
      }
      // Never a stack or the app: always a construct inside a stack.
      expect(path.split('/').length, `${id} at ${path}`).toBeGreaterThan(1);
      expect(reason.length, `${id} at ${path}`).toBeGreaterThan(60);
    }
  });

  it("fixes the editor UI's fixable findings and acknowledges the rest, each on its resource", () => {
    const { app } = crier();
    const ui = acknowledgements(app).filter(
      ({ path }) => path.includes('/EditorUi/') || path.includes('/Custom::CDKBucketDeployment'),
    );
    const where = (suffix: string) => ui.filter((a) => a.path.endsWith(suffix)).map((a) => a.id);
    // Fixed rather than acknowledged: SSL-only bucket (S10), origin access control (CFR7),
    // TLS 1.2 to the API origin (CFR5).
    expect(ui.map((a) => a.id)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/S10|CFR5|CFR6|CFR7/)]),
    );
    expect(where('/EditorUi/Bucket')).toEqual(['AwsSolutions-S1']);
    expect(where('/EditorUi/Distribution').sort()).toEqual([
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR3',
      'AwsSolutions-CFR4',
    ]);
    // The CDK's deployment function: its wildcards named one by one, and its runtime.
    expect(where('/EditorUi/DeployRole').every((id) => id.startsWith('AwsSolutions-IAM5['))).toBe(
      true,
    );
    expect(
      ui.filter((a) => a.path.includes('/Custom::CDKBucketDeployment')).map((a) => a.id),
    ).toEqual([
      'AwsSolutions-L1',
      'Serverless-LambdaDLQ',
      'Serverless-LambdaLatestVersion',
      'Serverless-LambdaTracing',
    ]);
  });

  it('reports a resource that breaks a rule', () => {
    const crierApp = crier();
    new sqs.Queue(new Stack(crierApp.app, 'Careless'), 'Queue');
    expect(() => crierApp.app.synth()).toThrow(/AwsSolutions-SQS4/);
    expect(findings(crierApp)).toEqual(
      expect.arrayContaining([
        'AwsSolutions-SQS3 at Careless/Queue/Resource',
        'AwsSolutions-SQS4 at Careless/Queue/Resource',
        'Serverless-SQSRedrivePolicy at Careless/Queue/Resource',
      ]),
    );
  });
});
