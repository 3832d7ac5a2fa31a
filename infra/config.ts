/**
 * The deployment's settings, from CDK context (`-c key=value`, or `context` in cdk.json):
 * the stage, the channels file deployed with the functions, and where alarms are mailed.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Node } from 'constructs';
import * as z from 'zod';
import { loadChannelsConfig } from '../shared/config/channels';
import type { ChannelsConfig } from '../shared/domain/channel';

/** The context keys an operator sets, and what each defaults to. */
export const CONTEXT = {
  /** names the stacks (`Crier-<stage>-...`) and the secrets (`crier/<stage>/...`) */
  stage: 'stage',
  /** the channels file; required for `prod`, else the example file */
  config: 'config',
  /** where every alarm is mailed; no subscription when unset */
  alarmEmail: 'alarmEmail',
} as const;

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
};

const contextSchema = z.object({
  [CONTEXT.stage]: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be lowercase letters, digits and dashes, at most 20')
    .default(DEFAULT_STAGE),
  [CONTEXT.config]: z.string().trim().min(1).optional(),
  [CONTEXT.alarmEmail]: z.email().optional(),
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
  return { stage, channelsFile, channels, alarmEmail, retainData };
}

/** `-c alarmEmail=` (an empty value) means "not set", as leaving the key out does. */
function emptyToUndefined(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}
