/**
 * What the previews draw below a post's text, read with the checker's own rules and
 * warnings: stored images only through the API, never a bucket link; the page's picture
 * only where the network reads the page and the page has one; names from the channel.
 */
import { describe, expect, it } from 'vitest';
import { CARD_WARNINGS } from '../../../shared/preview/card-rules';
import { accountOf, attachedImage, linkCard } from '../../../web/src/preview-model';
import { type Article, articleDetailSchema, type Share } from '../../../web/src/schemas';

const PAGE = 'https://news.example.org/2026/crossing';
const PHOTO = 'https://news.example.org/images/crossing.jpg';
const PRESIGNED =
  'http://127.0.0.1:4566/crier-media/media/aa.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc';

const article: Article = articleDetailSchema.parse({
  article: {
    id: 'a1',
    url: PAGE,
    title: 'Council approves the river crossing',
    summary: 'The vote ends two years of debate.',
    imageUrl: PHOTO,
    imageAlt: 'The river at dusk',
  },
  shares: [],
}).article;

function share(platform: Share['platform'], patch: Record<string, unknown> = {}): Share {
  const detail = articleDetailSchema.parse({
    article: { id: 'a1', url: PAGE, title: 'T' },
    shares: [
      {
        channelId: `${platform}-desk`,
        platform,
        status: 'scheduled',
        dueAt: '2026-03-02T09:30:00.000Z',
        text: 'Council approves the river crossing',
        url: `${PAGE}?utm_source=${platform}`,
        ...patch,
      },
    ],
  });
  const [only] = detail.shares;
  if (!only) throw new Error('no share');
  return only;
}

const cardPath = '/api/articles/a1/shares/bluesky-desk/card-image';

describe('linkCard', () => {
  it("shows Bluesky's and LinkedIn's stored thumbnail through the API, never its bucket link", () => {
    const bluesky = share('bluesky', {
      card: { url: PAGE, title: 'Council', imageUrl: PRESIGNED },
      images: { card: cardPath, media: [] },
    });
    expect(linkCard(bluesky, article).image).toEqual({ path: cardPath, alt: 'The river at dusk' });
    // an API that names no path: the bucket link is not used, the card goes without
    const older = share('linkedin', { card: { url: PAGE, title: 'Council', imageUrl: PRESIGNED } });
    expect(linkCard(older, article).image).toBeUndefined();
  });

  it("draws the page's picture for the networks that read the page, none where the checker found none", () => {
    const read = share('facebook', { card: { url: PAGE, title: 'Council', imageUrl: PHOTO } });
    expect(linkCard(read, article).image).toMatchObject({ url: PHOTO });
    expect(linkCard(read, article).note).toBeUndefined();

    const none = share('facebook', {
      card: { url: PAGE, title: 'Council', imageUrl: PHOTO },
      warnings: [CARD_WARNINGS.pageHasNoImage('facebook')],
    });
    expect(linkCard(none, article).image).toBeUndefined();

    const unread = share('x', { warnings: [CARD_WARNINGS.pageUnread('x')] });
    expect(linkCard(unread, article)).toMatchObject({
      image: { url: PHOTO, alt: 'The river at dusk' },
      note: 'not checked: the page could not be read',
    });
  });
});

describe('attachedImage', () => {
  it('takes a stored medium from the API and a public one as it is', () => {
    const stored = share('instagram', {
      media: [{ url: PRESIGNED, alt: 'Card', width: 1080, height: 1350 }],
      images: { card: null, media: ['/api/articles/a1/shares/instagram-desk/media/0'] },
    });
    expect(attachedImage(stored)).toEqual({
      path: '/api/articles/a1/shares/instagram-desk/media/0',
      alt: 'Card',
      width: 1080,
      height: 1350,
    });
    const publicPhoto = share('telegram', { media: [{ url: PHOTO }] });
    expect(attachedImage(publicPhoto)).toEqual({ url: PHOTO, alt: '' });
    const bucketOnly = share('telegram', { media: [{ url: PRESIGNED }] });
    expect(attachedImage(bucketOnly)).toBeUndefined();
  });
});

describe('accountOf', () => {
  it('names the account as the channel does, its handle as the network writes it', () => {
    expect(
      accountOf('bluesky', { name: 'City Desk', account: 'city.bsky.social' }, 'bluesky-desk'),
    ).toEqual({ name: 'City Desk', handle: '@city.bsky.social' });
    expect(accountOf('linkedin', { name: null, account: 'City News' }, 'x')).toEqual({
      name: 'City News',
      handle: 'City News',
    });
    // without the channel list: the account the share card was given
    expect(accountOf('x', undefined, 'citydesk')).toEqual({
      name: 'Citydesk',
      handle: '@citydesk',
    });
  });
});
