/**
 * One password login at a time per channel across processes: the gate holds the
 * channel's refresh lease (`CH#<id>` / `REFRESH`, the one token refreshes take) while a
 * client logs in, re-reads the stored session once it holds it, and stores the new
 * session before letting go, so a process that waited finds it instead of logging in.
 */
import { randomUUID } from 'node:crypto';
import type { ChannelStateStore, Clock, RefreshLeases } from '../domain/ports';
import type { LoginGate } from '../platforms/client';

export type SessionGateDeps = {
  leases: RefreshLeases;
  /** where the channel's session is kept (the secret, through SessionInSecret) */
  channelState: ChannelStateStore;
  clock: Clock;
  /** drops any cached copy of the channel's secret, so the re-read sees another process's write */
  forget?: (channelId: string) => void;
  owner?: string;
  leaseMs?: number;
  /** how long to wait for another process's login before logging in anyway */
  waitMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
};

export class SessionGate {
  private readonly owner: string;

  constructor(private readonly deps: SessionGateDeps) {
    this.owner = deps.owner ?? randomUUID();
  }

  /** The gate of one channel, for a client call. */
  for(channelId: string): LoginGate {
    return { exclusive: (login) => this.exclusive(channelId, login) };
  }

  private async exclusive<T extends { session?: string }>(
    channelId: string,
    login: (stored: string | undefined) => Promise<T>,
  ): Promise<T> {
    const { leases, clock } = this.deps;
    const leaseMs = this.deps.leaseMs ?? 30_000;
    const waitMs = this.deps.waitMs ?? 10_000;
    const pollMs = this.deps.pollMs ?? 200;
    const sleep = this.deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    // Waiting is counted in polls, not by the clock: a stopped clock must not wait forever.
    for (let waited = 0; ; waited += pollMs) {
      const now = clock.now();
      const until = new Date(now.getTime() + leaseMs).toISOString();
      if (await leases.take(channelId, this.owner, now.toISOString(), until)) break;
      // Another process is logging in or refreshing; past the wait, log in without the lease
      // rather than fail the post (one extra login at worst).
      if (waited >= waitMs) return login(await this.stored(channelId));
      await sleep(pollMs);
    }
    try {
      const result = await login(await this.stored(channelId));
      if (result.session) await this.deps.channelState.saveSession(channelId, result.session);
      return result;
    } finally {
      await leases.release(channelId, this.owner);
    }
  }

  private async stored(channelId: string): Promise<string | undefined> {
    this.deps.forget?.(channelId);
    return (await this.deps.channelState.get(channelId)).session;
  }
}
