/**
 * The network clients and the channels' credentials, apart from index.ts: the clients of
 * every network go only into the bundles of the functions that post or that ask a network
 * who a channel's credentials are (the editor API and the channel check).
 */
import * as z from 'zod';
import { pendingSecretsFrom } from '../config/channel-secrets';
import { ChannelCredentials } from '../config/credentials';
import { readEnv } from '../config/env';
import { NetworkApps, networkAppEnvName } from '../config/network-apps';
import type { Platform } from '../domain/platform';
import { logger } from '../observability';
import { clientFor } from '../platforms/clients';
import { refresherFor } from '../platforms/refresh';
import { verifyCredentials } from '../platforms/verify';
import { ENV } from '../resources';
import type { ChannelHealthDeps } from '../usecases/channel-health';
import type { ConnectDeps } from '../usecases/connect-channel';
import { releaseWaitingShares } from '../usecases/reconnect-channel';
import { TokenKeeper } from '../usecases/token-keeper';
import {
  channelDirectory,
  channelStateStore,
  channelTimeline,
  clock,
  connectStore,
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
    leases: refreshLeases(),
  }),
);

/** Each network's OAuth app (CRIER_APP_<PLATFORM>, or its secret in AWS). */
export const networkApps = once(() => new NetworkApps());

/** Where no channel secret store is configured, a pick cannot be kept: Connect says so. */
const noSecretStore = {
  get: async () => undefined,
  put: async () => {
    throw new Error('No channel secret store is configured');
  },
};

/**
 * What Connect takes: read on first use, so a function that never connects a channel
 * needs neither `CRIER_API_URL` nor `CRIER_EDITOR_URL`.
 */
export const connectDeps = once((): ConnectDeps => {
  const env = readEnv({
    [ENV.apiUrl]: z.url({ protocol: /^https?$/ }),
    [ENV.editorUrl]: z.url({ protocol: /^https?$/ }),
  });
  const prefix = process.env[ENV.appSecretPrefix];
  return {
    health: channelHealthDeps(),
    apps: networkApps(),
    store: connectStore(),
    pending: pendingSecretsFrom(process.env) ?? noSecretStore,
    apiUrl: String(env[ENV.apiUrl]),
    editorUrl: String(env[ENV.editorUrl]),
    appSetting: (platform: Platform) =>
      prefix ? `the secret ${prefix}${platform}` : networkAppEnvName(platform),
  };
});

/** Keeps the channels' OAuth tokens alive, over the same credentials the clients read. */
export const tokenKeeper = once((): TokenKeeper => {
  const apps = networkApps();
  return new TokenKeeper({
    credentials: channelCredentials(),
    leases: refreshLeases(),
    refresherFor: (platform) => refresherFor(platform, { apps }),
    clock,
    channelState: channelStateStore(),
    log: (level, message, fields) => logger[level](message, fields),
  });
});
