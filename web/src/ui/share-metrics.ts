/**
 * A published post's numbers on the article page: its latest counts (what the network
 * does not report said so), a note where the network gives less, and the growth of its
 * counts over its readings as a small chart.
 */
import { html } from 'htm/preact';
import { useContext } from 'preact/hooks';
import { NETWORK_NAMES } from '../../../shared/domain/platform';
import {
  countRows,
  engagementOf,
  formatCount,
  growthSeries,
  networkNote,
} from '../engagement-model';
import type { Share } from '../schemas';
import { formatDateTime } from '../time';
import { Chart } from './chart';
import { AppContext, ErrorNotice } from './common';
import { useAsync } from './hooks';

/** `not read: the monthly budget…` as a sentence. */
const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function ShareMetrics({ articleId, share }: { articleId: string; share: Share }) {
  const app = useContext(AppContext);
  const reading = share.metrics;
  const key = share.key ?? share.channelId;
  // Its readings, for the growth chart: only a share that has been read has any.
  const readings = useAsync(
    () => (app && reading ? app.api.readings(articleId, key) : Promise.resolve([])),
    [articleId, key, reading?.collectedAt],
  );
  // Absent: not a published share (nothing to read yet).
  if (reading === undefined) return null;
  const note = networkNote(share.platform, reading !== null);
  const heading = `metrics-${key}`;
  const growth = growthSeries(share.platform, readings.data ?? []);
  return html`<section class="share-metrics" aria-labelledby=${heading}>
    <h3 id=${heading}>Engagement</h3>
    ${
      reading === null
        ? html`<p class="metrics-none">No reading yet: the first comes a while after publication.</p>`
        : html`<dl class="metrics-counts">
              ${countRows(share.platform, reading).map(
                (row) => html`<div class=${`metric metric-${row.key}`}>
                  <dt>${row.label}</dt>
                  <dd>${row.value === undefined ? html`<span class="not-reported">not reported</span>` : formatCount(row.value)}</dd>
                </div>`,
              )}
              <div class="metric metric-engagement">
                <dt>Engagement</dt>
                <dd>${formatCount(engagementOf(reading))}</dd>
              </div>
            </dl>
            <p class="metrics-when">
              Read ${formatDateTime(reading.collectedAt)} from ${NETWORK_NAMES[share.platform]}.
            </p>`
    }
    ${share.metricsSkipped && html`<p class="metrics-skipped">${capitalised(share.metricsSkipped)}.</p>`}
    ${note && html`<p class="metrics-note">${note}</p>`}
    ${
      growth.times.length >= 2 &&
      html`<${Chart}
        label=${`Growth of the ${NETWORK_NAMES[share.platform]} post's counts over ${growth.times.length} readings`}
        x=${growth.times}
        series=${growth.series}
        height=${160}
      />`
    }
    ${readings.error !== undefined && html`<${ErrorNotice} error=${readings.error} />`}
  </section>`;
}
