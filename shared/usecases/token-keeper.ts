/**
 * Keeps channels' access tokens alive. `fresh(channel)` hands back credentials whose token
 * is not about to die: inside its margin it is refreshed by exactly one process at a time
 * (a lease item in the table), which re-reads the secret first (another may have done it),
 * asks the network, and stores the answer before it lets go. A rotated refresh token is
 * never dropped: if it cannot be stored, the lease is kept until it runs out and the
 * failure is logged, without the token. Only a token nobody can renew comes back
 * `unrefreshable`, with the channel's health set `failing`.
 */
import { randomUUID } from 'node:crypto';
import type { Platform } from '../domain/platform';
import type { ChannelStateStore, Clock, RefreshLeases } from '../domain/ports';
import {
  cannotRefresh,
  instantOf,
  type Refresher,
  type StoredCredentials,
} from '../platforms/refresh';

type Channel = { id: string; platform: Platform };

export type KeeperCredentials = {
  find(channel: Channel): Promise<{ origin: string; value: unknown }>;
  put(channelId: string, value: unknown): Promise<void>;
  /** drops any cached value, so the next read asks the store */
  forget(channelId: string): void;
};

export type TokenKeeperDeps = {
  credentials: KeeperCredentials;
  leases: RefreshLeases;
  refresherFor: (platform: Platform) => Refresher | undefined;
  clock: Clock;
  channelState?: Pick<ChannelStateStore, 'saveHealth'>;
  log?: (
    level: 'info' | 'warn' | 'error',
    message: string,
    fields: Record<string, unknown>,
  ) => void;
  /** how long one refresh may hold the lease */
  leaseMs?: number;
  /** how long a caller waits on another's refresh before it gives up */
  waitMs?: number;
  /** between two looks at another's refresh */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  owner?: string;
};

export type FreshCredentials =
  /** no refresh was needed (or the token never expires) */
  | { status: 'fresh'; credentials: unknown }
  | { status: 'refreshed'; credentials: unknown }
  /** the token cannot be renewed: a person must reconnect the channel */
  | { status: 'unrefreshable'; credentials: unknown; reason: string }
  /** the refresh did not happen this time (the network failed, a wait ran out): try later */
  | { status: 'unavailable'; credentials: unknown; reason: string };

const FIVE_MINUTES = 5 * 60_000;

/**
 * How long before `expiresAt` a token is renewed: a tenth of its life, and at least five
 * minutes unless that is more than half its life (the sandboxes' tokens live seconds).
 */
export function refreshMargin(credentials: StoredCredentials): number {
  const ends = instantOf(credentials.expiresAt);
  const began = instantOf(credentials.obtainedAt);
  if (ends === undefined || began === undefined || ends <= began) return FIVE_MINUTES;
  const life = ends - began;
  return Math.max(life / 10, Math.min(FIVE_MINUTES, life / 2));
}

/** True when the stored token expires within its margin. */
export function insideMargin(credentials: unknown, now: Date): boolean {
  if (!isRecord(credentials)) return false;
  const ends = instantOf(credentials.expiresAt);
  if (ends === undefined) return false;
  return ends - refreshMargin(credentials) <= now.getTime();
}

const isRecord = (value: unknown): value is StoredCredentials =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export class TokenKeeper {
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly pollMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: TokenKeeperDeps) {
    this.owner = deps.owner ?? randomUUID();
    this.leaseMs = deps.leaseMs ?? 30_000;
    this.waitMs = deps.waitMs ?? 10_000;
    this.pollMs = deps.pollMs ?? 200;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * The channel's credentials, refreshed first when the token is inside its margin, or
   * whatever its expiry when `force` (the network just called the token expired).
   */
  async fresh(channel: Channel, options: { force?: boolean } = {}): Promise<FreshCredentials> {
    const found = await this.deps.credentials.find(channel);
    const refresher = this.deps.refresherFor(channel.platform);
    const due = (value: unknown) => insideMargin(value, this.deps.clock.now());
    if (!refresher || found.origin !== 'stored' || !isRecord(found.value)) {
      return { status: 'fresh', credentials: found.value };
    }
    if (!options.force && !due(found.value)) return { status: 'fresh', credentials: found.value };
    const seen = found.value.accessToken;
    // Waiting is counted in polls, not by the clock: a stopped clock must not wait forever.
    let waited = 0;
    for (;;) {
      const now = this.deps.clock.now();
      const until = new Date(now.getTime() + this.leaseMs).toISOString();
      if (await this.deps.leases.take(channel.id, this.owner, now.toISOString(), until)) {
        return this.refreshHolding(channel, refresher, seen, options.force ?? false);
      }
      // Another process is refreshing: its answer shows in the secret once it is stored.
      await this.sleep(this.pollMs);
      this.deps.credentials.forget(channel.id);
      const again = await this.deps.credentials.find(channel);
      if (isRecord(again.value) && again.value.accessToken !== seen && !due(again.value)) {
        return { status: 'refreshed', credentials: again.value };
      }
      waited += this.pollMs;
      if (waited >= this.waitMs) {
        return {
          status: 'unavailable',
          credentials: again.value,
          reason: 'another refresh of the token did not finish in time',
        };
      }
    }
  }

  private async refreshHolding(
    channel: Channel,
    refresher: Refresher,
    seen: unknown,
    force: boolean,
  ): Promise<FreshCredentials> {
    let keepLease = false;
    try {
      // Re-read under the lease: another process may have refreshed since the first read.
      this.deps.credentials.forget(channel.id);
      const current = await this.deps.credentials.find(channel);
      const now = this.deps.clock.now();
      if (!isRecord(current.value)) return { status: 'fresh', credentials: current.value };
      const renewedMeanwhile = current.value.accessToken !== seen;
      if (renewedMeanwhile && !insideMargin(current.value, now)) {
        return { status: 'refreshed', credentials: current.value };
      }
      if (!force && !insideMargin(current.value, now)) {
        return { status: 'fresh', credentials: current.value };
      }
      const impossible = cannotRefresh(channel.platform, current.value, now);
      if (impossible) return this.unrefreshable(channel, current.value, impossible);
      let outcome: Awaited<ReturnType<Refresher>>;
      try {
        outcome = await refresher(current.value, now);
      } catch (error) {
        const reason = `the token endpoint could not be reached (${error instanceof Error ? error.name : 'error'})`;
        this.log('warn', 'Token refresh failed', channel, { reason });
        return { status: 'unavailable', credentials: current.value, reason };
      }
      if (!outcome.ok) {
        if (outcome.permanent) return this.unrefreshable(channel, current.value, outcome.reason);
        this.log('warn', 'Token refresh failed', channel, { reason: outcome.reason });
        return { status: 'unavailable', credentials: current.value, reason: outcome.reason };
      }
      try {
        await this.deps.credentials.put(channel.id, outcome.credentials);
      } catch (error) {
        // The network may have rotated the refresh token: the old one is dead and the new
        // one exists only here. Hold the lease to its end so no other process spends the
        // old one meanwhile, and say so loudly (never with the token).
        keepLease = true;
        this.log(
          'error',
          'Refreshed token could not be stored: the channel may need a reconnect',
          channel,
          {
            error: error instanceof Error ? error.name : 'error',
            rotated: outcome.credentials.refreshToken !== current.value.refreshToken,
          },
        );
        throw error;
      }
      this.log('info', 'Token refreshed', channel, {
        expiresAt: outcome.credentials.expiresAt,
      });
      return { status: 'refreshed', credentials: outcome.credentials };
    } finally {
      if (!keepLease) await this.deps.leases.release(channel.id, this.owner);
    }
  }

  private async unrefreshable(
    channel: Channel,
    credentials: unknown,
    reason: string,
  ): Promise<FreshCredentials> {
    const why = `The token cannot be refreshed (${reason}): reconnect the channel`;
    this.log('warn', 'Token cannot be refreshed', channel, { reason });
    await this.deps.channelState?.saveHealth(channel.id, {
      status: 'failing',
      reason: why,
      checkedAt: this.deps.clock.now().toISOString(),
    });
    return { status: 'unrefreshable', credentials, reason: why };
  }

  private log(
    level: 'info' | 'warn' | 'error',
    message: string,
    channel: Channel,
    fields: Record<string, unknown>,
  ): void {
    this.deps.log?.(level, message, {
      channelId: channel.id,
      platform: channel.platform,
      ...fields,
    });
  }
}

/** The health reason of a channel whose token nobody can renew (set by `unrefreshable`). */
export const isUnrefreshableReason = (reason: string | null | undefined) =>
  Boolean(reason?.startsWith('The token cannot be refreshed'));

export type RefreshPassDeps = {
  directory: { listChannels(): Promise<readonly (Channel & { status?: string })[]> };
  credentials: Pick<KeeperCredentials, 'find'>;
  channelState: Pick<ChannelStateStore, 'get'>;
  keeper: Pick<TokenKeeper, 'fresh'>;
  clock: Clock;
};

export type RefreshPassReport = {
  refreshed: Channel[];
  unrefreshable: (Channel & { reason: string })[];
  unavailable: (Channel & { reason: string })[];
};

/**
 * The scheduled pass: every channel whose stored token is inside its margin is renewed,
 * so a channel that posts rarely keeps a live token too. A channel already known to need
 * a reconnect is left alone (asking the network each minute would change nothing).
 */
export async function refreshDueTokens(
  deps: RefreshPassDeps,
  budgetMs: number,
): Promise<RefreshPassReport> {
  const started = Date.now();
  const report: RefreshPassReport = { refreshed: [], unrefreshable: [], unavailable: [] };
  for (const channel of await deps.directory.listChannels()) {
    if (channel.status === 'archived') continue;
    if (Date.now() - started >= budgetMs) break;
    const found = await deps.credentials.find(channel).catch(() => undefined);
    if (found?.origin !== 'stored' || !insideMargin(found.value, deps.clock.now())) continue;
    const { health } = await deps.channelState.get(channel.id);
    if (health?.status === 'failing' && isUnrefreshableReason(health.reason)) continue;
    const kept = await deps.keeper.fresh(channel);
    const ref = { id: channel.id, platform: channel.platform };
    if (kept.status === 'refreshed') report.refreshed.push(ref);
    else if (kept.status === 'unrefreshable')
      report.unrefreshable.push({ ...ref, reason: kept.reason });
    else if (kept.status === 'unavailable')
      report.unavailable.push({ ...ref, reason: kept.reason });
  }
  return report;
}
