/**
 * A PATCH's image and alt text over in-memory ports, with a stand-in image maker that
 * records what it was asked: the choice reaches the maker with the article's site, the
 * share's fields follow (media, or the card's thumbnail on Bluesky), compose's words about
 * the replaced picture go, an alt text alone makes nothing, and a PATCH that changes
 * nothing writes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../shared/domain/channel';
import type { Share } from '../../../shared/domain/share';
import type { ChosenImageInput } from '../../../shared/preview/chosen-image';
import { newShare } from '../../../shared/usecases/compose-article';
import { type EditShareDeps, editShare } from '../../../shared/usecases/edit-share';
import { channelOf, storeArticle } from '../../support/in-memory/fixtures';
import { inMemoryWorld } from '../../support/in-memory/index';

const editor = { by: 'alice', role: 'editor' as const };

async function setUp(channel: Channel, patch: Partial<Share> = {}) {
  const world = inMemoryWorld();
  const record = await storeArticle(world, { imageUrl: 'https://news.example.org/photo.jpg' });
  const share: Share = {
    ...newShare(record, channel, world.clock.now()),
    dueAt: new Date(world.clock.now().getTime() + 3_600_000).toISOString(),
    ...patch,
  };
  await world.shares.createIfAbsent(share);
  const asked: ChosenImageInput[] = [];
  const deps: EditShareDeps = {
    articles: world.articles,
    shares: world.shares,
    channels: [channel],
    clock: world.clock,
    enqueueIfDue: async (s) => s,
    chooseImage: async (input) => {
      asked.push(input);
      return input.choice?.source === 'none'
        ? { media: [], warnings: [] }
        : {
            media: [
              {
                url: `s3://crier-media/media/${'a'.repeat(64)}.jpg`,
                alt: 'the maker’s alt',
                width: 1200,
                height: 630,
              },
            ],
            warnings: [],
          };
    },
  };
  const address = { articleId: record.articleId, key: channel.id };
  const stored = async () =>
    world.shares.get({ articleId: record.articleId, channelId: channel.id });
  return { deps, address, asked, stored };
}

describe('editShare with an image', () => {
  it('hands the choice to the image maker with the article’s site and network, and keeps what it made', async () => {
    const channel = channelOf({ id: 'tg', platform: 'telegram', account: '@desk' });
    const { deps, address, asked } = await setUp(channel, {
      warnings: [
        'article image could not be fetched: HTTP 404; a share card is used',
        'the page has no og:image',
      ],
    });
    const share = await editShare(deps, address, { image: { source: 'card' } }, editor);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({
      choice: { source: 'card' },
      platform: 'telegram',
      siteId: 'default',
      site: { name: 'default' },
    });
    expect(share.media).toEqual([
      expect.objectContaining({ url: expect.stringMatching(/^s3:\/\//), alt: 'the maker’s alt' }),
    ]);
    // Compose's words about the picture it made are gone; the page's stay.
    expect(share.warnings).toEqual(['the page has no og:image']);
    expect(share.history.at(-1)).toMatchObject({ event: 'edit', reason: 'image: the share card' });
  });

  it('puts the picture in the card’s thumbnail on Bluesky, with the editor’s alt text', async () => {
    const channel = channelOf({ id: 'bsky', platform: 'bluesky', account: 'desk.bsky.social' });
    const { deps, address } = await setUp(channel);
    const share = await editShare(
      deps,
      address,
      { image: { source: 'card' }, imageAlt: 'Mine' },
      editor,
    );
    expect(share.media).toBeUndefined();
    expect(share.card).toMatchObject({
      imageUrl: expect.stringMatching(/^s3:\/\//),
      imageAlt: 'Mine',
    });
  });

  it('sets an alt text alone on the image the share has, making nothing', async () => {
    const channel = channelOf({ id: 'tg', platform: 'telegram', account: '@desk' });
    const { deps, address, asked } = await setUp(channel);
    const share = await editShare(deps, address, { imageAlt: 'A crowd in La Paz' }, editor);
    expect(asked).toEqual([]);
    expect(share.media?.[0]).toMatchObject({
      url: 'https://news.example.org/photo.jpg',
      alt: 'A crowd in La Paz',
    });
    expect(share.edited).toEqual({ imageAlt: 'A crowd in La Paz' });
  });

  it('writes nothing when the same choice and alt text come again', async () => {
    const channel = channelOf({ id: 'tg', platform: 'telegram', account: '@desk' });
    const { deps, address, stored } = await setUp(channel);
    const first = await editShare(
      deps,
      address,
      { image: { source: 'card' }, imageAlt: 'Mine' },
      editor,
    );
    const again = await editShare(
      deps,
      address,
      { image: { source: 'card' }, imageAlt: 'Mine' },
      editor,
    );
    expect(again.version).toBe(first.version);
    expect((await stored())?.history).toHaveLength(first.history.length);
  });
});
