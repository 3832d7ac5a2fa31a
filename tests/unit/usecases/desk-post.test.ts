/**
 * Posts of the desk's own over in-memory ports: the text as each network gets it, the
 * shares made (approval, schedule, alt text, Instagram's image), and what must never
 * happen to one: the CMS told of it, compose routing channels onto it, a template
 * rewriting its text.
 */
import { describe, expect, it } from 'vitest';
import type { Editor } from '../../../shared/domain/editor';
import { ValidationError } from '../../../shared/domain/errors';
import type { ShareRef } from '../../../shared/domain/ports';
import { deskLinkUrl, deskText, deskTitle } from '../../../shared/platforms/desk-text';
import { announcePublished } from '../../../shared/usecases/announce-published';
import { changeArticleChannels } from '../../../shared/usecases/article-channels';
import { composeArticle } from '../../../shared/usecases/compose-article';
import { createDeskPost, type DeskPostDeps } from '../../../shared/usecases/desk-post';
import { editShare } from '../../../shared/usecases/edit-share';
import { notifyCms } from '../../../shared/usecases/notify-cms';
import { channelOf } from '../../support/in-memory/fixtures';
import { inMemoryWorld } from '../../support/in-memory/index';

const EDITOR: Editor = { by: 'ada', role: 'editor', sites: ['default'] };
const UTM = { source: '{platform}', medium: 'social', campaign: 'desk-{sourceId}' };
const CHANNELS = [
  channelOf({ id: 'x-desk', platform: 'x', account: 'desk', utm: UTM }),
  channelOf({ id: 'masto-desk', platform: 'mastodon', approval: 'required' }),
  channelOf({ id: 'linkedin-desk', platform: 'linkedin', account: 'urn:li:organization:1' }),
  channelOf({ id: 'insta-desk', platform: 'instagram', account: 'desk' }),
  channelOf({ id: 'gazette-x', platform: 'x', account: 'gazette', siteId: 'gazette' }),
];

function desk() {
  const world = inMemoryWorld('2026-03-02T09:00:00.000Z');
  const enqueued: string[] = [];
  const deps: DeskPostDeps = {
    articles: world.articles,
    shares: world.shares,
    clock: world.clock,
    channels: CHANNELS,
    hasSite: (siteId) => siteId === 'default' || siteId === 'gazette',
    enqueueIfDue: async (share) => {
      enqueued.push(share.channelId);
      return share;
    },
  };
  return { world, deps, enqueued };
}

describe('a desk post’s text per network', () => {
  const link = 'https://news.example.org/live';
  it('goes after the text where the link counts, and stays out where it is an attachment', () => {
    expect(deskText('x', ' Polls close at 8pm \n', link, `${link}?u=1`)).toBe(
      `Polls close at 8pm\n\n${link}?u=1`,
    );
    expect(deskText('linkedin', 'Polls close', link, link)).toBe('Polls close');
    expect(deskText('instagram', 'Polls close', link, link)).toBe('Polls close');
    // Already in the text: replaced in place by the shared URL.
    expect(deskText('bluesky', `See ${link} now`, link, `${link}?u=1`)).toBe(`See ${link}?u=1 now`);
  });

  it('is NFC and trimmed, and its title is the first line cut on a word', () => {
    expect(deskText('x', '  Cafe\u0301  ')).toBe('Café');
    expect(deskTitle('First line\nsecond')).toBe('First line');
    const long = deskTitle(`${'word '.repeat(40)}end`);
    expect([...long].length).toBeLessThanOrEqual(120);
    expect(long.endsWith('word…')).toBe(true);
  });

  it("carries the channel's UTM parameters, {sourceId} the post's id", () => {
    const channel = CHANNELS[0];
    if (!channel) throw new Error('no channel');
    expect(deskLinkUrl(link, channel, 'f'.repeat(32))).toBe(
      `${link}?utm_source=x&utm_medium=social&utm_campaign=desk-${'f'.repeat(32)}`,
    );
  });
});

describe('createDeskPost', () => {
  it('writes the post, composed, and one share per channel: a draft where approval is needed', async () => {
    const { world, deps, enqueued } = desk();
    const { articleId } = await createDeskPost(
      deps,
      { text: 'Live now', channels: ['x-desk', 'masto-desk', 'linkedin-desk'] },
      EDITOR,
    );
    const record = await world.articles.get(articleId);
    expect(record).toMatchObject({
      composedRevision: 1,
      article: {
        source: 'desk',
        url: '',
        title: 'Live now',
        summary: 'Live now',
        siteId: 'default',
      },
    });
    const shares = await world.shares.listForArticle(articleId);
    expect(Object.fromEntries(shares.map((s) => [s.channelId, s.status]))).toEqual({
      'x-desk': 'scheduled',
      'masto-desk': 'draft',
      'linkedin-desk': 'scheduled',
    });
    expect(shares.every((s) => s.text === 'Live now' && s.url === '' && !s.card)).toBe(true);
    expect(shares[0]?.history[0]).toMatchObject({ event: 'compose', by: 'ada' });
    expect(enqueued.sort()).toEqual(['linkedin-desk', 'masto-desk', 'x-desk']);
  });

  it('refuses, writing nothing: Instagram without an image, alt text over X’s limit, another site', async () => {
    const { world, deps } = desk();
    const refused = await createDeskPost(
      deps,
      {
        text: 'Live now',
        channels: ['insta-desk', 'x-desk', 'gazette-x'],
        imageUrl: 'https://news.example.org/p.jpg',
        imageAlt: 'a'.repeat(1001),
      },
      EDITOR,
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).issues).toEqual([
      {
        field: 'imageAlt',
        message: 'x-desk: the alt text is 1001 characters; X takes at most 1000',
      },
      { field: 'channels.2', message: 'gazette-x is not a channel of the site default' },
    ]);
    const withoutImage = await createDeskPost(
      deps,
      { text: 'Live now', channels: ['insta-desk'] },
      EDITOR,
    ).catch((error: unknown) => error);
    expect((withoutImage as ValidationError).issues).toEqual([
      { field: 'channels.0', message: 'insta-desk: Instagram takes no post without an image' },
    ]);
    const notMine = await createDeskPost(
      deps,
      { siteId: 'gazette', text: 'Hi', channels: ['gazette-x'] },
      EDITOR,
    ).catch((error: unknown) => error);
    expect((notMine as ValidationError).issues[0]?.field).toBe('siteId');
    expect((await world.articles.list({ limit: 10 })).articles).toEqual([]);
  });
});

describe('what never happens to a desk post', () => {
  it('is never announced to the CMS, whatever syndication says', async () => {
    const { world, deps } = desk();
    const { articleId, shares } = await createDeskPost(
      deps,
      { text: 'Live now', channels: ['x-desk'] },
      EDITOR,
    );
    const share = shares[0];
    if (!share) throw new Error('no share');
    const published = { ...share, status: 'published' as const, version: 2, remoteId: '1' };
    await world.shares.replace(share, published);

    const queued: ShareRef[] = [];
    await announcePublished(
      { send: async (ref) => void queued.push(ref) },
      { outcome: 'published', share: published },
    );
    expect(queued).toEqual([]);

    const posted: string[] = [];
    const result = await notifyCms(
      {
        shares: world.shares,
        articles: world.articles,
        channels: CHANNELS,
        syndication: { url: 'https://cms.example/crier', sources: {}, timeoutSeconds: 10 },
        sender: {
          post: async (url) => {
            posted.push(url);
            return { kind: 'answered', status: 200 };
          },
        },
        secret: `whsec_${Buffer.from('k'.repeat(32)).toString('base64')}`,
        retry: { maxAttempts: 3, backoff: { baseSeconds: 1, maxSeconds: 10 } },
        clock: world.clock,
      },
      { articleId, channelId: 'x-desk' },
      1,
    );
    expect(result).toEqual({ outcome: 'skipped', reason: 'a desk post: there is no CMS to tell' });
    expect(posted).toEqual([]);
    expect(
      (await world.shares.get({ articleId, channelId: 'x-desk' }))?.syndicatedAt,
    ).toBeUndefined();
  });

  it('is never composed from routing, takes no added channel, and keeps its text its own', async () => {
    const { world, deps } = desk();
    const { articleId } = await createDeskPost(
      deps,
      { text: 'Live now', channels: ['x-desk'] },
      EDITOR,
    );
    // A compose message for it (it never gets one) would change nothing.
    const composed = await composeArticle(
      {
        articles: world.articles,
        shares: world.shares,
        channels: CHANNELS,
        clock: world.clock,
        enqueueIfDue: async (share) => share,
        publishQueue: world.publishQueue,
      },
      { articleId, revision: 2 },
    );
    expect(composed.outcome).toBe('skipped');
    const added = await changeArticleChannels(
      {
        articles: world.articles,
        shares: world.shares,
        clock: world.clock,
        channels: CHANNELS,
        enqueueIfDue: async (share) => share,
      },
      articleId,
      { add: ['linkedin-desk'] },
      EDITOR,
    ).catch((error: unknown) => error);
    expect((added as Error).name).toBe('ConflictError');
    const reset = await editShare(
      {
        articles: world.articles,
        shares: world.shares,
        channels: CHANNELS,
        clock: world.clock,
        enqueueIfDue: async (share) => share,
      },
      { articleId, key: 'x-desk' },
      { text: null },
      EDITOR,
    ).catch((error: unknown) => error);
    expect(reset).toBeInstanceOf(ValidationError);
    expect((await world.shares.listForArticle(articleId)).map((s) => s.channelId)).toEqual([
      'x-desk',
    ]);
  });
});
