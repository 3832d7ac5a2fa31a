/**
 * The dispatcher's tick (dispatch.ts), in memory: due shares claimed and sent with the
 * wait left, and the sweep of expired leases: a lost message sent again, a worker that
 * died leaving its share unknown for reconcile, an unknown share sent back when its next
 * reconcile time comes. The same sweep runs on dynalite in
 * tests/integration/usecases/dispatch-sweep.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../shared/domain/channel';
import { applyEvent } from '../../../shared/domain/share';
import { dispatchDue, enqueueIfDue, type ShareFailure } from '../../../shared/usecases/dispatch';
import { handlePublishMessage } from '../../../shared/usecases/publish-share';
import { at, START } from '../../support/in-memory/desk';
import {
  channelOf,
  composedShare,
  dispatchDeps,
  moves,
  publishDeps,
  queuedShare,
  refOf,
  storeArticle,
} from '../../support/in-memory/fixtures';
import {
  type InMemoryWorld,
  inMemoryWorld,
  outcome,
  ScriptedClient,
} from '../../support/in-memory/index';

const NOTHING = { enqueued: 0, requeued: 0, expired: 0, reconciling: 0, stuck: 0, failed: 0 };

let world: InMemoryWorld;
let channel: Channel;

beforeEach(() => {
  world = inMemoryWorld(START);
  channel = channelOf({ id: 'masto-desk' });
});

const tick = () => dispatchDue(dispatchDeps(world));

describe('due shares', () => {
  it('counts the wait left after the claim is written, which takes its own time', async () => {
    const share = await composedShare(world, await storeArticle(world), channel, {
      dueAt: at(5_000),
    });
    const replace = world.shares.replace.bind(world.shares);
    world.shares.replace = async (...args) => {
      world.clock.advance(700);
      return replace(...args);
    };

    expect((await enqueueIfDue(dispatchDeps(world), share)).status).toBe('queued');
    // Sent 4.3 s before its time: 4 s of DelaySeconds, the publisher waits the rest.
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(share), requestedDelaySeconds: 4.3, delaySeconds: 4 },
    ]);
  });

  it('claims what falls due within the look-ahead, with the wait left, and leaves the rest', async () => {
    const soon = await composedShare(world, await storeArticle(world), channel, {
      dueAt: at(90_000),
    });
    const later = await composedShare(world, await storeArticle(world), channel, {
      dueAt: at(121_000),
    });
    const draft = await composedShare(world, await storeArticle(world), channel, {
      status: 'draft',
      dueAt: at(0),
    });

    expect(await tick()).toEqual({ ...NOTHING, enqueued: 1 });

    expect(await world.shares.get(refOf(soon))).toMatchObject({
      status: 'queued',
      version: 2,
      leaseUntil: at(90_000 + 120_000),
    });
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(soon), requestedDelaySeconds: 90, delaySeconds: 90 },
    ]);
    expect(await world.shares.get(refOf(later))).toEqual(later);
    expect(await world.shares.get(refOf(draft))).toEqual(draft);
    // A second tick finds nothing new to claim.
    expect(await tick()).toEqual(NOTHING);
    expect(world.publishQueue.sent).toEqual([]);
  });
});

describe('a share the tick cannot write', () => {
  it('is skipped, counted and told, the other due shares go out, and the next tick tries it again', async () => {
    const due = [];
    for (let n = 0; n < 3; n += 1) {
      due.push(
        await composedShare(world, await storeArticle(world), channel, { dueAt: at(60_000) }),
      );
    }
    world.shares.interceptNextReplace(() => {
      throw new Error('Item size has exceeded the maximum allowed size');
    });
    const failures: ShareFailure[] = [];

    expect(await dispatchDue(dispatchDeps(world), (f) => failures.push(f))).toEqual({
      ...NOTHING,
      enqueued: 2,
      failed: 1,
    });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ step: 'due', error: expect.any(Error) });
    const skipped = due.find((share) => share.articleId === failures[0]?.share.articleId);
    if (!skipped) throw new Error('the failure names no share of the tick');
    expect((await world.shares.get(refOf(skipped)))?.status).toBe('scheduled');
    expect(world.publishQueue.take()).toHaveLength(2);

    expect(await tick()).toEqual({ ...NOTHING, enqueued: 1 });
    for (const share of due) expect((await world.shares.get(refOf(share)))?.status).toBe('queued');
  });
});

describe('the sweep', () => {
  it('sends a queued share again when its message was lost', async () => {
    const queued = await queuedShare(world, await storeArticle(world), channel);
    world.clock.set(at(120_001));

    expect(await tick()).toEqual({ ...NOTHING, requeued: 1, stuck: 1 });

    const share = await world.shares.get(refOf(queued));
    expect(share).toMatchObject({
      status: 'queued',
      version: 4,
      leaseUntil: at(120_001 + 120_000),
    });
    expect(moves(share, 2)).toEqual([
      {
        event: 'requeue',
        from: 'queued',
        to: 'scheduled',
        by: 'dispatcher',
        reason: 'lease expired while queued: the message was lost',
      },
      { event: 'enqueue', from: 'scheduled', to: 'queued', by: 'dispatcher' },
    ]);
    // Due two minutes ago: the delay asked for is negative, and SQS gets 0.
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(queued), requestedDelaySeconds: -120.001, delaySeconds: 0 },
    ]);
  });

  it('leaves a claim whose lease still runs', async () => {
    await queuedShare(world, await storeArticle(world), channel);
    world.clock.set(at(119_999));
    expect(await tick()).toEqual(NOTHING);
  });

  it("makes a dead worker's publishing share unknown and sends it to reconcile, which finds no post and retries with the same key", async () => {
    const queued = await queuedShare(world, await storeArticle(world), channel);
    const claimed = applyEvent(queued, 'start', {
      at: world.clock.now(),
      by: 'publisher',
      patch: { leaseUntil: at(90_000), firstClaimedAt: START },
    });
    expect(await world.shares.replace(queued, claimed)).toBe(true);
    world.clock.set(at(90_000));

    expect(await tick()).toEqual({ ...NOTHING, expired: 1, stuck: 1 });

    const unknown = await world.shares.get(refOf(queued));
    expect(unknown).toMatchObject({ status: 'unknown', version: 5, leaseUntil: at(180_000) });
    expect(moves(unknown, 1)).toEqual([
      {
        event: 'expire',
        from: 'publishing',
        to: 'unknown',
        by: 'dispatcher',
        reason: 'lease expired while publishing: no result was recorded',
      },
    ]);
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(queued), requestedDelaySeconds: 0, delaySeconds: 0 },
    ]);
    // While its reconcile message is out, the next tick leaves it alone.
    world.clock.advance(60_000);
    expect(await tick()).toEqual(NOTHING);

    const client = new ScriptedClient().onReconcile(outcome.absent());
    const result = await handlePublishMessage(publishDeps(world, [channel], client), refOf(queued));
    expect(result).toMatchObject({
      outcome: 'deferred',
      share: { status: 'queued', attempt: 1, idempotencyKey: queued.idempotencyKey },
    });
    expect(client.callsOf('publish')).toEqual([]);
    expect(client.callsOf('reconcile')).toHaveLength(1);
  });
});
