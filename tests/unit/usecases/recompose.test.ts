/**
 * A new article revision over shares that exist (compose-article.ts, recompose-share.ts),
 * in memory: draft, scheduled and queued shares take the new revision except what an
 * editor changed by hand; a queued share whose time moves goes back to scheduled; shares
 * already out are left alone; a writer that wins the race is read again.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../shared/domain/channel';
import type { ArticleRecord } from '../../../shared/domain/ports';
import { applyEvent, type Share } from '../../../shared/domain/share';
import { composeArticle, newShare } from '../../../shared/usecases/compose-article';
import { enqueueIfDue } from '../../../shared/usecases/dispatch';
import { editShare } from '../../../shared/usecases/edit-share';
import { handlePublishMessage } from '../../../shared/usecases/publish-share';
import { recomposeStored } from '../../../shared/usecases/recompose-share';
import {
  channelOf,
  composeDeps,
  dispatchDeps,
  moves,
  publishDeps,
  refOf,
  storeArticle,
  storeRevision,
} from '../../support/in-memory/fixtures';
import { type InMemoryWorld, inMemoryWorld, ScriptedClient } from '../../support/in-memory/index';

const START = '2026-03-02T09:00:00.000Z';
const EDITOR = { by: 'ana@desk', role: 'editor' as const };

let world: InMemoryWorld;
let channel: Channel;
let deps: ReturnType<typeof composeDeps>;

beforeEach(() => {
  world = inMemoryWorld(START);
  channel = channelOf({ id: 'masto-desk', template: '{title} {url}' });
  deps = composeDeps(world, [channel], { schedule: false });
});

/** Stores and composes revision 1, and answers its share. */
async function composed(patch: Record<string, unknown>): Promise<[ArticleRecord, Share]> {
  const record = await storeArticle(world, patch);
  expect(await composeArticle(deps, { articleId: record.articleId, revision: 1 })).toMatchObject({
    outcome: 'composed',
    created: [channel.id],
  });
  const share = await world.shares.get({ articleId: record.articleId, channelId: channel.id });
  if (!share) throw new Error('no share');
  return [record, share];
}

const shareOf = (record: ArticleRecord) =>
  world.shares.get({ articleId: record.articleId, channelId: channel.id });

const editDeps = () => ({
  articles: world.articles,
  shares: world.shares,
  channels: [channel],
  clock: world.clock,
  enqueueIfDue: (share: Share) => enqueueIfDue(dispatchDeps(world), share),
});

describe('a new revision over a scheduled share', () => {
  it('recomposes its text and link, stamped with the revision', async () => {
    const [record, before] = await composed({ id: 'rev-text', shareAt: '2026-03-02T12:00:00Z' });
    expect(before).toMatchObject({ status: 'scheduled', version: 1, articleRevision: 1 });
    world.clock.advance(60_000);
    await storeRevision(world, record, {
      title: 'Council approves the river crossing, 7 to 2',
      url: 'https://news.example.org/2026/rev-text-updated',
    });

    const result = await composeArticle(deps, { articleId: record.articleId, revision: 2 });

    expect(result).toEqual({
      outcome: 'composed',
      articleId: record.articleId,
      revision: 2,
      created: [],
      existing: [],
      recomposed: [channel.id],
    });
    const after = await shareOf(record);
    expect(after).toMatchObject({
      status: 'scheduled',
      version: 2,
      articleRevision: 2,
      dueAt: '2026-03-02T12:00:00.000Z',
      idempotencyKey: before.idempotencyKey,
      text: expect.stringContaining('Council approves the river crossing, 7 to 2'),
      url: expect.stringContaining('https://news.example.org/2026/rev-text-updated'),
    });
    expect(moves(after, 1)).toEqual([
      {
        event: 'recompose',
        from: 'scheduled',
        to: 'scheduled',
        by: 'crier',
        reason: 'revision 2: new text, length, url',
      },
    ]);
    expect((await world.articles.get(record.articleId))?.composedRevision).toBe(2);

    // The same revision again (a redelivered message) changes nothing.
    const writes = world.shares.writes.length;
    expect(await composeArticle(deps, { articleId: record.articleId, revision: 2 })).toMatchObject({
      outcome: 'skipped',
      reason: 'revision 2 already composed',
    });
    expect(world.shares.writes).toHaveLength(writes);
  });

  it("keeps an editor's text and time, and takes the rest", async () => {
    const [record] = await composed({ id: 'rev-edited', shareAt: '2026-03-02T12:00:00Z' });
    const address = { articleId: record.articleId, key: channel.id };
    const edited = await editShare(
      editDeps(),
      address,
      {
        text: 'Our editor’s own words https://news.example.org/2026/rev-edited',
        dueAt: '2026-03-02T14:00:00.000Z',
      },
      EDITOR,
    );
    expect(edited).toMatchObject({
      version: 2,
      dueAt: '2026-03-02T14:00:00.000Z',
      edited: { text: START, dueAt: START },
    });

    await storeRevision(world, record, {
      title: 'A new headline',
      url: 'https://news.example.org/2026/rev-edited-2',
      shareAt: '2026-03-02T13:00:00.000Z',
    });
    expect(await composeArticle(deps, { articleId: record.articleId, revision: 2 })).toMatchObject({
      recomposed: [channel.id],
    });

    const after = await shareOf(record);
    expect(after).toMatchObject({
      status: 'scheduled',
      version: 3,
      articleRevision: 2,
      text: 'Our editor’s own words https://news.example.org/2026/rev-edited',
      dueAt: '2026-03-02T14:00:00.000Z',
      url: expect.stringContaining('rev-edited-2'),
      edited: { text: START, dueAt: START },
    });
    expect(moves(after, 1)).toEqual([
      {
        event: 'recompose',
        from: 'scheduled',
        to: 'scheduled',
        by: 'crier',
        reason: "revision 2: new url; kept the editor's text; kept the editor's time",
      },
    ]);
  });

  it('recomposes a draft, which stays a draft for its editor', async () => {
    channel = channelOf({ id: 'masto-desk', approval: 'required' });
    deps = composeDeps(world, [channel], { schedule: false });
    const [record, before] = await composed({ id: 'rev-draft' });
    expect(before.status).toBe('draft');

    await storeRevision(world, record, { title: 'Drafted again' });
    await composeArticle(deps, { articleId: record.articleId, revision: 2 });

    expect(await shareOf(record)).toMatchObject({
      status: 'draft',
      version: 2,
      articleRevision: 2,
      text: expect.stringContaining('Drafted again'),
    });
  });
});

describe('a new revision over a queued share', () => {
  it('sends it back to scheduled when its time moves, and its old message then finds nothing to do', async () => {
    const [record, before] = await composed({ id: 'rev-queued', shareAt: '2026-03-02T09:01:00Z' });
    expect(before).toMatchObject({ status: 'queued', version: 2 });
    expect(world.publishQueue.take()).toEqual([
      { message: refOf(before), requestedDelaySeconds: 60, delaySeconds: 60 },
    ]);

    await storeRevision(world, record, { shareAt: '2026-03-02T10:00:00.000Z' });
    await composeArticle(deps, { articleId: record.articleId, revision: 2 });

    const after = await shareOf(record);
    // One write: the recompose and the move back to scheduled are one version.
    expect(after).toMatchObject({
      status: 'scheduled',
      version: 3,
      articleRevision: 2,
      dueAt: '2026-03-02T10:00:00.000Z',
    });
    expect(after?.leaseUntil).toBeUndefined();
    expect(moves(after, 2)).toEqual([
      {
        event: 'recompose',
        from: 'queued',
        to: 'queued',
        by: 'crier',
        reason: 'revision 2: new dueAt',
      },
      {
        event: 'reschedule',
        from: 'queued',
        to: 'scheduled',
        by: 'crier',
        reason: 'revision 2 moved dueAt to 2026-03-02T10:00:00.000Z',
      },
    ]);
    // An hour away: not sent yet; the dispatcher claims it when due.
    expect(world.publishQueue.sent).toEqual([]);
    expect(await world.shares.dueBy('2026-03-02T10:00:00.000Z', 10)).toEqual([refOf(before)]);

    // The old message arrives: the share moved on, nothing is posted.
    world.clock.advance(60_000);
    const client = new ScriptedClient();
    expect(
      await handlePublishMessage(publishDeps(world, [channel], client), refOf(before)),
    ).toEqual({ outcome: 'skipped', reason: 'share is scheduled' });
    expect(client.calls).toEqual([]);
  });

  it('stays queued when its time does not change', async () => {
    const [record] = await composed({ id: 'rev-queued-same', shareAt: '2026-03-02T09:01:00Z' });
    await storeRevision(world, record, { title: 'Same time, new words' });
    await composeArticle(deps, { articleId: record.articleId, revision: 2 });

    const after = await shareOf(record);
    expect(after).toMatchObject({ status: 'queued', version: 3, articleRevision: 2 });
    expect(moves(after, 1)[0]).toMatchObject({ event: 'recompose', from: 'queued', to: 'queued' });
  });
});

describe('shares a new revision must not touch', () => {
  it.each(['publishing', 'published', 'failed', 'unknown', 'cancelled'] as const)(
    'leaves a %s share as it is',
    async (status) => {
      const [record, before] = await composed({
        id: `rev-${status}`,
        shareAt: '2026-03-02T12:00:00Z',
      });
      world.shares.put({ ...before, status, version: 7 });
      // A new standfirst: a new headline on a published post is a correction (corrections.test.ts).
      await storeRevision(world, record, { summary: 'Too late for this one.' });

      const result = await composeArticle(deps, { articleId: record.articleId, revision: 2 });

      expect(result).toMatchObject({ existing: [channel.id], recomposed: [] });
      expect(await shareOf(record)).toEqual({ ...before, status, version: 7 });
    },
  );

  it('ignores an older revision arriving late', async () => {
    const [record, before] = await composed({ id: 'rev-late', shareAt: '2026-03-02T12:00:00Z' });
    const newer = await storeRevision(world, record, { title: 'Revision two' });
    await composeArticle(deps, { articleId: record.articleId, revision: 2 });
    const current = await shareOf(record);

    const late = newShare(record, channel, world.clock.now());
    expect(late.articleRevision).toBe(1);
    expect(newer.article.revision).toBe(2);
    expect(await recomposeStored(world, late)).toEqual({ share: current, recomposed: false });
    expect(current?.version).toBe(before.version + 1);
  });
});

describe('recomposeStored in a race', () => {
  it('reads the share again when the dispatcher claimed it first, and recomposes the claimed share', async () => {
    const [record, before] = await composed({ id: 'rev-race', shareAt: '2026-03-02T12:00:00Z' });
    const revised = await storeRevision(world, record, { title: 'Raced revision' });
    // The dispatcher claims it between recompose's read and its write.
    world.shares.interceptNextReplace(async (previous) => {
      const queued = applyEvent(previous, 'enqueue', { at: world.clock.now(), by: 'dispatcher' });
      expect(await world.shares.replace(previous, queued)).toBe(true);
    });

    const result = await recomposeStored(world, newShare(revised, channel, world.clock.now()));

    expect(result).toMatchObject({
      recomposed: true,
      share: { status: 'queued', version: 3, articleRevision: 2 },
    });
    expect(world.shares.writes.slice(-3).map((w) => [w.expected, w.written, w.ok])).toEqual([
      [{ status: 'scheduled', version: 1 }, { status: 'queued', version: 2 }, true],
      [{ status: 'scheduled', version: 1 }, { status: 'scheduled', version: 2 }, false],
      [{ status: 'queued', version: 2 }, { status: 'queued', version: 3 }, true],
    ]);
    expect(moves(await shareOf(record)).map((m) => m.event)).toEqual([
      'compose',
      'enqueue',
      'recompose',
    ]);
    expect(before.version).toBe(1);
  });
});
