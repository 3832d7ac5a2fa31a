/**
 * The queue's bulk actions on the shares selected: approve, cancel, retry, or reschedule
 * (by an offset, or to each channel's next free slot). Each asks first, naming how many
 * shares, then sends one `POST /api/shares/bulk`; every share's own result is listed.
 */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Platform } from '../../../shared/domain/platform';
import type { Api } from '../api';
import type { BulkAction, BulkRequest, BulkResult } from '../bulk-schemas';
import { formatDateTime } from '../time';
import { ErrorNotice, inputValue, NETWORK_NAMES, STATUS_LABELS } from './common';

/** A selected share, with what the results list names it by. */
export type SelectedShare = {
  articleId: string;
  key: string;
  title: string;
  platform: Platform;
  channel: string;
};

/** The offsets offered, in minutes; a custom one is typed. */
const OFFSETS = [
  { minutes: 15, label: '+15 min' },
  { minutes: 60, label: '+1 h' },
  { minutes: 24 * 60, label: '+1 day' },
] as const;
const MAX_OFFSET = 7 * 24 * 60;

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

type Plan = { action: BulkAction; offsetMinutes?: number; toNextSlots?: true };

const plural = (n: number) => `${n} ${n === 1 ? 'share' : 'shares'}`;

/** What the plan does, in words: `move 3 shares 1 hour later`. */
function describePlan(plan: Plan, count: number): string {
  if (plan.action !== 'reschedule') return `${plan.action} ${plural(count)}`;
  if (plan.toNextSlots) return `move ${plural(count)} to their channels’ next free slots`;
  const minutes = plan.offsetMinutes ?? 0;
  return `move ${plural(count)} ${describeOffset(Math.abs(minutes))} ${minutes < 0 ? 'earlier' : 'later'}`;
}

function describeOffset(minutes: number): string {
  if (minutes % (24 * 60) === 0) {
    const days = minutes / (24 * 60);
    return `${days} ${days === 1 ? 'day' : 'days'}`;
  }
  if (minutes % 60 === 0) {
    const hours = minutes / 60;
    return `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
  }
  return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
}

export function BulkBar({
  api,
  selected,
  onClear,
  onDone,
}: {
  api: Api;
  selected: SelectedShare[];
  onClear: () => void;
  /** the results, in the order sent, what was asked in words, and the action */
  onDone: (results: BulkResult[], summary: string, action: BulkAction) => void;
}) {
  const [stage, setStage] = useState<'idle' | 'reschedule' | 'confirm' | 'running'>('idle');
  const [plan, setPlan] = useState<Plan | undefined>();
  const [custom, setCustom] = useState('');
  const [error, setError] = useState<unknown>();
  const confirmRef = useRef<HTMLButtonElement>(null);
  // The question takes the focus: a keyboard user answers it at once.
  useEffect(() => {
    if (stage === 'confirm') confirmRef.current?.focus();
  }, [stage]);
  const count = selected.length;
  const customMinutes = Number(custom);
  const customValid =
    custom.trim() !== '' &&
    Number.isInteger(customMinutes) &&
    customMinutes !== 0 &&
    Math.abs(customMinutes) <= MAX_OFFSET;

  const ask = (next: Plan) => {
    setPlan(next);
    setError(undefined);
    setStage('confirm');
  };
  const run = async () => {
    if (!plan) return;
    setStage('running');
    setError(undefined);
    const request: BulkRequest = {
      action: plan.action,
      shares: selected.map((s) => ({ articleId: s.articleId, channelId: s.key })),
      ...(plan.offsetMinutes !== undefined ? { offsetMinutes: plan.offsetMinutes } : {}),
      ...(plan.toNextSlots ? { toNextSlots: true as const } : {}),
    };
    try {
      const results = await api.bulkShares(request);
      setStage('idle');
      setPlan(undefined);
      onDone(results, describePlan(plan, count), plan.action);
    } catch (caught) {
      setError(caught);
      setStage('confirm');
    }
  };

  return html`<section class="bulk-bar" aria-label="Bulk actions">
    <p class="bulk-count" role="status"><strong>${plural(count)}</strong> selected</p>
    ${
      stage === 'idle' &&
      html`<div class="buttons">
        <button type="button" onClick=${() => ask({ action: 'approve' })}>Approve</button>
        <button type="button" class="danger" onClick=${() => ask({ action: 'cancel' })}>Cancel</button>
        <button type="button" onClick=${() => ask({ action: 'retry' })}>Retry</button>
        <button type="button" onClick=${() => setStage('reschedule')}>Reschedule…</button>
        <button type="button" class="link-button" onClick=${onClear}>Clear selection</button>
      </div>`
    }
    ${
      stage === 'reschedule' &&
      html`<div class="bulk-reschedule" role="group" aria-label="Reschedule by">
        ${OFFSETS.map(
          (o) =>
            html`<button type="button" onClick=${() => ask({ action: 'reschedule', offsetMinutes: o.minutes })}>${o.label}</button>`,
        )}
        <form
          class="bulk-custom"
          onSubmit=${(e: Event) => {
            e.preventDefault();
            if (customValid) ask({ action: 'reschedule', offsetMinutes: customMinutes });
          }}
        >
          <label>
            Minutes (negative: earlier)
            <input
              type="number"
              inputmode="numeric"
              step="1"
              min=${-MAX_OFFSET}
              max=${MAX_OFFSET}
              value=${custom}
              onInput=${(e: Event) => setCustom(inputValue(e))}
            />
          </label>
          <button type="submit" disabled=${!customValid}>Move by these minutes</button>
        </form>
        <button type="button" onClick=${() => ask({ action: 'reschedule', toNextSlots: true })}>To the next slots</button>
        <button type="button" class="link-button" onClick=${() => setStage('idle')}>Back</button>
      </div>`
    }
    ${
      (stage === 'confirm' || stage === 'running') &&
      plan &&
      html`<div class="confirm bulk-confirm" role="alertdialog" aria-label="Confirm the bulk action">
        <p>
          <strong>${sentence(describePlan(plan, count))}?</strong> Each share is handled on its
          own; any that cannot be is listed with the reason.
        </p>
        <div class="buttons">
          <button
            ref=${confirmRef}
            type="button"
            class=${plan.action === 'cancel' ? 'danger' : 'primary'}
            disabled=${stage === 'running'}
            onClick=${run}
          >
            ${stage === 'running' ? 'Working…' : `Yes, ${plan.action} ${plural(count)}`}
          </button>
          <button type="button" disabled=${stage === 'running'} onClick=${() => setStage('idle')}>No, go back</button>
        </div>
        ${error !== undefined && html`<${ErrorNotice} error=${error} />`}
      </div>`
    }
  </section>`;
}

/** Every share's result of the last bulk action: done, or why not. */
export function BulkResults({
  summary,
  results,
  names,
  showDue,
  onDismiss,
}: {
  summary: string;
  /** a reschedule: each share's new time is said */
  showDue: boolean;
  results: BulkResult[];
  /** how the queue named each share when it was selected */
  names: ReadonlyMap<string, SelectedShare>;
  onDismiss: () => void;
}) {
  const done = results.filter((r) => r.ok).length;
  return html`<section class="bulk-results notice" aria-labelledby="bulk-results-title" tabindex="-1">
    <h2 id="bulk-results-title">
      Asked to ${summary}: ${done} done${results.length > done ? `, ${results.length - done} not` : ''}
    </h2>
    <ul>
      ${results.map((result) => {
        const named = names.get(`${result.articleId}\n${result.channelId}`);
        const who = named
          ? `${NETWORK_NAMES[named.platform]} ${named.channel} · ${named.title}`
          : `${result.channelId} · ${result.articleId}`;
        return html`<li
          class=${result.ok ? 'result-ok' : 'result-refused'}
          data-channel=${result.channelId}
          data-article=${result.articleId}
        >
          <span class="result-mark" aria-hidden="true">${result.ok ? '✓' : '✗'}</span>${' '}
          <span class="result-who">${who}</span>:${' '}
          <span class="result-what">
            ${
              result.ok
                ? result.share
                  ? `done, now ${STATUS_LABELS[result.share.status].toLowerCase()}${result.status === 202 ? ' (cancel requested while publishing)' : ''}${showDue ? `, due ${formatDateTime(result.share.dueAt)}` : ''}`
                  : 'done'
                : `not done (${result.status}): ${result.message ?? result.error ?? 'refused'}`
            }
          </span>
        </li>`;
      })}
    </ul>
    <button type="button" onClick=${onDismiss}>Dismiss</button>
  </section>`;
}
