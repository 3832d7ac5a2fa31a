/**
 * The deployment's settings, from CDK context (`-c key=value`, or `context` in cdk.json):
 * the stage, the channels file deployed with the functions, where alarms are mailed, and
 * how the webhooks are throttled.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Node } from 'constructs';
import * as z from 'zod';
import { loadChannelsConfig } from '../shared/config/channels';
import type { ChannelsConfig } from '../shared/domain/channel';
import { DEFAULT_METRICS_AFTER, parseMetricsAfter } from '../shared/domain/metrics';
import { type IndexDefinition, TABLE, type Throttle, WEBHOOK_THROTTLE } from '../shared/resources';

/** The context keys an operator sets, and what each defaults to. */
export const CONTEXT = {
  /** names the stacks (`Crier-<stage>-...`) and the secrets (`crier/<stage>/...`) */
  stage: 'stage',
  /** the channels file; required for `prod`, else the example file */
  config: 'config',
  /** where every alarm is mailed; no subscription when unset */
  alarmEmail: 'alarmEmail',
  /**
   * the table's indexes by name, comma-separated, while an upgrade moves a deployed table
   * from one set to another (docs/deploying.md); unset, the indexes the code reads
   */
  tableIndexes: 'tableIndexes',
  /** the webhook routes' steady rate, requests a second (each route its own) */
  webhookRateLimit: 'webhookRateLimit',
  /** the webhook routes' burst, requests at once */
  webhookBurstLimit: 'webhookBurstLimit',
  /** `true`: CloudFront with an AWS WAF rate rule in front of the webhooks */
  webhookFirewall: 'webhookFirewall',
  /** the firewall's limit: requests per address in any 5 minutes */
  webhookFirewallLimit: 'webhookFirewallLimit',
  /** the region the stacks deploy to; needed by the firewall, else AWS_REGION's */
  region: 'region',
  /** when a published post's counts are read (CRIER_METRICS_AFTER), e.g. `1h,6h,24h,72h,7d` */
  metricsAfter: 'metricsAfter',
} as const;

/**
 * Indexes a table deployed by an earlier version holds: each projected whole items. Named
 * here so an upgrade can keep them while it adds their successors, one a deploy.
 */
export const LEGACY_INDEXES: readonly IndexDefinition[] = [
  { name: 'due', partitionKey: 'duePK', sortKey: 'dueSK', projection: { type: 'ALL' } },
  { name: 'inflight', partitionKey: 'leasePK', sortKey: 'leaseSK', projection: { type: 'ALL' } },
  { name: 'articles', partitionKey: 'monthPK', sortKey: 'monthSK', projection: { type: 'ALL' } },
  {
    name: 'timeline',
    partitionKey: 'timelinePK',
    sortKey: 'timelineSK',
    projection: { type: 'ALL' },
  },
];

/** The table's indexes as the setting names them, current or legacy, each once. */
function tableIndexesOf(value: string | undefined): IndexDefinition[] {
  const current: IndexDefinition[] = Object.values(TABLE.indexes);
  if (value === undefined) return current;
  const known = new Map([...current, ...LEGACY_INDEXES].map((index) => [index.name, index]));
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !known.has(name));
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (unknown.length || repeated.length || names.length === 0) {
    throw new Error(
      `Invalid deployment settings:\n  -c ${CONTEXT.tableIndexes}: ${
        names.length === 0
          ? 'names no index'
          : unknown.length
            ? `knows no index ${unknown.join(', ')} (there are ${[...known.keys()].join(', ')})`
            : `names ${repeated.join(', ')} twice`
      }`,
    );
  }
  return names.flatMap((name) => known.get(name) ?? []);
}

export const DEFAULT_STAGE = 'dev';
/** Only a rehearsal stage may deploy the example channels: `prod` must name its own file. */
export const EXAMPLE_CHANNELS_FILE = 'config/channels.example.json';
/** Stages whose data outlives `cdk destroy`: table, user pool and secrets are retained. */
export const RETAINED_STAGES: readonly string[] = ['prod'];
/**
 * Requests one address may send the webhooks in any 5 minutes before the firewall answers
 * 429: one a second on average, far above a CMS, far below a flood.
 */
export const WEBHOOK_FIREWALL_LIMIT = 300;
/** CloudFront takes only web ACLs made in this region. */
export const FIREWALL_REGION = 'us-east-1';

/** CloudFront with a web ACL in front of the webhooks, when asked for. */
export type WebhookFirewallSettings = {
  /** requests per address in any 5 minutes */
  limit: number;
  /** where the other stacks deploy: the ACL's stack is in us-east-1 and they refer to it */
  region: string;
};

export type CrierSettings = {
  stage: string;
  /** absolute path of the channels file, validated */
  channelsFile: string;
  channels: ChannelsConfig['channels'];
  alarmEmail?: string;
  /** whether the stage keeps its data when its stacks are deleted */
  retainData: boolean;
  /** the table's global secondary indexes */
  tableIndexes: IndexDefinition[];
  /** the webhook routes' own throttle, apart from the editor API's */
  webhookThrottle: Throttle;
  /** unset: the CMS calls the HTTP API directly */
  webhookFirewall?: WebhookFirewallSettings;
  /** CRIER_METRICS_AFTER as the functions get it: offsets after publication, validated */
  metricsAfter: string;
};

/** `-c key=7` arrives as a string, cdk.json's `"key": 7` as a number. */
const contextNumber = () =>
  z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .regex(/^\d+(\.\d+)?$/, 'must be a number'),
    ])
    .pipe(z.coerce.number());

const contextSchema = z.object({
  [CONTEXT.stage]: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be lowercase letters, digits and dashes, at most 20')
    .default(DEFAULT_STAGE),
  [CONTEXT.config]: z.string().trim().min(1).optional(),
  [CONTEXT.alarmEmail]: z.email().optional(),
  [CONTEXT.tableIndexes]: z.string().optional(),
  [CONTEXT.webhookRateLimit]: contextNumber()
    .pipe(z.number().positive('must be above 0').max(10_000, 'must be at most 10000'))
    .default(WEBHOOK_THROTTLE.rateLimit),
  [CONTEXT.webhookBurstLimit]: contextNumber()
    .pipe(z.number().int('must be a whole number').min(1).max(5_000, 'must be at most 5000'))
    .default(WEBHOOK_THROTTLE.burstLimit),
  [CONTEXT.webhookFirewall]: z
    .union([z.boolean(), z.enum(['true', 'false'], 'must be true or false')])
    .transform((value) => value === true || value === 'true')
    .default(false),
  [CONTEXT.webhookFirewallLimit]: contextNumber()
    // WAF's own bounds for a rate-based rule.
    .pipe(z.number().int('must be a whole number').min(10).max(2_000_000_000))
    .default(WEBHOOK_FIREWALL_LIMIT),
  [CONTEXT.region]: z
    .string()
    .trim()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1')
    .optional(),
  [CONTEXT.metricsAfter]: z
    .string()
    .trim()
    .default(DEFAULT_METRICS_AFTER)
    // Refused at synth, naming the bad offset, rather than by the collector at its cold start.
    .superRefine((value, context) => {
      try {
        parseMetricsAfter(value);
      } catch (error) {
        context.addIssue({
          code: 'custom',
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }),
});

/**
 * Reads the settings from the app's context. `baseDir` resolves a relative `config`
 * path: the directory `cdk` runs in (where cdk.json is), unless a test says otherwise.
 */
export function readSettings(
  node: Node,
  baseDir: string = process.cwd(),
  environment: Record<string, string | undefined> = process.env,
): CrierSettings {
  const raw = Object.fromEntries(
    Object.values(CONTEXT).map((key) => [key, emptyToUndefined(node.tryGetContext(key))]),
  );
  const parsed = contextSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `-c ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid deployment settings:\n  ${problems.join('\n  ')}`);
  }
  const { stage, config, alarmEmail } = parsed.data;
  const tableIndexes = tableIndexesOf(parsed.data[CONTEXT.tableIndexes]);
  const webhookThrottle: Throttle = {
    rateLimit: parsed.data[CONTEXT.webhookRateLimit],
    burstLimit: parsed.data[CONTEXT.webhookBurstLimit],
  };
  if (webhookThrottle.burstLimit < webhookThrottle.rateLimit) {
    throw new Error(
      `Invalid deployment settings:\n  -c ${CONTEXT.webhookBurstLimit}: must be at least the rate (${webhookThrottle.rateLimit}), or the bucket never holds a second's worth`,
    );
  }
  let webhookFirewall: WebhookFirewallSettings | undefined;
  if (parsed.data[CONTEXT.webhookFirewall]) {
    // `cdk` sets CDK_DEFAULT_REGION from AWS_REGION or the profile, credentials or not.
    const region =
      parsed.data[CONTEXT.region] ?? environment.CDK_DEFAULT_REGION ?? environment.AWS_REGION;
    if (!region) {
      throw new Error(
        `-c ${CONTEXT.webhookFirewall}=true needs the stacks' region: the web ACL must be made in ${FIREWALL_REGION} and the distribution refers to it from there. Set AWS_REGION or add -c ${CONTEXT.region}=<region>.`,
      );
    }
    webhookFirewall = { limit: parsed.data[CONTEXT.webhookFirewallLimit], region };
  }
  const retainData = RETAINED_STAGES.includes(stage);
  if (!config && retainData) {
    throw new Error(
      `Stage ${stage} needs its own channels file: add -c ${CONTEXT.config}=path/to/channels.json`,
    );
  }
  const file = config ?? EXAMPLE_CHANNELS_FILE;
  const channelsFile = isAbsolute(file) ? file : resolve(baseDir, file);
  // Synth fails here, with every problem named, rather than a function at its cold start.
  const { channels } = loadChannelsConfig(channelsFile);
  return {
    stage,
    channelsFile,
    channels,
    alarmEmail,
    retainData,
    tableIndexes,
    webhookThrottle,
    ...(webhookFirewall ? { webhookFirewall } : {}),
    metricsAfter: parsed.data[CONTEXT.metricsAfter],
  };
}

/** `-c alarmEmail=` (an empty value) means "not set", as leaving the key out does. */
function emptyToUndefined(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}
