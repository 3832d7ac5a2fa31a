/**
 * The channel form's corrections fieldset: what a correction of an article does to the
 * channel's posts already out, and what a new headline alone does, each with the
 * network's default named and what the choice does where the network cannot.
 */
import { html } from 'htm/preact';
import type { CorrectionTrigger } from '../../../shared/domain/correction';
import type { Platform } from '../../../shared/domain/platform';
import { correctionNote, correctionOptions } from '../corrections-form';
import { inputValue } from './common';

type Field = 'onCorrection' | 'onHeadline';

const FIELDS: { field: Field; trigger: CorrectionTrigger; label: string; hint: string }[] = [
  {
    field: 'onCorrection',
    trigger: 'correction',
    label: 'On a correction',
    hint: 'A later revision the CMS marks as a correction, with its note',
  },
  {
    field: 'onHeadline',
    trigger: 'headline',
    label: 'On a new headline',
    hint: 'A later revision whose headline changed, without a correction note',
  },
];

export function CorrectionsFields({
  platform,
  values,
  errors,
  set,
}: {
  platform: Platform;
  values: Record<Field, string>;
  errors: Record<Field, string[]>;
  set: (field: Field, value: string) => void;
}) {
  return html`<fieldset class="corrections-fields">
    <legend>Corrections</legend>
    <p class="hint">What Crier does to this channel's posts already out when their article changes.</p>
    ${FIELDS.map(({ field, trigger, label, hint }) => {
      const id = `channel-${field}`;
      const note = correctionNote(platform, values[field]);
      const invalid = errors[field].length > 0;
      const described = [`${id}-hint`, note && `${id}-note`, invalid && `${id}-errors`]
        .filter(Boolean)
        .join(' ');
      return html`<div class="field" data-field=${field}>
        <label for=${id}>${label}</label>
        <span class="hint" id=${`${id}-hint`}>${hint}</span>
        <select
          id=${id}
          aria-describedby=${described}
          aria-invalid=${invalid ? 'true' : undefined}
          value=${values[field]}
          onChange=${(e: Event) => set(field, inputValue(e))}
        >
          ${correctionOptions(platform, trigger).map(
            (option) => html`<option value=${option.value}>${option.label}</option>`,
          )}
        </select>
        ${note && html`<span class="hint correction-fallback" id=${`${id}-note`}>${note}</span>`}
        ${
          invalid &&
          html`<ul class="field-errors" id=${`${id}-errors`}>
            ${errors[field].map((m) => html`<li>${m}</li>`)}
          </ul>`
        }
      </div>`;
    })}
  </fieldset>`;
}
