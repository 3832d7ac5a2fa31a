/**
 * The publish worker's state transitions (publish-share.ts), in memory: each network
 * outcome moves the share where the state machine says, with the version, history,
 * attempt, dueAt and lease it must have, and sends what it must. The same flows run
 * against dynalite and the sandboxes in tests/integration and tests/e2e.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../shared/domain/channel';
import type { ArticleRecord } from '../../../shared/domain/ports';
import { applyEvent, type Share } from '../../../shared/domain/share';
import { dispatchDue } from '../../../shared/usecases/dispatch';
import { handlePublishMessage, type PublishResult } from '../../../shared/usecases/publish-share';
import { at, deskOf, START } from '../../support/in-memory/desk';
import {
  channelOf,
  dispatchDeps,
  moves,
  PUBLISHING,
  publishDeps,
  queuedShare,
  refOf,
  storeArticle,
  storeRevision,
} from '../../support/in-memory/fixtures';
import {
  type InMemoryWorld,
  outcome,
  ScriptedClient,
  StaticCredentials,
} from '../../support/in-memory/index';

let world: InMemoryWorld;
let client: ScriptedClient;
let channel: Channel;
let record: ArticleRecord;

beforeEach(async () => {
  ({ world, client, channel, record } = await deskOf());
});

const deps = (overrides = {}) => publishDeps(world, [channel], client, overrides);
const publish = (share: Share, overrides = {}) =>
  handlePublishMessage(deps(overrides), refOf(share));
const stored = async (share: Share) => world.shares.get(refOf(share));

/** The share a result carries, or a failure naming the outcome it did not expect. */
function shareOf(result: PublishResult): Share {
  if (!('share' in result)) throw new Error(`no share: ${JSON.stringify(result)}`);
  return result.share;
}

describe('a queued share meets the network', () => {
  it('posts: queued -> publishing -> published, recording the remote id', async () => {
    const queued = await queuedShare(world, record, channel);
    expect(queued).toMatchObject({ status: 'queued', version: 2, leaseUntil: at(120_000) });
    client.onPublish(outcome.posted('110', 'https://social.example/@desk/110'));

    const result = await publish(queued);

    const share = await stored(queued);
    expect(result).toEqual({ outcome: 'published', share });
    expect(share).toMatchObject({
      status: 'published',
      version: 4,
      attempt: 0,
      remoteId: '110',
      remoteUrl: 'https://social.example/@desk/110',
      firstClaimedAt: START,
      idempotencyKey: queued.idempotencyKey,
    });
    expect(share?.leaseUntil).toBeUndefined();
    expect(share?.lastError).toBeUndefined();
    expect(moves(share)).toEqual([
      { event: 'compose', to: 'scheduled', by: 'crier', reason: 'revision 1' },
      { event: 'enqueue', from: 'scheduled', to: 'queued', by: 'dispatcher' },
      { event: 'start', from: 'queued', to: 'publishing', by: 'publisher', reason: 'attempt 1' },
      { event: 'succeed', from: 'publishing', to: 'published', by: 'publisher' },
    ]);
    // The network saw the claimed share, its lease and its key, once.
    expect(client.calls).toHaveLength(1);
    expect(client.calls[0]).toMatchObject({
      method: 'publish',
      account: '@desk@social.example',
      credentials: { token: 'token-masto-desk' },
      timeoutMs: PUBLISHING.networkTimeoutMs,
      share: { status: 'publishing', version: 3, leaseUntil: at(90_000) },
    });
    expect(client.calls[0]?.share.idempotencyKey).toBe(queued.idempotencyKey);
    // Announced to the CMS once recorded; nothing else queued.
    expect(world.syndication.sent).toEqual([
      { articleId: record.articleId, channelId: channel.id },
    ]);
    expect(world.publishQueue.sent).toEqual([]);
    expect(world.shares.writes.filter((w) => w.op === 'replace').map((w) => w.ok)).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('keeps the warnings a published post brings back (a mention left as plain text) beside the composed ones', async () => {
    const queued = await queuedShare(world, record, channel);
    await world.shares.replace(queued, { ...queued, warnings: ['the card has no image'] });
    const before = await stored(queued);
    if (!before) throw new Error('the queued share is gone');
    client.onPublish({
      ...outcome.posted('111', 'https://social.example/@desk/111'),
      warnings: ['@nobody.example.com is not an account that could be found'],
    });

    await publish(before);

    expect((await stored(queued))?.warnings).toEqual([
      'the card has no image',
      '@nobody.example.com is not an account that could be found',
    ]);
  });

  it('backs off a retryable error: scheduled with attempt + 1, dueAt after the backoff, then queued again', async () => {
    const queued = await queuedShare(world, record, channel);
    client.onPublish(outcome.retry('HTTP 503: try again'));

    const result = await publish(queued);

    // 5 s x 2^0, jitter 0.5: 3.75 s. Within the look-ahead, so it is claimed again at once.
    const share = await stored(queued);
    expect(result).toEqual({ outcome: 'deferred', share });
    expect(share).toMatchObject({
      status: 'queued',
      version: 5,
      attempt: 1,
      dueAt: at(3_750),
      leaseUntil: at(3_750 + 120_000),
      lastError: 'retry: HTTP 503: try again',
    });
    expect(share?.remoteId).toBeUndefined();
    expect(moves(share, 3)).toEqual([
      { event: 'start', from: 'queued', to: 'publishing', by: 'publisher', reason: 'attempt 1' },
      {
        event: 'defer',
        from: 'publishing',
        to: 'scheduled',
        by: 'publisher',
        reason: 'retry: HTTP 503: try again',
      },
      { event: 'enqueue', from: 'scheduled', to: 'queued', by: 'dispatcher' },
    ]);
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(queued), requestedDelaySeconds: 3.75, delaySeconds: 4 },
    ]);
    expect(await world.channelState.get(channel.id)).toEqual({});

    // The retry, when due, posts with the same key, counting the second attempt.
    world.clock.advance(4_000);
    client.onPublish(outcome.posted('111'));
    expect(await publish(queued)).toMatchObject({
      outcome: 'published',
      share: { status: 'published', attempt: 1, version: 7, remoteId: '111' },
    });
    expect(client.callsOf('publish').map((c) => c.share.idempotencyKey)).toEqual([
      queued.idempotencyKey,
      queued.idempotencyKey,
    ]);
    expect(moves(await stored(queued), 2)).toEqual([
      { event: 'start', from: 'queued', to: 'publishing', by: 'publisher', reason: 'attempt 2' },
      { event: 'succeed', from: 'publishing', to: 'published', by: 'publisher' },
    ]);
  });

  it('leaves a long backoff scheduled for the dispatcher, in the due index from its dueAt', async () => {
    const config = { ...PUBLISHING, backoff: { baseSeconds: 600, maxSeconds: 3600 } };
    const queued = await queuedShare(world, record, channel);
    client.onPublish(outcome.retry());

    const result = await publish(queued, { config });

    // 600 s x 0.75: 450 s, past the 120 s look-ahead.
    expect(result).toMatchObject({
      outcome: 'deferred',
      share: { status: 'scheduled', version: 4, attempt: 1, dueAt: at(450_000) },
    });
    expect(shareOf(result).leaseUntil).toBeUndefined();
    expect(world.publishQueue.sent).toEqual([]);
    expect(await world.shares.dueBy(at(449_999), 10)).toEqual([]);
    expect(await world.shares.dueBy(at(450_000), 10)).toEqual([refOf(queued)]);
    expect(await world.shares.leasesEndedBy(at(3_600_000), 10)).toEqual([]);

    // The dispatcher's tick 90 s before it claims it and sends it with the wait left.
    world.clock.set(at(360_000));
    expect(await dispatchDue(dispatchDeps(world, config))).toEqual({
      enqueued: 1,
      requeued: 0,
      expired: 0,
      reconciling: 0,
      stuck: 0,
      failed: 0,
    });
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(queued), requestedDelaySeconds: 90, delaySeconds: 90 },
    ]);
    expect(await stored(queued)).toMatchObject({ status: 'queued', version: 5 });
  });

  it('waits out a rate limit: dueAt at the reset, and the channel holds its other shares until then', async () => {
    const reset = at(15 * 60_000);
    const queued = await queuedShare(world, record, channel);
    client.onPublish(outcome.rate(reset, 'HTTP 429: slow down'));

    const result = await publish(queued);

    expect(result).toMatchObject({
      outcome: 'deferred',
      share: {
        status: 'scheduled',
        version: 4,
        attempt: 1,
        dueAt: reset,
        lastError: `rate limited until ${reset}: HTTP 429: slow down`,
      },
    });
    expect(moves(await stored(queued), 1)).toEqual([
      {
        event: 'defer',
        from: 'publishing',
        to: 'scheduled',
        by: 'publisher',
        reason: `rate limited until ${reset}: HTTP 429: slow down`,
      },
    ]);
    expect(await world.channelState.get(channel.id)).toEqual({ rateLimitedUntil: reset });
    expect(world.publishQueue.sent).toEqual([]);

    // Another article's share on the same channel: back to scheduled at the reset, unposted.
    world.clock.advance(60_000);
    const other = await queuedShare(world, await storeArticle(world), channel);
    const held = await publish(other);
    expect(held).toMatchObject({
      outcome: 'deferred',
      share: { status: 'scheduled', version: 3, attempt: 0, dueAt: reset },
    });
    expect(moves(shareOf(held), 1)).toEqual([
      {
        event: 'reschedule',
        from: 'queued',
        to: 'scheduled',
        by: 'publisher',
        reason: `channel rate limited until ${reset}`,
      },
    ]);
    expect(client.callsOf('publish')).toHaveLength(1);
  });

  it.each([
    ['rejected', outcome.rejected('HTTP 422: text too long')],
    ['auth', outcome.auth('HTTP 401: token revoked')],
  ] as const)(
    'fails a share the network refuses (%s), without another attempt',
    async (kind, answer) => {
      const queued = await queuedShare(world, record, channel);
      client.onPublish(answer);

      const result = await publish(queued);

      const reason = `${kind}: ${answer.message}`;
      const share = await stored(queued);
      expect(result).toEqual({ outcome: 'failed', share, refusal: kind });
      expect(share).toMatchObject({ status: 'failed', version: 4, attempt: 0, lastError: reason });
      expect(share?.leaseUntil).toBeUndefined();
      expect(moves(share, 1)).toEqual([
        { event: 'fail', from: 'publishing', to: 'failed', by: 'publisher', reason },
      ]);
      expect(world.publishQueue.sent).toEqual([]);
      expect(world.syndication.sent).toEqual([]);
    },
  );

  it('fails a share whose last attempt meets a retryable error', async () => {
    const queued = await queuedShare(world, record, channel, {
      attempt: PUBLISHING.maxAttempts - 1,
    });
    client.onPublish(outcome.retry('HTTP 503: try again'));

    const result = await publish(queued);

    const reason = 'retry: HTTP 503: try again (gave up after 5 attempts)';
    expect(result).toMatchObject({
      outcome: 'failed',
      share: { status: 'failed', version: 4, attempt: 5, lastError: reason },
    });
    expect(moves(await stored(queued), 2)).toEqual([
      { event: 'start', from: 'queued', to: 'publishing', by: 'publisher', reason: 'attempt 5' },
      { event: 'fail', from: 'publishing', to: 'failed', by: 'publisher', reason },
    ]);
    expect(world.publishQueue.sent).toEqual([]);
  });

  it('fails a share claimed with its attempts spent, without calling the network', async () => {
    const queued = await queuedShare(world, record, channel, {
      attempt: PUBLISHING.maxAttempts,
      lastError: 'retry: HTTP 503: try again',
    });

    const result = await publish(queued);

    const reason = 'gave up after 5 attempts: retry: HTTP 503: try again';
    expect(result).toMatchObject({
      outcome: 'failed',
      share: { status: 'failed', version: 4, attempt: 5, lastError: reason },
    });
    expect(moves(await stored(queued), 1)).toEqual([
      { event: 'fail', from: 'publishing', to: 'failed', by: 'publisher', reason },
    ]);
    expect(client.calls).toEqual([]);
  });

  it('fails without a call when the channel has no credentials, and defers when they cannot be read', async () => {
    const missing = await queuedShare(world, record, channel);
    const none = new StaticCredentials({});
    expect(await publish(missing, { credentials: none })).toMatchObject({
      outcome: 'failed',
      share: {
        status: 'failed',
        lastError: 'no credentials configured for channel masto-desk',
        attempt: 0,
      },
    });

    const down = await queuedShare(world, await storeArticle(world), channel);
    const throwing = new StaticCredentials({ [channel.id]: new Error('secrets unreachable') });
    // Unlike a network's retry, this deferral is not sent again at once (publishQueued
    // returns defer() without afterRecord): the dispatcher's next tick claims it.
    expect(await publish(down, { credentials: throwing })).toMatchObject({
      outcome: 'deferred',
      share: {
        status: 'scheduled',
        attempt: 1,
        dueAt: at(3_750),
        lastError: 'credentials unavailable: secrets unreachable',
      },
    });
    expect(world.publishQueue.sent).toEqual([]);
    expect(client.calls).toEqual([]);
  });
});

describe('an unknown outcome', () => {
  it('goes to unknown and is reconciled at once: found means published, posted once', async () => {
    const queued = await queuedShare(world, record, channel);
    client.onPublish(outcome.unknown('socket hang up')).onReconcile(outcome.found('112'));

    const result = await publish(queued);

    const share = await stored(queued);
    expect(result).toEqual({ outcome: 'published', share });
    expect(share).toMatchObject({ status: 'published', version: 5, remoteId: '112', attempt: 0 });
    expect(share?.lastError).toBeUndefined();
    expect(share?.leaseUntil).toBeUndefined();
    expect(moves(share, 3)).toEqual([
      { event: 'start', from: 'queued', to: 'publishing', by: 'publisher', reason: 'attempt 1' },
      {
        event: 'lose',
        from: 'publishing',
        to: 'unknown',
        by: 'publisher',
        reason: 'unknown outcome: socket hang up',
      },
      {
        event: 'reconcile-found',
        from: 'unknown',
        to: 'published',
        by: 'publisher',
        reason: 'reconcile found the post',
      },
    ]);
    // Reconcile looked with the unknown share's keys; nothing was posted a second time.
    expect(client.calls.map((c) => [c.method, c.share.status, c.share.version])).toEqual([
      ['publish', 'publishing', 3],
      ['reconcile', 'unknown', 4],
    ]);
    expect(world.syndication.sent).toHaveLength(1);
  });

  it('treats a client that throws after the create as unknown, never as a retry', async () => {
    const queued = await queuedShare(world, record, channel);
    client
      .onPublish(() => {
        throw new Error('ECONNRESET');
      })
      .onReconcile(outcome.found('113'));

    expect(await publish(queued)).toMatchObject({
      outcome: 'published',
      share: { remoteId: '113' },
    });
    expect(moves(await stored(queued), 2)[0]).toEqual({
      event: 'lose',
      from: 'publishing',
      to: 'unknown',
      by: 'publisher',
      reason: 'unknown outcome: client error: ECONNRESET',
    });
  });

  it('is scheduled again with the same key when reconcile is sure the post is absent', async () => {
    const queued = await queuedShare(world, record, channel);
    client.onPublish(outcome.unknown()).onReconcile(outcome.absent());

    const result = await publish(queued);

    expect(result).toMatchObject({
      outcome: 'deferred',
      share: { status: 'queued', version: 6, attempt: 1, dueAt: at(3_750) },
    });
    expect(moves(shareOf(result), 2)).toEqual([
      {
        event: 'reconcile-absent',
        from: 'unknown',
        to: 'scheduled',
        by: 'publisher',
        reason: 'reconcile: the post not posted',
      },
      { event: 'enqueue', from: 'scheduled', to: 'queued', by: 'dispatcher' },
    ]);
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(queued), requestedDelaySeconds: 3.75, delaySeconds: 4 },
    ]);

    world.clock.advance(4_000);
    client.onPublish(outcome.posted('114'));
    expect(await publish(queued)).toMatchObject({
      outcome: 'published',
      share: { remoteId: '114', attempt: 1 },
    });
    expect(new Set(client.callsOf('publish').map((c) => c.share.idempotencyKey))).toEqual(
      new Set([queued.idempotencyKey]),
    );
  });

  it('stays unknown with a next reconcile time when reconcile cannot tell, and the sweeper sends it back', async () => {
    const queued = await queuedShare(world, record, channel);
    client.onPublish(outcome.unknown()).onReconcile(outcome.unsure('search timed out'));

    const result = await publish(queued);

    // Backoff for the first unsure: 5 s x 2^1 x 0.75.
    const reason = 'reconcile could not tell: search timed out';
    expect(result).toMatchObject({
      outcome: 'unknown',
      share: { status: 'unknown', version: 5, leaseUntil: at(7_500), lastError: reason },
    });
    expect(moves(shareOf(result), 1)).toEqual([
      { event: 'reconcile-unsure', from: 'unknown', to: 'unknown', by: 'publisher', reason },
    ]);
    expect(await world.shares.leasesEndedBy(at(7_499), 10)).toEqual([]);
    expect(await world.shares.leasesEndedBy(at(7_500), 10)).toEqual([refOf(queued)]);

    world.clock.set(at(8_000));
    expect(await dispatchDue(dispatchDeps(world))).toMatchObject({ reconciling: 1, stuck: 0 });
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(queued), requestedDelaySeconds: 0, delaySeconds: 0 },
    ]);
    expect(await stored(queued)).toMatchObject({
      status: 'unknown',
      version: 6,
      leaseUntil: at(8_000 + 90_000),
    });

    client.onReconcile(outcome.found('115'));
    expect(await publish(queued)).toMatchObject({
      outcome: 'published',
      share: { status: 'published', version: 7, remoteId: '115' },
    });
    expect(client.callsOf('publish')).toHaveLength(1);
  });

  it('is parked for an editor, out of the sweep, where the network offers no way to look', async () => {
    const queued = await queuedShare(world, record, channel);
    client.onPublish(outcome.unknown()).onReconcile(outcome.unsure('no search API', true));

    const result = await publish(queued);

    expect(result).toMatchObject({
      outcome: 'parked',
      share: { status: 'unknown', lastError: 'parked for an editor: no search API' },
    });
    expect(shareOf(result).leaseUntil).toBeUndefined();
    expect(await world.shares.leasesEndedBy(at(365 * 86_400_000), 10)).toEqual([]);
  });
});

describe('exactly once', () => {
  it('posts once when two messages for one share arrive together: the second claim loses', async () => {
    const queued = await queuedShare(world, record, channel);
    client.onPublish(outcome.posted('116'));

    const results = await Promise.all([publish(queued), publish(queued)]);

    const lost = {
      outcome: 'skipped',
      reason: `share ${record.articleId}/masto-desk changed meanwhile`,
    };
    expect(results.map((r) => r.outcome).sort()).toEqual(['published', 'skipped']);
    expect(results).toContainEqual(lost);
    expect(client.callsOf('publish')).toHaveLength(1);
    const claims = world.shares.writes.filter(
      (w) => w.expected?.status === 'queued' && w.written.status === 'publishing',
    );
    expect(claims.map((w) => w.ok)).toEqual([true, false]);
    expect(await stored(queued)).toMatchObject({ status: 'published', version: 4 });
  });

  it('never calls the network from a worker whose claim another worker won first', async () => {
    const queued = await queuedShare(world, record, channel);
    client.onPublish(outcome.posted('117'));
    let winner: PublishResult | undefined;
    // The other worker runs between this one's read and its conditional write.
    world.shares.interceptNextReplace(async () => {
      winner = await publish(queued);
    });

    const loser = await publish(queued);

    expect(winner).toMatchObject({ outcome: 'published', share: { version: 4 } });
    expect(loser).toEqual({
      outcome: 'skipped',
      reason: `share ${record.articleId}/masto-desk changed meanwhile`,
    });
    expect(client.callsOf('publish')).toHaveLength(1);
  });

  it('answers a late duplicate message for a published share without posting or writing', async () => {
    const queued = await queuedShare(world, record, channel);
    client.onPublish(outcome.posted('118'));
    await publish(queued);
    const before = await stored(queued);
    const writes = world.shares.writes.length;

    expect(await publish(queued)).toEqual({ outcome: 'skipped', reason: 'share is published' });
    expect(await stored(queued)).toEqual(before);
    expect(world.shares.writes).toHaveLength(writes);
    expect(client.calls).toHaveLength(1);
  });

  it('skips a message for a share that is still publishing, failed or cancelled', async () => {
    const queued = await queuedShare(world, record, channel);
    const claimed = applyEvent(queued, 'start', { at: world.clock.now(), by: 'another worker' });
    expect(await world.shares.replace(queued, claimed)).toBe(true);

    expect(await publish(queued)).toEqual({ outcome: 'skipped', reason: 'share is publishing' });
    expect(client.calls).toEqual([]);
  });
});

describe('what the claim re-checks', () => {
  it.each(['unpublished', 'deleted'] as const)(
    'cancels the share of an article %s meanwhile, without calling the network',
    async (status) => {
      const queued = await queuedShare(world, record, channel);
      await storeRevision(world, record, { status });

      const result = await publish(queued);

      const share = await stored(queued);
      expect(result).toEqual({ outcome: 'cancelled', share });
      expect(share).toMatchObject({ status: 'cancelled', version: 3 });
      expect(share?.leaseUntil).toBeUndefined();
      expect(moves(share, 1)).toEqual([
        {
          event: 'withdraw',
          from: 'queued',
          to: 'cancelled',
          by: 'publisher',
          reason: `the article is ${status}`,
        },
      ]);
      expect(client.calls).toEqual([]);
      expect(world.publishQueue.sent).toEqual([]);
    },
  );

  it('sends an early message back with the wait left, changing nothing', async () => {
    const queued = await queuedShare(world, record, channel);
    // Its dueAt moved 10 minutes on after the message left (a write this test makes directly).
    const moved = { ...queued, dueAt: at(600_000), version: queued.version + 1 };
    expect(await world.shares.replace(queued, moved)).toBe(true);

    expect(await publish(queued)).toEqual({ outcome: 'early', reason: 'due in 600 s' });
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(queued), requestedDelaySeconds: 600, delaySeconds: 600 },
    ]);
    expect(await stored(queued)).toEqual(moved);
    expect(client.calls).toEqual([]);

    // Past SQS's longest delay, the message comes back at 900 s and waits again.
    const later = { ...moved, dueAt: at(1_800_000), version: moved.version + 1 };
    expect(await world.shares.replace(moved, later)).toBe(true);
    expect(await publish(queued)).toEqual({ outcome: 'early', reason: 'due in 1800 s' });
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(queued), requestedDelaySeconds: 1800, delaySeconds: 900 },
    ]);
  });

  it('posts a message at most a second early', async () => {
    const queued = await queuedShare(world, record, channel);
    const moved = { ...queued, dueAt: at(1_000), version: queued.version + 1 };
    expect(await world.shares.replace(queued, moved)).toBe(true);
    client.onPublish(outcome.posted('119'));

    expect(await publish(queued)).toMatchObject({ outcome: 'published' });
  });

  it('holds a message that came under a second early until its dueAt, then claims and posts', async () => {
    const queued = await queuedShare(world, record, channel);
    const moved = { ...queued, dueAt: at(400), version: queued.version + 1 };
    expect(await world.shares.replace(queued, moved)).toBe(true);
    client.onPublish(outcome.posted('120'));
    const waits: number[] = [];
    const wait = async (ms: number) => {
      // Nothing is claimed or posted while it waits.
      expect(client.calls).toEqual([]);
      expect((await stored(queued))?.status).toBe('queued');
      waits.push(ms);
      world.clock.advance(ms);
    };

    const share = shareOf(await publish(queued, { wait }));

    expect(waits).toEqual([400]);
    expect(share).toMatchObject({ status: 'published', remoteId: '120' });
    // The claim is made at the share's time, not before it.
    expect(share.history.find((entry) => entry.event === 'start')?.at).toBe(at(400));
    expect(world.publishQueue.sent).toEqual([]);
  });

  it('does not wait for a share already due, nor for one more than a second early', async () => {
    const queued = await queuedShare(world, record, channel);
    const waits: number[] = [];
    const wait = async (ms: number) => void waits.push(ms);
    const later = { ...queued, dueAt: at(5_000), version: queued.version + 1 };
    expect(await world.shares.replace(queued, later)).toBe(true);
    expect(await publish(queued, { wait })).toEqual({ outcome: 'early', reason: 'due in 5 s' });
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(queued), requestedDelaySeconds: 5, delaySeconds: 5 },
    ]);

    world.clock.advance(5_000);
    client.onPublish(outcome.posted('121'));
    expect(await publish(queued, { wait })).toMatchObject({ outcome: 'published' });
    expect(waits).toEqual([]);
  });

  it('counts the wait left after preparing a container, which takes its own time', async () => {
    const threads = channelOf({ id: 'threads-desk', platform: 'threads', account: 'desk' });
    const multi = new ScriptedClient({ prepare: true }).onPrepare(() => {
      world.clock.advance(2_500);
      return { kind: 'prepared', preparedId: 'container-2' };
    });
    const queued = await queuedShare(world, record, threads);
    const early = { ...queued, dueAt: at(10_000), version: queued.version + 1 };
    expect(await world.shares.replace(queued, early)).toBe(true);

    expect(await handlePublishMessage(publishDeps(world, [threads], multi), refOf(queued))).toEqual(
      { outcome: 'early', reason: 'due in 10 s' },
    );
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(queued), requestedDelaySeconds: 7.5, delaySeconds: 8 },
    ]);
  });

  it('prepares a multi-step network container ahead, then waits again', async () => {
    const threads = channelOf({ id: 'threads-desk', platform: 'threads', account: 'desk' });
    const multi = new ScriptedClient({ prepare: true }).onPrepare({
      kind: 'prepared',
      preparedId: 'container-1',
    });
    const queued = await queuedShare(world, record, threads);
    const early = { ...queued, dueAt: at(300_000), version: queued.version + 1 };
    expect(await world.shares.replace(queued, early)).toBe(true);

    const result = await handlePublishMessage(publishDeps(world, [threads], multi), refOf(queued));

    expect(result).toEqual({ outcome: 'early', reason: 'due in 300 s' });
    expect(await stored(queued)).toMatchObject({
      status: 'queued',
      version: early.version + 1,
      preparedId: 'container-1',
    });
    expect(multi.callsOf('prepare')).toHaveLength(1);
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(queued), requestedDelaySeconds: 300, delaySeconds: 300 },
    ]);
  });
});

describe('an evergreen round', () => {
  // The syndicate message names the round: without it the CMS would be told of the first
  // share again (notify-cms skips it as told) and never of this one.
  it('announces the round it published, by its share key', async () => {
    const round = await queuedShare(world, record, channel, { round: 2 });
    client.onPublish(outcome.posted('121'));

    expect(await publish(round)).toMatchObject({ outcome: 'published', share: { round: 2 } });

    expect(world.syndication.sent).toEqual([
      { articleId: record.articleId, channelId: 'masto-desk', round: 2 },
    ]);
  });
});
