/** What the editor API shows of the configured channels: enough to name and place each share. */
import type { Channel } from '../domain/channel';

export function listChannels(channels: readonly Channel[]) {
  return {
    channels: channels.map((channel) => ({
      id: channel.id,
      platform: channel.platform,
      name: channel.name ?? null,
      account: channel.account,
      timezone: channel.timezone,
      approval: channel.approval,
      schedule: channel.schedule,
    })),
  };
}
