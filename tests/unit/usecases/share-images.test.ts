import { describe, expect, it } from 'vitest';
import type { Share } from '../../../shared/domain/share';
import {
  isStoredImageUrl,
  readShareImage,
  storedImagePaths,
} from '../../../shared/usecases/share-images';
import { shareView } from '../../../shared/usecases/views';
import { ManualClock } from '../../support/in-memory/clock';
import { articleRecord } from '../../support/in-memory/fixtures';
import { InMemoryArticleStore, InMemoryShareStore } from '../../support/in-memory/stores';

const CARD = 's3://crier-media/media/aaaa.jpg';
const PHOTO = 's3://crier-media/media/bbbb.png';

const clock = new ManualClock(new Date('2026-03-02T09:00:00Z'));

function shareOf(articleId: string, patch: Partial<Share> = {}): Share {
  return {
    articleId,
    channelId: 'telegram-desk',
    platform: 'telegram',
    articleRevision: 1,
    status: 'scheduled',
    text: 'Council approves the river crossing',
    url: 'https://news.example.org/2026/a',
    hashtags: [],
    dueAt: '2026-03-02T09:30:00.000Z',
    attempt: 0,
    version: 1,
    idempotencyKey: 'key',
    createdAt: '2026-03-02T09:00:00.000Z',
    updatedAt: '2026-03-02T09:00:00.000Z',
    history: [],
    card: {
      url: 'https://news.example.org/2026/a',
      title: 'Council approves the river crossing',
      imageUrl: CARD,
    },
    media: [{ url: PHOTO, mimeType: 'image/png' }, { url: 'https://news.example.org/photo.jpg' }],
    ...patch,
  };
}

/** A bucket holding the two stored images; anything else is not one of its objects. */
const bucket = {
  isStoredMedia: (url: string) => url.startsWith('s3://crier-media/'),
  getMedia: async (url: string) => {
    if (url === CARD) return { bytes: Buffer.from([0xff, 0xd8, 0xff]), mimeType: 'image/jpeg' };
    if (url === PHOTO) return { bytes: Buffer.from([0x89, 0x50]), mimeType: 'image/png' };
    throw Object.assign(new Error('gone'), { name: 'MediaNotFoundError' });
  },
};

async function world(patch: Partial<Share> = {}) {
  const articles = new InMemoryArticleStore();
  const shares = new InMemoryShareStore();
  const record = articleRecord({ clock });
  await articles.putRevision(record);
  const share = shareOf(record.articleId, patch);
  await shares.createIfAbsent(share);
  return { deps: { articles, shares, media: bucket }, articleId: record.articleId, share };
}

const everyone = () => true;

describe('readShareImage', () => {
  it("serves the card's thumbnail and each stored medium, with their types", async () => {
    const { deps, articleId } = await world();
    const card = await readShareImage(
      deps,
      { articleId, key: 'telegram-desk', choice: { kind: 'card' } },
      everyone,
    );
    expect(card.mimeType).toBe('image/jpeg');
    expect([...card.bytes]).toEqual([0xff, 0xd8, 0xff]);
    const photo = await readShareImage(
      deps,
      { articleId, key: 'telegram-desk', choice: { kind: 'media', index: 0 } },
      everyone,
    );
    expect(photo.mimeType).toBe('image/png');
  });

  it('answers as absent for another site, a missing share or image, and an image not stored', async () => {
    const { deps, articleId } = await world();
    const read = (
      key: string,
      choice: Parameters<typeof readShareImage>[1]['choice'],
      may = everyone,
    ) => readShareImage(deps, { articleId, key, choice }, may);
    await expect(read('telegram-desk', { kind: 'card' }, () => false)).rejects.toMatchObject({
      kind: 'not-found',
    });
    await expect(read('x-desk', { kind: 'card' })).rejects.toMatchObject({ kind: 'not-found' });
    await expect(read('Not A Key', { kind: 'card' })).rejects.toMatchObject({ kind: 'not-found' });
    // the article's own image on its site is never fetched through the API
    await expect(read('telegram-desk', { kind: 'media', index: 1 })).rejects.toMatchObject({
      kind: 'not-found',
    });
    await expect(read('telegram-desk', { kind: 'media', index: 5 })).rejects.toMatchObject({
      kind: 'not-found',
    });
    await expect(
      readShareImage(
        deps,
        { articleId: 'nope', key: 'telegram-desk', choice: { kind: 'card' } },
        everyone,
      ),
    ).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('answers as absent when the bucket let the image go', async () => {
    const { deps, articleId } = await world({
      card: {
        url: 'https://news.example.org/2026/a',
        title: 'T',
        imageUrl: 's3://crier-media/media/gone.jpg',
      },
    });
    await expect(
      readShareImage(deps, { articleId, key: 'telegram-desk', choice: { kind: 'card' } }, everyone),
    ).rejects.toMatchObject({ kind: 'not-found' });
  });
});

it('refuses an image larger than an API answer can hold', async () => {
  const { deps, articleId } = await world();
  const big = {
    ...deps,
    media: {
      ...bucket,
      getMedia: async () => ({ bytes: new Uint8Array(4_000_001), mimeType: 'image/png' }),
    },
  };
  await expect(
    readShareImage(big, { articleId, key: 'telegram-desk', choice: { kind: 'card' } }, everyone),
  ).rejects.toMatchObject({ kind: 'too-large' });
});

describe('storedImagePaths', () => {
  it('names the API route of each stored image and null for the others, in the view', async () => {
    const { articleId, share } = await world();
    const base = `/api/articles/${articleId}/shares/telegram-desk`;
    expect(storedImagePaths(share)).toEqual({
      card: `${base}/card-image`,
      media: [`${base}/media/0`, null],
    });
    expect(shareView(share).images).toEqual(storedImagePaths(share));
    // an evergreen round is named by its key
    expect(storedImagePaths({ ...share, round: 2 }).card).toBe(
      `/api/articles/${articleId}/shares/telegram-desk~2/card-image`,
    );
    expect(storedImagePaths({ ...share, card: undefined, media: undefined })).toEqual({
      card: null,
      media: [],
    });
  });

  it('counts an old presigned link as stored, and a public address as not', () => {
    expect(isStoredImageUrl('https://b.s3.amazonaws.com/media/a.jpg?X-Amz-Signature=abc')).toBe(
      true,
    );
    expect(isStoredImageUrl('https://news.example.org/photo.jpg')).toBe(false);
    expect(isStoredImageUrl(undefined)).toBe(false);
  });
});
