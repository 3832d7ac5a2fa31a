/** The built-in local channels, as the tests expect to find them on the local stack. */
import { loadChannelsConfig } from '../../shared/config/channels';

export const DEFAULT_CHANNELS = loadChannelsConfig(undefined).channels;
export const DEFAULT_PLATFORMS = DEFAULT_CHANNELS.map((c) => c.platform);
export const CHANNEL_COUNT = DEFAULT_CHANNELS.length;
export const allPublished = () => DEFAULT_CHANNELS.map(() => 'published');
