/** What the editor API shows of the configured channels: enough to name and place each share. */
import * as z from 'zod';
import { type Channel, scheduleSchema } from '../domain/channel';
import { PLATFORMS } from '../domain/platform';

export const channelViewSchema = z.object({
  id: z.string(),
  platform: z.enum(PLATFORMS),
  /** the channel's name in the config, for people; null when it has none */
  name: z.string().nullable(),
  /** the account's handle on the network, as editors know it */
  account: z.string(),
  /** the IANA time zone editors of this channel think in */
  timezone: z.string(),
  approval: z.enum(['none', 'required']),
  schedule: scheduleSchema,
});

export const channelListSchema = z.object({ channels: z.array(channelViewSchema) });
export type ChannelList = z.output<typeof channelListSchema>;

export function listChannels(channels: readonly Channel[]): ChannelList {
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
