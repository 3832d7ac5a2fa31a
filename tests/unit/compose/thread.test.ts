import { describe, expect, it } from 'vitest';
import { graphemeLength, graphemes } from '../../../shared/domain/text';
import { type Budget, fitPost, type PostParts } from '../../../shared/platforms/compose/fit';
import { ELLIPSIS } from '../../../shared/platforms/compose/shorten';
import { fitThread, sentenceEnds, threadNumber } from '../../../shared/platforms/compose/thread';
import { protectedSpans } from '../../../shared/platforms/compose/tokens';

const budget = (limit: number): Budget => ({
  measure: (text) => {
    const used = graphemeLength(text);
    return { used, fits: used <= limit };
  },
  limit,
  unit: 'graphemes',
  label: 'channel test (test)',
});

const sentence = (n: number) => `Sentence number ${n} says something worth reading today.`;
const summary = Array.from({ length: 6 }, (_, i) => sentence(i + 1)).join(' ');

const parts = (overrides: Partial<PostParts> = {}): PostParts => ({
  title: 'Headline',
  summary,
  url: 'https://example.org/a',
  section: '',
  authors: '',
  author: '',
  handles: '',
  imageCredit: '',
  site: '',
  hashtags: ['Alpha', 'Beta'],
  ...overrides,
});

const template = '{title}\n\n{summary}\n\n{url}\n\n{hashtags}';

/** The standfirst as the thread carries it: each part without its number, rejoined. */
const rejoined = (posts: readonly string[]) =>
  posts
    .map((post) => /(?:^|\n\n)([^\n]*?) \d+\/\d+(?:\n|$)/u.exec(post)?.[1] ?? '')
    .filter(Boolean)
    .join(' ');

describe('threadNumber', () => {
  it('is a space, the part, a slash and the count', () => {
    expect(threadNumber(1, 3)).toBe(' 1/3');
    expect(threadNumber(10, 10)).toBe(' 10/10');
  });
});

describe('sentenceEnds', () => {
  it('ends sentences after full stops, but not after a title, an initial or an initialism', () => {
    const text =
      'Mr. Smith met Dr. Jones in the U.S. Capitol. John F. Kennedy spoke. Then he left!';
    expect(sentenceEnds(text).map((end) => text.slice(0, end).trimEnd())).toEqual([
      'Mr. Smith met Dr. Jones in the U.S. Capitol.',
      'Mr. Smith met Dr. Jones in the U.S. Capitol. John F. Kennedy spoke.',
    ]);
  });

  it('does not end a sentence inside a link', () => {
    const text = 'See example.org/a.Then and https://example.org/x. Next one.';
    const ends = sentenceEnds(text);
    for (const span of protectedSpans(text)) {
      expect(ends.every((end) => end <= span.start || end >= span.end)).toBe(true);
    }
  });
});

describe('fitThread', () => {
  it('is not needed when the standfirst fits once the hashtags give way', () => {
    const single = fitPost(template, parts(), budget(360));
    expect(single.hashtags).toEqual([]);
    expect(single.text).toContain(summary);
    expect(fitThread(template, parts(), budget(360), 4)).toBeUndefined();
  });

  it('splits a long standfirst after whole sentences, each part numbered, hashtags last', () => {
    const fitted = fitThread(template, parts(), budget(140), 4);
    expect(fitted).toBeDefined();
    const posts = [fitted?.text ?? '', ...(fitted?.thread ?? [])];
    expect(posts).toEqual([
      `Headline\n\n${sentence(1)} 1/4\n\nhttps://example.org/a`,
      `${sentence(2)} ${sentence(3)} 2/4`,
      `${sentence(4)} ${sentence(5)} 3/4`,
      `${sentence(6)} 4/4\n\n#Alpha #Beta`,
    ]);
    expect(fitted?.cut).toBe(false);
    expect(fitted?.hashtags).toEqual(['Alpha', 'Beta']);
    expect(rejoined(posts)).toBe(summary);
  });

  it('puts the hashtags on the last post, as many as fit there', () => {
    const three = Array.from({ length: 3 }, (_, i) => sentence(i + 1)).join(' ');
    const thread = (limit: number) =>
      fitThread(template, parts({ summary: three }), budget(limit), 4);
    const last = `${sentence(2)} ${sentence(3)} 2/2`;
    expect(thread(125)?.text).not.toContain('#');
    expect(thread(125)?.thread).toEqual([`${last}\n\n#Alpha #Beta`]);
    expect(thread(124)?.thread).toEqual([`${last}\n\n#Alpha`]);
    expect(thread(124)?.hashtags).toEqual(['Alpha']);
    expect(thread(118)?.thread).toEqual([last]);
    expect(thread(118)?.hashtags).toEqual([]);
  });

  it('splits after a word where no whole sentence fits', () => {
    const long = `${'word '.repeat(60)}end.`;
    const fitted = fitThread(template, parts({ summary: long, hashtags: [] }), budget(100), 4);
    const posts = [fitted?.text ?? '', ...(fitted?.thread ?? [])];
    expect(posts.length).toBe(4);
    expect(posts.every((post) => graphemeLength(post) <= 100)).toBe(true);
    expect(rejoined(posts)).toBe(long);
  });

  it('packs words rather than sentences when sentences would need more than max posts', () => {
    const fitted = fitThread(template, parts({ hashtags: [] }), budget(140), 3);
    const posts = [fitted?.text ?? '', ...(fitted?.thread ?? [])];
    expect(posts).toHaveLength(3);
    expect(fitted?.cut).toBe(false);
    expect(rejoined(posts)).toBe(summary);
  });

  it('cuts the last post with "…" when even max posts are too few', () => {
    const fitted = fitThread(template, parts({ hashtags: [] }), budget(100), 2);
    expect(fitted?.thread).toHaveLength(1);
    expect(fitted?.cut).toBe(true);
    const last = fitted?.thread[0] ?? '';
    expect(last.endsWith(`${ELLIPSIS} 2/2`)).toBe(true);
    expect(graphemeLength(last)).toBeLessThanOrEqual(100);
  });

  it('counts the wider numbers of a ten-post thread', () => {
    const long = Array.from({ length: 30 }, (_, i) => sentence(i + 1)).join(' ');
    const fitted = fitThread(template, parts({ summary: long, hashtags: [] }), budget(64), 10);
    const posts = [fitted?.text ?? '', ...(fitted?.thread ?? [])];
    expect(posts).toHaveLength(10);
    expect(posts.at(-1)?.endsWith(' 10/10')).toBe(true);
    expect(posts.every((post) => graphemeLength(post) <= 64)).toBe(true);
  });

  it('never splits a link, a hashtag, a mention or an emoji sequence', () => {
    const tokens = [
      'https://example.org/a-rather-long/path?x=1',
      '#LatinAmerica',
      '@ana@social.example',
      '@ana.bsky.social',
      '👨‍👩‍👧‍👦',
      '🇧🇴',
    ];
    const long = Array.from({ length: 4 }, (_, i) => `word${i} ${tokens.join(' ')}`).join(' ');
    for (const limit of [70, 90, 110, 130]) {
      const fitted = fitThread(template, parts({ summary: long, hashtags: [] }), budget(limit), 10);
      const posts = [fitted?.text ?? '', ...(fitted?.thread ?? [])];
      expect(posts.length).toBeGreaterThan(2);
      for (const post of posts) {
        expect(graphemeLength(post)).toBeLessThanOrEqual(limit);
        const words = post
          .split(/\s+/u)
          .filter((word) => /^[@#h\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}]/u.test(word));
        for (const word of words) {
          if (/^\d+\/\d+$/u.test(word) || word.startsWith('https://example.org/a')) continue;
          expect(tokens).toContain(word.replace(ELLIPSIS, ''));
        }
        for (const grapheme of graphemes(post)) {
          if (/\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(grapheme)) {
            expect(['👨‍👩‍👧‍👦', '🇧🇴']).toContain(grapheme);
          }
        }
      }
      expect(rejoined(posts)).toBe(long);
    }
  });

  it('leaves a link longer than a post to the usual cut', () => {
    const long = `${sentence(1)} https://example.org/${'p'.repeat(200)} ${sentence(2)}`;
    expect(fitThread(template, parts({ summary: long }), budget(100), 4)).toBeUndefined();
  });

  it('needs {summary} in the template', () => {
    expect(fitThread('{title} {url}', parts({ title: 'x'.repeat(500) }), budget(100), 4)).toBe(
      undefined,
    );
  });
});
