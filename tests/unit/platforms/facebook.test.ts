import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHANNELS } from '../../../shared/config/default-channels';
import type { Article } from '../../../shared/domain/article';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Channel, channelSchema } from '../../../shared/domain/channel';
import { composeFacebook } from '../../../shared/platforms/facebook/composer';
import { FACEBOOK_MAX_MESSAGE, measureFacebook } from '../../../shared/platforms/facebook/rules';

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
    ...overrides,
  });

const channel = (template: string, extra: Record<string, unknown> = {}): Channel =>
  channelSchema.parse({
    id: 'facebook-test',
    platform: 'facebook',
    account: 'Newsroom',
    template,
    ...extra,
  });

const defaultChannel = channelSchema.parse(DEFAULT_CHANNELS.find((c) => c.platform === 'facebook'));

describe('the sample article on the default Facebook channel ("{title}\\n\\n{summary}", no hashtags)', () => {
  const post = composeFacebook(sample, defaultChannel);
  const url =
    'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/?utm_source=facebook&utm_medium=social&utm_campaign=crier';

  it('is the headline and the whole standfirst; the link goes beside the message, not in it', () => {
    expect(post.text).toBe(
      'Trump Declares Support for Coup in Bolivia\n\n' +
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take ' +
        'place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!',
    );
    expect(post.text).not.toContain('https://');
    expect(post.url).toBe(url);
    expect(post.hashtags).toEqual([]);
  });

  it('counts 196 characters against the unconfirmed 63,206', () => {
    expect(post.length).toEqual({ used: 42 + 2 + 152, limit: 63_206, unit: 'characters' });
  });

  it('carries the card Facebook will scrape from the page: title, standfirst, image', () => {
    expect(post.card).toEqual({
      url,
      title: 'Trump Declares Support for Coup in Bolivia',
      description:
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!',
      imageUrl: 'https://www.leftvoice.org/wp-content/uploads/2019/11/trump-bolivia-efe.jpg',
      imageAlt: 'Donald Trump speaking at the White House',
    });
    expect(post.media).toBeUndefined();
    expect(post.language).toBe('en');
  });
});

describe('Facebook limits', () => {
  it('counts UTF-16 code units: an emoji family counts 11', () => {
    expect(measureFacebook('👨‍👩‍👧‍👦')).toEqual({ used: 11, fits: true });
  });

  it('fits exactly 63,206 and refuses one more', () => {
    expect(measureFacebook('x'.repeat(FACEBOOK_MAX_MESSAGE)).fits).toBe(true);
    expect(measureFacebook('x'.repeat(FACEBOOK_MAX_MESSAGE + 1)).fits).toBe(false);
  });

  it('keeps the longest standfirst a webhook may carry (5,000 characters) whole', () => {
    const summary = `${'Lorem ipsum dolor sit amet. '.repeat(178)}End.`;
    expect(summary.length).toBeGreaterThan(4980);
    const post = composeFacebook(article({ summary }), channel('{title}\n\n{summary}'));
    expect(post.text).toBe(`Headline\n\n${summary}`);
    expect(post.length.used).toBe(post.text.length);
  });
});

describe('Facebook composer', () => {
  it('adds hashtags where the channel asks for them', () => {
    const post = composeFacebook(
      article({ section: 'Latin America', tags: ['Bolivia'] }),
      channel('{title}\n\n{hashtags}', { hashtags: { max: 2 } }),
    );
    expect(post.text).toBe('Headline\n\n#LatinAmerica #Bolivia');
  });

  it('names authors: a Page post tags by id, never by handle', () => {
    const post = composeFacebook(
      article({ authors: [{ name: 'Ana Rivera', handles: { facebook: 'ana.rivera' } }] }),
      channel('{title} by {handles}'),
    );
    expect(post.text).toBe('Headline by Ana Rivera');
  });
});
