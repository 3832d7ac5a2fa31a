import { describe, expect, it } from 'vitest';
import type { Article } from '../../../shared/domain/article';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { channelSchema, siteSchema } from '../../../shared/domain/channel';
import { PLATFORMS } from '../../../shared/domain/platform';
import { composeBluesky } from '../../../shared/platforms/bluesky/composer';
import { composerFor, SUPPORTED_PLATFORMS } from '../../../shared/platforms/composers';
import { composeMastodon } from '../../../shared/platforms/mastodon/composer';
import { composeX } from '../../../shared/platforms/x/composer';

describe('composer registry', () => {
  it('supports every network it has a composer for', () => {
    expect(SUPPORTED_PLATFORMS).toEqual(PLATFORMS.filter((p) => composerFor(p) !== undefined));
    expect(SUPPORTED_PLATFORMS).toEqual(expect.arrayContaining(['x', 'bluesky', 'mastodon']));
    expect(composerFor('x')).toBe(composeX);
    expect(composerFor('bluesky')).toBe(composeBluesky);
    expect(composerFor('mastodon')).toBe(composeMastodon);
  });

  it('has a composer for every network', () => {
    expect(SUPPORTED_PLATFORMS).toEqual(PLATFORMS);
  });
});

describe('every composer', () => {
  const article = parseGenericArticle({
    id: 'a1',
    url: 'https://example.org/news/a',
    title: 'Headline',
    publishedAt: '2024-05-01T10:00:00Z',
    authors: [{ name: 'Ana Rivera' }],
  });
  const settings = {
    site: siteSchema.parse({ name: 'Left Voice' }),
    authors: { 'Ana Rivera': { x: 'ana', bluesky: 'ana.example', mastodon: 'ana@social.example' } },
  };

  it.each(SUPPORTED_PLATFORMS)(
    '%s: takes the site and author directory, and works without',
    (platform) => {
      const compose = composerFor(platform);
      const channel = channelSchema.parse({
        id: `${platform}-test`,
        platform,
        account: 'newsroom',
        template: '{title} — {site}\n{url}',
      });
      expect(compose?.(article, channel, settings).text).toMatch(/^Headline — Left Voice\n/u);
      expect(compose?.(article, channel).text).toMatch(/^Headline —\n/u);
    },
  );
});

describe('the language each network is sent', () => {
  const base = parseGenericArticle({
    id: 'a1',
    url: 'https://example.org/news/a',
    title: 'Headline',
    publishedAt: '2024-05-01T10:00:00Z',
  });
  const channelOf = (platform: (typeof SUPPORTED_PLATFORMS)[number]) =>
    channelSchema.parse({
      id: `${platform}-test`,
      platform,
      account: 'newsroom',
      template: '{title}\n{url}',
    });
  // An article stored before ingest checked tags can still carry a malformed one.
  const withLanguage = (language: string): Article => ({ ...base, language });
  const languageOn = (platform: (typeof SUPPORTED_PLATFORMS)[number], language: string) =>
    composerFor(platform)?.(withLanguage(language), channelOf(platform)).language;

  it('Bluesky keeps a well-formed BCP 47 tag whole and leaves a malformed one out', () => {
    expect(languageOn('bluesky', 'zh-Hant-TW')).toBe('zh-Hant-TW');
    expect(languageOn('bluesky', 'en-12')).toBeUndefined();
    expect(languageOn('bluesky', 'en_US')).toBeUndefined();
  });

  it('Mastodon gets the two-letter ISO 639 code, or no language at all', () => {
    expect(languageOn('mastodon', 'pt-BR')).toBe('pt');
    expect(languageOn('mastodon', 'fr')).toBe('fr');
    expect(languageOn('mastodon', 'fil-PH')).toBeUndefined();
    expect(languageOn('mastodon', 'en-12')).toBeUndefined();
  });

  it('the post still composes, with its text, when the language is left out', () => {
    const post = composerFor('bluesky')?.(withLanguage('en-12'), channelOf('bluesky'));
    expect(post?.text).toContain('Headline');
    expect(post).not.toHaveProperty('language');
  });
});
