import { RichText } from '@atproto/api';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../../shared/domain/article';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Channel, channelSchema } from '../../../shared/domain/channel';
import { graphemeLength, graphemes, utf8Length } from '../../../shared/domain/text';
import { blueskyFacets, composeBluesky } from '../../../shared/platforms/bluesky/composer';
import { findLinks } from '../../../shared/platforms/bluesky/rules';
import type { Facet } from '../../../shared/platforms/types';
import { appLinkLabel } from '../../support/bluesky-label';

const article = (overrides: Record<string, unknown> = {}): Article =>
  parseGenericArticle({
    id: 'a1',
    url: 'https://example.org/news/a',
    title: 'Headline',
    publishedAt: '2024-05-01T10:00:00Z',
    ...overrides,
  });

const channel = (template: string, extra: Record<string, unknown> = {}): Channel =>
  channelSchema.parse({
    id: 'bsky-test',
    platform: 'bluesky',
    account: 'newsroom.bsky.social',
    template,
    ...extra,
  });

const compose = (a: Article, c: Channel) => composeBluesky(a, c);

/** What each facet's byte range covers in the UTF-8 text. */
const sliced = (text: string, facets: readonly Facet[]) =>
  facets.map((f) => Buffer.from(text).subarray(f.index.byteStart, f.index.byteEnd).toString());

const detected = (text: string) => {
  const rich = new RichText({ text });
  rich.detectFacetsWithoutResolution();
  return rich.facets?.map(({ index, features }) => ({ index, features })) ?? [];
};

describe('Bluesky facets', () => {
  it('gives the link facet UTF-8 byte offsets after multi-byte text', () => {
    const post = compose(
      article({ title: 'Москва 🇧🇴 “AT&T” 東京 👨‍👩‍👧‍👦', tags: ['Россия', 'Evo Morales'] }),
      channel('{title}\n\n{hashtags} {url}', {
        hashtags: { max: 2 },
        utm: { source: 'bsky', medium: 'social', campaign: 'crier' },
      }),
    );
    const url = 'https://example.org/news/a?utm_source=bsky&utm_medium=social&utm_campaign=crier';
    const label = 'example.org/news/a?utm_s...';
    expect(appLinkLabel(url)).toBe(label);
    expect(post.text).toBe(`Москва 🇧🇴 “AT&T” 東京 👨‍👩‍👧‍👦\n\n#Россия #EvoMorales ${label}`);
    const facets = post.facets ?? [];
    expect(sliced(post.text, facets)).toEqual(['#Россия', '#EvoMorales', label]);
    expect(facets.map((f) => f.features)).toEqual([
      [{ $type: 'app.bsky.richtext.facet#tag', tag: 'Россия' }],
      [{ $type: 'app.bsky.richtext.facet#tag', tag: 'EvoMorales' }],
      [{ $type: 'app.bsky.richtext.facet#link', uri: url }],
    ]);
    const linkStart = post.text.indexOf(label);
    expect(facets[2]?.index).toEqual({
      byteStart: utf8Length(post.text.slice(0, linkStart)),
      byteEnd: utf8Length(post.text),
    });
    expect(facets[2]?.index.byteStart).toBeGreaterThan(linkStart);
  });

  it('tags Arabic hashtags and links after right-to-left text', () => {
    const post = compose(
      article({
        title: 'أعلن الرئيس البوليفي إيفو موراليس استقالته',
        tags: ['الربيع العربي', 'بوليفيا'],
        language: 'ar',
      }),
      channel('{title}\n{hashtags}\n{url}', { hashtags: { max: 2 } }),
    );
    expect(post.text).toBe(
      'أعلن الرئيس البوليفي إيفو موراليس استقالته\n#الربيع_العربي #بوليفيا\nexample.org/news/a',
    );
    expect(sliced(post.text, post.facets ?? [])).toEqual([
      '#الربيع_العربي',
      '#بوليفيا',
      'example.org/news/a',
    ]);
    // The app finds a short label, a domain and path, as a link to that same URL.
    expect(post.facets).toEqual(detected(post.text));
  });

  it('matches what @atproto/api detects', () => {
    const text = 'Кириллица и العربية 🏳️‍🌈 #FinAI (https://example.org/a?x=1#c). Also #Bolivia';
    expect(blueskyFacets(text)).toEqual(detected(text));
  });

  it('adds one facet per URL in the text, including one in the standfirst', () => {
    const post = compose(
      article({ summary: 'Experimenting with the API https://t.co/Qsm163k4mJ' }),
      channel('{title}\n{summary}\n{url}'),
    );
    const facets = post.facets ?? [];
    expect(sliced(post.text, facets)).toEqual(['t.co/Qsm163k4mJ', 'example.org/news/a']);
    expect(facets.map((f) => f.features[0])).toEqual([
      { $type: 'app.bsky.richtext.facet#link', uri: 'https://t.co/Qsm163k4mJ' },
      { $type: 'app.bsky.richtext.facet#link', uri: 'https://example.org/news/a' },
    ]);
  });

  it('tags a hashtag the headline already has, and does not add it again', () => {
    const post = compose(
      article({ title: 'The #FinAI tweetstorm', tags: ['FinAI', 'Banking'] }),
      channel('{title} {hashtags}\n{url}', { hashtags: { max: 2 } }),
    );
    expect(post.text).toBe('The #FinAI tweetstorm #Banking\nexample.org/news/a');
    expect(post.hashtags).toEqual(['Banking']);
    expect(sliced(post.text, post.facets ?? [])).toEqual([
      '#FinAI',
      '#Banking',
      'example.org/news/a',
    ]);
  });

  it('links the shared URL whole, even where it ends in punctuation', () => {
    for (const url of ['https://example.org/a#section.', 'https://example.org/wiki/Film)']) {
      const post = compose(article({ url }), channel('{title}\n{url}'));
      const label = url.slice('https://'.length);
      expect(post.text).toBe(`Headline\n${label}`);
      expect(sliced(post.text, post.facets ?? [])).toEqual([label]);
      expect(post.facets?.[0]?.features).toEqual([
        { $type: 'app.bsky.richtext.facet#link', uri: url },
      ]);
    }
    // Another link in the text still leaves a sentence's full stop out.
    const post = compose(
      article({ url: 'https://example.org/a.', summary: 'See https://example.org/b.' }),
      channel('{summary}\n{url}'),
    );
    expect(post.text).toBe('See example.org/b.\nexample.org/a.');
    expect(sliced(post.text, post.facets ?? [])).toEqual(['example.org/b', 'example.org/a.']);
    expect(post.facets?.map((f) => f.features[0])).toEqual([
      { $type: 'app.bsky.richtext.facet#link', uri: 'https://example.org/b' },
      { $type: 'app.bsky.richtext.facet#link', uri: 'https://example.org/a.' },
    ]);
  });

  it('leaves sentence punctuation and an unmatched ")" out of a link', () => {
    expect(findLinks('(see https://example.org/a_(b)), and https://example.org/c.')).toEqual([
      { uri: 'https://example.org/a_(b)', start: 5, end: 30 },
      { uri: 'https://example.org/c', start: 37, end: 58 },
    ]);
  });
});

describe('Bluesky limits', () => {
  it('counts a URL as its label against 300 graphemes, so a long URL costs no headline', () => {
    const url = `https://example.org/${'x'.repeat(200)}`;
    const title = `${'Word '.repeat(50)}End`;
    const post = compose(article({ url, title }), channel('{title} {url}'));
    // The path's first 13 characters: "/" and 12 x.
    expect(post.text).toBe(`${title} example.org/${'x'.repeat(12)}...`);
    expect(post.length.used).toBe(graphemeLength(post.text));
    expect(post.length.used).toBe(253 + 1 + 27);
    expect(post.facets).toEqual([
      {
        index: { byteStart: 254, byteEnd: 281 },
        features: [{ $type: 'app.bsky.richtext.facet#link', uri: url }],
      },
    ]);
  });

  it('also keeps under 3,000 UTF-8 bytes when graphemes are heavy', () => {
    const heavy = 'x\u0301\u0302\u0304\u0306\u0307\u0308\u030a\u030b\u030c\u0311\u0312';
    expect(heavy.normalize('NFC')).toBe(heavy);
    const summary = Array.from({ length: 60 }, () => `${heavy}${heavy}${heavy}`).join(' ');
    expect(utf8Length(summary)).toBeGreaterThan(3000);
    const post = compose(article({ summary }), channel('{summary}\n{url}'));
    expect(utf8Length(post.text)).toBeLessThanOrEqual(3000);
    expect(graphemeLength(post.text)).toBeLessThanOrEqual(300);
    const kept = post.text.split('\n')[0] ?? '';
    expect(kept.endsWith('…')).toBe(true);
    expect(graphemes(kept.slice(0, -1)).every((g) => g === heavy || g === ' ')).toBe(true);
  });
});

describe('Bluesky card and language', () => {
  it('carries the card and the article language', () => {
    const post = compose(
      article({
        summary: 'Standfirst',
        imageUrl: 'https://example.org/i.jpg',
        imageAlt: 'A photo',
        language: 'es',
      }),
      channel('{title} {url}'),
    );
    expect(post.card).toEqual({
      url: 'https://example.org/news/a',
      title: 'Headline',
      description: 'Standfirst',
      imageUrl: 'https://example.org/i.jpg',
      imageAlt: 'A photo',
    });
    expect(post.language).toBe('es');
  });

  it('leaves out what the article does not have', () => {
    const post = compose(article(), channel('{title} {url}'));
    expect(post.card).toEqual({ url: 'https://example.org/news/a', title: 'Headline' });
    expect(post.language).toBeUndefined();
  });
});

describe('Bluesky authors and threads', () => {
  const authors = { 'Ana Rivera': { x: 'anarivera', bluesky: 'Ana.Rivera.example' } };

  it("mentions an author by the directory's handle where the payload has none", () => {
    const post = composeBluesky(
      article({ authors: [{ name: 'Ana Rivera' }] }),
      channel('{title} by {handles}\n{url}'),
      { authors },
    );
    expect(post.text).toBe('Headline by @ana.rivera.example\nexample.org/news/a');
  });

  it("prefers the payload's own handle to the directory's", () => {
    const post = composeBluesky(
      article({ authors: [{ name: 'Ana Rivera', handles: { bluesky: 'ana.bsky.social' } }] }),
      channel('{title} by {handles}\n{url}'),
      { authors },
    );
    expect(post.text).toBe('Headline by @ana.bsky.social\nexample.org/news/a');
  });

  it('continues a long standfirst in replies, each within 300 graphemes, facets for the text', () => {
    const summary = Array.from(
      { length: 8 },
      (_, i) => `Paragraph ${i + 1} of the standfirst — “quoted” and 東京 🇧🇴, it goes on.`,
    ).join(' ');
    const post = compose(
      article({ summary, tags: ['Bolivia'] }),
      channel('{title}\n\n{summary}\n\n{url}\n\n{hashtags}', {
        hashtags: { max: 1 },
        thread: { enabled: true, max: 4 },
      }),
    );
    const posts = [post.text, ...(post.thread ?? [])];
    expect(posts).toHaveLength(2);
    for (const part of posts) {
      expect(graphemeLength(part)).toBeLessThanOrEqual(300);
      expect(utf8Length(part)).toBeLessThanOrEqual(3000);
    }
    expect(post.thread?.at(-1)?.endsWith(' 2/2\n\n#Bolivia')).toBe(true);
    expect(post.facets).toEqual(detected(post.text));
    expect(blueskyFacets(post.thread?.at(-1) ?? '')).toEqual(detected(post.thread?.at(-1) ?? ''));
  });
});
