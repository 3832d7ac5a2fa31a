/**
 * The publisher with the token keeper against the Threads sandbox, tokens living three
 * seconds: a channel keeps posting across several expiries with no expired token left
 * unrecovered; a revoked grant parks the next share (scheduled, waiting for a reconnect,
 * the channel failing), and credentials set again send it. A refusal for a missing
 * permission spends no refresh: only a token called expired is renewed and tried again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { AuthLedger } from '../../../infra/local/sandbox/kit/oauth';
import { startThreadsSandbox } from '../../../infra/local/sandbox/threads';
import type { RunningSandbox } from '../../../infra/local/sandbox/types';
import { FileChannelSecrets } from '../../../shared/config/channel-secrets';
import { ChannelCredentials } from '../../../shared/config/credentials';
import { systemClock } from '../../../shared/domain/ports';
import { applyEvent } from '../../../shared/domain/share';
import { clientFor } from '../../../shared/platforms/clients';
import { refresherFor } from '../../../shared/platforms/refresh';
import { handlePublishMessage } from '../../../shared/usecases/publish-share';
import { releaseWaitingShares } from '../../../shared/usecases/reconnect-channel';
import { TokenKeeper } from '../../../shared/usecases/token-keeper';
import {
  channelOf,
  publishDeps,
  queuedShare,
  refOf,
  storeArticle,
} from '../../support/in-memory/fixtures';
import { InMemoryRefreshLeases, inMemoryWorld } from '../../support/in-memory/index';
import {
  connectThreads,
  publishOverLives,
  secretsFolderForFile,
  startShortLived,
} from '../../support/kept-tokens';

const ledger = new AuthLedger();
const folder = secretsFolderForFile('crier-kept-tokens-');
let sandbox: RunningSandbox;
/**
 * For the refusals, a sandbox of its own whose tokens live a minute: no refresh comes
 * from the token's age however slow the machine, only from the refusals.
 */
const steadyLedger = new AuthLedger();
const faults = new FaultInjector(undefined, 1);
let steady: RunningSandbox;

beforeAll(async () => {
  sandbox = await startShortLived(startThreadsSandbox, ledger);
  steady = await startShortLived(startThreadsSandbox, steadyLedger, {
    faults,
    tokenSeconds: 60,
  });
});

afterAll(async () => {
  await sandbox?.stop();
  await steady?.stop();
});

/** The publisher with a token keeper over this file's secrets folder, for one Threads channel. */
async function threadsPublisher(id: string) {
  const world = inMemoryWorld(new Date());
  const channel = channelOf({ id, platform: 'threads', account: '@newsroom' });
  const credentials = new ChannelCredentials({}, new FileChannelSecrets(folder()));
  const tokens = new TokenKeeper({
    credentials,
    leases: new InMemoryRefreshLeases(),
    refresherFor: (platform) => refresherFor(platform, { apps: { get: async () => undefined } }),
    clock: systemClock,
    channelState: world.channelState,
  });
  const client = await clientFor('threads');
  if (!client) throw new Error('no Threads client');
  return {
    world,
    channel,
    credentials,
    deps: publishDeps(world, [channel], client, { credentials, tokens }),
  };
}

describe('a Threads channel whose token is kept alive', () => {
  it('fails a share refused for a missing permission without a refresh; an expired token is refreshed once', async () => {
    const { world, channel, credentials, deps } = await threadsPublisher('threads-permission');
    const connected = await connectThreads(steady);
    await credentials.put(channel.id, connected);
    const refreshed = () => steadyLedger.snapshot().threads?.refreshed ?? 0;

    const before = refreshed();
    faults.set('threads:permission:1:1');
    world.clock.set(new Date());
    const refused = await queuedShare(world, await storeArticle(world), channel);
    expect((await handlePublishMessage(deps, refOf(refused))).outcome).toBe('failed');
    expect((await world.shares.get(refOf(refused)))?.lastError).toMatch(
      /^permission: .*\(#10\) Application does not have permission/,
    );
    expect(refreshed()).toBe(before);

    // Meta renews a token once it is a day old: a second, at this sandbox's scale.
    await sleep(Math.max(0, Date.parse(String(connected.obtainedAt)) + 1_200 - Date.now()));
    faults.set('threads:expired-token:1:1');
    world.clock.set(new Date());
    const expired = await queuedShare(world, await storeArticle(world), channel);
    expect((await handlePublishMessage(deps, refOf(expired))).outcome).toBe('published');
    expect(refreshed()).toBe(before + 1);
    faults.set(undefined);
  });

  it('keeps posting across expiries, parks on a revoked grant, and posts once reconnected', async () => {
    const { world, channel, credentials, deps } = await threadsPublisher('threads-kept');
    await credentials.put(channel.id, await connectThreads(sandbox));
    const before = ledger.snapshot().threads ?? { refreshed: 0, expired: 0 };

    const posted = await publishOverLives(world, channel, deps, 3);
    expect(posted).toBeGreaterThanOrEqual(6);
    const after = ledger.snapshot().threads;
    expect((after?.refreshed ?? 0) - before.refreshed).toBeGreaterThanOrEqual(2);
    // Every expired token presented (a race at the margin's edge) was refreshed and retried.
    expect(after?.expired ?? 0).toBe(before.expired);

    // The grant is revoked: the next share parks, the channel fails, no attempt is spent.
    const stored = (await new FileChannelSecrets(folder()).get(channel.id)) as {
      accessToken: string;
    };
    const removed = await fetch(
      `${sandbox.url}/v1.0/me/permissions?access_token=${stored.accessToken}`,
      {
        method: 'DELETE',
      },
    );
    expect(removed.status).toBe(200);
    world.clock.set(new Date());
    const share = await queuedShare(world, await storeArticle(world), channel);
    await handlePublishMessage(deps, refOf(share));
    const parked = await world.shares.get(refOf(share));
    expect(parked).toMatchObject({ status: 'scheduled', attempt: 0 });
    expect(parked?.waitingForReconnect).toEqual(expect.any(String));
    expect((await world.channelState.get(channel.id)).health?.status).toBe('failing');

    // Reconnected: the waiting share is due now, and it posts.
    await credentials.put(channel.id, await connectThreads(sandbox));
    const now = new Date();
    world.clock.set(now);
    expect(await releaseWaitingShares({ ...world, clock: world.clock }, channel.id)).toBe(1);
    const due = await world.shares.get(refOf(share));
    if (!due) throw new Error('the share is gone');
    expect(due.dueAt).toBe(now.toISOString());
    const requeued = applyEvent(due, 'enqueue', {
      at: now,
      by: 'dispatcher',
      patch: { leaseUntil: new Date(now.getTime() + 120_000).toISOString() },
    });
    expect(await world.shares.replace(due, requeued)).toBe(true);
    expect((await handlePublishMessage(deps, refOf(share))).outcome).toBe('published');
  });
});
