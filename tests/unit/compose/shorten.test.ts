import { describe, expect, it } from 'vitest';
import { graphemeLength, graphemes } from '../../../shared/domain/text';
import {
  breakPoints,
  cutAt,
  ELLIPSIS,
  lastIndexWhere,
  shortenToFit,
  wordCount,
} from '../../../shared/platforms/compose/shorten';

/** A room of `n` graphemes, as a network counter would see it. */
const room = (n: number) => (candidate: string) => graphemeLength(candidate) <= n;

/** Every grapheme of `kept` (the cut text without its "…") is a whole grapheme of `original`. */
function cutOnGraphemes(original: string, shortened: string): boolean {
  const kept = shortened.slice(0, -ELLIPSIS.length);
  const whole = graphemes(original);
  const part = graphemes(kept);
  return part.every((g, i) => g === whole[i]);
}

describe('shortenToFit', () => {
  const summary =
    'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take place in Venezuela and Nicaragua.';

  it('returns the text unchanged when it fits', () => {
    expect(shortenToFit(summary, room(500))).toBe(summary);
  });

  it('cuts on a word boundary and ends with "…"', () => {
    expect(shortenToFit(summary, room(40))).toBe('Donald Trump welcomes the coup d’état…');
  });

  it('uses the longest cut that fits', () => {
    const shortened = shortenToFit(summary, room(47));
    expect(shortened).toBe('Donald Trump welcomes the coup d’état in…');
    expect(graphemeLength(shortened)).toBeLessThanOrEqual(47);
    expect(graphemeLength('Donald Trump welcomes the coup d’état in Bolivia…')).toBeGreaterThan(47);
  });

  it('strips separators and opening quotes before the ellipsis but keeps what carries meaning', () => {
    expect(cutAt('Hands off, Bolivia', 10)).toBe('Hands off…');
    expect(cutAt('He said “ no', 9)).toBe('He said…');
    expect(cutAt('Shares up 50% today', 13)).toBe('Shares up 50%…');
    expect(cutAt('—  ', 3)).toBe('');
  });

  it('drops the text when fewer than the minimum words would remain', () => {
    expect(shortenToFit(summary, room(14), 3)).toBe('');
    expect(shortenToFit(summary, room(14), 1)).toBe('Donald Trump…');
  });

  it('cuts a single 400-character word between graphemes', () => {
    const word = 'a'.repeat(400);
    const shortened = shortenToFit(word, room(100));
    expect(shortened).toBe(`${'a'.repeat(99)}${ELLIPSIS}`);
  });

  it('cuts a word that is longer than the room even when other words follow', () => {
    const shortened = shortenToFit(`${'b'.repeat(400)} and more`, room(50));
    expect(shortened).toBe(`${'b'.repeat(49)}${ELLIPSIS}`);
  });

  it('never splits an emoji ZWJ sequence or a flag', () => {
    const text = '👩‍👩‍👧‍👦🇧🇴🏳️‍🌈'.repeat(40);
    const shortened = shortenToFit(text, room(25));
    expect(graphemeLength(shortened)).toBeLessThanOrEqual(25);
    expect(graphemeLength(shortened)).toBe(25);
    expect(cutOnGraphemes(text, shortened)).toBe(true);
  });

  it('never splits a letter from its combining marks', () => {
    const text = 'x\u0301\u0323\u0302'.repeat(300);
    const shortened = shortenToFit(text, room(10));
    expect(shortened).toBe(`${'x\u0301\u0323\u0302'.repeat(9)}${ELLIPSIS}`);
  });

  it('cuts Chinese and Japanese between words, though they have no spaces', () => {
    const text = '東京オリンピックの開催は新型コロナウイルスの影響で延期された。';
    const shortened = shortenToFit(text, room(12));
    expect(shortened).toBe('東京オリンピックの開催…');
    expect(breakPoints(text)).toContain('東京'.length);
  });

  it('cuts right-to-left Arabic on a word boundary in logical order', () => {
    const text = 'أعلن الرئيس البوليفي إيفو موراليس استقالته بعد ضغوط من الجيش';
    const shortened = shortenToFit(text, room(25));
    expect(shortened).toBe('أعلن الرئيس البوليفي…');
  });

  it('cuts Cyrillic on a word boundary', () => {
    expect(shortenToFit('Москва — столица России и крупнейший город', room(20))).toBe(
      'Москва — столица…',
    );
  });

  it('never cuts inside a link: a link too long for the room goes whole', () => {
    expect(shortenToFit(`https://example.org/${'p'.repeat(100)} more`, room(30))).toBe('');
    expect(shortenToFit('See https://example.org/a-long-path today', room(30))).toBe('See…');
  });

  it('never cuts inside a hashtag: one too long for the room goes whole', () => {
    const tag = `#${'Long'.repeat(30)}`;
    expect(shortenToFit(`${tag} and more`, room(30))).toBe('');
    expect(shortenToFit(`See ${tag} and more`, room(30))).toBe('See…');
  });

  it('never cuts inside a mention, @user@host included', () => {
    const mention = `@ana@${'social'.repeat(10)}.example`;
    expect(shortenToFit(`${mention} said more`, room(30))).toBe('');
    expect(shortenToFit(`Thanks to ${mention} for this`, room(30))).toBe('Thanks to…');
    expect(shortenToFit('Thanks to @ana.bsky.social for this', room(30))).toBe(
      'Thanks to @ana.bsky.social…',
    );
  });

  it('keeps the separators that belong to a mention, hashtag or link at the cut', () => {
    expect(shortenToFit('Thanks to @ana_ for the tip today', room(16))).toBe('Thanks to @ana_…');
    expect(shortenToFit('Tagged #Arab_ for the tip today', room(14))).toBe('Tagged #Arab_…');
    expect(shortenToFit('Read https://example.org/a/ for more', room(30))).toBe(
      'Read https://example.org/a/…',
    );
    expect(cutAt('See https://example.org/a. Then', 26)).toBe('See https://example.org/a…');
  });

  it('does not break Chinese or Japanese words inside a link, hashtag or mention', () => {
    const linked = '詳細はhttps://ja.wikipedia.org/wiki/東京都を参照。東京オリンピックは延期された';
    expect(breakPoints(linked)).toEqual(['詳細'.length, '詳細は'.length]);
    expect(shortenToFit(linked, room(40))).toBe('詳細は…');
    const tagged = '東京の#東京オリンピック開催について新型コロナウイルスの影響';
    expect(shortenToFit(tagged, room(12))).toBe('東京の…');
  });

  it('never splits an emoji sequence between Japanese words', () => {
    const text = '東京👨‍👩‍👧‍👦オリンピック🏴󠁧󠁢󠁥󠁮󠁧󠁿の開催1️⃣は🇯🇵🇧🇴延期された';
    for (let n = 2; n < graphemeLength(text); n++) {
      const shortened = shortenToFit(text, room(n));
      expect(cutOnGraphemes(text, shortened)).toBe(true);
    }
  });

  it('measures O(log n) candidates, not one per character', () => {
    const text = Array.from({ length: 800 }, (_, i) => `word${i}`).join(' ');
    let measured = 0;
    shortenToFit(text, (candidate) => {
      measured++;
      return graphemeLength(candidate) <= 100;
    });
    expect(measured).toBeLessThanOrEqual(2 + Math.ceil(Math.log2(800)));
  });
});

describe('wordCount', () => {
  it('counts words in text with and without spaces', () => {
    expect(wordCount('Hands off Bolivia…')).toBe(3);
    expect(wordCount('東京オリンピックの開催')).toBeGreaterThanOrEqual(3);
  });
});

describe('lastIndexWhere', () => {
  it('finds the last index of a true prefix, or -1', () => {
    expect(lastIndexWhere(10, (i) => i < 4)).toBe(3);
    expect(lastIndexWhere(10, () => false)).toBe(-1);
    expect(lastIndexWhere(0, () => true)).toBe(-1);
  });
});
