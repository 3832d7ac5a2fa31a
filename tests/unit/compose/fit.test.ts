import { describe, expect, it } from 'vitest';
import { graphemeLength } from '../../../shared/domain/text';
import {
  type Budget,
  fitPost,
  type PostParts,
  PostTooLongError,
} from '../../../shared/platforms/compose/fit';

const budget = (limit: number): Budget => ({
  measure: (text) => {
    const used = graphemeLength(text);
    return { used, fits: used <= limit };
  },
  limit,
  unit: 'graphemes',
  label: 'channel test (test)',
});

const parts: PostParts = {
  title: 'Trump Declares Support for Coup in Bolivia',
  summary: 'Donald Trump welcomes the coup d’état in Bolivia and urges similar events.',
  url: 'https://example.org/a',
  section: 'Latin America',
  authors: 'Ana Rivera',
  handles: '@ana',
  author: 'Ana Rivera',
  imageCredit: 'EFE',
  site: 'Left Voice',
  hashtags: ['LatinAmerica', 'Bolivia', 'EvoMorales'],
};

const template = '{title}\n{summary}\n{url} {hashtags}';
const full = fitPost(template, parts, budget(1000)).text;

describe('fitPost', () => {
  it('leaves a post that fits alone', () => {
    expect(full).toBe(
      'Trump Declares Support for Coup in Bolivia\n' +
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events.\n' +
        'https://example.org/a #LatinAmerica #Bolivia #EvoMorales',
    );
  });

  it('drops hashtags from the end first, one at a time', () => {
    const limit = graphemeLength(full) - ' #EvoMorales'.length;
    const fitted = fitPost(template, parts, budget(limit));
    expect(fitted.hashtags).toEqual(['LatinAmerica', 'Bolivia']);
    expect(fitted.text).toBe(full.replace(' #EvoMorales', ''));
  });

  it('finds how many hashtags fit with a logarithmic number of measurements', () => {
    const many = { ...parts, hashtags: Array.from({ length: 30 }, (_, i) => `Tag${i}`) };
    const withAll = fitPost(template, many, budget(10_000)).text;
    // room for all but the last three (" #Tag27 #Tag28 #Tag29")
    const limit = graphemeLength(withAll) - 3 * ' #Tag29'.length;
    let measured = 0;
    const counting: Budget = {
      ...budget(limit),
      measure: (text) => {
        measured++;
        return budget(limit).measure(text);
      },
    };
    const fitted = fitPost(template, many, counting);
    expect(fitted.hashtags).toEqual(many.hashtags.slice(0, 27));
    expect(measured).toBeLessThanOrEqual(1 + Math.ceil(Math.log2(30)) + 1);
  });

  it('shortens the summary on a word only after every hashtag is gone', () => {
    const withoutTags = full.replace(' #LatinAmerica #Bolivia #EvoMorales', '');
    const fitted = fitPost(template, parts, budget(graphemeLength(withoutTags) - 10));
    expect(fitted.hashtags).toEqual([]);
    expect(fitted.text).toBe(
      'Trump Declares Support for Coup in Bolivia\n' +
        'Donald Trump welcomes the coup d’état in Bolivia and urges…\n' +
        'https://example.org/a',
    );
  });

  it('drops the summary and its line when fewer than three of its words would fit', () => {
    const fitted = fitPost(template, parts, budget(42 + 1 + 14 + 1 + 21));
    expect(fitted.text).toBe('Trump Declares Support for Coup in Bolivia\nhttps://example.org/a');
  });

  it('drops the section, then the authors, then the handles, before it cuts the title', () => {
    const bylined = '{title}\n{section}\n{authors}\n{handles}\n{url}';
    const title = parts.title;
    const url = parts.url;
    expect(fitPost(bylined, parts, budget(80)).text).toBe(`${title}\nAna Rivera\n@ana\n${url}`);
    expect(fitPost(bylined, parts, budget(69)).text).toBe(`${title}\n@ana\n${url}`);
    expect(fitPost(bylined, parts, budget(64)).text).toBe(`${title}\n${url}`);
    expect(fitPost(bylined, parts, budget(63)).text).toBe(
      `Trump Declares Support for Coup in…\n${url}`,
    );
  });

  it('drops {author} with the bylines and {site} after them, before it cuts the title', () => {
    const signed = '{title} by {author}\n{site}\n{url}';
    const { title, url } = parts;
    expect(fitPost(signed, parts, budget(89)).text).toBe(
      `${title} by Ana Rivera\nLeft Voice\n${url}`,
    );
    expect(fitPost(signed, parts, budget(88)).text).toBe(`${title} by\nLeft Voice\n${url}`);
    expect(fitPost(signed, parts, budget(77)).text).toBe(`${title} by\n${url}`);
  });

  it('cuts the title last, never the URL or the template text', () => {
    const fitted = fitPost('{title} — {url}', parts, budget(40));
    expect(fitted.text).toBe('Trump Declares… — https://example.org/a');
    expect(fitted.used).toBeLessThanOrEqual(40);
  });

  it('reports only the hashtags that are in the text', () => {
    expect(fitPost('{title} {url}', parts, budget(1000)).hashtags).toEqual([]);
  });

  it('throws a clear error when even the bare template does not fit', () => {
    const huge = `${'Breaking news from our newsroom. '.repeat(20)}{title} {url}`;
    expect(() => fitPost(huge, parts, budget(300))).toThrow(PostTooLongError);
    expect(() => fitPost(huge, parts, budget(300))).toThrow(
      /Cannot fit a post for channel test \(test\) into 300 graphemes/,
    );
  });

  it('throws when the template renders an empty post', () => {
    expect(() => fitPost('{summary}', { ...parts, summary: '' }, budget(300))).toThrow(
      'The template of channel test (test) renders an empty post',
    );
  });
});
