/**
 * The network clients and the channels' credentials, apart from index.ts: the clients of
 * every network go only into the bundles of the functions that post or that ask a network
 * who a channel's credentials are (the editor API and the channel check).
 */
import * as z from 'zod';
import { pendingSecretsFrom } from '../config/channel-secrets';
import { ChannelCredentials, sandboxCredentialsEnvName } from '../config/credentials';
import { readEnv } from '../config/env';
import { NetworkApps, networkAppEnvName } from '../config/network-apps';
import { SessionInSecret } from '../config/session-in-secret';
import type { Platform } from '../domain/platform';
import { logger } from '../observability';
import { clientFor } from '../platforms/clients';
import { refresherFor } from '../platforms/refresh';
import { isSandboxUrl } from '../platforms/rest/credentials';
import { mastodonCheckThrough, verifyCredentials } from '../platforms/verify';
import { ENV } from '../resources';
import type { ChannelHealthDeps } from '../usecases/channel-health';
import { type ConnectDeps, type InstanceFetch, plainJson } from '../usecases/connect-channel';
import { releaseWaitingShares } from '../usecases/reconnect-channel';
import { SessionGate } from '../usecases/session-gate';
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
import { safeFetch } from './network';

export { clientFor };

/** Read per channel when a share is posted; cached a few minutes so a rotation shows. */
export const channelCredentials = once((): ChannelCredentials => new ChannelCredentials());

/** What setting credentials and checking a channel's health take. */
export const channelHealthDeps = once(
  (): ChannelHealthDeps => ({
    directory: channelDirectory(),
    credentials: channelCredentials(),
    // Mastodon's instance is one an admin named: asked through the SSRF-safe fetcher.
    verify: (platform, credentials) =>
      verifyCredentials(platform, credentials, {
        mastodon: mastodonCheckThrough(instanceFetch()),
      }),
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
    instanceFetch: instanceFetch(),
  };
});

/**
 * The Mastodon sandbox's origin, locally: the local runtime names it (never set in AWS),
 * and so does the sandbox account it hands to stacks that do not connect their channels.
 * Only a loopback http origin counts.
 */
function mastodonSandboxOrigin(): string | undefined {
  const named = process.env[ENV.mastodonSandboxUrl];
  const raw = process.env[sandboxCredentialsEnvName('mastodon')];
  try {
    const url = named ?? (raw ? (JSON.parse(raw) as { url?: unknown }).url : undefined);
    if (typeof url !== 'string') return undefined;
    const origin = new URL(url).origin;
    return isSandboxUrl(`${origin}/`) ? origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Calls to a Mastodon instance an admin names: public addresses only, through the
 * SSRF-safe fetcher. The one exception is the local runtime's own Mastodon sandbox on
 * loopback; in AWS there is none, so no private address is ever called.
 */
const instanceFetch = once((): InstanceFetch => {
  const direct = plainJson();
  const safe = safeFetch();
  // Read at each call: a local runtime restarted in the same process moves its sandbox.
  return (url, options) =>
    new URL(url).origin === mastodonSandboxOrigin()
      ? direct(url, options)
      : safe.json(url, options);
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

/**
 * The channels' state with their Bluesky sessions kept in the channel's secret (a session
 * is a credential), and one Bluesky login at a time per channel, under its refresh lease:
 * what the publisher and the metrics collector hand the clients.
 */
export const channelSessions = once(() => {
  const channelState = new SessionInSecret(channelStateStore(), channelCredentials());
  const sessions = new SessionGate({
    leases: refreshLeases(),
    channelState,
    clock,
    forget: (channelId) => channelCredentials().forget(channelId),
  });
  return { channelState, sessions };
});
