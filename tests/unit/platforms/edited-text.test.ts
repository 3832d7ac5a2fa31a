import { describe, expect, it } from 'vitest';
import { channelSchema } from '../../../shared/domain/channel';
import { PostTextError, ValidationError } from '../../../shared/domain/errors';
import type { Platform } from '../../../shared/domain/platform';
import { knownLinks } from '../../../shared/platforms/bluesky/links';
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
    expect(checked.text).toBe('Über #Bolivia a.example/x');
    expect(checked.hashtags).toEqual(['Bolivia']);
    expect(checked.facets?.map((f) => f.features[0])).toEqual([
      { $type: 'app.bsky.richtext.facet#tag', tag: 'Bolivia' },
      { $type: 'app.bsky.richtext.facet#link', uri: 'https://a.example/x' },
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

describe('an editor’s Bluesky text with links', () => {
  const url =
    'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/?utm_source=bluesky&utm_medium=social';
  const label = 'www.leftvoice.org/trump-declar...';
  const sliced = (text: string, facet: { index: { byteStart: number; byteEnd: number } }) =>
    Buffer.from(text).subarray(facet.index.byteStart, facet.index.byteEnd).toString();

  it('keeps a full URL the editor typed as its label, counted as the label, its facet to the URL', () => {
    const checked = checkEditedText(channel('bluesky'), `Read this — 東京 🇧🇴 ${url}`, 300);
    expect(checked.text).toBe(`Read this — 東京 🇧🇴 ${label}`);
    expect(checked.length.used).toBe(17 + label.length);
    const [facet] = checked.facets ?? [];
    expect(facet && sliced(checked.text, facet)).toBe(label);
    expect(facet?.features).toEqual([{ $type: 'app.bsky.richtext.facet#link', uri: url }]);
  });

  it('takes a text whose URL alone would be over the limit', () => {
    const long = `${'Words of the standfirst. '.repeat(10).trim()} ${url}`;
    expect(long.length).toBeGreaterThan(300);
    const checked = checkEditedText(channel('bluesky'), long, 300);
    expect(checked.length.used).toBe(249 + 1 + label.length);
  });

  it('links a label the text showed before the edit again, wherever the edit moved it', () => {
    const known = knownLinks({
      text: `Before ${label}`,
      url,
      facets: [
        {
          index: { byteStart: 7, byteEnd: 7 + label.length },
          features: [{ $type: 'app.bsky.richtext.facet#link', uri: url }],
        },
      ],
    });
    const checked = checkEditedText(
      channel('bluesky'),
      `Now 👩🏽‍💻 ${label}, and more`,
      300,
      'text',
      known,
    );
    expect(checked.text).toBe(`Now 👩🏽‍💻 ${label}, and more`);
    expect(checked.facets).toHaveLength(1);
    const [facet] = checked.facets ?? [];
    expect(facet && sliced(checked.text, facet)).toBe(label);
    expect(facet?.features).toEqual([{ $type: 'app.bsky.richtext.facet#link', uri: url }]);
    // A label the editor cut short is plain text: it no longer says where it goes.
    const cut = checkEditedText(
      channel('bluesky'),
      'Now www.leftvoice.org/trump',
      300,
      'text',
      known,
    );
    expect(cut.facets).toEqual([]);
  });

  it('counts the same text on every save: a kept text saved again is kept as it is', () => {
    const first = checkEditedText(channel('bluesky'), `  Über ${url} #Bolivia  `, 300);
    const again = checkEditedText(
      channel('bluesky'),
      first.text,
      300,
      'text',
      knownLinks({ text: first.text, facets: first.facets }),
    );
    expect(again).toEqual(first);
  });
});
