/**
 * Moving a share to another time: the editor drops it on a day or types a time, the
 * dialog proposes the nearest time the channel's rules allow, and only that instant is
 * sent (`PATCH .../shares/{key}` with `dueAt`) once the editor confirms it.
 */
import { html } from 'htm/preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { type ChannelRules, proposeMove } from '../calendar-plan';
import { type ArticleSummary, type Share, type ShareSummary, shareKey } from '../schemas';
import {
  channelClock,
  formatDateTime,
  fromDateTimeLocal,
  localZone,
  toDateTimeLocal,
} from '../time';
import { AppContext, channelLabel, ErrorNotice, inputValue, NETWORK_NAMES } from './common';

export type MoveRequest = {
  article: ArticleSummary;
  share: ShareSummary;
  /** the instant the editor asked for: the drop's day at the share's time, or its own time */
  wanted: number;
};

/** A share an editor may still move: it has not gone out and is not on its way. */
export const isMovable = (share: ShareSummary) =>
  share.status === 'draft' || share.status === 'scheduled' || share.status === 'queued';

/** `Tue 12 May, 09:30 (15:30 Europe/Berlin)`: an instant as the dialog names it. */
export function describeInstant(iso: string, channelZone: string): string {
  const theirs = channelClock(iso, channelZone);
  return `${formatDateTime(iso)}${theirs ? ` (${theirs})` : ''}`;
}

export function MoveDialog({
  request,
  rules,
  busy,
  onClose,
  onMoved,
  onConflict,
}: {
  request: MoveRequest;
  rules: ChannelRules;
  /** the channel's other posts (epoch ms) */
  busy: readonly number[];
  onClose: () => void;
  onMoved: (share: Share) => void;
  /** the share moved on meanwhile: the calendar reads it again */
  onConflict: () => void;
}) {
  const app = useContext(AppContext);
  const dialog = useRef<HTMLDialogElement>(null);
  const { article, share } = request;
  const [value, setValue] = useState(toDateTimeLocal(new Date(request.wanted).toISOString()));
  const [error, setError] = useState<unknown>();
  const [sending, setSending] = useState(false);
  // Refused with 409: the share moved on, and this move no longer applies.
  const [stale, setStale] = useState(false);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const wanted = fromDateTimeLocal(value);
  const proposal =
    wanted === undefined
      ? undefined
      : proposeMove({
          rules,
          wanted: Date.parse(wanted),
          now: Date.now(),
          shareAt: article.shareAt,
          busy,
        });
  const proposed = proposal === undefined ? undefined : new Date(proposal).toISOString();
  const moved = proposal !== undefined && wanted !== undefined && proposal !== Date.parse(wanted);
  const channel = app ? channelLabel(app.channels, share.channelId) : share.channelId;

  const confirm = async (event: Event) => {
    event.preventDefault();
    if (!app || !proposed) return;
    setSending(true);
    setError(undefined);
    try {
      const updated = await app.api.editShare(article.id, shareKey(share), { dueAt: proposed });
      dialog.current?.close();
      onMoved(updated);
    } catch (caught) {
      setError(caught);
      if (caught instanceof ApiError && caught.status === 409) {
        setStale(true);
        onConflict();
      }
    } finally {
      setSending(false);
    }
  };

  return html`<dialog
    ref=${dialog}
    class="move-dialog"
    aria-labelledby="move-title"
    onClose=${onClose}
  >
    <form method="dialog" onSubmit=${confirm}>
      <h2 id="move-title">Move the share</h2>
      <p class="move-what">
        <strong>${article.title}</strong><br />
        on ${NETWORK_NAMES[share.platform]} ${channel}, now due ${describeInstant(share.dueAt, rules.timeZone)}
      </p>
      <label>
        Wanted time (your time, ${localZone()})
        <input
          type="datetime-local"
          name="wanted"
          value=${value}
          onInput=${(e: Event) => setValue(inputValue(e))}
          onKeyDown=${(e: KeyboardEvent) => {
            // Enter in the field confirms, as in a text field (the picker keeps it otherwise).
            if (e.key !== 'Enter') return;
            e.preventDefault();
            (e.currentTarget as HTMLInputElement).form?.requestSubmit();
          }}
        />
      </label>
      ${
        proposed
          ? html`<p class="move-proposal" role="status">
              Move to <time datetime=${proposed}>${describeInstant(proposed, rules.timeZone)}</time>?
              ${moved && html`<span class="note">The nearest time the channel's slots, quiet hours and spacing allow${article.shareAt ? ', after the embargo' : ''}.</span>`}
            </p>`
          : html`<p class="move-proposal" role="status">
              ${wanted === undefined ? 'Choose a date and a time.' : 'The channel has no free time within two months of that.'}
            </p>`
      }
      ${error !== undefined && html`<${ErrorNotice} error=${error} />`}
      <div class="actions">
        <button type="submit" class="primary" disabled=${!proposed || sending || stale}>
          ${sending ? 'Moving…' : 'Move'}
        </button>
        <button type="button" onClick=${() => dialog.current?.close()}>Cancel</button>
      </div>
    </form>
  </dialog>`;
}
