/**
 * Bluesky logins are single-flight per channel: shares of two channels published at the
 * same moment, by two publisher processes (each with its own copy of the client module,
 * so nothing in memory is shared but the table and the secrets), log in once per channel.
 * Each channel posts to a sandbox of its own, whose ledger counts its sessions.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBlueskySandbox } from '../../../infra/local/sandbox/bluesky';
import { AuthLedger } from '../../../infra/local/sandbox/kit/oauth';
import type { RunningSandbox } from '../../../infra/local/sandbox/types';
import { FileChannelSecrets } from '../../../shared/config/channel-secrets';
import { ChannelCredentials } from '../../../shared/config/credentials';
import { SessionInSecret } from '../../../shared/config/session-in-secret';
import type { NetworkClient } from '../../../shared/platforms/client';
import { handlePublishMessage } from '../../../shared/usecases/publish-share';
import { SessionGate } from '../../../shared/usecases/session-gate';
import { InMemoryRefreshLeases } from '../../support/in-memory';
import {
  channelOf,
  publishDeps,
  queuedShare,
  refOf,
  storeArticle,
} from '../../support/in-memory/fixtures';
import { inMemoryWorld } from '../../support/in-memory/index';
import { secretsFolderForFile, startShortLived } from '../../support/kept-tokens';

const ledgers = { a: new AuthLedger(), b: new AuthLedger() };
const folder = secretsFolderForFile('crier-bsky-logins-');
const sandboxes: Partial<Record<'a' | 'b', RunningSandbox>> = {};

beforeAll(async () => {
  for (const key of ['a', 'b'] as const) {
    sandboxes[key] = await startShortLived(startBlueskySandbox, ledgers[key], {
      tokenSeconds: 3600,
    });
  }
});

afterAll(async () => {
  await Promise.all(Object.values(sandboxes).map((s) => s?.stop()));
});

/**
 * Fresh copies of the Bluesky client module, one per process, made one after the other
 * (two imports under way at once would share one copy).
 */
async function processClients(count: number): Promise<NetworkClient[]> {
  const clients: NetworkClient[] = [];
  for (let i = 0; i < count; i += 1) {
    vi.resetModules();
    const module = await import('../../../shared/platforms/bluesky/client');
    clients.push(module.createBlueskyClient());
  }
  expect(new Set(clients.map((c) => c.withdraw)).size).toBe(count);
  return clients;
}

const logins = (ledger: AuthLedger) => {
  const counts = ledger.snapshot().bluesky;
  // A refresh issues a session too: logins are the sessions no refresh made.
  return (counts?.issued ?? 0) - (counts?.refreshed ?? 0);
};

describe('Bluesky logins at the same moment', () => {
  it('log in at most once per channel for six shares of two channels published at once by two processes', async () => {
    const world = inMemoryWorld(new Date());
    const channels = (['a', 'b'] as const).map((key) =>
      channelOf({ id: `bsky-${key}`, platform: 'bluesky', account: '@newsroom' }),
    );
    const secrets = new FileChannelSecrets(folder());
    const leases = new InMemoryRefreshLeases();
    const clients = await processClients(2);
    const processes = await Promise.all(
      clients.map(async (client) => {
        // Each process caches the secrets on its own.
        const credentials = new ChannelCredentials({}, secrets);
        const channelState = new SessionInSecret(world.channelState, credentials);
        const sessions = new SessionGate({
          leases,
          channelState,
          clock: world.clock,
          forget: (id) => credentials.forget(id),
          pollMs: 20,
        });
        return publishDeps(world, channels, client, {
          credentials,
          channelState,
          sessions,
        });
      }),
    );
    const seed = new ChannelCredentials({}, secrets);
    await seed.put('bsky-a', sandboxes.a?.credentials);
    await seed.put('bsky-b', sandboxes.b?.credentials);

    const shares = [];
    for (let i = 0; i < 3; i += 1) {
      for (const channel of channels) {
        shares.push(await queuedShare(world, await storeArticle(world), channel));
      }
    }
    const [one, two] = processes;
    if (!one || !two) throw new Error('two processes');
    const results = await Promise.all(
      shares.map((share, i) =>
        handlePublishMessage(Math.floor(i / 2) % 2 ? two : one, refOf(share)),
      ),
    );
    expect(results.map((r) => r.outcome)).toEqual(shares.map(() => 'published'));
    expect(logins(ledgers.a)).toBe(1);
    expect(logins(ledgers.b)).toBe(1);

    // The session each channel's login made is the one stored in its secret.
    for (const channel of channels) {
      const stored = (await secrets.get(channel.id)) as Record<string, unknown>;
      expect(JSON.parse(String(stored.session))).toMatchObject({ accessJwt: expect.any(String) });
    }
  });

  it('log in once when two processes need a session for one channel at the same instant: the second waits at the lease and takes the session the first stored', async () => {
    const world = inMemoryWorld(new Date());
    const secrets = new FileChannelSecrets(folder());
    const leases = new InMemoryRefreshLeases();
    const sandbox = sandboxes.a;
    if (!sandbox) throw new Error('no sandbox');
    // The account's DID, from the session the first test stored.
    const earlier = (await secrets.get('bsky-a')) as Record<string, unknown>;
    const did = String(JSON.parse(String(earlier.session)).did);
    await new ChannelCredentials({}, secrets).put('bsky-c', sandbox.credentials);
    const before = logins(ledgers.a);

    const clients = await processClients(2);
    const calls = await Promise.all(
      clients.map(async (client) => {
        const credentials = new ChannelCredentials({}, secrets);
        const channelState = new SessionInSecret(world.channelState, credentials);
        const gate = new SessionGate({
          leases,
          channelState,
          clock: world.clock,
          forget: (id) => credentials.forget(id),
          pollMs: 20,
        });
        return { client, loginGate: gate.for('bsky-c') };
      }),
    );
    const share = {
      ...(await queuedShare(
        world,
        await storeArticle(world),
        channelOf({ id: 'bsky-c', platform: 'bluesky', account: '@newsroom' }),
      )),
      // Deleting a record that is not there succeeds: a call that needs nothing but a session.
      remoteId: `at://${did}/app.bsky.feed.post/3kabcdefghij2`,
    };
    const outcomes = await Promise.all(
      calls.map(({ client, loginGate }) =>
        client.withdraw({
          share,
          account: '@newsroom',
          credentials: sandbox.credentials,
          timeoutMs: 5_000,
          action: 'delete',
          loginGate,
        }),
      ),
    );
    expect(outcomes.map((o) => o.kind)).toEqual(['withdrawn', 'withdrawn']);
    expect(logins(ledgers.a) - before).toBe(1);
  });
});
