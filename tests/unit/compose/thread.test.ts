import { describe, expect, it } from 'vitest';
import { graphemeLength, graphemes } from '../../../shared/domain/text';
import { type Budget, fitPost, type PostParts } from '../../../shared/platforms/compose/fit';
import { ELLIPSIS } from '../../../shared/platforms/compose/shorten';
import {
  clauseEnds,
  fitThread,
  sentenceEnds,
  threadNumber,
} from '../../../shared/platforms/compose/thread';
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

describe('clauseEnds', () => {
  const upTo = (text: string) => clauseEnds(text).map((end) => text.slice(0, end));

  it('ends clauses after commas, semicolons, colons, spaced dashes and closing brackets', () => {
    const text =
      'The council approved the budget on Tuesday, after a four-hour debate; the mayor (who had threatened a veto) signed it — reluctantly: "We had no choice."';
    expect(upTo(text)).toEqual([
      'The council approved the budget on Tuesday,',
      'The council approved the budget on Tuesday, after a four-hour debate;',
      'The council approved the budget on Tuesday, after a four-hour debate; the mayor (who had threatened a veto)',
      'The council approved the budget on Tuesday, after a four-hour debate; the mayor (who had threatened a veto) signed it —',
      'The council approved the budget on Tuesday, after a four-hour debate; the mayor (who had threatened a veto) signed it — reluctantly:',
    ]);
  });

  it('never ends a clause inside a number, a link, a mention, a hashtag or a bracket', () => {
    const text =
      'About 1,000 people (mostly students, some teachers) marched at 3:30 pm, reported @city.news@social.example, see https://example.org/a,b?x=1, #Protest,Live';
    expect(upTo(text)).toEqual([
      'About 1,000 people (mostly students, some teachers)',
      'About 1,000 people (mostly students, some teachers) marched at 3:30 pm,',
      'About 1,000 people (mostly students, some teachers) marched at 3:30 pm, reported @city.news@social.example,',
      'About 1,000 people (mostly students, some teachers) marched at 3:30 pm, reported @city.news@social.example, see https://example.org/a,b?x=1,',
    ]);
  });

  it('reads Cyrillic and Chinese punctuation', () => {
    expect(upTo('Уряд ухвалив бюджет, а парламент — ні; голосування перенесли.')).toEqual([
      'Уряд ухвалив бюджет,',
      'Уряд ухвалив бюджет, а парламент —',
      'Уряд ухвалив бюджет, а парламент — ні;',
    ]);
    expect(upTo('市政府周二通过预算，市长签署了法令；反对派批评。')).toEqual([
      '市政府周二通过预算，',
      '市政府周二通过预算，市长签署了法令；',
    ]);
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

  it('splits after a clause where no whole sentence fits', () => {
    // One long sentence, as standfirsts often are: no sentence end to split at.
    const long =
      'The city council approved a €2.4bn budget for 2027 on Tuesday night, after a four-hour debate in which opposition members accused the mayor of hiding a 12% rise in transport fares; the mayor, who had threatened a veto over the housing fund, signed it within the hour — saying the city could not wait for another round of talks';
    const fitted = fitThread(template, parts({ summary: long, hashtags: [] }), budget(280), 4);
    const posts = [fitted?.text ?? '', ...(fitted?.thread ?? [])];
    expect(posts.length).toBeGreaterThanOrEqual(2);
    expect(posts.every((post) => graphemeLength(post) <= 280)).toBe(true);
    expect(rejoined(posts)).toBe(long);
    // Each part but the last ends on a clause's mark, never in the middle of one.
    const pieces = posts.map(
      (post) => /(?:^|\n\n)([^\n]*?) \d+\/\d+(?:\n|$)/u.exec(post)?.[1] ?? '',
    );
    for (const piece of pieces.slice(0, -1)) expect(piece).toMatch(/[,;—]$/u);
    expect(pieces[0]).toBe(
      'The city council approved a €2.4bn budget for 2027 on Tuesday night, after a four-hour debate in which opposition members accused the mayor of hiding a 12% rise in transport fares; the mayor, who had threatened a veto over the housing fund,',
    );
  });

  it('prefers a sentence end to a later clause end', () => {
    const long =
      'Storm Bert brought flooding to Wales on Sunday. Rivers burst their banks in Pontypridd, Monmouth and Crickhowell, where residents were evacuated overnight, and more rain is forecast for Monday, the Met Office said.';
    const fitted = fitThread(template, parts({ summary: long, hashtags: [] }), budget(160), 4);
    const posts = [fitted?.text ?? '', ...(fitted?.thread ?? [])];
    expect(posts[0]).toContain('Storm Bert brought flooding to Wales on Sunday. 1/');
    expect(posts.every((post) => graphemeLength(post) <= 160)).toBe(true);
    expect(rejoined(posts)).toBe(long);
  });

  it('splits Cyrillic news with emoji after a clause, never inside an emoji', () => {
    const long =
      'Київ 🇺🇦 отримав нову партію генераторів від партнерів, яку передали лікарням і школам, а мер пообіцяв, що до зими 👨‍👩‍👧‍👦 сім’ї в укриттях матимуть світло, тепло і зв’язок у кожному районі міста';
    const fitted = fitThread(template, parts({ summary: long, hashtags: [] }), budget(110), 4);
    const posts = [fitted?.text ?? '', ...(fitted?.thread ?? [])];
    expect(posts.length).toBeGreaterThanOrEqual(2);
    expect(posts.every((post) => graphemeLength(post) <= 110)).toBe(true);
    expect(rejoined(posts)).toBe(long);
    const pieces = posts.map(
      (post) => /(?:^|\n\n)([^\n]*?) \d+\/\d+(?:\n|$)/u.exec(post)?.[1] ?? '',
    );
    expect(pieces.slice(0, -1).some((piece) => piece.endsWith(','))).toBe(true);
    for (const post of posts) {
      for (const grapheme of graphemes(post)) {
        if (/\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(grapheme)) {
          expect(['👨‍👩‍👧‍👦', '🇺🇦']).toContain(grapheme);
        }
      }
    }
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
