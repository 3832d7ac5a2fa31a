/**
 * An editor adds a channel to an article or drops one from it before anything is posted
 * (shared/usecases/article-channels.ts), and the choice outlives the CMS's later
 * revisions. In memory.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ChannelStatus } from '../../../shared/domain/channel-directory';
import { ConflictError, NotFoundError, ValidationError } from '../../../shared/domain/errors';
import type { ArticleRecord } from '../../../shared/domain/ports';
import {
  type ArticleChannelsDeps,
  changeArticleChannels,
} from '../../../shared/usecases/article-channels';
import { composeArticle } from '../../../shared/usecases/compose-article';
import { enqueueIfDue } from '../../../shared/usecases/dispatch';
import {
  articleRecord,
  channelOf,
  composeDeps,
  dispatchDeps,
  storeArticle,
  storeRevision,
} from '../../support/in-memory/fixtures';
import { type InMemoryWorld, inMemoryWorld } from '../../support/in-memory/index';

const START = '2026-03-02T09:00:00.000Z';
const EDITOR = { by: 'editor:rosa', role: 'editor' as const };

// Every share waits half an hour. Sport takes only sport; the city desk takes the city;
// Telegram takes everything.
const later = { schedule: { type: 'delay', minutes: 30 } } as const;
const sport = channelOf({
  id: 'x-sport',
  platform: 'x',
  routing: { sections: ['Sport'] },
  ...later,
});
const city = channelOf({ id: 'masto-city', routing: { sections: ['City'] }, ...later });
const telegram = channelOf({ id: 'tg-all', platform: 'telegram', ...later });
const approval = channelOf({
  ...later,
  id: 'bsky-review',
  platform: 'bluesky',
  account: 'desk.bsky.social',
  approval: 'required',
  routing: { sections: ['Sport'] },
});
const gazette = channelOf({ id: 'gazette-x', platform: 'x', siteId: 'gazette' });
const old = channelOf({ id: 'masto-old', routing: { sections: ['Sport'] } });
const CHANNELS = [sport, city, telegram, approval, gazette, old];

let world: InMemoryWorld;
let statuses: Record<string, ChannelStatus>;

beforeEach(() => {
  world = inMemoryWorld(START);
  statuses = { 'masto-old': 'archived' };
});

function deps(): ArticleChannelsDeps {
  const compose = composeDeps(world, CHANNELS);
  return {
    ...compose,
    statusOf: (id) => statuses[id] ?? 'active',
    enqueueIfDue: (share) => enqueueIfDue(dispatchDeps(world), share),
  };
}

/** A City article, composed: shares on masto-city and tg-all. */
async function composedArticle(patch: Record<string, unknown> = {}): Promise<ArticleRecord> {
  const record = await storeArticle(world, { section: 'City', ...patch });
  await compose(record);
  return record;
}

async function compose(record: ArticleRecord) {
  const current = await world.articles.get(record.articleId);
  if (!current) throw new Error('no article');
  return composeArticle(
    { ...composeDeps(world, CHANNELS), statusOf: (id) => statuses[id] ?? 'active' },
    { articleId: record.articleId, revision: current.article.revision },
  );
}

const change = (record: ArticleRecord, body: { add?: string[]; drop?: string[] }) =>
  changeArticleChannels(deps(), record.articleId, body, EDITOR);

const shareOn = (record: ArticleRecord, channelId: string) =>
  world.shares.get({ articleId: record.articleId, channelId });

const statusesOf = async (record: ArticleRecord) =>
  Object.fromEntries(
    (await world.shares.listForArticle(record.articleId)).map((s) => [s.channelId, s.status]),
  );

/** Everything the stores hold, to prove a refused request wrote nothing. */
async function snapshot(record: ArticleRecord) {
  return JSON.stringify({
    article: await world.articles.get(record.articleId),
    shares: await world.shares.listForArticle(record.articleId),
  });
}

describe('adding a channel', () => {
  it('composes a share on a channel routing left out, as compose would, and records the choice', async () => {
    const record = await composedArticle();
    expect(await statusesOf(record)).toEqual({ 'masto-city': 'scheduled', 'tg-all': 'scheduled' });

    const answer = await change(record, { add: ['x-sport'] });

    expect(answer.changes).toEqual([
      expect.objectContaining({ channelId: 'x-sport', outcome: 'added' }),
    ]);
    const share = await shareOn(record, 'x-sport');
    expect(share).toMatchObject({ status: 'scheduled', platform: 'x', articleRevision: 1 });
    expect(share?.text).toContain(record.article.title);
    expect(share?.history[0]).toMatchObject({ event: 'compose', by: 'editor:rosa' });
    expect(share?.history[0]?.reason).toMatch(/^added to this article by editor:rosa; revision 1/);
    expect(answer.article.channelOverrides).toEqual({ added: ['x-sport'], dropped: [] });
    expect(answer.shares.map((s) => s.channelId).sort()).toEqual([
      'masto-city',
      'tg-all',
      'x-sport',
    ]);
  });

  it("follows the channel's approval rule: a channel that needs approval gets a draft", async () => {
    const record = await composedArticle();
    await change(record, { add: ['bsky-review'] });
    expect((await shareOn(record, 'bsky-review'))?.status).toBe('draft');
  });

  it("overrides the article's own skip of the channel", async () => {
    const record = await composedArticle({ channels: { skip: ['tg-all'] } });
    expect(await shareOn(record, 'tg-all')).toBeUndefined();
    const answer = await change(record, { add: ['tg-all'] });
    expect(answer.changes[0]?.outcome).toBe('added');
    expect((await shareOn(record, 'tg-all'))?.status).toBe('scheduled');
  });

  it('takes a paused channel (its share waits at the claim)', async () => {
    statuses['x-sport'] = 'paused';
    const record = await composedArticle();
    const answer = await change(record, { add: ['x-sport'] });
    expect(answer.changes[0]?.outcome).toBe('added');
  });

  it('answers already-live for a channel that has a share, and changes nothing', async () => {
    const record = await composedArticle();
    const before = await snapshot(record);
    const answer = await change(record, { add: ['tg-all'] });
    expect(answer.changes).toEqual([
      expect.objectContaining({ channelId: 'tg-all', outcome: 'already-live' }),
    ]);
    expect(answer.changes[0]?.share?.status).toBe('scheduled');
    expect(await snapshot(record)).toBe(before);
  });

  it('is idempotent: the same add twice makes one share and one change', async () => {
    const record = await composedArticle();
    await change(record, { add: ['x-sport'] });
    const after = await snapshot(record);
    const again = await change(record, { add: ['x-sport'] });
    expect(again.changes[0]?.outcome).toBe('already-live');
    expect(await snapshot(record)).toBe(after);
  });

  it('revives a cancelled share as a new pending one, keeping its history', async () => {
    const record = await composedArticle();
    await change(record, { drop: ['tg-all'] });
    const cancelled = await shareOn(record, 'tg-all');
    expect(cancelled?.status).toBe('cancelled');

    const answer = await change(record, { add: ['tg-all'] });

    expect(answer.changes[0]?.outcome).toBe('revived');
    const revived = await shareOn(record, 'tg-all');
    expect(revived?.status).toBe('scheduled');
    expect(revived?.idempotencyKey).not.toBe(cancelled?.idempotencyKey);
    expect(revived?.version).toBe((cancelled?.version ?? 0) + 1);
    expect(revived?.history.map((h) => [h.event, h.from ?? null, h.to])).toEqual([
      ['compose', null, 'scheduled'],
      ['cancel', 'scheduled', 'cancelled'],
      ['compose', 'cancelled', 'scheduled'],
    ]);
    expect(revived?.history.at(-1)?.reason).toMatch(/^added back to this article by editor:rosa/);
    expect(answer.article.channelOverrides).toEqual({ added: ['tg-all'], dropped: [] });
  });
});

describe('dropping a channel', () => {
  it("cancels the channel's pending share with a reason naming the editor", async () => {
    const record = await composedArticle();
    const answer = await change(record, { drop: ['tg-all'] });
    expect(answer.changes[0]).toMatchObject({ channelId: 'tg-all', outcome: 'dropped' });
    const share = await shareOn(record, 'tg-all');
    expect(share?.status).toBe('cancelled');
    expect(share?.history.at(-1)).toMatchObject({
      event: 'cancel',
      by: 'editor:rosa',
      reason: 'dropped from this article by editor:rosa',
    });
    expect(answer.article.channelOverrides).toEqual({ added: [], dropped: ['tg-all'] });
  });

  it('is idempotent: dropping again answers already-dropped and writes nothing', async () => {
    const record = await composedArticle();
    await change(record, { drop: ['tg-all'] });
    const after = await snapshot(record);
    const again = await change(record, { drop: ['tg-all'] });
    expect(again.changes[0]?.outcome).toBe('already-dropped');
    expect(await snapshot(record)).toBe(after);
  });

  it('refuses a share already published with 409, saying to withdraw instead, and writes nothing', async () => {
    const record = await composedArticle();
    const share = await shareOn(record, 'tg-all');
    if (!share) throw new Error('no share');
    await world.shares.replace(share, {
      ...share,
      status: 'published',
      version: share.version + 1,
    });
    const before = await snapshot(record);

    const refused = change(record, { drop: ['masto-city', 'tg-all'] });

    await expect(refused).rejects.toThrow(ConflictError);
    await expect(refused).rejects.toThrow(/published.*withdraw its post instead/);
    expect(await snapshot(record)).toBe(before);
    expect((await shareOn(record, 'masto-city'))?.status).toBe('scheduled');
  });
});

describe('refusals', () => {
  it('answers 400 naming each bad channel, and writes nothing', async () => {
    const record = await composedArticle();
    const before = await snapshot(record);
    const refused = change(record, {
      add: ['x-sport', 'gazette-x', 'masto-old', 'nope'],
      drop: ['x-sport'],
    });
    await expect(refused).rejects.toThrow(ValidationError);
    const error = await refused.then(
      () => {
        throw new Error('not refused');
      },
      (caught: ValidationError) => caught,
    );
    expect(error.issues.map((i) => i.field)).toEqual(['add.1', 'add.2', 'add.3', 'drop.0']);
    expect(error.issues[1]?.message).toContain('archived');
    expect(await snapshot(record)).toBe(before);
  });

  it("answers another site's article as absent", async () => {
    const record = await composedArticle();
    await expect(
      changeArticleChannels(
        deps(),
        record.articleId,
        { add: ['x-sport'] },
        EDITOR,
        (site) => site === 'gazette',
      ),
    ).rejects.toThrow(NotFoundError);
    expect(await shareOn(record, 'x-sport')).toBeUndefined();
  });

  it('refuses a withdrawn article with 409', async () => {
    const record = await composedArticle();
    await storeRevision(world, record, { status: 'deleted' });
    await expect(change(record, { add: ['x-sport'] })).rejects.toThrow(ConflictError);
  });
});

describe('a later revision from the CMS', () => {
  it('neither re-adds a dropped channel nor drops an added one', async () => {
    const record = await composedArticle();
    await change(record, { drop: ['tg-all'], add: ['x-sport'] });

    // The CMS sends the article again, now limited to tg-all: routing alone would take
    // tg-all back and leave x-sport out.
    await storeRevision(world, record, { title: 'Council approves the crossing, again' });
    const result = await compose(record);

    expect(result).toMatchObject({ outcome: 'composed', revision: 2 });
    expect(await statusesOf(record)).toEqual({
      'masto-city': 'scheduled',
      'tg-all': 'cancelled',
      'x-sport': 'scheduled',
    });
    expect((await shareOn(record, 'x-sport'))?.articleRevision).toBe(2);
    expect((await shareOn(record, 'tg-all'))?.articleRevision).toBe(1);
    expect((await world.articles.get(record.articleId))?.channelOverrides).toMatchObject({
      added: ['x-sport'],
      dropped: ['tg-all'],
    });
  });

  it('does not create a share on a channel dropped before compose ran', async () => {
    const record = await storeArticle(world, { section: 'City' });
    // Dropped while the article waits for compose: no share to cancel, the choice is kept.
    const answer = await change(record, { drop: ['tg-all'] });
    expect(answer.changes).toEqual([{ channelId: 'tg-all', outcome: 'dropped', share: null }]);
    const kept = await snapshot(record);
    const again = await change(record, { drop: ['tg-all'] });
    expect(again.changes).toEqual([
      { channelId: 'tg-all', outcome: 'already-dropped', share: null },
    ]);
    expect(await snapshot(record)).toBe(kept);

    await compose(record);

    expect(await statusesOf(record)).toEqual({ 'masto-city': 'scheduled' });
  });

  it("keeps an added channel over the article's own only list", async () => {
    const record = articleRecord(world, { section: 'City' });
    await world.articles.putRevision(record);
    await compose(record);
    await change(record, { add: ['x-sport'] });
    await storeRevision(world, record, { channels: { only: ['masto-city'] } });
    await compose(record);
    expect((await shareOn(record, 'x-sport'))?.articleRevision).toBe(2);
  });
});
