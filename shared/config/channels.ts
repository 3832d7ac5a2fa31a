/**
 * Loads the channels: the JSON file `CRIER_CONFIG` names, or the built-in local default.
 * The file is validated whole; one bad channel stops the start with every problem named.
 */
import { readFileSync } from 'node:fs';
import { type ChannelsConfig, channelsConfigSchema } from '../domain/channel';
import { channelProblems } from '../domain/channel-checks';
import { DEFAULT_CHANNELS, DEFAULT_SITE } from './default-channels';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseChannelsConfig(input: unknown, origin: string): ChannelsConfig {
  const result = channelsConfigSchema.safeParse(input);
  const problems = result.success
    ? []
    : result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  if (result.success) {
    result.data.channels.forEach((channel, index) => {
      problems.push(...channelProblems(channel, `channels.${index}`));
    });
  }
  if (!result.success || problems.length) {
    throw new ConfigError(
      `Invalid channel configuration in ${origin}:\n  ${problems.join('\n  ')}`,
    );
  }
  return result.data;
}

export function loadChannelsConfig(path: string | undefined): ChannelsConfig {
  if (!path)
    return parseChannelsConfig(
      {
        site: DEFAULT_SITE,
        // One sandbox channel for every network (docs/architecture.md, Configuration).
        channels: DEFAULT_CHANNELS,
      },
      'the built-in local default',
    );
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`Cannot read the channel configuration ${path}: ${reason}`, {
      cause: error,
    });
  }
  return parseChannelsConfig(raw, path);
}
