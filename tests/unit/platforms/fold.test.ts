import { describe, expect, it } from 'vitest';
import { FOLD_RULES, foldOffset } from '../../../shared/platforms/fold';

const sentence = 'Donald Trump welcomes the coup in Bolivia and urges similar events elsewhere. ';

describe('foldOffset', () => {
  it('cuts Instagram captions after 125 characters, at the start of the word it would split', () => {
    const caption = sentence.repeat(4);
    const at = foldOffset('instagram', caption);
    expect(at).toBeDefined();
    expect(at).toBeLessThanOrEqual(125);
    expect(at).toBeGreaterThan(105);
    // the visible part ends between words
    expect(caption.charAt((at ?? 0) - 1)).toBe(' ');
    expect(caption.slice(0, at)).toBe(
      'Donald Trump welcomes the coup in Bolivia and urges similar events elsewhere. Donald Trump welcomes the coup in Bolivia and ',
    );
  });

  it('cuts LinkedIn after about 210 characters and Facebook after about 477', () => {
    const text = sentence.repeat(10);
    const linkedin = foldOffset('linkedin', text) ?? 0;
    expect(linkedin).toBeGreaterThan(190);
    expect(linkedin).toBeLessThanOrEqual(210);
    const facebook = foldOffset('facebook', text) ?? 0;
    expect(facebook).toBeGreaterThan(457);
    expect(facebook).toBeLessThanOrEqual(477);
  });

  it('cuts after the third line on the networks that count lines, even when short', () => {
    const text = 'Headline\nStandfirst\nMore\nThe rest of the post';
    expect(foldOffset('linkedin', text)).toBe('Headline\nStandfirst\nMore'.length);
    expect(foldOffset('instagram', text)).toBe('Headline\nStandfirst\nMore'.length);
    // Facebook counts characters only
    expect(foldOffset('facebook', text)).toBeUndefined();
    // three lines and nothing after them: nothing hidden
    expect(foldOffset('linkedin', 'a\nb\nc\n')).toBeUndefined();
  });

  it('has no fold where the post shows whole or fits before the cut', () => {
    for (const platform of ['x', 'bluesky', 'mastodon', 'threads', 'telegram'] as const) {
      expect(FOLD_RULES[platform], platform).toBeUndefined();
      expect(foldOffset(platform, sentence.repeat(20)), platform).toBeUndefined();
    }
    expect(foldOffset('instagram', sentence)).toBeUndefined();
    expect(foldOffset('facebook', sentence.repeat(6).trim())).toBeUndefined();
  });

  it('counts graphemes, not UTF-16 units, so emoji do not move the cut early', () => {
    const text = `${'👍🏽'.repeat(130)} end`;
    // 125 emoji shown: each is four UTF-16 units
    expect(foldOffset('instagram', text)).toBe(125 * '👍🏽'.length);
  });
});
