/**
 * The publish step's image check over an in-memory bucket: a Bluesky card whose
 * thumbnail the bucket deleted gets the one made again; one that cannot be made goes out
 * without a thumbnail and with a warning; an image still there costs one look and no
 * change; a link is made only for the networks that download the image themselves.
 */
import { describe, expect, it } from 'vitest';
import type { Article } from '../../../shared/domain/article';
import type { MediaKeeper } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import { handlePublishMessage } from '../../../shared/usecases/publish-share';
import { keepMedia, linkMedia } from '../../../shared/usecases/publish-share/media';
import { at, deskOf } from '../../support/in-memory/desk';
import { channelOf, publishDeps, queuedShare, refOf } from '../../support/in-memory/fixtures';
import { outcome, ScriptedClient } from '../../support/in-memory/index';

const OLD = `s3://crier-media/media/${'a'.repeat(64)}.jpg`;
const NEW = `s3://crier-media/media/${'b'.repeat(64)}.jpg`;

/** A bucket holding `present`; `remade` is what a re-make stores, or why it cannot. */
function bucket(present: string[], remade: string | Error) {
  const looked: string[] = [];
  const keeper: MediaKeeper = {
    isStored: (url) => url.startsWith('s3://crier-media/'),
    exists: async (url) => {
      looked.push(url);
      return present.includes(url);
    },
    link: async (url, now) => `https://bucket.example/${url.slice(5)}?signed=${now.toISOString()}`,
    remake: async () => {
      if (remade instanceof Error) throw remade;
      return { media: [{ url: remade, alt: 'The share card' }], warnings: [] };
    },
  };
  return { keeper, looked };
}

const cardShare = (patch: Partial<Share> = {}) =>
  ({
    platform: 'bluesky',
    card: { url: 'https://news.example.org/a', title: 'A', imageUrl: OLD, imageAlt: 'old' },
    warnings: ['kept warning'],
    ...patch,
  }) as Share;
const article = {} as Article;

describe('the image check at the claim', () => {
  it('gives a card whose thumbnail is gone the one made again, and its alt text', async () => {
    const { keeper } = bucket([], NEW);
    expect(await keepMedia(keeper, cardShare(), article)).toEqual({
      media: undefined,
      card: {
        url: 'https://news.example.org/a',
        title: 'A',
        imageUrl: NEW,
        imageAlt: 'The share card',
      },
      warnings: ['kept warning'],
    });
  });

  it('drops a thumbnail that cannot be made again, and says why on the share', async () => {
    const { keeper } = bucket([], new Error('the share card could not be drawn'));
    const patch = await keepMedia(keeper, cardShare(), article);
    expect(patch?.card).toEqual({ url: 'https://news.example.org/a', title: 'A' });
    expect(patch?.warnings).toEqual([
      'kept warning',
      'The image stored for this share was no longer in the media bucket (it keeps images 30 days) and could not be made again (the share card could not be drawn): the share goes out without it.',
    ]);
  });

  it('tells an Instagram desk that its post is refused without the image', async () => {
    const { keeper } = bucket([], new Error('S3 refused the write'));
    const patch = await keepMedia(
      keeper,
      { platform: 'instagram', media: [{ url: OLD }] } as Share,
      article,
    );
    expect(patch?.media).toBeUndefined();
    expect(patch?.warnings?.[0]).toMatch(
      /Instagram takes no post without one, so it is refused\.$/,
    );
  });

  it('changes nothing where every image is still there, nor looks at an article URL', async () => {
    const { keeper, looked } = bucket([OLD], NEW);
    const share = cardShare({ media: [{ url: 'https://news.example.org/photo.jpg' }] });
    expect(await keepMedia(keeper, share, article)).toBeUndefined();
    expect(looked).toEqual([OLD]);
  });

  it('links stored images for the networks that download them, and no others', async () => {
    const { keeper } = bucket([OLD], NEW);
    const now = new Date('2026-05-01T10:00:00Z');
    const telegram = { platform: 'telegram', media: [{ url: OLD }] } as Share;
    expect((await linkMedia(keeper, telegram, now)).media).toEqual([
      {
        url: `https://bucket.example/crier-media/media/${'a'.repeat(64)}.jpg?signed=2026-05-01T10:00:00.000Z`,
      },
    ]);
    const bluesky = cardShare({ media: [{ url: OLD }] });
    expect(await linkMedia(keeper, bluesky, now)).toBe(bluesky);
  });

  it('writes the made-again image with the claim, and the network sees it linked', async () => {
    const client = new ScriptedClient().onPublish(outcome.posted('7'));
    const { world, record } = await deskOf({ client });
    const channel = channelOf({ id: 'tg-desk', platform: 'telegram', account: '@desk' });
    const share = await queuedShare(world, record, channel, { media: [{ url: OLD }] });
    const { keeper } = bucket([], NEW);

    const result = await handlePublishMessage(
      publishDeps(world, [channel], client, { media: keeper }),
      refOf(share),
    );
    expect(result.outcome).toBe('published');
    expect((await world.shares.get(refOf(share)))?.media).toEqual([
      { url: NEW, alt: 'The share card' },
    ]);
    expect(client.callsOf('publish')[0]?.share.media?.[0]?.url).toBe(
      `https://bucket.example/crier-media/media/${'b'.repeat(64)}.jpg?signed=${world.clock.now().toISOString()}`,
    );
  });

  it('makes a missing image again before an Instagram container is prepared ahead, and links it', async () => {
    const client = new ScriptedClient({ prepare: true }).onPrepare({
      kind: 'prepared',
      preparedId: 'container-1',
    });
    const { world, record } = await deskOf({ client });
    const channel = channelOf({ id: 'ig-desk', platform: 'instagram', account: 'desk' });
    const queued = await queuedShare(world, record, channel, { media: [{ url: OLD }] });
    const early = { ...queued, dueAt: at(300_000), version: queued.version + 1 };
    expect(await world.shares.replace(queued, early)).toBe(true);
    const { keeper } = bucket([], NEW);

    const result = await handlePublishMessage(
      publishDeps(world, [channel], client, { media: keeper }),
      refOf(queued),
    );
    expect(result).toEqual({ outcome: 'early', reason: 'due in 300 s' });
    expect(await world.shares.get(refOf(queued))).toMatchObject({
      preparedId: 'container-1',
      media: [{ url: NEW, alt: 'The share card' }],
    });
    expect(client.callsOf('prepare')[0]?.share.media?.[0]?.url).toMatch(
      /^https:\/\/bucket\.example\/crier-media\/media\/b{64}\.jpg\?signed=/,
    );
  });
});
