/** Each network's alt-text limit and how it counts, and the image choices a network takes. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors';
import {
  ALT_TEXT_RULES,
  altTextLength,
  checkImageAlt,
  checkImageChoice,
  imageChoiceSchema,
} from '../../../shared/domain/share-image';

describe('alt text limits', () => {
  it('are the networks’ own: X 1,000, Bluesky 2,000 graphemes, Mastodon 1,500, Threads 1,000', () => {
    expect(ALT_TEXT_RULES.x).toMatchObject({ limit: 1000, unit: 'characters', sent: true });
    expect(ALT_TEXT_RULES.bluesky).toMatchObject({ limit: 2000, unit: 'graphemes' });
    expect(ALT_TEXT_RULES.mastodon).toMatchObject({ limit: 1500, sent: true });
    expect(ALT_TEXT_RULES.threads).toMatchObject({ limit: 1000, sent: true });
    expect(ALT_TEXT_RULES.instagram).toMatchObject({ limit: 1000, sent: true });
    for (const platform of ['linkedin', 'facebook', 'telegram', 'bluesky'] as const) {
      expect(ALT_TEXT_RULES[platform].sent, platform).toBe(false);
      expect(ALT_TEXT_RULES[platform].note, platform).toBeTruthy();
    }
  });

  it('count graphemes on Bluesky and code points elsewhere', () => {
    const family = '👨‍👩‍👧';
    expect(altTextLength('bluesky', family)).toBe(1);
    expect(altTextLength('x', family)).toBe(5);
    expect(altTextLength('mastodon', 'é')).toBe(1);
  });

  it('refuse one past the limit with a 400 naming imageAlt and the count, trimmed first', () => {
    expect(checkImageAlt('x', `  ${'a'.repeat(1000)}  `)).toBe('a'.repeat(1000));
    let caught: unknown;
    try {
      checkImageAlt('x', 'a'.repeat(1001));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues).toEqual([
      { field: 'imageAlt', message: "is 1001 characters, over X's limit of 1000" },
    ]);
  });
});

describe('image choices', () => {
  it('are article, card, none and an upload by its id, nothing else', () => {
    for (const choice of [{ source: 'article' }, { source: 'card' }, { source: 'none' }]) {
      expect(imageChoiceSchema.safeParse(choice).success).toBe(true);
    }
    expect(
      imageChoiceSchema.safeParse({
        source: 'upload',
        upload: '0b5f7a52-64a1-4a0b-9f0a-5f1f3f2c9a11',
      }).success,
    ).toBe(true);
    expect(imageChoiceSchema.safeParse({ source: 'upload', upload: 'not-an-id' }).success).toBe(
      false,
    );
    expect(imageChoiceSchema.safeParse({ source: 'upload' }).success).toBe(false);
    expect(imageChoiceSchema.safeParse({ source: 'article', upload: 'x' }).success).toBe(false);
    expect(imageChoiceSchema.safeParse({ source: 'url' }).success).toBe(false);
  });

  it('without an image are refused on Instagram only, naming image', () => {
    expect(checkImageChoice('x', { source: 'none' })).toEqual({ source: 'none' });
    expect(() => checkImageChoice('instagram', { source: 'none' })).toThrow(ValidationError);
    expect(checkImageChoice('instagram', { source: 'card' })).toEqual({ source: 'card' });
  });
});
