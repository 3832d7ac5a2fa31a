import { describe, expect, it } from 'vitest';
import type { Article } from '../../../shared/domain/article';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { channelSchema } from '../../../shared/domain/channel';
import {
  findHashtags,
  isUsableHashtag,
  pickHashtags,
  STOP_HASHTAGS,
  toHashtag,
} from '../../../shared/platforms/compose/hashtags';

const article = (overrides: Record<string, unknown> = {}): Article =>
  parseGenericArticle({
    id: 'a1',
    url: 'https://example.org/a',
    title: 'Trump Declares Support for Coup in Bolivia',
    publishedAt: '2019-11-12T15:30:00Z',
    section: 'Latin America',
    tags: ['Bolivia', 'Evo Morales', 'Donald Trump', 'Coup', 'Latin America'],
    ...overrides,
  });

const settings = (hashtags: Record<string, unknown>) =>
  channelSchema.parse({ id: 'c', platform: 'x', account: 'a', template: '{title}', hashtags })
    .hashtags;

describe('toHashtag', () => {
  it('turns several words into CamelCase', () => {
    expect(toHashtag('Latin America')).toBe('LatinAmerica');
    expect(toHashtag('Evo Morales')).toBe('EvoMorales');
    expect(toHashtag('climate change')).toBe('ClimateChange');
  });

  it('keeps a single word, and a word with capitals, as written', () => {
    expect(toHashtag('iPhone')).toBe('iPhone');
    expect(toHashtag('iPhone sales')).toBe('iPhoneSales');
  });

  it('removes punctuation; apostrophes do not split a word', () => {
    expect(toHashtag("Women's rights")).toBe('WomensRights');
    expect(toHashtag('COVID-19')).toBe('COVID19');
    expect(toHashtag('#already, tagged!')).toBe('AlreadyTagged');
  });

  it('keeps letters of every script', () => {
    expect(toHashtag('Москва')).toBe('Москва');
    expect(toHashtag('новости москвы')).toBe('НовостиМосквы');
    expect(toHashtag('東京・オリンピック')).toBe('東京オリンピック');
    expect(toHashtag('São Paulo')).toBe('SãoPaulo');
  });

  it('joins words of caseless scripts written with spaces by "_"', () => {
    expect(toHashtag('الربيع العربي')).toBe('الربيع_العربي');
  });

  it('leaves out the variation selector of an emoji, which no network takes in a hashtag', () => {
    expect(toHashtag('❤️ Health')).toBe('Health');
    expect(toHashtag('🏳️‍🌈 Pride month')).toBe('PrideMonth');
    expect(toHashtag('🏳️‍🌈')).toBe('');
    // Marks on a letter stay.
    expect(toHashtag('Cafe\u0301 culture')).toBe('CaféCulture');
  });
});

describe('isUsableHashtag', () => {
  it('skips tags that are all digits, empty, or longer than the network allows', () => {
    expect(isUsableHashtag('2024', 100)).toBe(false);
    expect(isUsableHashtag('', 100)).toBe(false);
    expect(isUsableHashtag('a'.repeat(65), 64)).toBe(false);
    expect(isUsableHashtag('a'.repeat(64), 64)).toBe(true);
    expect(isUsableHashtag('2024Election', 64)).toBe(true);
  });
});

describe('pickHashtags', () => {
  it('orders always, then section, then tags, deduplicated case-insensitively, up to max', () => {
    expect(
      pickHashtags(article(), settings({ max: 10, always: ['LeftVoice', 'bolivia'] }), {
        maxGraphemes: 100,
        present: [],
      }),
    ).toEqual(['LeftVoice', 'bolivia', 'LatinAmerica', 'EvoMorales', 'DonaldTrump', 'Coup']);
    expect(
      pickHashtags(article(), settings({ max: 2 }), { maxGraphemes: 100, present: [] }),
    ).toEqual(['LatinAmerica', 'Bolivia']);
  });

  it('honours fromSection and fromTags', () => {
    expect(
      pickHashtags(article(), settings({ max: 3, fromSection: false }), {
        maxGraphemes: 100,
        present: [],
      }),
    ).toEqual(['Bolivia', 'EvoMorales', 'DonaldTrump']);
    expect(
      pickHashtags(article(), settings({ max: 3, fromTags: false }), {
        maxGraphemes: 100,
        present: [],
      }),
    ).toEqual(['LatinAmerica']);
  });

  it('does not repeat a hashtag the text already has, and counts max without it', () => {
    expect(
      pickHashtags(article(), settings({ max: 2 }), { maxGraphemes: 100, present: ['BOLIVIA'] }),
    ).toEqual(['LatinAmerica', 'EvoMorales']);
  });

  it('skips digits-only and over-long tags and fills max from the next ones', () => {
    const tags = ['2019', 'x'.repeat(70), 'Bolivia'];
    expect(
      pickHashtags(article({ tags, section: undefined }), settings({ max: 2 }), {
        maxGraphemes: 64,
        present: [],
      }),
    ).toEqual(['Bolivia']);
  });

  it('skips a stop-listed section or tag, whatever its case or spacing', () => {
    const stopListed = article({
      section: 'News',
      tags: ['top stories', 'UNCATEGORIZED', 'Featured', 'Opinion', 'Bolivia', 'Evo Morales'],
    });
    expect(
      pickHashtags(stopListed, settings({ max: 3 }), { maxGraphemes: 100, present: [] }),
    ).toEqual(['Bolivia', 'EvoMorales']);
    expect(STOP_HASHTAGS).toEqual(
      expect.arrayContaining(['News', 'Opinion', 'Uncategorized', 'Featured', 'Home']),
    );
    expect(STOP_HASHTAGS).toEqual(expect.arrayContaining(['General', 'Latest', 'Top Stories']));
  });

  it("adds the channel's own stop list to the built-in one", () => {
    expect(
      pickHashtags(article(), settings({ max: 3, stop: ['latin america', '#Coup', 'Bolivia'] }), {
        maxGraphemes: 100,
        present: [],
      }),
    ).toEqual(['EvoMorales', 'DonaldTrump']);
  });

  it('keeps a stop-listed word the channel asks for in always', () => {
    expect(
      pickHashtags(article({ section: 'News' }), settings({ max: 2, always: ['News'] }), {
        maxGraphemes: 100,
        present: [],
      }),
    ).toEqual(['News', 'Bolivia']);
  });

  it("never goes over the network's maximum, counting the hashtags already in the text", () => {
    const tags = Array.from(
      { length: 40 },
      (_, i) => `Tag${String.fromCharCode(65 + (i % 26))}${i}`,
    );
    const many = article({ tags, section: undefined });
    expect(
      pickHashtags(many, settings({ max: 30 }), { maxGraphemes: 100, present: [], networkMax: 5 }),
    ).toHaveLength(5);
    expect(
      pickHashtags(many, settings({ max: 3 }), { maxGraphemes: 100, present: [], networkMax: 30 }),
    ).toHaveLength(3);
    expect(
      pickHashtags(many, settings({ max: 30 }), {
        maxGraphemes: 100,
        present: ['InTitle', 'AlsoInTitle'],
        networkMax: 30,
      }),
    ).toHaveLength(28);
    expect(
      pickHashtags(many, settings({ max: 30 }), {
        maxGraphemes: 100,
        present: Array.from({ length: 31 }, (_, i) => `T${i}`),
        networkMax: 30,
      }),
    ).toEqual([]);
  });

  it('gives nothing when max is 0', () => {
    expect(
      pickHashtags(article(), settings({ max: 0 }), { maxGraphemes: 100, present: [] }),
    ).toEqual([]);
  });
});

describe('findHashtags', () => {
  it('finds hashtags after a space or at the start, with their UTF-16 offsets', () => {
    const text = '#FinAI and AI: the #FinAI tweetstorm, #2024 #Москва';
    expect(findHashtags(text)).toEqual([
      { tag: 'FinAI', start: 0, end: 6 },
      { tag: 'FinAI', start: 19, end: 25 },
      { tag: 'Москва', start: 44, end: 51 },
    ]);
  });

  it('ignores a # inside a word or a URL, and one followed by punctuation', () => {
    expect(findHashtags('C#sharp https://example.org/a#comments #!/kiko/beats')).toEqual([]);
  });

  it('ignores a # followed by marks and no letter, as Bluesky does', () => {
    expect(findHashtags('#\ufe0f #\u0301\u0301 #\ufe0fLove')).toEqual([]);
  });
});
