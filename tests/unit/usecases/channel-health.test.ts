/**
 * Setting a channel's credentials and checking its health, over in-memory ports: the
 * network is asked first, only what it accepts is stored, the audit holds no secret, and a
 * check reads the stored credentials and records ok, expiring, failing or unconnected.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ChannelCredentials, credentialsEnvName } from '../../../shared/config/credentials';
import { ConflictError, NotFoundError, ValidationError } from '../../../shared/domain/errors';
import type { ChannelSecrets } from '../../../shared/domain/ports';
import type { Verification } from '../../../shared/platforms/verify';
import { redact } from '../../../shared/platforms/verify';
import {
  type ChannelHealthDeps,
  checkChannelById,
  checkDueChannels,
  healthOf,
  setChannelCredentials,
} from '../../../shared/usecases/channel-health';
import { TokenKeeper } from '../../../shared/usecases/token-keeper';
import { InMemoryRefreshLeases, inMemoryWorld } from '../../support/in-memory';

class MapSecrets implements ChannelSecrets {
  readonly values = new Map<string, unknown>();
  async get(channelId: string) {
    return this.values.get(channelId);
  }
  async put(channelId: string, value: unknown) {
    this.values.set(channelId, structuredClone(value));
  }
}

const GOOD = 'app-pass-good-1234';
const bsky = (password: string, extra: Record<string, unknown> = {}) => ({
  service: 'http://127.0.0.1:9',
  identifier: 'newsroom.test',
  password,
  ...extra,
});

/** A network that knows one password, and says so in its own words otherwise. */
const verify = async (_platform: string, credentials: unknown): Promise<Verification> => {
  const password = (credentials as { password?: unknown }).password;
  if (typeof password !== 'string') {
    return { ok: false, kind: 'invalid', reason: 'Invalid Bluesky credentials: password' };
  }
  return password === GOOD
    ? { ok: true, account: 'newsroom.test', credentials }
    : {
        ok: false,
        kind: 'refused',
        reason: 'Bluesky answered 401 AuthenticationRequired: Invalid identifier or password',
      };
};

let world: ReturnType<typeof inMemoryWorld>;
let secrets: MapSecrets;
let env: NodeJS.ProcessEnv;
let deps: ChannelHealthDeps;

beforeEach(async () => {
  world = inMemoryWorld('2026-03-01T12:00:00Z');
  secrets = new MapSecrets();
  env = {};
  deps = {
    directory: world.directory,
    credentials: new ChannelCredentials(env, secrets),
    verify,
    channelState: world.channelState,
    clock: world.clock,
  };
  await world.directory.putSite({ id: 'default', name: 'Default' } as never, { who: 'test' });
  await world.directory.putChannel(
    {
      id: 'news-bsky',
      platform: 'bluesky',
      account: 'newsroom.test',
      siteId: 'default',
      template: '{title} {url}',
    } as never,
    { who: 'test' },
  );
  world.clock.advance(1000);
});

describe('setting credentials', () => {
  it('stores credentials the network accepts, records health ok, and audits field names only', async () => {
    await setChannelCredentials(deps, 'news-bsky', bsky(GOOD), 'Ada');
    expect(secrets.values.get('news-bsky')).toEqual(bsky(GOOD));
    expect((await world.channelState.get('news-bsky')).health).toEqual({
      status: 'ok',
      reason: null,
      checkedAt: '2026-03-01T12:00:01.000Z',
    });
    const entry = (await world.directory.listAudit({ limit: 10 })).entries.find(
      (e) => e.action === 'channel.credentials-set',
    );
    expect(entry).toMatchObject({
      who: 'Ada',
      action: 'channel.credentials-set',
      target: 'channel:news-bsky',
      after: { platform: 'bluesky', fields: ['identifier', 'password', 'service'] },
    });
    expect(JSON.stringify(entry)).not.toContain(GOOD);
  });

  it('refuses what the network refuses with its reason, storing and auditing nothing', async () => {
    const audit = (await world.directory.listAudit({ limit: 10 })).entries;
    const refusal = setChannelCredentials(deps, 'news-bsky', bsky('wrong-password-1'), 'Ada');
    await expect(refusal).rejects.toThrow(ValidationError);
    await expect(
      setChannelCredentials(deps, 'news-bsky', bsky('wrong-password-1'), 'Ada'),
    ).rejects.toThrow(/Invalid identifier or password/);
    expect(secrets.values.size).toBe(0);
    expect((await world.directory.listAudit({ limit: 10 })).entries).toEqual(audit);
  });

  it('answers a conflict for a channel whose credentials come from the environment', async () => {
    env[credentialsEnvName('news-bsky')] = JSON.stringify(bsky(GOOD));
    await expect(setChannelCredentials(deps, 'news-bsky', bsky(GOOD), 'Ada')).rejects.toThrow(
      ConflictError,
    );
    expect(secrets.values.size).toBe(0);
  });

  it('answers not found for an unknown or archived channel', async () => {
    await expect(setChannelCredentials(deps, 'nobody', bsky(GOOD), 'Ada')).rejects.toThrow(
      NotFoundError,
    );
    await world.directory.archiveChannel('news-bsky', { who: 'test' });
    await expect(setChannelCredentials(deps, 'news-bsky', bsky(GOOD), 'Ada')).rejects.toThrow(
      NotFoundError,
    );
  });
});

describe('setting credentials while a token refresh is under way', () => {
  let leases: InMemoryRefreshLeases;
  beforeEach(() => {
    leases = new InMemoryRefreshLeases();
  });

  /** A keeper whose refresh of the old grant hangs until `finish` is called. */
  function slowKeeper() {
    let finish = () => {};
    const gate = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let started = () => {};
    const asked = new Promise<void>((resolve) => {
      started = resolve;
    });
    const keeper = new TokenKeeper({
      credentials: deps.credentials as ChannelCredentials,
      leases,
      clock: world.clock,
      refresherFor: () => async (old) => {
        started();
        await gate;
        return { ok: true, credentials: { ...old, accessToken: 'renewed-old-grant' } };
      },
    });
    return { keeper, asked, finish: () => finish() };
  }

  it('waits for the refresh to store its answer, then stores the new credentials over it', async () => {
    await secrets.put('news-bsky', bsky(GOOD, { accessToken: 'old-grant', refreshToken: 'r-1' }));
    const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));
    const leased = { ...deps, leases, sleep: tick };
    const { keeper, asked, finish } = slowKeeper();
    // The keeper renews any OAuth grant the same way; X's needs a refresh token.
    const refresh = keeper.fresh({ id: 'news-bsky', platform: 'x' }, { force: true });
    await asked;
    const setting = setChannelCredentials(
      leased,
      'news-bsky',
      bsky(GOOD, { accessToken: 'new-grant' }),
      'Ada',
    );
    // The refresh still holds the lease: nothing is written yet.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(secrets.values.get('news-bsky')).toMatchObject({ accessToken: 'old-grant' });
    finish();
    await refresh;
    await setting;
    expect(secrets.values.get('news-bsky')).toMatchObject({ accessToken: 'new-grant' });
    expect(leases.held.size).toBe(0);
  });

  it('answers a conflict and stores nothing when the refresh keeps the lease too long', async () => {
    await secrets.put('news-bsky', bsky(GOOD, { accessToken: 'old-grant' }));
    const now = world.clock.now();
    await leases.take(
      'news-bsky',
      'keeper',
      now.toISOString(),
      new Date(now.getTime() + 30_000).toISOString(),
    );
    const leased = {
      ...deps,
      leases,
      leaseWaitMs: 1_000,
      sleep: () => Promise.resolve(),
    };
    await expect(
      setChannelCredentials(leased, 'news-bsky', bsky(GOOD, { accessToken: 'new-grant' }), 'Ada'),
    ).rejects.toThrow(/token refresh of channel news-bsky is under way/);
    expect(secrets.values.get('news-bsky')).toMatchObject({ accessToken: 'old-grant' });
    expect(leases.held.get('news-bsky')?.owner).toBe('keeper');
  });
});

/** What the scheduled check takes: the whole directory and state store. */
const scheduled = () => ({
  ...deps,
  directory: world.directory,
  channelState: world.channelState,
});

describe('checking a channel', () => {
  it('is unconnected without credentials, then ok once they are set, then failing once revoked', async () => {
    expect((await checkChannelById(deps, 'news-bsky')).health).toMatchObject({
      status: 'unconnected',
    });
    await setChannelCredentials(deps, 'news-bsky', bsky(GOOD), 'Ada');
    expect((await checkChannelById(deps, 'news-bsky')).health.status).toBe('ok');
    // The password is revoked at the network: the stored one no longer works.
    await secrets.put('news-bsky', bsky('revoked-password'));
    const checker = { ...deps, credentials: new ChannelCredentials(env, secrets) };
    const { health } = await checkChannelById(checker, 'news-bsky');
    expect(health).toMatchObject({ status: 'failing', reason: expect.stringMatching(/401/) });
    expect((await world.channelState.get('news-bsky')).health).toEqual(health);
  });

  it('is expiring when a token that cannot be refreshed, or a refresh grant, ends within 7 days', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const ok: Verification = { ok: true, account: 'a', credentials: {} };
    const soon = '2026-03-05T12:00:00Z';
    const later = '2026-04-20T12:00:00Z';
    expect(healthOf(ok, { expiresAt: soon }, now)).toMatchObject({
      status: 'expiring',
      reason: expect.stringMatching(/cannot be refreshed/),
    });
    // A token Crier can refresh is not a person's problem.
    expect(healthOf(ok, { expiresAt: soon, refreshToken: 'r' }, now).status).toBe('ok');
    expect(healthOf(ok, { refreshToken: 'r', refreshExpiresAt: soon }, now)).toMatchObject({
      status: 'expiring',
      reason: expect.stringMatching(/refresh grant ends/),
    });
    expect(healthOf(ok, { expiresAt: later }, now).status).toBe('ok');
    // Epoch seconds and milliseconds, as token endpoints give them.
    const soonMs = Date.parse(soon);
    expect(healthOf(ok, { expiresAt: soonMs }, now).status).toBe('expiring');
    expect(healthOf(ok, { expiresAt: soonMs / 1000 }, now).status).toBe('expiring');
    expect(healthOf(ok, { expiresAt: Date.parse(later) / 1000 }, now).status).toBe('ok');
    expect(healthOf(ok, {}, now)).toEqual({
      status: 'ok',
      reason: null,
      checkedAt: now.toISOString(),
    });
  });

  it('is not expiring for a Threads or Instagram-login token, which renews itself while it lives', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const ok: Verification = { ok: true, account: 'a', credentials: {} };
    const soon = { accessToken: 't', expiresAt: '2026-03-05T12:00:00Z' };
    expect(healthOf(ok, soon, now, 'threads').status).toBe('ok');
    expect(healthOf(ok, { ...soon, login: 'instagram' }, now, 'instagram').status).toBe('ok');
    // A Facebook-login token has no such refresh, nor has another network's.
    expect(healthOf(ok, { ...soon, login: 'facebook' }, now, 'instagram').status).toBe('expiring');
    expect(healthOf(ok, soon, now, 'mastodon').status).toBe('expiring');
  });

  it('checks daily: a channel checked within the day waits, and failing ones are counted', async () => {
    await secrets.put('news-bsky', bsky('revoked-password'));
    const first = await checkDueChannels(scheduled(), 10_000);
    expect(first.checked.map((c) => c.health.status)).toEqual(['failing']);
    expect(first.failing).toBe(1);
    world.clock.advance(60 * 60_000);
    const again = await checkDueChannels(scheduled(), 10_000);
    expect(again).toEqual({ checked: [], failing: 1 });
    world.clock.advance(24 * 60 * 60_000);
    expect((await checkDueChannels(scheduled(), 10_000)).checked).toHaveLength(1);
  });
});

describe('redacting', () => {
  it('blanks every credential value out of a network message, bot token halves included', () => {
    const credentials = { botToken: '123456:ABCDEFGHIJKLMNOP', chatId: '@news' };
    expect(redact('bad token 123456:ABCDEFGHIJKLMNOP and ABCDEFGHIJKLMNOP', credentials)).toBe(
      'bad token <secret> and <secret>',
    );
  });
});
