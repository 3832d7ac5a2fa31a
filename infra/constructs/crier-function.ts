/**
 * The one way Crier builds a Lambda function: an ESM bundle of a handler in functions/,
 * split into the handler and the chunks it loads on demand, with the channels file beside
 * it (and the arm64 image libraries and fonts, for a handler that uses them), on arm64
 * and the newest Node.js runtime, traced, with source maps, its own log group and a role
 * that holds only what is granted to it.
 */
import { join, resolve } from 'node:path';
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type FunctionDefinition, isScheduled } from '../../shared/resources';
import {
  BUNDLE_OPTIONS,
  CONFIG_FILE_NAME,
  CONFIG_PATH_IN_LAMBDA,
  LAMBDA_RUNTIME,
  REPOSITORY_ROOT,
} from './bundling';
import { splitBundleCommand } from './split-bundle';

export type CrierFunctionProps = {
  definition: FunctionDefinition;
  /** the validated channels file, copied into the bundle and named by CRIER_CONFIG */
  channelsFile: string;
  /** what the function needs beyond what every function gets */
  environment?: Record<string, string>;
  logRetention?: logs.RetentionDays;
  /** of the log group */
  removalPolicy: RemovalPolicy;
};

/** Environment every Crier function gets in AWS. */
export function commonEnvironment(): Record<string, string> {
  return {
    CRIER_CONFIG: CONFIG_PATH_IN_LAMBDA,
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_SERVICE_NAME: 'crier',
    POWERTOOLS_METRICS_NAMESPACE: 'Crier',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
}

export class CrierFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: CrierFunctionProps) {
    super(scope, id);
    const { definition } = props;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy,
    });

    // Our own role rather than the default one, which carries the AWS-managed
    // AWSLambdaBasicExecutionRole (logs on every log group in the account): this one
    // writes to its own log group and holds nothing else but what is granted to it.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Crier's ${definition.entry} function`,
    });
    this.logGroup.grantWrite(this.role);

    const copyConfig = copyFileCommand(props.channelsFile, CONFIG_FILE_NAME);
    const entry = resolve(REPOSITORY_ROOT, definition.entry);
    this.function = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      depsLockFilePath: join(REPOSITORY_ROOT, 'package-lock.json'),
      projectRoot: REPOSITORY_ROOT,
      description: definition.description,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(definition.timeoutSeconds),
      memorySize: definition.memoryMB,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      environment: { ...commonEnvironment(), ...props.environment },
      // A scheduled run that fails is not retried: the next run does the same work, and
      // a retry would only overlap it.
      ...(isScheduled(definition) ? { retryAttempts: 0 } : {}),
      bundling: {
        ...BUNDLE_OPTIONS,
        format: OutputFormat.ESM,
        mainFields: [...BUNDLE_OPTIONS.mainFields],
        externalModules: [...BUNDLE_OPTIONS.externalModules],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // The bundle again, split so each path loads only its own code (NodejsFunction
          // builds one file only), then the native image libraries (arm64 builds) and
          // fonts, if the handler uses them.
          afterBundling: (_inputDir, outputDir) => [
            copyConfig(outputDir),
            splitBundleCommand(entry, outputDir),
          ],
        },
      },
    });

    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: deadLetterReason(definition),
    });
    if (isScheduled(definition)) {
      // Present once retryAttempts is set: the asynchronous invocation settings.
      const invokeConfig = this.function.node.tryFindChild('EventInvokeConfig');
      if (invokeConfig) {
        Validations.of(invokeConfig).acknowledge({
          id: 'Serverless-LambdaAsyncFailureDestination',
          reason:
            "A scheduled run carries no data to keep: retries are off on purpose and the next run does the same work from the table. A failed run shows in the function's Errors metric and its logs.",
        });
      }
    }

    // Tracing's own statement: X-Ray's PutTraceSegments and PutTelemetryRecords have no
    // resource-level permissions, so `*` is the only resource they accept.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray statement that active tracing adds (xray:PutTraceSegments, xray:PutTelemetryRecords) uses Resource *: X-Ray has no resource-level permissions. tests/infra checks that no other statement does.',
    });
  }
}

/**
 * Why a function needs no dead-letter target of its own: Lambda sends only failed
 * asynchronous invocations there, and each trigger keeps its failures elsewhere.
 */
function deadLetterReason(definition: FunctionDefinition): string {
  if (definition.sqs) {
    return `Invoked by an SQS event source mapping, which Lambda calls synchronously: a failed message goes back to the ${definition.sqs.queue} queue and, after maxReceiveCount receives, to that queue's own dead-letter queue, which raises an alarm.`;
  }
  if (isScheduled(definition)) {
    return 'Invoked by an EventBridge schedule with retries off: a failed run holds no data (the table is the source of truth) and the next run does the same work.';
  }
  return "Invoked synchronously by API Gateway: a failure is the caller's HTTP answer (a CMS retries its webhook deliveries; an editor sees the error), so there is no event to keep.";
}

/**
 * A shell command that copies `source` into the bundle's output directory. Node rather
 * than `cp`, so bundling works on any machine that can run the CDK.
 */
function copyFileCommand(source: string, name: string): (outputDir: string) => string {
  return (outputDir) =>
    `node -e "require('node:fs').copyFileSync(process.argv[1], process.argv[2])" "${source}" "${join(outputDir, name)}"`;
}
