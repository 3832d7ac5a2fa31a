import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHANNELS } from '../../../shared/config/default-channels';
import type { Article } from '../../../shared/domain/article';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Channel, channelSchema } from '../../../shared/domain/channel';
import {
  composeInstagram,
  LINK_WARNING,
  NO_IMAGE_WARNING,
} from '../../../shared/platforms/instagram/composer';
import {
  INSTAGRAM_MAX_CAPTION,
  instagramHashtagCount,
  measureInstagram,
} from '../../../shared/platforms/instagram/rules';

const sample = parseGenericArticle(
  JSON.parse(
    readFileSync(
      new URL('../../../tests/fixtures/webhooks/generic-article.json', import.meta.url),
      'utf8',
    ),
  ),
);

const article = (overrides: Record<string, unknown> = {}): Article =>
  parseGenericArticle({
    id: 'a1',
    url: 'https://example.org/news/a',
    title: 'Headline',
    publishedAt: '2024-05-01T10:00:00Z',
    imageUrl: 'https://example.org/a.jpg',
    ...overrides,
  });

const channel = (template: string, extra: Record<string, unknown> = {}): Channel =>
  channelSchema.parse({
    id: 'instagram-test',
    platform: 'instagram',
    account: 'newsroom',
    template,
    ...extra,
  });

const defaultChannel = channelSchema.parse(
  DEFAULT_CHANNELS.find((c) => c.platform === 'instagram'),
);

describe('the sample article on the default Instagram channel (link in bio, up to 10 hashtags)', () => {
  const post = composeInstagram(sample, defaultChannel);

  it('reads as headline, standfirst, the bio line, the photo credit and the hashtags from section and tags', () => {
    expect(post.text).toBe(
      'Trump Declares Support for Coup in Bolivia\n\n' +
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take ' +
        'place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!\n\n' +
        'Read it at the link in our bio.\n\n' +
        'Photo: EFE/Justin Lane\n\n' +
        '#LatinAmerica #Bolivia #EvoMorales #DonaldTrump #Coup',
    );
    expect(post.hashtags).toEqual(['LatinAmerica', 'Bolivia', 'EvoMorales', 'DonaldTrump', 'Coup']);
    expect(post.length).toEqual({ used: post.text.length, limit: 2200, unit: 'characters' });
  });

  it("carries the article's image with its alt text, and no link card or warning", () => {
    expect(post.media).toEqual([
      {
        url: 'https://www.leftvoice.org/wp-content/uploads/2019/11/trump-bolivia-efe.jpg',
        alt: 'Donald Trump speaking at the White House',
      },
    ]);
    expect(post.card).toBeUndefined();
    expect(post.warnings).toBeUndefined();
    expect(post.url).toBe(
      'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/?utm_source=instagram&utm_medium=social&utm_campaign=crier',
    );
  });
});

describe('Instagram composer', () => {
  it('still composes an article without an image, with no media and a warning saying why it cannot go out', () => {
    const post = composeInstagram(article({ imageUrl: undefined }), channel('{title}'));
    expect(post.text).toBe('Headline');
    expect(post.media).toBeUndefined();
    expect(post.warnings).toEqual([NO_IMAGE_WARNING]);
  });

  it('warns when the template spends caption room on a link nobody can follow', () => {
    const post = composeInstagram(article(), channel('{title} {url}'));
    expect(post.text).toBe('Headline https://example.org/news/a');
    expect(post.warnings).toEqual([LINK_WARNING]);
  });

  it('never goes over 30 hashtags, counting those the headline already has', () => {
    const tags = Array.from(
      { length: 40 },
      (_, i) => `Topic ${String.fromCharCode(65 + (i % 26))}${i}`,
    );
    const post = composeInstagram(
      article({ title: 'Headline #One #Two #Three', tags }),
      channel('{title}\n\n{hashtags}', { hashtags: { max: 30, fromSection: false } }),
    );
    expect(instagramHashtagCount(post.text)).toBe(30);
    expect(post.hashtags).toHaveLength(27);
    expect(post.text.startsWith('Headline #One #Two #Three\n\n#TopicA0 #TopicB1')).toBe(true);
  });

  it('cuts a long standfirst to 2,200 UTF-16 units, where an emoji counts 2', () => {
    const summary = `${'😀 word '.repeat(400)}end.`;
    const post = composeInstagram(article({ summary }), channel('{title}\n\n{summary}'));
    expect(post.text.length).toBeLessThanOrEqual(INSTAGRAM_MAX_CAPTION);
    expect(post.text.length).toBeGreaterThan(INSTAGRAM_MAX_CAPTION - 10);
    expect(post.text.endsWith('…')).toBe(true);
    expect(post.length.used).toBe(post.text.length);
    expect([...post.text].length).toBeLessThan(post.text.length);
  });

  it('counts every #tag and @name, wherever it stands, against 30 and 20', () => {
    const hashtags = (n: number) => Array.from({ length: n }, (_, i) => `#t${i}`).join(' ');
    const mentions = (n: number) => Array.from({ length: n }, (_, i) => `@u${i}`).join(' ');
    expect(measureInstagram(hashtags(30)).fits).toBe(true);
    expect(measureInstagram(`${hashtags(30)} x#glued`).fits).toBe(false);
    expect(measureInstagram(mentions(20)).fits).toBe(true);
    expect(measureInstagram(mentions(21)).fits).toBe(false);
    expect(measureInstagram('x'.repeat(2200))).toEqual({ used: 2200, fits: true });
    expect(measureInstagram('😀'.repeat(1101)).fits).toBe(false);
  });

  it('writes Instagram handles as @mentions', () => {
    const post = composeInstagram(
      article({ authors: [{ name: 'Ana Rivera', handles: { instagram: 'instagram.com/ana' } }] }),
      channel('{title} by {handles}'),
    );
    // Only a full profile URL (with scheme) or a bare username is a handle.
    expect(post.text).toBe('Headline by Ana Rivera');
    const withUrl = composeInstagram(
      article({
        authors: [{ name: 'Ana Rivera', handles: { instagram: 'https://instagram.com/Ana_R' } }],
      }),
      channel('{title} by {handles}'),
    );
    expect(withUrl.text).toBe('Headline by @ana_r');
  });
});
