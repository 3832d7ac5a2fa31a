/**
 * A published share's corrections in the desk: what each revision that corrected the
 * article did to the post, with the note and, where the network refused, what to do.
 */
import { html } from 'htm/preact';
import { correctionLines, pendingLine } from '../corrections-view';
import { type Share, shareKey } from '../schemas';
import { formatDateTime } from '../time';

export function ShareCorrections({ share, network }: { share: Share; network: string }) {
  const lines = correctionLines(share, network);
  const pending = pendingLine(share);
  if (lines.length === 0 && !pending) return null;
  const id = `corrections-${shareKey(share)}`;
  return html`<section class="share-corrections" aria-labelledby=${id}>
    <h3 id=${id}>Corrections</h3>
    ${pending && html`<p class="correction-pending">${pending}</p>`}
    <ul>
      ${lines.map(
        (
          line,
        ) => html`<li class=${`correction correction-${line.outcome}`} data-revision=${line.revision}>
          <time datetime=${line.at}>${formatDateTime(line.at)}</time>
          <span class="correction-text">${line.text}</span>
          ${line.note && html`<q class="correction-note">${line.note}</q>`}
          ${
            line.edited &&
            html`<details class="correction-edited">
              <summary>What the post says now</summary>
              <p class="correction-note">${line.edited}</p>
            </details>`
          }
          ${line.reason && html`<span class="correction-reason">${line.reason}</span>`}
        </li>`,
      )}
    </ul>
  </section>`;
}
