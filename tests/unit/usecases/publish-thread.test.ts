/**
 * The publisher posting a thread (publish-share.ts, share-thread.ts), in memory: each
 * post recorded by a write of its own as soon as it is made, an unknown reply reconciled
 * as that reply, a refused reply ending the share published short. The real clients do
 * the same against the sandboxes in tests/integration/replies/publisher.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../shared/domain/channel';
import type { ArticleRecord } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import { handlePublishMessage } from '../../../shared/usecases/publish-share';
import { deskOf } from '../../support/in-memory/desk';
import { moves, publishDeps, queuedShare, refOf } from '../../support/in-memory/fixtures';
import { type InMemoryWorld, outcome, ScriptedClient } from '../../support/in-memory/index';
import { longStandfirst, threadChannel } from '../../support/thread';

let world: InMemoryWorld;
let client: ScriptedClient;
let channel: Channel;
let record: ArticleRecord;
let queued: Share;

beforeEach(async () => {
  ({ world, client, channel, record } = await deskOf({
    client: new ScriptedClient({ replies: true }),
    // Three posts at most, 250 characters each: the standfirst makes a first post and two replies.
    channel: threadChannel('mastodon', 3, { maxCharacters: 250 }),
    article: { summary: longStandfirst() },
  }));
  queued = await queuedShare(world, record, channel);
  expect(queued.thread).toHaveLength(2);
});

const publish = () => handlePublishMessage(publishDeps(world, [channel], client), refOf(queued));

describe('a thread', () => {
  it('records each post as it is made, and reconciles an unknown reply as that reply', async () => {
    client
      .onPublish(outcome.posted('r1'))
      .onReply(outcome.posted('r2'), outcome.unknown('timeout on post 3'))
      .onReplyReconcile(outcome.found('r3'));

    const result = await publish();

    const share = await world.shares.get(refOf(queued));
    expect(result).toEqual({ outcome: 'published', share });
    expect(share).toMatchObject({
      status: 'published',
      // claimed 3, first post 4, second 5, unknown 6, found 7
      version: 7,
      remoteId: 'r1',
      threadIds: ['r2', 'r3'],
    });
    expect(share?.lastError).toBeUndefined();
    expect(moves(share, 3)).toEqual([
      { event: 'start', from: 'queued', to: 'publishing', by: 'publisher', reason: 'attempt 1' },
      {
        event: 'lose',
        from: 'publishing',
        to: 'unknown',
        by: 'publisher',
        reason: 'unknown outcome of post 3 of 3: timeout on post 3',
      },
      {
        event: 'reconcile-found',
        from: 'unknown',
        to: 'published',
        by: 'publisher',
        reason: 'reconcile found post 3 of 3',
      },
    ]);
    expect(
      client.calls.map((c) => [c.method, c.index ?? null, c.parentId ?? null, c.share.version]),
    ).toEqual([
      ['publish', null, null, 3],
      ['reply', 0, 'r1', 4],
      ['reply', 1, 'r2', 5],
      ['replyReconcile', 1, 'r2', 6],
    ]);
    // Each post's record is a write of its own, same status, next version.
    expect(
      world.shares.writes
        .filter((w) => w.op === 'replace')
        .map((w) => [w.expected?.status, w.written.status, w.written.version, w.ok]),
    ).toEqual([
      ['scheduled', 'queued', 2, true],
      ['queued', 'publishing', 3, true],
      ['publishing', 'publishing', 4, true],
      ['publishing', 'publishing', 5, true],
      ['publishing', 'unknown', 6, true],
      ['unknown', 'published', 7, true],
    ]);
  });

  it('ends published, short of the reply the network refused, and says which', async () => {
    client.onPublish(outcome.posted('r1')).onReply(outcome.rejected('HTTP 422: duplicate'));

    const result = await publish();

    const reason = 'posts 2-3 of 3 not posted: post 2 of 3 rejected: HTTP 422: duplicate';
    const share = await world.shares.get(refOf(queued));
    expect(result).toEqual({ outcome: 'published', share });
    expect(share).toMatchObject({ status: 'published', remoteId: 'r1', lastError: reason });
    expect(share?.threadIds).toBeUndefined();
    expect(moves(share, 1)).toEqual([
      { event: 'succeed', from: 'publishing', to: 'published', by: 'publisher', reason },
    ]);
    expect(client.callsOf('reply')).toHaveLength(1);
  });

  it('backs off a reply that meets a retryable error, and resumes after the recorded posts', async () => {
    client.onPublish(outcome.posted('r1')).onReply(outcome.retry('HTTP 503'));

    expect(await publish()).toMatchObject({
      outcome: 'deferred',
      share: { status: 'queued', attempt: 1, remoteId: 'r1' },
    });

    world.clock.advance(4_000);
    client.onReply(outcome.posted('r2'), outcome.posted('r3'));
    expect(await publish()).toMatchObject({
      outcome: 'published',
      share: { remoteId: 'r1', threadIds: ['r2', 'r3'] },
    });
    // The first post is never made twice.
    expect(client.callsOf('publish')).toHaveLength(1);
    expect(client.callsOf('reply').map((c) => [c.index, c.parentId])).toEqual([
      [0, 'r1'],
      [0, 'r1'],
      [1, 'r2'],
    ]);
  });
});
