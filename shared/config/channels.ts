/**
 * Loads the channels: the JSON file `CRIER_CONFIG` names, or the built-in local default.
 * The file is validated whole; one bad channel stops the start with every problem named.
 */
import { readFileSync } from 'node:fs';
import { type Channel, type ChannelsConfig, channelsConfigSchema } from '../domain/channel';
import { THREAD_PLATFORMS } from '../domain/platform';
import { WITHDRAW_SUPPORT } from '../domain/withdrawal';
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
      if (channel.thread.enabled && !THREAD_PLATFORMS.includes(channel.platform)) {
        // Composed, but never posted as replies there: the first part alone would go out.
        problems.push(
          `channels.${index}.thread.enabled: ${channel.platform} takes no threads of posts (only ${THREAD_PLATFORMS.join(', ')}); leave it off`,
        );
      }
      problems.push(...withdrawProblems(channel, index));
    });
  }
  if (!result.success || problems.length) {
    throw new ConfigError(
      `Invalid channel configuration in ${origin}:\n  ${problems.join('\n  ')}`,
    );
  }
  return result.data;
}

/**
 * `onWithdraw` may only ask what the channel's network lets Crier do to a post it made
 * (docs/networks.md, "Edit and delete"), and an edit needs its text.
 */
function withdrawProblems(channel: Channel, index: number): string[] {
  const at = `channels.${index}`;
  const allowed = WITHDRAW_SUPPORT[channel.platform];
  const choices = ['keep', ...allowed].join(', ');
  const problems: string[] = [];
  if (channel.onWithdraw !== 'keep' && !allowed.includes(channel.onWithdraw)) {
    problems.push(
      `${at}.onWithdraw: ${channel.platform} does not let Crier ${channel.onWithdraw} a post; use one of ${choices}`,
    );
  }
  if (channel.onWithdraw === 'edit' && !channel.withdrawnText) {
    problems.push(`${at}.withdrawnText: onWithdraw "edit" needs the text to put in the post`);
  }
  if (channel.withdrawnText && !allowed.includes('edit')) {
    problems.push(
      `${at}.withdrawnText: ${channel.platform} does not let Crier edit a post; leave it out`,
    );
  } else if (channel.withdrawnText && channel.onWithdraw === 'keep') {
    problems.push(
      `${at}.withdrawnText: only used with onWithdraw "edit" or "delete"; leave it out`,
    );
  }
  return problems;
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
