/**
 * A channel's credentials and its health. An admin sets credentials: the network is asked
 * who they are first, and only credentials it accepts are stored (the change is audited,
 * with field names only). A check asks the network the same question with the stored
 * credentials and records what it found: `ok`, `expiring` (a person must reconnect within
 * a week: the token cannot be refreshed, or its refresh grant ends), `failing` (the
 * network's reason), `unconnected` (no credentials at all).
 */
import { randomUUID } from 'node:crypto';
import type { ChannelDirectory, DirectoryChannel } from '../domain/channel-directory';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import type { Platform } from '../domain/platform';
import type { ChannelHealth, ChannelStateStore, Clock, RefreshLeases } from '../domain/ports';
import type { Verification } from '../platforms/verify';

/** `expiring` this long before a person must act. */
export const EXPIRING_WITHIN_MS = 7 * 86_400_000;

type Channel = { id: string; platform: Platform };

export type CredentialsSource = {
  find(channel: Channel): Promise<{ origin: string; value: unknown }>;
  fromEnvironment(channelId: string): boolean;
  put(channelId: string, value: unknown): Promise<void>;
};

export type ChannelHealthDeps = {
  directory: Pick<ChannelDirectory, 'getChannel' | 'recordAudit'>;
  credentials: CredentialsSource;
  verify: (platform: Platform, credentials: unknown) => Promise<Verification>;
  channelState: Pick<ChannelStateStore, 'saveHealth'>;
  clock: Clock;
  /** makes the channel's shares waiting for a reconnect due now (reconnect-channel.ts) */
  releaseWaiting?: (channelId: string) => Promise<number>;
  /**
   * The token keeper's single-flight lease (`CH#<id>`/`REFRESH`): new credentials are
   * written holding it, so a refresh under way cannot store the old grant over them.
   */
  leases?: RefreshLeases;
  /** how long a write waits for a refresh under way before it answers 409 */
  leaseWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
};

/** As long as a keeper's refresh may hold the lease; a write holds it far shorter. */
const WRITE_LEASE_MS = 30_000;
const LEASE_POLL_MS = 200;

/**
 * Runs `write` holding the channel's refresh lease: it waits for a refresh under way (the
 * keeper stores its answer before it lets go), then keeps any new refresh out until the
 * new credentials are stored; a refresh after that reads them. Waiting is counted in
 * polls, so a stopped clock cannot make it wait forever.
 */
async function holdingRefreshLease<T>(
  deps: ChannelHealthDeps,
  channelId: string,
  write: () => Promise<T>,
): Promise<T> {
  const leases = deps.leases;
  if (!leases) return write();
  const owner = `credentials-${randomUUID()}`;
  const sleep = deps.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const waitMs = deps.leaseWaitMs ?? 20_000;
  for (let waited = 0; ; waited += LEASE_POLL_MS) {
    const now = deps.clock.now();
    const until = new Date(now.getTime() + WRITE_LEASE_MS).toISOString();
    if (await leases.take(channelId, owner, now.toISOString(), until)) break;
    if (waited >= waitMs) {
      throw new ConflictError(
        `A token refresh of channel ${channelId} is under way: try again in a minute`,
      );
    }
    await sleep(LEASE_POLL_MS);
  }
  try {
    return await write();
  } finally {
    await leases.release(channelId, owner);
  }
}

async function liveChannel(deps: ChannelHealthDeps, channelId: string): Promise<DirectoryChannel> {
  const channel = await deps.directory.getChannel(channelId);
  if (!channel || channel.status === 'archived') throw new NotFoundError(`No channel ${channelId}`);
  return channel;
}

/**
 * Threads and Instagram (its own login) renew a long-lived token with the token itself
 * while it lives: no `refreshToken`, and still no reconnect needed.
 */
function renewsItself(platform: Platform | undefined, fields: Record<string, unknown>): boolean {
  return platform === 'threads' || (platform === 'instagram' && fields.login !== 'facebook');
}

/**
 * When a person must reconnect, read from the stored credentials: `refreshExpiresAt` (the
 * refresh grant ends), or `expiresAt` of a token with no `refreshToken` to renew it
 * (each an ISO instant, or epoch seconds or milliseconds). An
 * access token Crier can refresh never makes a channel `expiring`.
 */
export function reconnectBy(
  credentials: unknown,
  platform?: Platform,
): { at: number; why: string } | undefined {
  if (!credentials || typeof credentials !== 'object') return undefined;
  const fields = credentials as Record<string, unknown>;
  // An ISO instant, or epoch seconds or milliseconds as token endpoints give them.
  const instant = (value: unknown) => {
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
      return value < 1e12 ? value * 1000 : value;
    }
    return typeof value === 'string' && !Number.isNaN(Date.parse(value))
      ? Date.parse(value)
      : undefined;
  };
  const refreshEnds = instant(fields.refreshExpiresAt);
  if (refreshEnds !== undefined) return { at: refreshEnds, why: 'its refresh grant ends' };
  const tokenEnds = instant(fields.expiresAt);
  const refreshable =
    (typeof fields.refreshToken === 'string' && fields.refreshToken !== '') ||
    renewsItself(platform, fields);
  if (tokenEnds !== undefined && !refreshable) {
    return { at: tokenEnds, why: 'its token expires and cannot be refreshed' };
  }
  return undefined;
}

/** What a who-am-I answer means for the channel, at `now`. */
export function healthOf(
  verification: Verification | undefined,
  credentials: unknown,
  now: Date,
  platform?: Platform,
): ChannelHealth {
  const checkedAt = now.toISOString();
  if (!verification) return { status: 'unconnected', reason: 'No credentials', checkedAt };
  if (!verification.ok) return { status: 'failing', reason: verification.reason, checkedAt };
  const deadline = reconnectBy(credentials, platform);
  if (deadline && deadline.at - now.getTime() <= EXPIRING_WITHIN_MS) {
    const when = new Date(deadline.at).toISOString();
    return {
      status: 'expiring',
      reason: `Reconnect by ${when}: ${deadline.why}`,
      checkedAt,
    };
  }
  return { status: 'ok', reason: null, checkedAt };
}

/** Checks a channel now with its credentials as stored, and records the result. */
export async function checkChannel(
  deps: Omit<ChannelHealthDeps, 'directory'>,
  channel: Channel,
): Promise<ChannelHealth> {
  const { value } = await deps.credentials.find(channel);
  const verification = value === undefined ? undefined : await deps.verify(channel.platform, value);
  const health = healthOf(verification, value, deps.clock.now(), channel.platform);
  await deps.channelState.saveHealth(channel.id, health);
  return health;
}

export async function checkChannelById(deps: ChannelHealthDeps, channelId: string) {
  const channel = await liveChannel(deps, channelId);
  return { health: await checkChannel(deps, channel) };
}

/**
 * Stores credentials the network accepted. A channel whose credentials come from the
 * environment refuses (the environment always wins); credentials the network refuses are
 * not stored, and the answer gives its reason. Nothing here returns or logs a value.
 */
export async function setChannelCredentials(
  deps: ChannelHealthDeps,
  channelId: string,
  body: Record<string, unknown>,
  who: string,
  /** `channel.connected` when Connect stores what a consent gave */
  action: 'channel.credentials-set' | 'channel.connected' = 'channel.credentials-set',
): Promise<{ account: string }> {
  const channel = await liveChannel(deps, channelId);
  if (deps.credentials.fromEnvironment(channelId)) {
    throw new ConflictError(
      `Channel ${channelId} takes its credentials from the environment, which always wins`,
    );
  }
  const verification = await deps.verify(channel.platform, body);
  if (!verification.ok) {
    const field = verification.kind === 'invalid' ? '(body)' : '(network)';
    throw new ValidationError(verification.reason, [{ field, message: verification.reason }]);
  }
  await holdingRefreshLease(deps, channelId, () => deps.credentials.put(channelId, body));
  const now = deps.clock.now();
  await deps.channelState.saveHealth(
    channelId,
    healthOf(verification, body, now, channel.platform),
  );
  await deps.releaseWaiting?.(channelId);
  await deps.directory.recordAudit({
    who,
    action,
    target: `channel:${channelId}`,
    siteId: channel.siteId,
    version: channel.version,
    // Field names and who the network says they are: never a value.
    after: {
      platform: channel.platform,
      account: verification.account,
      fields: Object.keys(body).sort(),
    },
  });
  return { account: verification.account };
}

/** A channel is checked again once its last check is this old. */
export const CHECK_EVERY_MS = 86_400_000;

export type CheckReport = {
  channelId: string;
  platform: Platform;
  siteId: string;
  name?: string;
  health: ChannelHealth;
};

/**
 * The scheduled check: each channel whose last check is a day old (or that was never
 * checked), one after another until `budgetMs` is spent; the rest wait for the next tick.
 * Answers the channels checked now, and how many of all the channels are failing.
 */
export async function checkDueChannels(
  deps: Omit<ChannelHealthDeps, 'directory' | 'channelState'> & {
    directory: Pick<ChannelDirectory, 'listChannels'>;
    channelState: Pick<ChannelStateStore, 'get' | 'saveHealth'>;
  },
  budgetMs: number,
): Promise<{ checked: CheckReport[]; failing: number }> {
  const started = Date.now();
  const channels = await deps.directory.listChannels();
  const checked: CheckReport[] = [];
  let failing = 0;
  for (const channel of channels) {
    const { health } = await deps.channelState.get(channel.id);
    const due =
      !health || deps.clock.now().getTime() - Date.parse(health.checkedAt) >= CHECK_EVERY_MS;
    if (due && Date.now() - started < budgetMs) {
      const fresh = await checkChannel(deps, channel);
      checked.push({
        channelId: channel.id,
        platform: channel.platform,
        siteId: channel.siteId,
        ...(channel.name ? { name: channel.name } : {}),
        health: fresh,
      });
      if (fresh.status === 'failing') failing += 1;
    } else if (health?.status === 'failing') {
      failing += 1;
    }
  }
  return { checked, failing };
}
