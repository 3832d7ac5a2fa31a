/**
 * The deployment's settings, from CDK context (`-c key=value`, or `context` in cdk.json):
 * the stage, the channels file deployed with the functions, and where alarms are mailed.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Node } from 'constructs';
import * as z from 'zod';
import { loadChannelsConfig } from '../shared/config/channels';
import type { ChannelsConfig } from '../shared/domain/channel';
import { type IndexDefinition, TABLE } from '../shared/resources';

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
};

const contextSchema = z.object({
  [CONTEXT.stage]: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be lowercase letters, digits and dashes, at most 20')
    .default(DEFAULT_STAGE),
  [CONTEXT.config]: z.string().trim().min(1).optional(),
  [CONTEXT.alarmEmail]: z.email().optional(),
  [CONTEXT.tableIndexes]: z.string().optional(),
});

/**
 * Reads the settings from the app's context. `baseDir` resolves a relative `config`
 * path: the directory `cdk` runs in (where cdk.json is), unless a test says otherwise.
 */
export function readSettings(node: Node, baseDir: string = process.cwd()): CrierSettings {
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
  return { stage, channelsFile, channels, alarmEmail, retainData, tableIndexes };
}

/** `-c alarmEmail=` (an empty value) means "not set", as leaving the key out does. */
function emptyToUndefined(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}
