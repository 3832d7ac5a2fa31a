/**
 * A thread's replies in the share editor: every part after the first post in its own
 * box with the network's live count (web/src/count.ts, the server's own counter), parts
 * added and removed, and each part's refusal from the API beside it. Also the preview of
 * the replies, drawn under the first post as the network draws a thread.
 */
import { html } from 'htm/preact';
import type { Platform } from '../../../shared/domain/platform';
import { ApiError } from '../api';
import { unitLabel } from '../count';
import { keptText, partCount, renumbered } from '../thread-parts';
import { accountHandle, inputValue, NETWORK_NAMES } from './common';
import { displayName, Pieces } from './previews';

/** A refused save's messages by the exact field it names (`text`, `thread`, `thread.1`). */
export function refusedFields(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.status !== 400) return {};
  const byField: Record<string, string> = {};
  for (const { field, message } of error.body.fields ?? []) {
    byField[field] = byField[field] ? `${byField[field]}; ${message}` : message;
  }
  return byField;
}

/** Enough rows to show a part whole, as a post of its network runs (a few hundred characters). */
const rowsFor = (part: string) => Math.min(10, Math.max(3, Math.ceil(part.length / 40) + 1));

export type ThreadEditorProps = {
  /** the share's key, to make the fields' ids */
  id: string;
  platform: Platform;
  limit?: number;
  text: string;
  parts: string[];
  /** the most posts, the first included; undefined: the channel makes single posts */
  max?: number;
  /** the API's refusals by field (`thread.1`) */
  errors: Record<string, string>;
  onChange: (change: { text: string; parts: string[] }) => void;
};

export function ThreadEditor({
  id,
  platform,
  limit,
  text,
  parts,
  max,
  errors,
  onChange,
}: ThreadEditorProps) {
  const total = parts.length + 1;
  const canAdd = max !== undefined && total < max;
  const setPart = (index: number, value: string) =>
    onChange({ text, parts: parts.map((part, i) => (i === index ? value : part)) });
  const add = () => {
    if (!canAdd) return;
    onChange(
      renumbered(text, parts, [...parts, undefined], (i) => (i < parts.length ? i : undefined)),
    );
  };
  const remove = (index: number) =>
    onChange(
      renumbered(
        text,
        parts,
        parts.filter((_, i) => i !== index),
        (i) => (i < index ? i : i + 1),
      ),
    );
  if (parts.length === 0 && max === undefined) return null;
  return html`<fieldset class="thread-editor">
    <legend>
      ${parts.length > 0 ? `Thread: ${total} posts` : 'Thread'}
      ${max !== undefined && html`<span class="thread-max"> (at most ${max} on this channel)</span>`}
    </legend>
    ${parts.length === 0 && html`<p class="thread-none">A single post. Add a part to make a thread of replies.</p>`}
    <ol class="thread-parts">
      ${parts.map((part, index) => {
        const number = `${index + 2}/${total}`;
        const fieldId = `part-${id}-${index}`;
        const count = partCount(platform, part, limit);
        const refused = errors[`thread.${index}`];
        return html`<li class="thread-part" data-part=${index}>
          <label for=${fieldId}>Post ${number}</label>
          <textarea
            id=${fieldId}
            rows=${rowsFor(part)}
            value=${part}
            aria-describedby=${`${fieldId}-count${refused ? ` ${fieldId}-error` : ''}`}
            aria-invalid=${count.fits && !refused ? 'false' : 'true'}
            onInput=${(e: Event) => setPart(index, inputValue(e))}
          ></textarea>
          <p id=${`${fieldId}-count`} class=${count.fits ? 'count' : 'count count-over'}>
            <strong>${count.used.toLocaleString()}</strong>${` / ${count.limit.toLocaleString()} ${unitLabel(count.unit)}`}${count.problem ? ` — ${count.problem}` : ''}
          </p>
          ${refused && html`<p id=${`${fieldId}-error`} class="field-error part-error" role="alert">${refused}</p>`}
          <button type="button" class="thread-remove" onClick=${() => remove(index)}>
            Remove this part<span class="visually-hidden"> (post ${number})</span>
          </button>
        </li>`;
      })}
    </ol>
    ${errors.thread && html`<p class="field-error" role="alert">${errors.thread}</p>`}
    ${
      max !== undefined &&
      html`<button type="button" class="thread-add" aria-disabled=${String(!canAdd)} onClick=${add}>
        Add a part
      </button>`
    }
  </fieldset>`;
}

function ReplyText({ platform, text }: { platform: Platform; text: string }) {
  return html`<div class="pv-text"><${Pieces} platform=${platform} text=${text} /></div>`;
}

/** The replies under the first post, each a post of the same account, joined by a line. */
export function ThreadPreview({
  platform,
  account,
  parts,
}: {
  platform: Platform;
  account: string;
  parts: string[];
}) {
  if (parts.length === 0) return null;
  const name = displayName(account);
  const total = parts.length + 1;
  return html`<figure class=${`pv pv-${platform} pv-thread`}>
    <figcaption class="visually-hidden">
      The thread's replies on ${NETWORK_NAMES[platform]}, under the first post
    </figcaption>
    <ol class="pv-replies">
      ${parts.map(
        (part, index) => html`<li class="pv-row pv-reply" data-part=${index}>
          <span class="pv-avatar pv-avatar-round" aria-hidden="true">${name.charAt(0).toUpperCase()}</span>
          <div class="pv-body">
            <p class="pv-head">
              <strong class="pv-name">${name}</strong>
              <span class="pv-handle">${accountHandle(platform, account)} · now</span>
              <span class="visually-hidden">, reply ${index + 2} of ${total}</span>
            </p>
            <${ReplyText} platform=${platform} text=${keptText(part)} />
          </div>
        </li>`,
      )}
    </ol>
  </figure>`;
}
