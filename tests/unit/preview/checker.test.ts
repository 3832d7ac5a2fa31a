import { describe, expect, it } from 'vitest';
import type { Platform } from '../../../shared/domain/platform';
import {
  CARD_RULES,
  CARD_WARNINGS,
  type CheckedPost,
  checkCard,
  postShape,
} from '../../../shared/preview/checker';
import type { PageCard } from '../../../shared/preview/types';

const pageUrl = 'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/';

const card: PageCard = {
  url: pageUrl,
  canonicalUrl: pageUrl,
  title: 'Trump Declares Support for Coup in Bolivia',
  description: 'Donald Trump welcomes the coup d’état in Bolivia.',
  image: 'https://www.leftvoice.org/wp-content/uploads/2019/11/trump-bolivia-efe.jpg',
  imageWidth: 1200,
  imageHeight: 630,
  twitterCard: 'summary_large_image',
  warnings: [],
};

const post = (platform: Platform, extra: Partial<CheckedPost> = {}): CheckedPost => ({
  platform,
  text: 'Trump Declares Support for Coup in Bolivia',
  url: `${pageUrl}?utm_source=${platform}&utm_medium=social&utm_campaign=crier`,
  ...extra,
});

describe('checkCard', () => {
  it('finds nothing wrong with a complete card on any network', () => {
    for (const platform of ['x', 'facebook', 'mastodon', 'threads', 'telegram'] as const) {
      expect(checkCard(card, post(platform)), platform).toEqual([]);
    }
    const sent = { url: pageUrl, title: card.title ?? '', imageUrl: card.image };
    expect(checkCard(card, post('bluesky', { card: sent }))).toEqual([]);
    // 1200 x 630 meets LinkedIn's 1200 x 627
    expect(checkCard(card, post('linkedin', { card: sent }))).toEqual([]);
  });

  it('says when there is no page card at all', () => {
    expect(checkCard(undefined, post('x'))).toEqual([
      'no page card: the page could not be read, so nothing here was checked; X draws the card from the page itself',
    ]);
    expect(checkCard(undefined, post('bluesky', { card: { url: pageUrl, title: 'T' } }))).toEqual([
      "no page card: the page could not be read; the card uses the article's payload",
      'the card has no image: Bluesky shows the link without a picture',
    ]);
  });

  it('warns of a missing og:image on networks that read the page', () => {
    const noImage: PageCard = { ...card, image: undefined };
    expect(checkCard(noImage, post('facebook'))).toEqual([
      'the page has no image (no og:image, twitter:image or other): Facebook shows the link without a picture',
    ]);
  });

  it('says nothing of og:image or title when the page was not read, even with a card from the payload', () => {
    const payloadCard = { url: pageUrl, title: 'T', imageUrl: card.image };
    for (const platform of ['facebook', 'threads', 'telegram', 'mastodon', 'x'] as const) {
      expect(checkCard(undefined, post(platform, { card: payloadCard })), platform).toEqual([
        CARD_WARNINGS.pageUnread(platform),
      ]);
    }
  });

  it('checks no link card where the post goes with its own image, as the preview draws it', () => {
    const media = [{ url: 's3://crier-media/media/a.jpg', width: 1200, height: 630 }];
    const noImage: PageCard = { ...card, image: undefined, title: undefined };
    // Telegram: a photo whose caption fits shows no link preview
    expect(checkCard(noImage, post('telegram', { media }))).toEqual([
      CARD_WARNINGS.mediaInsteadOfCard('telegram'),
    ]);
    expect(checkCard(undefined, post('threads', { media }))).toEqual([
      CARD_WARNINGS.mediaInsteadOfCard('threads'),
    ]);
    // a caption over Telegram's 1,024 goes as text with the link preview: the page counts
    const long = 'word '.repeat(300);
    expect(postShape('telegram', { text: long, media })).toBe('card');
    expect(checkCard(noImage, post('telegram', { text: long, media }))).toContain(
      CARD_WARNINGS.pageHasNoImage('telegram'),
    );
    expect(postShape('telegram', { text: 'short', media })).toBe('media');
    expect(postShape('instagram', { text: 'short' })).toBe('media');
    expect(postShape('bluesky', { text: 'short', media })).toBe('card');
    expect(postShape('facebook', { text: 'short', media: [] })).toBe('card');
  });

  it("checks the image against each network's minimum when its size is known", () => {
    const small: PageCard = { ...card, imageWidth: 280, imageHeight: 150 };
    expect(checkCard(small, post('x'))).toEqual([
      "the card image is 280 x 150, under X's minimum of 300 x 157: it may be shown small or not at all",
    ]);
    expect(checkCard({ ...small, twitterCard: 'summary' }, post('x'))).toEqual([]);
    expect(checkCard({ ...card, imageWidth: 600, imageHeight: 315 }, post('facebook'))).toEqual([
      'the card image is 600 x 315; Facebook asks for 1200 x 630 to show it at full width',
    ]);
    expect(checkCard({ ...card, imageWidth: 150, imageHeight: 150 }, post('facebook'))).toEqual([
      "the card image is 150 x 150, under Facebook's minimum of 200 x 200: it may be shown small or not at all",
    ]);
    const sent = { url: pageUrl, title: 'T', imageUrl: 'https://cdn.example.org/thumb.jpg' };
    const media = [{ url: sent.imageUrl, width: 800, height: 418 }];
    expect(checkCard(card, post('linkedin', { card: sent, media }))).toEqual([
      "the card image is 800 x 418, under LinkedIn's minimum of 1200 x 627: it may be shown small or not at all",
    ]);
    // unknown size: nothing to say
    expect(
      checkCard({ ...card, imageWidth: undefined, imageHeight: undefined }, post('x')),
    ).toEqual([]);
  });

  it("keeps Bluesky's thumbnail under 1,000,000 bytes", () => {
    const sent = { url: pageUrl, title: 'T', imageUrl: card.image };
    const media = [{ url: card.image ?? '', bytes: 1_400_000 }];
    expect(checkCard(card, post('bluesky', { card: sent, media }))).toEqual([
      "the card image is 1,400,000 bytes, over Bluesky's 1,000,000: it must be resized or the card goes without it",
    ]);
    expect(
      checkCard(
        card,
        post('bluesky', { card: sent, media: [{ url: card.image ?? '', bytes: 999_999 }] }),
      ),
    ).toEqual([]);
  });

  it('warns of titles and descriptions longer than the card shows', () => {
    const long: PageCard = { ...card, title: 'A'.repeat(90), description: 'D'.repeat(201) };
    expect(checkCard(long, post('x'))).toEqual([
      'the card title is 90 characters; X shows about 70',
      'the card description is 201 characters; X shows about 200',
    ]);
    expect(checkCard(long, post('facebook'))).toEqual([
      'the card title is 90 characters; Facebook shows about 88',
    ]);
    const sent = { url: pageUrl, title: 'T'.repeat(151), imageUrl: card.image };
    expect(checkCard(card, post('linkedin', { card: sent }))).toEqual([
      'the card title is 151 characters; LinkedIn shows about 150',
    ]);
    // graphemes, not UTF-16 units: 70 flags are 70 characters
    expect(checkCard({ ...card, title: '🇧🇴'.repeat(70) }, post('x'))).toEqual([]);
  });

  it("passes on the page's duplicate or conflicting og: tags to networks that read them", () => {
    const duplicated: PageCard = {
      ...card,
      warnings: [
        'og:image appears 2 times with 2 different values; networks take the first ("https://a/1.jpg")',
        "the canonical URL https://x differs from the page's URL https://y",
      ],
    };
    expect(checkCard(duplicated, post('facebook'))).toEqual([duplicated.warnings[0]]);
    const sent = { url: pageUrl, title: 'T', imageUrl: card.image };
    expect(checkCard(duplicated, post('bluesky', { card: sent }))).toEqual([]);
  });

  it('warns of a canonical URL other than the posted one, UTM parameters aside', () => {
    const amp: PageCard = { ...card, canonicalUrl: 'https://www.leftvoice.org/amp/trump/' };
    expect(checkCard(amp, post('facebook'))).toEqual([
      `the page's canonical URL https://www.leftvoice.org/amp/trump/ differs from the posted URL ${post('facebook').url} (UTM parameters aside): Facebook may show and count the canonical one`,
    ]);
  });

  it('notes that X shows images instead of the link card', () => {
    expect(checkCard(card, post('x', { media: [{ url: 'https://a/b.jpg' }] }))).toEqual([
      'the post carries images, so X shows them instead of the link card',
    ]);
  });

  it('asks for an image on Instagram and checks no link card there', () => {
    expect(checkCard(undefined, post('instagram'))).toEqual([
      'Instagram needs an image and neither the post nor the page has one',
    ]);
    expect(checkCard({ ...card, title: 'A'.repeat(500) }, post('instagram'))).toEqual([]);
  });

  it('has a rule for every network', () => {
    expect(Object.keys(CARD_RULES).sort()).toEqual(
      [
        'bluesky',
        'facebook',
        'instagram',
        'linkedin',
        'mastodon',
        'telegram',
        'threads',
        'x',
      ].sort(),
    );
  });
});
