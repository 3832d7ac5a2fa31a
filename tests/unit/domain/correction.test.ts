/**
 * A correction's policy (shared/domain/correction.ts): the defaults per network, what
 * falls back where a network cannot edit or Crier cannot reply, what calls for a
 * correction, and the texts it puts on a network (shared/platforms/correction-text.ts).
 */
import { describe, expect, it } from 'vitest';
import { channelSchema } from '../../../shared/domain/channel';
import {
  correctionKnown,
  correctionTrigger,
  defaultChoice,
  noteText,
  type PendingCorrection,
  resolveCorrection,
  withCorrection,
  withPending,
} from '../../../shared/domain/correction';
import { PLATFORMS, type Platform } from '../../../shared/domain/platform';
import {
  editedPostText,
  editLimit,
  replyNoteText,
} from '../../../shared/platforms/correction-text';
import { channelOf } from '../../support/in-memory/fixtures';

const EDITS: Platform[] = ['mastodon', 'linkedin', 'facebook', 'telegram'];
const REPLIES: Platform[] = ['x', 'bluesky', 'threads', 'instagram'];

describe('the default policy', () => {
  it('edits a corrected post where the network edits and replies under it elsewhere', () => {
    expect(Object.fromEntries(PLATFORMS.map((p) => [p, defaultChoice(p, 'correction')]))).toEqual({
      x: 'reply',
      bluesky: 'reply',
      mastodon: 'edit',
      threads: 'reply',
      linkedin: 'edit',
      facebook: 'edit',
      instagram: 'reply',
      telegram: 'edit',
    });
  });

  it('only tells the editors of a headline change, on every network', () => {
    for (const platform of PLATFORMS) expect(defaultChoice(platform, 'headline')).toBe('notify');
  });

  it('resolves with no policy to the default, with nothing to say about a fallback', () => {
    for (const platform of EDITS) {
      expect(resolveCorrection(platform, undefined, 'correction', true)).toEqual({
        asked: 'edit',
        action: 'edit',
      });
    }
    for (const platform of REPLIES) {
      expect(resolveCorrection(platform, undefined, 'correction', true)).toEqual({
        asked: 'reply',
        action: 'reply',
      });
    }
  });
});

describe('fallbacks', () => {
  it('replies where an edit is asked of a network that cannot edit, and says so', () => {
    for (const platform of REPLIES) {
      const resolved = resolveCorrection(platform, { onCorrection: 'edit' }, 'correction', true);
      expect(resolved).toEqual({
        asked: 'edit',
        action: 'reply',
        fallback: `${platform} does not let Crier edit a post: replied instead`,
      });
    }
  });

  it('tells the editors where Crier cannot reply on the network', () => {
    expect(resolveCorrection('x', undefined, 'correction', false)).toEqual({
      asked: 'reply',
      action: 'notify',
      fallback: 'Crier cannot reply under a post on x: told the editors instead',
    });
    expect(resolveCorrection('bluesky', { onCorrection: 'edit' }, 'correction', false)).toEqual({
      asked: 'edit',
      action: 'notify',
      fallback:
        'bluesky does not let Crier edit a post; Crier cannot reply under a post on bluesky: told the editors instead',
    });
  });

  it('keeps an edit on an edit network whether or not it could reply', () => {
    expect(resolveCorrection('telegram', undefined, 'correction', false).action).toBe('edit');
  });

  it('takes the policy per trigger: notify and ignore never fall back', () => {
    const policy = { onCorrection: 'notify', onHeadline: 'reply' } as const;
    expect(resolveCorrection('mastodon', policy, 'correction', true)).toEqual({
      asked: 'notify',
      action: 'notify',
    });
    expect(resolveCorrection('mastodon', policy, 'headline', true).action).toBe('reply');
    expect(resolveCorrection('x', { onHeadline: 'ignore' }, 'headline', false)).toEqual({
      asked: 'ignore',
      action: 'ignore',
    });
  });
});

describe('the channel setting', () => {
  it('takes the four choices per trigger and refuses anything else, naming the field', () => {
    const base = { id: 'c', platform: 'x', account: '@a', template: '{title} {url}' };
    expect(
      channelSchema.parse({ ...base, corrections: { onCorrection: 'notify' } }).corrections,
    ).toEqual({ onCorrection: 'notify' });
    const bad = channelSchema.safeParse({ ...base, corrections: { onHeadline: 'shout' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['corrections.onHeadline']);
    const extra = channelSchema.safeParse({ ...base, corrections: { onTypo: 'edit' } });
    expect(extra.success).toBe(false);
  });
});

describe('what calls for a correction', () => {
  it('is a note, whatever the headline; else a headline that changed', () => {
    expect(correctionTrigger({ title: 'A', correction: 'The vote was 5-4.' }, 'A')).toBe(
      'correction',
    );
    expect(correctionTrigger({ title: 'B' }, 'A')).toBe('headline');
    expect(correctionTrigger({ title: 'A' }, 'A')).toBeUndefined();
    // A share from before headlines were kept: only a note calls for a correction.
    expect(correctionTrigger({ title: 'B' }, undefined)).toBeUndefined();
  });

  it('knows a revision queued or done, and any older one', () => {
    const done = withCorrection(undefined, {
      revision: 3,
      trigger: 'correction',
      action: 'edit',
      outcome: 'done',
      at: '2026-03-02T09:00:00.000Z',
    });
    expect(correctionKnown({ corrections: done }, 3)).toBe(true);
    expect(correctionKnown({ corrections: done }, 2)).toBe(true);
    expect(correctionKnown({ corrections: done }, 4)).toBe(false);
  });
});

const pending = (revision: number, patch: Partial<PendingCorrection> = {}): PendingCorrection => ({
  revision,
  trigger: 'correction',
  note: `note ${revision}`,
  title: `title ${revision}`,
  text: `text ${revision}`,
  at: '2026-03-02T09:00:00.000Z',
  ...patch,
});

describe('the waiting list', () => {
  it('replaces a correction not begun by the newer one, keeping both notes', () => {
    expect(withPending([pending(2)], pending(3))).toEqual([
      { ...pending(3), note: 'note 2 note 3' },
    ]);
    // A headline change after a correction still carries the correction's note.
    expect(withPending([pending(2)], pending(3, { trigger: 'headline', note: undefined }))).toEqual(
      [{ ...pending(3, { note: 'note 2' }), trigger: 'correction' }],
    );
  });

  it('keeps one already begun, whose note may be out', () => {
    const begun = pending(2, { startedAt: '2026-03-02T09:00:01.000Z' });
    expect(withPending([begun], pending(3))).toEqual([begun, pending(3)]);
  });

  it('keeps the ten latest records', () => {
    let list = withCorrection(undefined, {
      revision: 2,
      trigger: 'headline',
      action: 'notify',
      outcome: 'notified',
      at: 'x',
    });
    for (let revision = 3; revision < 20; revision += 1) {
      list = withCorrection(list, { ...list[0], revision } as (typeof list)[0]);
    }
    expect(list.map((c) => c.revision)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });
});

describe('the texts', () => {
  it('says the note, or the new headline without one', () => {
    expect(noteText(pending(2))).toBe('Correction: note 2');
    expect(noteText(pending(2, { trigger: 'headline', note: undefined }))).toBe(
      'Updated headline: title 2',
    );
  });

  it('adds the note to the edited post where it fits, and leaves it out where not', () => {
    const masto = channelOf({ id: 'm', platform: 'mastodon' });
    expect(editedPostText(masto, 'Bridge vote https://n.example/a', 'The vote was 5-4.')).toBe(
      'Bridge vote https://n.example/a\n\nCorrection: The vote was 5-4.',
    );
    const long = 'word '.repeat(95).trim();
    expect(editedPostText(masto, long, 'The vote was 5-4, not 6-3 as first reported.')).toBe(long);
    expect(editedPostText(masto, 'Bridge vote', undefined)).toBe('Bridge vote');
  });

  it('keeps an edited Telegram photo within a caption’s length', () => {
    const telegram = channelOf({ id: 't', platform: 'telegram', account: '@desk' });
    const photo = { text: 'Bridge vote', media: [{ url: 's3://media/a.jpg' }] };
    expect(editLimit(telegram, photo)).toBe(1024);
    expect(editLimit(telegram, { text: 'Bridge vote' })).toBe(4096);
    const post = 'word '.repeat(200).trim();
    expect(editedPostText(telegram, post, 'The vote was 5-4.', editLimit(telegram, photo))).toBe(
      post,
    );
    expect(editedPostText(telegram, post, 'The vote was 5-4.')).toBe(
      `${post}\n\nCorrection: The vote was 5-4.`,
    );
  });

  it('cuts a note to what the network takes', () => {
    const x = channelOf({ id: 'x', platform: 'x', account: '@desk' });
    const note = replyNoteText(x, pending(2, { note: 'a'.repeat(400) }));
    expect(note.startsWith('Correction: aaa')).toBe(true);
    expect(note.endsWith('…')).toBe(true);
    // X weighs the ellipsis 2: 278 letters and it make the 280 X takes.
    expect([...note].length).toBe(279);
    expect(replyNoteText(x, pending(2))).toBe('Correction: note 2');
  });
});
