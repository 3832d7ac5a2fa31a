import { describe, expect, it } from 'vitest';
import { ChannelCredentials } from '../../../shared/config/credentials';
import type { ChannelSecrets } from '../../../shared/domain/ports';
import type { Refresher, StoredCredentials } from '../../../shared/platforms/refresh';
import {
  insideMargin,
  refreshMargin,
  TokenKeeper,
  type TokenKeeperDeps,
} from '../../../shared/usecases/token-keeper';
import {
  InMemoryChannelStateStore,
  InMemoryRefreshLeases,
  ManualClock,
} from '../../support/in-memory';

class MapSecrets implements ChannelSecrets {
  readonly values = new Map<string, unknown>();
  onPut: ((channelId: string, value: unknown) => void | Promise<void>) | undefined;
  async get(channelId: string) {
    return structuredClone(this.values.get(channelId));
  }
  async put(channelId: string, value: unknown) {
    await this.onPut?.(channelId, value);
    this.values.set(channelId, structuredClone(value));
  }
}

const CHANNEL = { id: 'x-main', platform: 'x' as const };
const START = '2026-03-02T09:00:00.000Z';
const at = (clock: ManualClock, ms: number) => new Date(clock.now().getTime() + ms).toISOString();

/** An X token of two hours, obtained at `obtainedAt`, with a refresh token. */
const xTokens = (obtainedAt: string, extra: StoredCredentials = {}): StoredCredentials => ({
  accessToken: 'access-1',
  refreshToken: 'refresh-1',
  obtainedAt,
  expiresAt: new Date(Date.parse(obtainedAt) + 2 * 3_600_000).toISOString(),
  scopes: ['tweet.write', 'offline.access'],
  ...extra,
});

/** A network that rotates: every call answers the next access and refresh token. */
function rotatingNetwork() {
  const calls: StoredCredentials[] = [];
  let gate: Promise<void> = Promise.resolve();
  const refresher: Refresher = async (credentials, now) => {
    calls.push(credentials);
    await gate;
    const n = calls.length + 1;
    return {
      ok: true,
      credentials: {
        ...credentials,
        accessToken: `access-${n}`,
        refreshToken: `refresh-${n}`,
        obtainedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 2 * 3_600_000).toISOString(),
      },
    };
  };
  return {
    calls,
    refresher,
    hold() {
      let open = () => {};
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      return open;
    },
  };
}

function world(refresher: Refresher | undefined, secrets = new MapSecrets()) {
  const clock = new ManualClock(START);
  const leases = new InMemoryRefreshLeases();
  const channelState = new InMemoryChannelStateStore();
  const logs: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const keeper = (owner: string, extra: Partial<TokenKeeperDeps> = {}) =>
    new TokenKeeper({
      // Each keeper is its own process: its own cache over the one store.
      credentials: new ChannelCredentials({}, secrets),
      leases,
      refresherFor: () => refresher,
      clock,
      channelState,
      log: (level, message, fields) => logs.push({ level, message, fields }),
      owner,
      pollMs: 1,
      waitMs: 5_000,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...extra,
    });
  return { clock, leases, channelState, logs, secrets, keeper };
}

describe('refreshMargin', () => {
  it('is a tenth of a long life, five minutes of a short one, half of a life of seconds', () => {
    const day = 86_400_000;
    expect(refreshMargin(xTokens(START))).toBe(12 * 60_000);
    const sixtyDays = {
      obtainedAt: START,
      expiresAt: new Date(Date.parse(START) + 60 * day).toISOString(),
    };
    expect(refreshMargin(sixtyDays)).toBe(6 * day);
    const threeSeconds = {
      obtainedAt: START,
      expiresAt: new Date(Date.parse(START) + 3000).toISOString(),
    };
    expect(refreshMargin(threeSeconds)).toBe(1500);
    expect(refreshMargin({ expiresAt: START })).toBe(5 * 60_000);
  });

  it('puts a token inside its margin only when its expiry comes that close', () => {
    const tokens = xTokens(START);
    const expires = Date.parse(String(tokens.expiresAt));
    expect(insideMargin(tokens, new Date(expires - 13 * 60_000))).toBe(false);
    expect(insideMargin(tokens, new Date(expires - 12 * 60_000))).toBe(true);
    expect(insideMargin({ accessToken: 'never-expires' }, new Date(expires))).toBe(false);
  });
});

describe('TokenKeeper.fresh', () => {
  it('hands back the stored credentials untouched while the token is outside its margin', async () => {
    const network = rotatingNetwork();
    const { secrets, keeper, clock } = world(network.refresher);
    secrets.values.set(CHANNEL.id, xTokens(START));
    clock.advance(60 * 60_000);
    const result = await keeper('a').fresh(CHANNEL);
    expect(result).toEqual({ status: 'fresh', credentials: xTokens(START) });
    expect(network.calls).toHaveLength(0);
  });

  it('refreshes a token inside its margin, stores the rotated pair and releases the lease', async () => {
    const network = rotatingNetwork();
    const { secrets, keeper, clock, leases } = world(network.refresher);
    secrets.values.set(CHANNEL.id, xTokens(START));
    clock.advance(110 * 60_000);
    const result = await keeper('a').fresh(CHANNEL);
    expect(result.status).toBe('refreshed');
    expect(network.calls).toHaveLength(1);
    expect(network.calls[0]?.refreshToken).toBe('refresh-1');
    const stored = secrets.values.get(CHANNEL.id) as StoredCredentials;
    expect(stored).toMatchObject({
      accessToken: 'access-2',
      refreshToken: 'refresh-2',
      obtainedAt: clock.now().toISOString(),
      scopes: ['tweet.write', 'offline.access'],
    });
    expect(result.credentials).toEqual(stored);
    expect(leases.held.size).toBe(0);
  });

  it('lets two concurrent callers share one network refresh, both getting the new token', async () => {
    const network = rotatingNetwork();
    const { secrets, keeper, clock } = world(network.refresher);
    secrets.values.set(CHANNEL.id, xTokens(START));
    clock.advance(115 * 60_000);
    const open = network.hold();
    const first = keeper('a').fresh(CHANNEL);
    // The second starts while the first holds the lease and waits on the network.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = keeper('b').fresh(CHANNEL);
    await new Promise((resolve) => setTimeout(resolve, 5));
    open();
    const [a, b] = await Promise.all([first, second]);
    expect(network.calls).toHaveLength(1);
    expect(a.status).toBe('refreshed');
    expect(b.status).toBe('refreshed');
    expect((a.credentials as StoredCredentials).accessToken).toBe('access-2');
    expect((b.credentials as StoredCredentials).accessToken).toBe('access-2');
  });

  it('re-reads the secret under the lease and does not refresh what another process just refreshed', async () => {
    const network = rotatingNetwork();
    const { secrets, keeper, clock, leases } = world(network.refresher);
    secrets.values.set(CHANNEL.id, xTokens(START));
    clock.advance(115 * 60_000);
    // Between this process's first read and its lease, another refreshed and let go.
    const take = leases.take.bind(leases);
    leases.take = async (...args) => {
      secrets.values.set(
        CHANNEL.id,
        xTokens(clock.now().toISOString(), { accessToken: 'access-9' }),
      );
      return take(...args);
    };
    const result = await keeper('a').fresh(CHANNEL);
    expect(result.status).toBe('refreshed');
    expect((result.credentials as StoredCredentials).accessToken).toBe('access-9');
    expect(network.calls).toHaveLength(0);
  });

  it('writes the rotated refresh token while it still holds the lease', async () => {
    const network = rotatingNetwork();
    const { secrets, keeper, clock, leases } = world(network.refresher);
    secrets.values.set(CHANNEL.id, xTokens(START));
    clock.advance(115 * 60_000);
    const holderAtWrite: (string | undefined)[] = [];
    secrets.onPut = () => {
      holderAtWrite.push(leases.held.get(CHANNEL.id)?.owner);
    };
    await keeper('a').fresh(CHANNEL);
    expect(holderAtWrite).toEqual(['a']);
    expect(leases.held.size).toBe(0);
  });

  it('keeps the lease and says so without the token when the rotated token cannot be stored', async () => {
    const network = rotatingNetwork();
    const { secrets, keeper, clock, leases, logs } = world(network.refresher);
    secrets.values.set(CHANNEL.id, xTokens(START));
    clock.advance(115 * 60_000);
    secrets.onPut = () => {
      throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
    };
    await expect(keeper('a').fresh(CHANNEL)).rejects.toThrow('throttled');
    expect(leases.held.get(CHANNEL.id)?.owner).toBe('a');
    const line = logs.find((l) => l.level === 'error');
    expect(line?.message).toMatch(/could not be stored/);
    expect(line?.fields).toMatchObject({ channelId: CHANNEL.id, rotated: true });
    expect(JSON.stringify(logs)).not.toMatch(/refresh-2|access-2|refresh-1|access-1/);
    // Another process neither refreshes meanwhile nor spends the dead refresh token.
    const other = await keeper('b', { waitMs: 20 }).fresh(CHANNEL);
    expect(other.status).toBe('unavailable');
    expect(network.calls).toHaveLength(1);
  });

  it('calls a refused refresh unrefreshable and marks the channel failing', async () => {
    const refused: Refresher = async () => ({
      ok: false,
      permanent: true,
      reason: 'X refused the refresh (invalid_grant: The refresh token was revoked)',
    });
    const { secrets, keeper, clock, channelState, leases } = world(refused);
    secrets.values.set(CHANNEL.id, xTokens(START));
    clock.advance(115 * 60_000);
    const result = await keeper('a').fresh(CHANNEL);
    expect(result.status).toBe('unrefreshable');
    expect(result).toMatchObject({ reason: expect.stringContaining('revoked') });
    const { health } = await channelState.get(CHANNEL.id);
    expect(health).toMatchObject({ status: 'failing', checkedAt: clock.now().toISOString() });
    expect(health?.reason).toMatch(/reconnect/);
    expect(leases.held.size).toBe(0);
  });

  it('does not ask the network when there is no refresh token or its grant has ended', async () => {
    const network = rotatingNetwork();
    const { secrets, keeper, clock } = world(network.refresher);
    const { refreshToken: _, ...noRefresh } = xTokens(START);
    secrets.values.set(CHANNEL.id, noRefresh);
    clock.advance(115 * 60_000);
    expect((await keeper('a').fresh(CHANNEL)).status).toBe('unrefreshable');
    secrets.values.set(CHANNEL.id, xTokens(START, { refreshExpiresAt: at(clock, -1) }));
    const ended = await keeper('a').fresh(CHANNEL);
    expect(ended).toMatchObject({
      status: 'unrefreshable',
      reason: expect.stringMatching(/grant has ended/),
    });
    expect(network.calls).toHaveLength(0);
  });

  it('answers unavailable, not unrefreshable, when the network fails for a while', async () => {
    const flaky: Refresher = async () => ({
      ok: false,
      permanent: false,
      reason: 'X answered 503',
    });
    const { secrets, keeper, clock, channelState } = world(flaky);
    secrets.values.set(CHANNEL.id, xTokens(START));
    clock.advance(115 * 60_000);
    expect((await keeper('a').fresh(CHANNEL)).status).toBe('unavailable');
    expect((await channelState.get(CHANNEL.id)).health).toBeUndefined();
  });

  it('refreshes outside the margin when forced (the network called the token expired)', async () => {
    const network = rotatingNetwork();
    const { secrets, keeper } = world(network.refresher);
    secrets.values.set(CHANNEL.id, xTokens(START));
    const result = await keeper('a').fresh(CHANNEL, { force: true });
    expect(result.status).toBe('refreshed');
    expect(network.calls).toHaveLength(1);
  });

  it('never refreshes credentials set in the environment, nor a network without expiry', async () => {
    const network = rotatingNetwork();
    const clock = new ManualClock(START);
    const env = { CRIER_CHANNEL_CREDENTIALS_X_MAIN: JSON.stringify(xTokens(START)) };
    const keeper = new TokenKeeper({
      credentials: new ChannelCredentials(env, new MapSecrets()),
      leases: new InMemoryRefreshLeases(),
      refresherFor: () => network.refresher,
      clock,
    });
    clock.advance(119 * 60_000);
    expect((await keeper.fresh(CHANNEL)).status).toBe('fresh');
    const none = world(undefined);
    none.secrets.values.set('m', { accessToken: 't', expiresAt: START });
    expect((await none.keeper('a').fresh({ id: 'm', platform: 'mastodon' })).status).toBe('fresh');
    expect(network.calls).toHaveLength(0);
  });
});
