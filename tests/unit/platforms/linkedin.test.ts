import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { littleTextToPlain } from '../../../infra/local/sandbox/linkedin/little';
import { DEFAULT_CHANNELS } from '../../../shared/config/default-channels';
import type { Article } from '../../../shared/domain/article';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Channel, channelSchema } from '../../../shared/domain/channel';
import {
  composeLinkedIn,
  LINKEDIN_NO_IMAGE_WARNING,
} from '../../../shared/platforms/linkedin/composer';
import {
  escapeLittleText,
  measureLinkedIn,
  toLittleText,
} from '../../../shared/platforms/linkedin/rules';

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
    id: 'linkedin-test',
    platform: 'linkedin',
    account: 'Newsroom',
    template,
    ...extra,
  });

const defaultChannel = channelSchema.parse(DEFAULT_CHANNELS.find((c) => c.platform === 'linkedin'));

describe('the sample article on the default LinkedIn channel ("{title}\\n\\n{summary}\\n\\n{hashtags}")', () => {
  const post = composeLinkedIn(sample, defaultChannel);
  const url =
    'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/?utm_source=linkedin&utm_medium=social&utm_campaign=crier';

  it('keeps the whole standfirst and adds three hashtags from section and tags', () => {
    expect(post.text).toBe(
      'Trump Declares Support for Coup in Bolivia\n\n' +
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take ' +
        'place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!\n\n' +
        '#LatinAmerica #Bolivia #EvoMorales',
    );
    expect(post.hashtags).toEqual(['LatinAmerica', 'Bolivia', 'EvoMorales']);
  });

  it('carries the article card LinkedIn shows (it never fetches the page), with the UTM link', () => {
    expect(post.url).toBe(url);
    expect(post.card).toEqual({
      url,
      title: 'Trump Declares Support for Coup in Bolivia',
      description:
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!',
      imageUrl: 'https://www.leftvoice.org/wp-content/uploads/2019/11/trump-bolivia-efe.jpg',
      imageAlt: 'Donald Trump speaking at the White House',
    });
    expect(post.warnings).toBeUndefined();
    expect(post.media).toBeUndefined();
    expect(post.language).toBe('en');
  });

  it('counts the commentary as sent: each hashtag as its {hashtag|\\#|tag} template', () => {
    expect(toLittleText(post.text)).toBe(
      'Trump Declares Support for Coup in Bolivia\n\n' +
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take ' +
        'place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!\n\n' +
        '{hashtag|\\#|LatinAmerica} {hashtag|\\#|Bolivia} {hashtag|\\#|EvoMorales}',
    );
    expect(post.length).toEqual({
      used: post.text.length + 3 * 12,
      limit: 3000,
      unit: 'characters',
    });
  });
});

describe('LinkedIn little text', () => {
  it('escapes every reserved character, the backslash included, so a reader sees the text as written', () => {
    const text = String.raw`Bolivia (update): [live] {1} <b> *bold* _it_ ~x~ a|b @ana \o/ #1`;
    const little = toLittleText(text);
    expect(little).toBe(
      String.raw`Bolivia \(update\): \[live\] \{1\} \<b\> \*bold\* \_it\_ \~x\~ a\|b \@ana \\o/ \#1`,
    );
    expect(littleTextToPlain(little)).toEqual({ text });
  });

  it('would lose everything from the first unescaped "(" on: the truncation escaping prevents', () => {
    expect(littleTextToPlain('Coup in Bolivia (update) and more')).toEqual({
      text: 'Coup in Bolivia ',
      cutAt: 16,
    });
  });

  it('escapes inside links too, and LinkedIn reads the link back whole', () => {
    const url = 'https://example.org/a_(b)?utm_source=linkedin&x=~1';
    expect(escapeLittleText(url)).toBe(
      String.raw`https://example.org/a\_\(b\)?utm\_source=linkedin&x=\~1`,
    );
    expect(littleTextToPlain(toLittleText(`Read ${url}`)).text).toBe(`Read ${url}`);
  });

  it('turns hashtags into templates, escaping an underscore in the tag, and leaves a glued # escaped', () => {
    const text = 'News #الربيع_العربي and C# #Bolivia';
    expect(toLittleText(text)).toBe(
      String.raw`News {hashtag|\#|الربيع\_العربي} and C\# {hashtag|\#|Bolivia}`,
    );
    expect(littleTextToPlain(toLittleText(text)).text).toBe(text);
  });
});

describe('LinkedIn limits', () => {
  it('counts UTF-16 code units, so an emoji counts 2', () => {
    expect(measureLinkedIn('🇧🇴 ok')).toEqual({ used: 4 + 3, fits: true });
  });

  it('fits exactly 3,000 and refuses 3,001', () => {
    expect(measureLinkedIn('x'.repeat(3000)).fits).toBe(true);
    expect(measureLinkedIn('x'.repeat(3001)).fits).toBe(false);
  });

  it('counts escapes, so reserved characters make the standfirst give way earlier', () => {
    const plain = `${'word '.repeat(590)}end.`;
    const reserved = `${'(w) '.repeat(740)}end.`;
    const compose = (summary: string) =>
      composeLinkedIn(article({ summary }), channel('{title}\n\n{summary}'));
    expect(compose(plain).text).toBe(`Headline\n\n${plain}`);
    const cut = compose(reserved);
    expect(reserved.length).toBeLessThan(3000);
    expect(cut.text.endsWith('…')).toBe(true);
    expect(toLittleText(cut.text).length).toBeLessThanOrEqual(3000);
    expect(cut.length.used).toBe(toLittleText(cut.text).length);
  });
});

describe('LinkedIn composer', () => {
  it('names authors instead of mentioning them: a mention needs the member URN', () => {
    const post = composeLinkedIn(
      article({ authors: [{ name: 'Ana Rivera', handles: { linkedin: 'ana-rivera' } }] }),
      channel('{title} by {handles}'),
    );
    expect(post.text).toBe('Headline by Ana Rivera');
  });

  it('warns that the card goes without a thumbnail when the article has no image', () => {
    const post = composeLinkedIn(article(), channel('{title}'));
    expect(post.warnings).toEqual([LINKEDIN_NO_IMAGE_WARNING]);
    expect(post.card).toEqual({ url: 'https://example.org/news/a', title: 'Headline' });
  });
});
