/**
 * The network clients and the channels' credentials, apart from index.ts: the clients of
 * every network go only into the bundles of the functions that post or that ask a network
 * who a channel's credentials are (the editor API and the channel check).
 */
import { ChannelCredentials } from '../config/credentials';
import { NetworkApps } from '../config/network-apps';
import { logger } from '../observability';
import { clientFor } from '../platforms/clients';
import { refresherFor } from '../platforms/refresh';
import { verifyCredentials } from '../platforms/verify';
import type { ChannelHealthDeps } from '../usecases/channel-health';
import { releaseWaitingShares } from '../usecases/reconnect-channel';
import { TokenKeeper } from '../usecases/token-keeper';
import {
  channelDirectory,
  channelStateStore,
  channelTimeline,
  clock,
  once,
  refreshLeases,
  shareStore,
} from './index';

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
    releaseWaiting: (channelId) =>
      releaseWaitingShares({ timeline: channelTimeline(), shares: shareStore(), clock }, channelId),
  }),
);

/** Keeps the channels' OAuth tokens alive, over the same credentials the clients read. */
export const tokenKeeper = once((): TokenKeeper => {
  const apps = new NetworkApps();
  return new TokenKeeper({
    credentials: channelCredentials(),
    leases: refreshLeases(),
    refresherFor: (platform) => refresherFor(platform, { apps }),
    clock,
    channelState: channelStateStore(),
    log: (level, message, fields) => logger[level](message, fields),
  });
});
