import { describe, expect, it } from 'vitest';
import { channelSchema } from '../../../shared/domain/channel';
import { PostTextError, ValidationError } from '../../../shared/domain/errors';
import type { Platform } from '../../../shared/domain/platform';
import { checkEditedText, textLimit } from '../../../shared/platforms/edited-text';

const channel = (platform: Platform, extra: Record<string, unknown> = {}) =>
  channelSchema.parse({
    id: `${platform}-newsroom`,
    platform,
    account: 'newsroom',
    template: '{title} {url}',
    ...extra,
  });

function refusal(fn: () => unknown): PostTextError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PostTextError) return error;
    throw error;
  }
  throw new Error('expected a PostTextError');
}

describe('an editor’s text, checked as each network counts', () => {
  it('weighs X text as twitter-text does and gives the exact count over the limit', () => {
    const x = channel('x');
    expect(
      checkEditedText(x, `${'a'.repeat(256)} https://example.org/${'p'.repeat(80)}`, 280).length,
    ).toEqual({ used: 280, limit: 280, unit: 'weighted' });
    const error = refusal(() => checkEditedText(x, '😀'.repeat(150), 280));
    expect(error.length).toEqual({ used: 300, limit: 280, unit: 'weighted' });
    expect(error.issues).toEqual([{ field: 'text', message: expect.stringContaining('300') }]);
  });

  it('counts Bluesky graphemes in full, past the limit', () => {
    const error = refusal(() => checkEditedText(channel('bluesky'), 'ab'.repeat(400), 300));
    expect(error.length).toEqual({ used: 800, limit: 300, unit: 'graphemes' });
  });

  it('refuses a Bluesky text over 3,000 bytes even within 300 graphemes', () => {
    const error = refusal(() => checkEditedText(channel('bluesky'), '👩🏽‍💻'.repeat(250), 300));
    expect(error.message).toContain('bytes');
    expect(error.length.used).toBe(250);
  });

  it('finishes a Bluesky text with its facets and every text with its hashtags', () => {
    const checked = checkEditedText(
      channel('bluesky'),
      '  Über #Bolivia https://a.example/x  ',
      300,
    );
    expect(checked.text).toBe('Über #Bolivia https://a.example/x');
    expect(checked.hashtags).toEqual(['Bolivia']);
    expect(checked.facets?.map((f) => f.features[0]?.$type)).toEqual([
      'app.bsky.richtext.facet#tag',
      'app.bsky.richtext.facet#link',
    ]);
    expect(checkEditedText(channel('x'), 'Hi #Bolivia', 280).facets).toBeUndefined();
  });

  it('names what else a network refuses: Instagram’s 30 hashtags, Threads’ 5 links', () => {
    const tags = Array.from({ length: 31 }, (_, n) => `#tag${n}`).join(' ');
    expect(refusal(() => checkEditedText(channel('instagram'), tags, 2200)).message).toContain(
      '31 hashtags',
    );
    const links = Array.from({ length: 6 }, (_, n) => `https://e${n}.org/`).join(' ');
    expect(refusal(() => checkEditedText(channel('threads'), links, 500)).message).toContain(
      '6 different links',
    );
  });

  it('refuses an empty text as a plain 400 on the field', () => {
    expect(() => checkEditedText(channel('telegram'), ' \n ', 4096)).toThrow(ValidationError);
  });

  it('keeps Mastodon within both the channel’s limit and the instance’s', () => {
    expect(textLimit(channel('mastodon', { maxCharacters: 500 }))).toBe(500);
    expect(textLimit(channel('mastodon', { maxCharacters: 500 }), 400)).toBe(400);
    expect(textLimit(channel('mastodon', { maxCharacters: 300 }), 1000)).toBe(300);
    expect(textLimit(channel('mastodon'), 5000)).toBe(5000);
    expect(textLimit(channel('x'), 5000)).toBe(280);
  });
});
