/**
 * The thread editor's pieces: a part's live count is red exactly when the API refuses
 * the part (the same counter, on the text the server keeps), and the thread numbers
 * follow parts added and removed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelSchema } from '../../../shared/domain/channel';
import { ValidationError } from '../../../shared/domain/errors';
import { textLimit } from '../../../shared/platforms/edited-text';
import { checkEditedThread, threadMax } from '../../../shared/platforms/edited-thread';
import { partCount, renumber, renumbered } from '../../../web/src/thread-parts';

const channel = (platform: 'x' | 'bluesky' | 'mastodon' | 'telegram', enabled = true) =>
  channelSchema.parse({
    id: `${platform}-desk`,
    platform,
    account: 'desk',
    template: '{title}\n\n{summary}\n\n{url}',
    thread: { enabled, max: 4 },
  });

const accepted = (platform: 'x' | 'bluesky' | 'mastodon', part: string) => {
  const c = channel(platform);
  try {
    checkEditedThread(c, [part], textLimit(c));
    return true;
  } catch (error) {
    if (error instanceof ValidationError) return false;
    throw error;
  }
};

describe('a part’s live count', () => {
  it('is red exactly when the API refuses the part, on every threading network', () => {
    const piece = fc.constantFrom(
      'Bolivia ',
      'Evo Morales ',
      '東京 ',
      '👨‍👩‍👧‍👦 ',
      'Café ',
      'Cafe\u0301 ',
      'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/ ',
      '#Bolivia ',
      '  ',
      '\n',
    );
    fc.assert(
      fc.property(
        fc.constantFrom('x', 'bluesky', 'mastodon'),
        fc.array(piece, { maxLength: 60 }),
        (platform, pieces) => {
          const part = pieces.join('');
          expect(partCount(platform, part, textLimit(channel(platform))).fits).toBe(
            accepted(platform, part),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('calls an empty part one the API refuses', () => {
    expect(partCount('bluesky', '   ')).toMatchObject({
      fits: false,
      problem: 'a part must not be empty',
    });
  });
});

describe('threadMax', () => {
  it('is the channel’s thread size where it threads on a network that takes replies', () => {
    expect(threadMax(channel('bluesky'))).toBe(4);
    expect(threadMax(channel('bluesky', false))).toBeUndefined();
    expect(threadMax(channel('telegram'))).toBeUndefined();
  });
});

describe('thread numbers', () => {
  it('changes a part’s own number only', () => {
    expect(renumber('Morales resigned. 2/3', [2, 3], [2, 4])).toBe('Morales resigned. 2/4');
    expect(renumber('Hands off Bolivia! 1/3\n\nhttps://example.org/a', [1, 3], [1, 2])).toBe(
      'Hands off Bolivia! 1/2\n\nhttps://example.org/a',
    );
    expect(renumber('A score of 12/3 in the second half', [2, 3], [2, 4])).toBe(
      'A score of 12/3 in the second half',
    );
    expect(renumber('Our own words', [2, 3], [2, 4])).toBe('Our own words');
  });

  it('follows a part added at the end and a part removed from the middle', () => {
    const text = 'Headline\n\nOpening 1/3\n\nhttps://example.org/a';
    const parts = ['Second 2/3', 'Third 3/3\n\n#Bolivia'];
    const added = renumbered(text, parts, [...parts, undefined], (i) => (i < 2 ? i : undefined));
    expect(added).toEqual({
      text: 'Headline\n\nOpening 1/4\n\nhttps://example.org/a',
      parts: ['Second 2/4', 'Third 3/4\n\n#Bolivia', ''],
    });
    const single = renumbered(text, parts, [], () => undefined);
    expect(single.text).toBe('Headline\n\nOpening\n\nhttps://example.org/a');
    const removed = renumbered(text, parts, [parts[1]], (i) => i + 1);
    expect(removed).toEqual({
      text: 'Headline\n\nOpening 1/2\n\nhttps://example.org/a',
      parts: ['Third 2/2\n\n#Bolivia'],
    });
  });
});
