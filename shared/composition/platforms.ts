/**
 * The network clients and the channels' credentials, apart from index.ts: the clients of
 * every network go only into the bundles of the functions that post or that ask a network
 * who a channel's credentials are (the editor API and the channel check).
 */
import { ChannelCredentials } from '../config/credentials';
import { clientFor } from '../platforms/clients';
import { verifyCredentials } from '../platforms/verify';
import type { ChannelHealthDeps } from '../usecases/channel-health';
import { channelDirectory, channelStateStore, clock, once } from './index';

export { clientFor };

/** Read per channel when a share is posted; cached a few minutes so a rotation shows. */
export const channelCredentials = once((): ChannelCredentials => new ChannelCredentials());

/** What setting credentials and checking a channel's health take. */
export const channelHealthDeps = once(
  (): ChannelHealthDeps => ({
    directory: channelDirectory(),
    credentials: channelCredentials(),
    verify: verifyCredentials,
    channelState: channelStateStore(),
    clock,
  }),
);
