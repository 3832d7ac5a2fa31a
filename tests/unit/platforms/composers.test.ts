import { describe, expect, it } from 'vitest';
import { parseGenericArticle } from '../../../shared/domain/article';
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
