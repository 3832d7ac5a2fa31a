import { describe, expect, it } from 'vitest';
import type { Article } from '../../../shared/domain/article';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { channelSchema } from '../../../shared/domain/channel';
import { createComposer } from '../../../shared/platforms/compose/composer';
import { articleMedia, withAltText } from '../../../shared/platforms/compose/media';
import type { ComposedPost } from '../../../shared/platforms/types';
import { xRules } from '../../../shared/platforms/x/rules';

const article = (overrides: Record<string, unknown> = {}): Article =>
  parseGenericArticle({
    id: 'a1',
    url: 'https://example.org/news/a',
    title: 'Headline',
    publishedAt: '2024-05-01T10:00:00Z',
    imageUrl: 'https://example.org/photo.jpg',
    imageAlt: 'Donald Trump speaking at the White House',
    ...overrides,
  });

const post: ComposedPost = {
  text: 'Headline https://example.org/news/a',
  url: 'https://example.org/news/a',
  hashtags: [],
  length: { used: 32, limit: 280, unit: 'weighted' },
};

describe('articleMedia', () => {
  it("is the article's image with its alt text", () => {
    expect(articleMedia(article())).toEqual([
      { url: 'https://example.org/photo.jpg', alt: 'Donald Trump speaking at the White House' },
    ]);
  });

  it('takes another image (a share card) with the same alt text, and none without an image', () => {
    expect(articleMedia(article(), 'https://cdn.example/card.jpg')).toEqual([
      { url: 'https://cdn.example/card.jpg', alt: 'Donald Trump speaking at the White House' },
    ]);
    expect(articleMedia(article({ imageUrl: undefined }))).toEqual([]);
    expect(articleMedia(article({ imageAlt: undefined }))).toEqual([
      { url: 'https://example.org/photo.jpg' },
    ]);
  });
});

describe('withAltText', () => {
  it("gives every image without alt text the article's", () => {
    const media = [{ url: 'https://cdn.example/card.jpg' }, { url: 'b.jpg', alt: 'Own words' }];
    expect(withAltText({ ...post, media }, article()).media).toEqual([
      { url: 'https://cdn.example/card.jpg', alt: 'Donald Trump speaking at the White House' },
      { url: 'b.jpg', alt: 'Own words' },
    ]);
  });

  it("cuts alt text on a word to the network's limit", () => {
    const media = [{ url: 'a.jpg' }];
    expect(withAltText({ ...post, media }, article(), 20).media).toEqual([
      { url: 'a.jpg', alt: 'Donald Trump…' },
    ]);
  });

  it('leaves a post without media as it is', () => {
    expect(withAltText(post, article())).toBe(post);
  });

  it("is applied to what a network's finish attaches, with the post's language kept", () => {
    const compose = createComposer({
      ...xRules,
      finish: (composed, source) => ({ ...composed, media: articleMedia(source) }),
    });
    const channel = channelSchema.parse({
      id: 'x-test',
      platform: 'x',
      account: 'newsroom',
      template: '{title} {url}',
    });
    const composed = compose(article({ imageAlt: 'a'.repeat(1500), language: 'es' }), channel);
    expect(composed.media?.[0]?.alt).toHaveLength(1000);
    expect(composed.language).toBe('es');
  });
});
