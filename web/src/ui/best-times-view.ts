/**
 * A channel's best times learned (`#/channels/<id>/best-times`): when its readers are
 * there, by weekday and local hour, as the `best` schedule sees it, with what the
 * estimate rests on. Editors see it for their sites' channels.
 */
import { html } from 'htm/preact';
import { useContext } from 'preact/hooks';
import { type BestTimes, basisOf, DAY_NAMES, topHours } from '../best-times';
import { routeHref } from '../router';
import { BestTimesHeatmap } from './best-times-heatmap';
import { channelName } from './channels-view';
import { AppContext, ErrorNotice } from './common';
import { useAsync } from './hooks';

const pad = (hour: number) => String(hour).padStart(2, '0');

/** The zone, the week's best hours and what the channel's schedule makes of them. */
function hoursLine(times: BestTimes, schedule: string | undefined): string {
  const best = topHours(times)
    .map((cell) => `${DAY_NAMES[cell.day] ?? cell.day} ${pad(cell.hour)}:00`)
    .join(', ');
  const use =
    schedule === 'best'
      ? 'Its schedule is best: normal shares go to the best free hour within its window.'
      : 'Its schedule is not best: this only shows what has been learned.';
  return `Hours in ${times.timeZone}. Best: ${best}. ${use}`;
}

export function BestTimesView({ channelId }: { channelId: string }) {
  const app = useContext(AppContext);
  const times = useAsync(
    () => (app ? app.api.bestTimes(channelId) : Promise.reject(new Error('Not signed in'))),
    [channelId],
  );
  const channel = app?.channels.find((c) => c.id === channelId);
  const title = channel ? channelName(channel) : channelId;
  const schedule = (channel?.schedule as { type?: string } | undefined)?.type;
  return html`<section class="best-times-view" aria-labelledby="best-times-title">
    <p class="back"><a href=${routeHref('/channels')}>← The channels</a></p>
    <h1 id="best-times-title" tabindex="-1">Best times: ${title}</h1>
    ${times.error !== undefined && html`<${ErrorNotice} error=${times.error} />`}
    ${!times.data && times.error === undefined && html`<p>Loading…</p>`}
    ${
      times.data &&
      html`<p class="best-times-basis" role="status">${basisOf(times.data)}</p>
        <p>${hoursLine(times.data, schedule)}</p>
        <div class="best-times-frame"><${BestTimesHeatmap} times=${times.data} /></div>`
    }
  </section>`;
}
