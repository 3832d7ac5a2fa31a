/**
 * Compose creates shares only on the channels that take the article (shared/domain/
 * routing.ts): by their routing rules, the article's own choice of channels and their
 * site; a stale article's shares wait as drafts. In memory.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Article } from '../../../shared/domain/article';
import { type Channel, siteSchema } from '../../../shared/domain/channel';
import type { ArticleRecord } from '../../../shared/domain/ports';
import { composeArticle, staleness } from '../../../shared/usecases/compose-article';
import {
  articleRecord,
  channelOf,
  composeDeps,
  moves,
  storeArticle,
  storeRevision,
} from '../../support/in-memory/fixtures';
import { type InMemoryWorld, inMemoryWorld } from '../../support/in-memory/index';

// The fixture articles are published at 2026-03-02T08:00:00Z.
const START = '2026-03-02T09:00:00.000Z';

let world: InMemoryWorld;

beforeEach(() => {
  world = inMemoryWorld(START);
});

const sport = () => channelOf({ id: 'x-sport', platform: 'x', routing: { sections: ['Sport'] } });
const city = () => channelOf({ id: 'masto-city', routing: { sections: ['city'] } });
const everything = () => channelOf({ id: 'tg-all', platform: 'telegram' });

async function compose(channels: readonly Channel[], record: ArticleRecord, extra = {}) {
  const deps = { ...composeDeps(world, channels), ...extra };
  return composeArticle(deps, { articleId: record.articleId, revision: record.article.revision });
}

const shareOn = (record: ArticleRecord, channelId: string) =>
  world.shares.get({ articleId: record.articleId, channelId });

/** Stores an article as a per-site endpoint would: with its site. */
async function storeForSite(siteId: string, patch: Record<string, unknown> = {}) {
  const record = articleRecord(world, patch);
  const article: Article = { ...record.article, siteId };
  const { current } = await world.articles.putRevision({ ...record, article });
  return current;
}

describe('routing by section', () => {
  it('creates shares on the channels that take the article, and names the others', async () => {
    const record = await storeArticle(world, { section: 'City' });

    const result = await compose([sport(), city(), everything()], record);

    expect(result).toEqual({
      outcome: 'composed',
      articleId: record.articleId,
      revision: 1,
      created: ['masto-city', 'tg-all'],
      existing: [],
      recomposed: [],
      notTaken: ['x-sport'],
    });
    expect(await shareOn(record, 'x-sport')).toBeUndefined();
    expect(await shareOn(record, 'masto-city')).toMatchObject({ status: 'queued' });
    // only the shares made are sent
    expect(world.publishQueue.take().map((m) => m.message.channelId)).toEqual([
      'masto-city',
      'tg-all',
    ]);
  });

  it('leaves the result as it was where every channel takes the article', async () => {
    const record = await storeArticle(world, { section: 'Sport' });
    const result = await compose([sport(), everything()], record);
    expect(result).toEqual({
      outcome: 'composed',
      articleId: record.articleId,
      revision: 1,
      created: ['x-sport', 'tg-all'],
      existing: [],
      recomposed: [],
    });
    expect(result).not.toHaveProperty('notTaken');
  });

  it('enriches the article only for the networks of the channels that take it', async () => {
    const record = await storeArticle(world, { section: 'City' });
    const asked: string[][] = [];
    await compose([sport(), city()], record, {
      enrich: async (_article: Article, platforms: readonly string[]) => {
        asked.push([...platforms]);
        return { media: {} };
      },
    });
    expect(asked).toEqual([['mastodon']]);
  });

  it('routes by tags, language and priority, with exclusions', async () => {
    const channels = [
      channelOf({ id: 'by-tag', routing: { tags: ['Bridges'] } }),
      channelOf({ id: 'by-language', routing: { languages: ['en'] } }),
      channelOf({ id: 'breaking-only', routing: { priorities: ['breaking'] } }),
      channelOf({ id: 'no-city', routing: { exclude: { sections: ['CITY'] } } }),
    ];
    const record = await storeArticle(world, {
      tags: ['bridges', 'Transport'],
      language: 'en-GB',
      priority: 'normal',
    });

    const result = await compose(channels, record);

    expect(result).toMatchObject({
      created: ['by-tag', 'by-language'],
      notTaken: ['breaking-only', 'no-city'],
    });
  });
});

describe('the article’s own choice', () => {
  it('skips the channels it names', async () => {
    const record = await storeArticle(world, { channels: { skip: ['TG-ALL', 'nobody'] } });
    const result = await compose([city(), everything()], record);
    expect(result).toMatchObject({ created: ['masto-city'], notTaken: ['tg-all'] });
    expect(await shareOn(record, 'tg-all')).toBeUndefined();
  });

  it('goes only to the channels it names with only, whatever their routing says', async () => {
    const record = await storeArticle(world, {
      section: 'City',
      channels: { only: ['x-sport', 'no-such-channel'] },
    });
    const result = await compose([sport(), city(), everything()], record);
    expect(result).toMatchObject({ created: ['x-sport'], notTaken: ['masto-city', 'tg-all'] });
  });

  it('goes nowhere where only names no channel there is, and that is not an error', async () => {
    const record = await storeArticle(world, { channels: { only: ['no-such-channel'] } });
    const result = await compose([city(), everything()], record);
    expect(result).toMatchObject({ outcome: 'composed', created: [] });
    expect(world.publishQueue.take()).toEqual([]);
  });

  it('skips a channel named both in only and in skip', async () => {
    const record = await storeArticle(world, {
      channels: { only: ['masto-city', 'tg-all'], skip: ['tg-all'] },
    });
    expect(await compose([city(), everything()], record)).toMatchObject({
      created: ['masto-city'],
      notTaken: ['tg-all'],
    });
  });
});

describe('sites', () => {
  it('a channel of another site does not take the default site’s article', async () => {
    const gazette = channelOf({ id: 'gazette-x', platform: 'x', siteId: 'gazette' });
    const record = await storeArticle(world);
    expect(await compose([gazette, everything()], record)).toMatchObject({
      created: ['tg-all'],
      notTaken: ['gazette-x'],
    });
  });

  it('an article of a site goes to that site’s channels only, even where it names others', async () => {
    const gazette = channelOf({ id: 'gazette-x', platform: 'x', siteId: 'gazette' });
    const record = await storeForSite('gazette', { channels: { only: ['gazette-x', 'tg-all'] } });
    expect(record.article.siteId).toBe('gazette');
    expect(await compose([gazette, everything()], record)).toMatchObject({
      created: ['gazette-x'],
      notTaken: ['tg-all'],
    });
  });
});

describe('a new revision that changes the section', () => {
  it('creates shares on the channels that now take it and keeps the ones made', async () => {
    const channels = [sport(), city()];
    const record = await storeArticle(world, { section: 'City' });
    expect(await compose(channels, record)).toMatchObject({ created: ['masto-city'] });
    world.clock.advance(60_000);

    const revised = await storeRevision(world, record, { section: 'Sport' });
    const result = await compose(channels, revised);

    expect(result).toEqual({
      outcome: 'composed',
      articleId: record.articleId,
      revision: 2,
      created: ['x-sport'],
      existing: [],
      recomposed: ['masto-city'],
    });
    // the share already made stays, and follows the revision like any other (asap: queued)
    expect(await shareOn(record, 'masto-city')).toMatchObject({
      status: 'queued',
      articleRevision: 2,
    });
    expect(await shareOn(record, 'x-sport')).toMatchObject({
      status: 'queued',
      articleRevision: 2,
    });
  });

  it('keeps a share whose channel a revision skips', async () => {
    const record = await storeArticle(world, { section: 'City' });
    await compose([city()], record);
    world.clock.advance(60_000);

    const revised = await storeRevision(world, record, { channels: { skip: ['masto-city'] } });
    expect(await compose([city()], revised)).toMatchObject({
      created: [],
      recomposed: ['masto-city'],
    });
    expect(await shareOn(record, 'masto-city')).toMatchObject({ status: 'queued' });
  });
});

describe('stale articles', () => {
  const settings = (staleAfterHours?: number) => ({
    settings: {
      site: siteSchema.parse({ name: 'The Gazette', staleAfterHours }),
      authors: {},
    },
  });

  it('are shared as drafts awaiting approval, with the reason in the history', async () => {
    world.clock.set('2026-03-05T09:00:00.000Z'); // 3 days and an hour after publication
    const record = await storeArticle(world);

    const result = await compose([city(), everything()], record, settings(48));

    expect(result).toMatchObject({ created: ['masto-city', 'tg-all'] });
    for (const channelId of ['masto-city', 'tg-all']) {
      const share = await shareOn(record, channelId);
      expect(share?.status).toBe('draft');
      expect(moves(share)).toEqual([
        {
          event: 'compose',
          to: 'draft',
          by: 'crier',
          reason: 'stale: first seen 3 days after it was published',
        },
      ]);
    }
    // nothing is sent before an editor approves
    expect(world.publishQueue.take()).toEqual([]);
  });

  it('take a channel that requires approval to the stale reason as well', async () => {
    world.clock.set('2026-03-05T09:00:00.000Z');
    const record = await storeArticle(world);
    const approval = channelOf({ id: 'masto-approval', approval: 'required' });
    await compose([approval], record, settings(48));
    expect(moves(await shareOn(record, 'masto-approval'))).toEqual([
      {
        event: 'compose',
        to: 'draft',
        by: 'crier',
        reason: 'stale: first seen 3 days after it was published',
      },
    ]);
  });

  it('are not stale within the hours the site allows, nor where it sets none', async () => {
    world.clock.set('2026-03-04T07:00:00.000Z'); // 47 hours after publication
    const fresh = await storeArticle(world);
    await compose([everything()], fresh, settings(48));
    expect(await shareOn(fresh, 'tg-all')).toMatchObject({ status: 'queued' });

    world.clock.set('2026-06-02T08:00:00.000Z');
    const old = await storeArticle(world);
    await compose([everything()], old, settings(undefined));
    expect(await shareOn(old, 'tg-all')).toMatchObject({ status: 'queued' });
    const unset = await storeArticle(world);
    await compose([channelOf({ id: 'no-settings' })], unset);
    expect(await shareOn(unset, 'no-settings')).toMatchObject({ status: 'queued' });
  });

  it('count from when the article was first seen, not from a later revision', async () => {
    const record = await storeArticle(world); // an hour after publication
    await compose([city()], record, settings(48));
    world.clock.set('2026-03-10T08:00:00.000Z');
    const revised = await storeRevision(world, record, { title: 'A later correction' });
    expect(revised.receivedAt).toBe(START);

    // a channel that takes the article only now is not given a stale draft either
    const result = await compose([city(), everything()], revised, settings(48));
    expect(result).toMatchObject({ created: ['tg-all'], recomposed: ['masto-city'] });
    expect(await shareOn(record, 'tg-all')).toMatchObject({ status: 'queued' });
  });

  it('say how late the article was first seen, in hours or days', () => {
    const at = (receivedAt: string) =>
      staleness({ receivedAt, article: { publishedAt: '2026-03-02T08:00:00.000Z' } as Article }, 1);
    expect(at('2026-03-02T09:00:00.000Z')).toBeUndefined();
    expect(at('2026-03-02T09:00:00.001Z')).toBe('stale: first seen 1 hour after it was published');
    expect(
      staleness(
        {
          receivedAt: '2026-03-02T08:40:00.000Z',
          article: { publishedAt: '2026-03-02T08:00:00.000Z' } as Article,
        },
        0.5,
      ),
    ).toBe('stale: first seen 40 minutes after it was published');
    expect(at('2026-03-03T20:00:00.000Z')).toBe(
      'stale: first seen 36 hours after it was published',
    );
    expect(at('2026-03-04T08:00:00.000Z')).toBe('stale: first seen 2 days after it was published');
    expect(at('2027-03-02T08:00:00.000Z')).toBe(
      'stale: first seen 365 days after it was published',
    );
    expect(
      staleness(
        { receivedAt: START, article: { publishedAt: '2020-01-01T00:00:00Z' } as Article },
        undefined,
      ),
    ).toBeUndefined();
  });

  it('refuse a staleAfterHours that is not a positive number', () => {
    expect(siteSchema.safeParse({ name: 'G', staleAfterHours: 0 }).success).toBe(false);
    expect(siteSchema.safeParse({ name: 'G', staleAfterHours: -1 }).success).toBe(false);
    expect(siteSchema.safeParse({ name: 'G', staleAfterHours: '48' }).success).toBe(false);
    expect(siteSchema.parse({ name: 'G', staleAfterHours: 0.5 }).staleAfterHours).toBe(0.5);
    expect(siteSchema.parse({ name: 'G' }).staleAfterHours).toBeUndefined();
  });
});
