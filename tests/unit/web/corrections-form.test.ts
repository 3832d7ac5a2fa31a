/**
 * The channel form's corrections policy (web/src/corrections-form.ts, channel-form.ts):
 * the selects read from a channel and made into its policy and its patch, a bad choice
 * shown on its field, and the defaults and fallbacks said per network.
 */
import { describe, expect, it } from 'vitest';
import { mergePatch } from '../../../shared/usecases/sites';
import {
  type ChannelForm,
  type ChannelRecord,
  channelOf,
  checkForm,
  formOf,
  patchOf,
} from '../../../web/src/channel-form';
import { correctionNote, correctionOptions } from '../../../web/src/corrections-form';
import { correctionLines, pendingLine } from '../../../web/src/corrections-view';

const stored: ChannelRecord = {
  id: 'masto-north',
  platform: 'mastodon',
  account: '@north@social.example',
  siteId: 'north',
  template: '{title} {url}',
  corrections: { onCorrection: 'reply', onHeadline: 'ignore' },
  status: 'active',
  version: 4,
};

const form = (patch: Partial<ChannelForm> = {}): ChannelForm => ({
  ...formOf('north', stored),
  ...patch,
});

describe('the corrections selects', () => {
  it('read the channel’s policy, and the defaults where it has none', () => {
    expect(formOf('north', stored)).toMatchObject({ onCorrection: 'reply', onHeadline: 'ignore' });
    expect(formOf('north')).toMatchObject({ onCorrection: '', onHeadline: '' });
  });

  it('make the policy, leaving it out when both take the default', () => {
    expect(channelOf(form({ onHeadline: '' }))).toMatchObject({
      corrections: { onCorrection: 'reply' },
    });
    const bare = channelOf(form({ onCorrection: '', onHeadline: '' }), undefined);
    expect(bare).not.toHaveProperty('corrections');
  });

  it('patch the policy whole: a choice set back to the default is removed', () => {
    const patch = patchOf(form({ onHeadline: '' }), stored);
    expect(patch.corrections).toEqual({ onCorrection: 'reply', onHeadline: null });
    expect(mergePatch(stored, patch)).toMatchObject({ corrections: { onCorrection: 'reply' } });
    expect(patchOf(form({ onCorrection: '', onHeadline: '' }), stored).corrections).toBeNull();
  });

  it('show a choice the directory does not know on its own field', () => {
    const checked = checkForm(form({ onCorrection: 'shout' }));
    expect(Object.keys(checked.fields)).toEqual(['onCorrection']);
  });

  it('name each network’s default, and say what falls back', () => {
    expect(correctionOptions('mastodon', 'correction')[0]?.label).toBe('Default: edit the post');
    expect(correctionOptions('x', 'correction')[0]?.label).toBe(
      'Default: reply under the post with the note',
    );
    expect(correctionOptions('telegram', 'headline')[0]?.label).toBe(
      'Default: only tell the editors',
    );
    expect(correctionNote('x', 'edit')).toMatch(/^X does not let Crier edit a post/);
    expect(correctionNote('mastodon', 'edit')).toBeUndefined();
  });
});

describe('a published post’s corrections in the desk', () => {
  const at = '2026-03-02T09:00:00.000Z';
  it('says what each revision did, newest first, and what is on its way', () => {
    const share = {
      corrections: [
        {
          revision: 2,
          trigger: 'correction',
          action: 'edit',
          outcome: 'done',
          at,
          note: 'Text\n\nCorrection: 5-4.',
        },
        {
          revision: 3,
          trigger: 'correction',
          action: 'reply',
          outcome: 'refused',
          at,
          reason: 'x refused the note, reply by hand: HTTP 403',
        },
        { revision: 4, trigger: 'headline', action: 'notify', outcome: 'notified', at },
      ],
      correctionsDue: [5],
    };
    expect(correctionLines(share, 'Mastodon').map((line) => line.text)).toEqual([
      'Revision 4, a new headline: the editors were told',
      'Revision 3, a correction: Mastodon refused the note: reply under the post by hand',
      'Revision 2, a correction: the post on Mastodon was edited',
    ]);
    expect(correctionLines(share, 'Mastodon')[2]?.edited).toBe('Text\n\nCorrection: 5-4.');
    expect(correctionLines(share, 'Mastodon')[1]?.reason).toBe(
      'x refused the note, reply by hand: HTTP 403',
    );
    expect(pendingLine(share)).toBe('Correction of revision 5 on its way.');
    expect(pendingLine({ correctionsDue: [] })).toBeUndefined();
  });
});
