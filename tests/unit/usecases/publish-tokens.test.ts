/**
 * The publisher and the token keeper: a token about to die is renewed before the claim,
 * an expired-token refusal is refreshed and retried once, and a token nobody can renew
 * parks the share, scheduled and waiting for a reconnect, without spending an attempt.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../shared/domain/channel';
import type { ArticleRecord } from '../../../shared/domain/ports';
import { applyEvent, type Share } from '../../../shared/domain/share';
import { handlePublishMessage } from '../../../shared/usecases/publish-share';
import { releaseWaitingShares } from '../../../shared/usecases/reconnect-channel';
import type { FreshCredentials } from '../../../shared/usecases/token-keeper';
import { at, deskOf, START } from '../../support/in-memory/desk';
import { channelOf, publishDeps, queuedShare, refOf } from '../../support/in-memory/fixtures';
import { type InMemoryWorld, outcome, type ScriptedClient } from '../../support/in-memory/index';
import { InMemoryNotificationStore } from '../../support/in-memory/notifications';

let world: InMemoryWorld;
let client: ScriptedClient;
let channel: Channel;
let record: ArticleRecord;

/** A keeper that answers as scripted and records how it was asked. */
function keeper(...answers: FreshCredentials[]) {
  const asked: { channelId: string; force: boolean }[] = [];
  return {
    asked,
    async fresh(c: { id: string }, options: { force?: boolean } = {}) {
      asked.push({ channelId: c.id, force: options.force ?? false });
      const next = answers.shift();
      if (!next) throw new Error('no answer scripted');
      return next;
    },
  };
}

beforeEach(async () => {
  ({ world, client, channel, record } = await deskOf({
    channel: channelOf({ id: 'x-desk', platform: 'x' }),
  }));
});

const publish = (share: Share, overrides = {}) =>
  handlePublishMessage(publishDeps(world, [channel], client, overrides), refOf(share));

describe('the publisher keeps tokens alive', () => {
  it('posts with the credentials a refresh before the claim gave', async () => {
    const queued = await queuedShare(world, record, channel);
    const tokens = keeper({ status: 'refreshed', credentials: { accessToken: 'new' } });
    client.onPublish(outcome.posted('1'));
    const result = await publish(queued, { tokens });
    expect(result.outcome).toBe('published');
    expect(tokens.asked).toEqual([{ channelId: 'x-desk', force: false }]);
    expect(client.calls[0]?.credentials).toEqual({ accessToken: 'new' });
  });

  it('refreshes on an expired-token refusal and posts on the one retry, spending no attempt', async () => {
    const queued = await queuedShare(world, record, channel);
    const tokens = keeper(
      { status: 'fresh', credentials: { accessToken: 'old' } },
      { status: 'refreshed', credentials: { accessToken: 'new' } },
    );
    client.onPublish(outcome.auth('HTTP 401: token expired'), outcome.posted('2'));
    const result = await publish(queued, { tokens });
    expect(result.outcome).toBe('published');
    expect(tokens.asked).toEqual([
      { channelId: 'x-desk', force: false },
      { channelId: 'x-desk', force: true },
    ]);
    expect(client.calls.map((c) => c.credentials)).toEqual([
      { token: 'token-x-desk' },
      { accessToken: 'new' },
    ]);
    expect((await world.shares.get(refOf(queued)))?.attempt).toBe(0);
  });

  it('parks a share whose token cannot be refreshed: scheduled, waiting, no attempt, told once', async () => {
    const queued = await queuedShare(world, record, channel);
    const notifications = new InMemoryNotificationStore();
    const reason = 'The token cannot be refreshed (X refused the refresh): reconnect the channel';
    const tokens = keeper(
      { status: 'unrefreshable', credentials: {}, reason },
      { status: 'unrefreshable', credentials: {}, reason },
    );
    const result = await publish(queued, { tokens, notifications });
    expect(result.outcome).toBe('deferred');
    const parked = await world.shares.get(refOf(queued));
    expect(parked).toMatchObject({
      status: 'scheduled',
      attempt: 0,
      waitingForReconnect: START,
      lastError: reason,
      dueAt: at(5 * 60_000),
    });
    expect(client.calls).toHaveLength(0);
    expect([...notifications.events.values()].map((e) => e.kind)).toEqual(['share-parked']);

    // Looked at again later, still dead: a longer pause, and no second notification.
    world.clock.set(at(60 * 60_000));
    if (!parked) throw new Error('the share is gone');
    const requeued = applyEvent(parked, 'enqueue', {
      at: world.clock.now(),
      by: 'dispatcher',
      patch: { leaseUntil: at(60 * 60_000 + 120_000) },
    });
    expect(await world.shares.replace(parked, requeued)).toBe(true);
    await publish(requeued, { tokens, notifications });
    const later = await world.shares.get(refOf(queued));
    expect(later).toMatchObject({ status: 'scheduled', waitingForReconnect: START, attempt: 0 });
    expect(later?.dueAt).toBe(at(2 * 60 * 60_000));
    expect(notifications.events.size).toBe(1);
  });

  it('parks a claimed share when the network refuses the token and no refresh can help', async () => {
    const queued = await queuedShare(world, record, channel);
    const reason =
      'The token cannot be refreshed (the token has no refresh token): reconnect the channel';
    const tokens = keeper(
      { status: 'fresh', credentials: { accessToken: 'old' } },
      { status: 'unrefreshable', credentials: {}, reason },
    );
    client.onPublish(outcome.auth('HTTP 401: token expired'));
    await publish(queued, { tokens });
    const parked = await world.shares.get(refOf(queued));
    expect(parked).toMatchObject({ status: 'scheduled', attempt: 0, waitingForReconnect: START });
    expect(parked?.leaseUntil).toBeUndefined();
    expect(client.calls).toHaveLength(1);
  });

  it('makes the shares waiting for a reconnect due now once the channel is reconnected', async () => {
    const queued = await queuedShare(world, record, channel);
    const reason =
      'The token cannot be refreshed (the token has no refresh token): reconnect the channel';
    await publish(queued, { tokens: keeper({ status: 'unrefreshable', credentials: {}, reason }) });
    world.clock.set(at(60_000));
    const deps = { timeline: world.timeline, shares: world.shares, clock: world.clock };
    expect(await releaseWaitingShares(deps, channel.id)).toBe(1);
    const due = await world.shares.get(refOf(queued));
    expect(due).toMatchObject({ status: 'scheduled', dueAt: at(60_000), attempt: 0 });
    expect(due?.waitingForReconnect).toBeUndefined();
    expect(due?.history.at(-1)?.reason).toMatch(/reconnected/);
    // Nothing is waiting any more: a second reconnect changes nothing.
    expect(await releaseWaitingShares(deps, channel.id)).toBe(0);
  });
});
