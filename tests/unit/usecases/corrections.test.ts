/**
 * A correction of a published article, in memory (plan-correction.ts, correct-post.ts):
 * compose queues it once per share and revision, the publish worker edits the post,
 * replies under it or tells the editors as the channel's policy resolves, and a repeated
 * revision, a redelivered message or a retry never acts twice. The sandbox networks run
 * the same in tests/integration/handlers/publish-corrections.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../shared/domain/channel';
import type { ArticleRecord } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import { composeArticle, newShare } from '../../../shared/usecases/compose-article';
import { CorrectionPendingError } from '../../../shared/usecases/correct-post';
import { planCorrection } from '../../../shared/usecases/plan-correction';
import { handlePublishMessage } from '../../../shared/usecases/publish-share';
import { deskOf } from '../../support/in-memory/desk';
import {
  channelOf,
  composeDeps,
  publishDeps,
  refOf,
  storeRevision,
} from '../../support/in-memory/fixtures';
import { type InMemoryWorld, outcome, ScriptedClient } from '../../support/in-memory/index';
import { InMemoryNotificationStore } from '../../support/in-memory/notifications';

let world: InMemoryWorld;
let record: ArticleRecord;
let notifications: InMemoryNotificationStore;

beforeEach(async () => {
  ({ world, record } = await deskOf({ article: { title: 'Bridge vote passes' } }));
  notifications = new InMemoryNotificationStore();
});

/** A published share of `record` on `channel`, as the worker leaves it. */
async function published(channel: Channel, patch: Partial<Share> = {}): Promise<Share> {
  const share: Share = {
    ...newShare(record, channel, world.clock.now()),
    status: 'published',
    remoteId: `post-${channel.id}`,
    remoteUrl: `https://social.example/${channel.id}`,
    ...patch,
  };
  world.shares.put(share);
  const stored = await world.shares.get(refOf(share));
  if (!stored) throw new Error('not stored');
  await world.articles.markComposed(record.articleId, record.article.revision);
  return stored;
}

/** A later revision stored and composed, its publish messages taken off the queue. */
async function revise(channels: Channel[], patch: Partial<ArticleRecord['article']>) {
  const revised = await storeRevision(world, record, patch);
  record = revised;
  const result = await composeArticle(composeDeps(world, channels, { schedule: false }), {
    articleId: revised.articleId,
    revision: revised.article.revision,
  });
  return { result, sent: world.publishQueue.take() };
}

const deps = (channels: Channel[], client: ScriptedClient) =>
  publishDeps(world, channels, client, { notifications });

const shareOf = async (channel: Channel) => {
  const share = await world.shares.get({ articleId: record.articleId, channelId: channel.id });
  if (!share) throw new Error('no share');
  return share;
};

describe('compose queues a correction', () => {
  it('for each published post, once per revision, with the post recomposed and the note', async () => {
    const masto = channelOf({ id: 'masto' });
    const x = channelOf({ id: 'x', platform: 'x', account: '@desk' });
    const waiting = channelOf({ id: 'waiting', approval: 'required' });
    await published(masto);
    await published(x);
    const before = await composeArticle(composeDeps(world, [waiting], { schedule: false }), {
      articleId: record.articleId,
      revision: record.article.revision,
    });
    expect(before.outcome).toBe('skipped');
    world.shares.put({ ...newShare(record, waiting, world.clock.now()) });

    const { result, sent } = await revise([masto, x, waiting], {
      title: 'Bridge vote fails',
      correction: 'The vote failed 4-5; an earlier version said it passed.',
    });

    expect(result).toMatchObject({ outcome: 'composed', corrected: ['masto', 'x'] });
    expect(sent.map((m) => m.message)).toEqual([
      { articleId: record.articleId, channelId: 'masto' },
      { articleId: record.articleId, channelId: 'x' },
    ]);
    const share = await shareOf(masto);
    expect(share.headline).toBe('Bridge vote fails');
    expect(share.correctionsDue).toEqual([
      {
        revision: 2,
        trigger: 'correction',
        note: 'The vote failed 4-5; an earlier version said it passed.',
        title: 'Bridge vote fails',
        text: expect.stringMatching(
          /^Bridge vote fails https:\S+\n\nCorrection: The vote failed 4-5; an earlier version said it passed\.$/,
        ),
        at: expect.any(String),
      },
    ]);
    expect(share.history.at(-1)).toMatchObject({
      event: 'correct',
      reason: 'revision 2: a correction, edit queued',
    });
    // The draft not yet out is simply recomposed, as any revision does.
    expect((await shareOf(waiting)).text).toMatch(/^Bridge vote fails/);
    expect((await shareOf(waiting)).correctionsDue).toBeUndefined();

    // The same revision again (a compose that stopped before it marked the revision
    // composed, and runs again): nothing more is queued, and the message is sent again,
    // since the first may have been lost before it went out.
    const fresh = newShare(record, masto, world.clock.now());
    const again = await planCorrection(composeDeps(world, [masto]), record, masto, share, fresh);
    expect(again?.correctionsDue).toEqual(share.correctionsDue);
    expect(again?.version).toBe(share.version);
    expect((await shareOf(masto)).version).toBe(share.version);
  });

  it('for a new headline alone, and not for a revision that changes neither', async () => {
    const masto = channelOf({ id: 'masto' });
    await published(masto);
    const unchanged = await revise([masto], { summary: 'A typo fixed in the standfirst.' });
    expect(unchanged.sent).toEqual([]);
    const renamed = await revise([masto], { title: 'Bridge vote passes narrowly' });
    expect(renamed.sent).toHaveLength(1);
    expect((await shareOf(masto)).correctionsDue?.[0]).toMatchObject({
      revision: 3,
      trigger: 'headline',
      title: 'Bridge vote passes narrowly',
    });
  });

  it('sends again a correction waiting on the share when a newer revision has nothing to correct', async () => {
    // Compose follows newer revisions in rounds and sends only after the last: a
    // correction queued in an earlier round must still go out from a round with nothing new.
    const masto = channelOf({ id: 'masto' });
    const stored = await published(masto);
    const waiting = {
      ...stored,
      correctionsDue: [
        {
          revision: 2,
          trigger: 'correction' as const,
          note: 'The vote was 5-4.',
          title: stored.headline ?? '',
          text: 'edited',
          at: stored.createdAt,
        },
      ],
    };
    world.shares.put(waiting);
    const newer = { ...record, article: { ...record.article, revision: 3, summary: 'New.' } };
    const fresh = newShare(newer, masto, world.clock.now());
    const planned = await planCorrection(composeDeps(world, [masto]), newer, masto, waiting, fresh);
    expect(planned?.correctionsDue?.map((p) => p.revision)).toEqual([2]);
    expect((await shareOf(masto)).version).toBe(waiting.version);
    // And nothing is sent for a share with nothing waiting.
    const bare = await planCorrection(composeDeps(world, [masto]), newer, masto, stored, fresh);
    expect(bare).toBeUndefined();
  });

  it('records at once what a channel ignores, and sends nothing', async () => {
    const quiet = channelOf({ id: 'quiet', corrections: { onHeadline: 'ignore' } });
    await published(quiet);
    const { sent } = await revise([quiet], { title: 'Bridge vote passes narrowly' });
    expect(sent).toEqual([]);
    expect((await shareOf(quiet)).corrections).toEqual([
      {
        revision: 2,
        trigger: 'headline',
        action: 'ignore',
        outcome: 'ignored',
        at: expect.any(String),
      },
    ]);
  });

  it('leaves alone an article first seen with a note: nothing was out to correct', async () => {
    const masto = channelOf({ id: 'masto' });
    const first = await storeRevision(world, record, { correction: 'Spelling of a name.' });
    const result = await composeArticle(composeDeps(world, [masto], { schedule: false }), {
      articleId: first.articleId,
      revision: first.article.revision,
    });
    expect(result).toMatchObject({ outcome: 'composed', created: ['masto'] });
    expect((await shareOf(masto)).correctionsDue).toBeUndefined();
  });
});

describe('the publish worker', () => {
  it('edits the post on a network that edits, once, and records it', async () => {
    const masto = channelOf({ id: 'masto' });
    await published(masto);
    await revise([masto], { correction: 'The vote was 5-4.' });
    const client = new ScriptedClient().onWithdraw(outcome.withdrawn());

    const result = await handlePublishMessage(deps([masto], client), refOf(await shareOf(masto)));

    expect(result.outcome).toBe('corrected');
    const [call] = client.callsOf('withdraw');
    expect(call).toMatchObject({ action: 'edit' });
    expect(call?.text).toMatch(/\n\nCorrection: The vote was 5-4\.$/);
    const share = await shareOf(masto);
    expect(share.correctionsDue).toBeUndefined();
    expect(share.corrections).toEqual([
      {
        revision: 2,
        trigger: 'correction',
        action: 'edit',
        outcome: 'done',
        at: expect.any(String),
        note: call?.text,
      },
    ]);
    expect(share.history.at(-1)).toMatchObject({
      event: 'correct',
      by: 'publisher',
      reason: 'revision 2, a correction: edited the post',
    });

    // The same message again (SQS delivers at least once): nothing more is done.
    const again = await handlePublishMessage(deps([masto], client), refOf(share));
    expect(again.outcome).toBe('skipped');
    expect(client.callsOf('withdraw')).toHaveLength(1);
  });

  it('replies under the post with the note on a network that cannot edit', async () => {
    const x = channelOf({ id: 'x', platform: 'x', account: '@desk' });
    await published(x, { threadIds: ['x-part-2'] });
    await revise([x], { correction: 'The vote was 5-4.' });
    const client = new ScriptedClient({ notes: true }).onNote(outcome.posted('x-note'));

    await handlePublishMessage(deps([x], client), refOf(await shareOf(x)));

    const share = await shareOf(x);
    expect(client.callsOf('note')).toMatchObject([
      {
        text: 'Correction: The vote was 5-4.',
        // Under the thread's last post, so it reads after the whole story.
        parentId: 'x-part-2',
        key: `${share.idempotencyKey}-r2`,
      },
    ]);
    expect(share.corrections?.[0]).toMatchObject({
      action: 'reply',
      outcome: 'done',
      note: 'Correction: The vote was 5-4.',
      remoteId: 'x-note',
    });
  });

  it('after an unknown outcome, asks the network before posting again, and never posts twice', async () => {
    const x = channelOf({ id: 'x', platform: 'x', account: '@desk' });
    await published(x);
    await revise([x], { correction: 'The vote was 5-4.' });
    const client = new ScriptedClient({ notes: true })
      .onNote(outcome.unknown())
      .onNoteReconcile(outcome.found('x-note'));

    await expect(
      handlePublishMessage(deps([x], client), refOf(await shareOf(x))),
    ).rejects.toBeInstanceOf(CorrectionPendingError);
    expect((await shareOf(x)).correctionsDue?.[0]?.startedAt).toBeDefined();

    // SQS retries: reconcile finds the note, so it is recorded and not posted again.
    await handlePublishMessage(deps([x], client), refOf(await shareOf(x)));
    expect(client.callsOf('note')).toHaveLength(1);
    expect(client.callsOf('noteReconcile')).toHaveLength(1);
    expect((await shareOf(x)).corrections?.[0]).toMatchObject({
      outcome: 'done',
      remoteId: 'x-note',
    });
    expect(client.leftover()).toEqual({});
  });

  it('posts again with the same key when reconcile finds the note absent', async () => {
    const x = channelOf({ id: 'x', platform: 'x', account: '@desk' });
    await published(x);
    await revise([x], { correction: 'The vote was 5-4.' });
    const client = new ScriptedClient({ notes: true })
      .onNote(outcome.retry(), outcome.posted('x-note'))
      .onNoteReconcile(outcome.absent());
    await expect(
      handlePublishMessage(deps([x], client), refOf(await shareOf(x))),
    ).rejects.toBeInstanceOf(CorrectionPendingError);
    await handlePublishMessage(deps([x], client), refOf(await shareOf(x)));
    const keys = client.callsOf('note').map((c) => c.key);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
    expect((await shareOf(x)).corrections).toHaveLength(1);
  });

  it('tells the editors, once, where Crier cannot reply on the network, and the history says why', async () => {
    const x = channelOf({ id: 'x', platform: 'x', account: '@desk' });
    await published(x);
    await revise([x], { correction: 'The vote was 5-4.' });
    const client = new ScriptedClient();

    await handlePublishMessage(deps([x], client), refOf(await shareOf(x)));

    const share = await shareOf(x);
    expect(share.corrections?.[0]).toMatchObject({
      action: 'notify',
      outcome: 'notified',
      reason: 'Crier cannot reply under a post on x: told the editors instead',
    });
    expect(share.history.at(-1)?.reason).toBe(
      'revision 2, a correction: told the editors (Crier cannot reply under a post on x: told the editors instead)',
    );
    const events = await notifications.pending('default');
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'post-correction',
        key: `post-correction#${record.articleId}#x#0#r2`,
        channelId: 'x',
        reason:
          'The vote was 5-4. (Crier cannot reply under a post on x: told the editors instead)',
      }),
    ]);
    expect(client.calls).toEqual([]);
  });

  it('only tells the editors of a headline change by default, even where the network edits', async () => {
    const masto = channelOf({ id: 'masto' });
    await published(masto);
    await revise([masto], { title: 'Bridge vote passes narrowly' });
    const client = new ScriptedClient();
    await handlePublishMessage(deps([masto], client), refOf(await shareOf(masto)));
    expect(client.calls).toEqual([]);
    expect((await shareOf(masto)).corrections?.[0]).toMatchObject({
      trigger: 'headline',
      action: 'notify',
      outcome: 'notified',
    });
    expect((await notifications.pending('default')).map((e) => e.reason)).toEqual(['new headline']);
  });

  it('records a refused edit for an editor to make by hand, and tells them', async () => {
    const masto = channelOf({ id: 'masto' });
    await published(masto);
    await revise([masto], { correction: 'The vote was 5-4.' });
    const client = new ScriptedClient().onWithdraw(outcome.rejected('HTTP 404: post not found'));
    await handlePublishMessage(deps([masto], client), refOf(await shareOf(masto)));
    const share = await shareOf(masto);
    expect(share.corrections?.[0]).toMatchObject({
      action: 'edit',
      outcome: 'refused',
      reason: 'mastodon refused the edit, edit the post by hand: HTTP 404: post not found',
    });
    expect(share.status).toBe('published');
    expect((await notifications.pending('default'))[0]?.reason).toBe(
      share.corrections?.[0]?.reason,
    );
  });

  it('retries an edit the network could not take now, and records nothing until it is done', async () => {
    const masto = channelOf({ id: 'masto' });
    await published(masto);
    await revise([masto], { correction: 'The vote was 5-4.' });
    const client = new ScriptedClient().onWithdraw(outcome.retry(), outcome.withdrawn());
    await expect(
      handlePublishMessage(deps([masto], client), refOf(await shareOf(masto))),
    ).rejects.toBeInstanceOf(CorrectionPendingError);
    expect((await shareOf(masto)).corrections).toBeUndefined();
    await handlePublishMessage(deps([masto], client), refOf(await shareOf(masto)));
    expect((await shareOf(masto)).corrections?.[0]?.outcome).toBe('done');
  });

  it('waits while the channel is paused, sending itself again later, and acts once resumed', async () => {
    const masto = channelOf({ id: 'masto' });
    await published(masto);
    await revise([masto], { correction: 'The vote was 5-4.' });
    const client = new ScriptedClient().onWithdraw(outcome.withdrawn());
    let status: 'paused' | 'active' = 'paused';
    const paused = { ...deps([masto], client), statusOf: () => status };
    const waited = await handlePublishMessage(paused, refOf(await shareOf(masto)));
    expect(waited).toEqual({ outcome: 'skipped', reason: 'channel paused: the correction waits' });
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(await shareOf(masto)), requestedDelaySeconds: 900, delaySeconds: 900 },
    ]);
    expect(client.calls).toEqual([]);
    status = 'active';
    expect((await handlePublishMessage(paused, refOf(await shareOf(masto)))).outcome).toBe(
      'corrected',
    );
  });

  it('drops a waiting correction when the article is withdrawn, on a channel that keeps or deletes its post', async () => {
    const keeps = channelOf({ id: 'keeps' });
    const deletes = channelOf({ id: 'deletes', onWithdraw: 'delete' });
    await published(keeps);
    await published(deletes);
    await revise([keeps, deletes], { correction: 'The vote was 5-4.' });
    const { sent } = await revise([keeps, deletes], { status: 'unpublished' });
    // Both get a message: one to drop its correction, one to be deleted (and drop it).
    expect(sent.map((m) => m.message.channelId).sort()).toEqual(['deletes', 'keeps']);
    const client = new ScriptedClient().onWithdraw(outcome.withdrawn());
    for (const channel of [keeps, deletes]) {
      await handlePublishMessage(deps([keeps, deletes], client), refOf(await shareOf(channel)));
      expect((await shareOf(channel)).correctionsDue, channel.id).toBeUndefined();
    }
    expect(client.callsOf('withdraw')).toMatchObject([{ action: 'delete' }]);
    expect((await shareOf(deletes)).withdrawal).toMatchObject({
      action: 'delete',
      outcome: 'done',
    });
  });

  it('drops a correction whose article was withdrawn meanwhile', async () => {
    const masto = channelOf({ id: 'masto' });
    await published(masto);
    await revise([masto], { correction: 'The vote was 5-4.' });
    await storeRevision(world, record, { status: 'unpublished' });
    const client = new ScriptedClient();
    await handlePublishMessage(deps([masto], client), refOf(await shareOf(masto)));
    const share = await shareOf(masto);
    expect(share.correctionsDue).toBeUndefined();
    expect(share.corrections).toBeUndefined();
    expect(share.history.at(-1)?.reason).toBe(
      'revision 2: not corrected, the article was withdrawn',
    );
    expect(client.calls).toEqual([]);
  });
});
