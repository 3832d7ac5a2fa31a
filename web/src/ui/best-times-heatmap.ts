/**
 * A channel's week as a heatmap: seven rows of 24 local hours, each cell shaded by the
 * expected engagement of a post made then (the best hour at full shade), each with its
 * value in its title and label for pointers and screen readers. Fits a phone's width.
 */
import { html } from 'htm/preact';
import { type BestTimes, cellLabel, DAY_NAMES, levelOf } from '../best-times';

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

export function BestTimesHeatmap({ times }: { times: BestTimes }) {
  return html`<table class="best-times-map">
    <caption class="visually-hidden">
      Expected engagement by weekday and hour, in ${times.timeZone}, relative to the best hour
    </caption>
    <thead>
      <tr>
        <td></td>
        ${HOURS.map(
          (hour) =>
            html`<th scope="col" abbr=${`${hour}:00`}>
              <span aria-hidden=${hour % 3 === 0 ? undefined : 'true'} class=${hour % 3 === 0 ? '' : 'minor-hour'}>${hour}</span>
            </th>`,
        )}
      </tr>
    </thead>
    <tbody>
      ${times.week.map((hours, d) => {
        const day = times.days[d] ?? '';
        return html`<tr key=${day}>
          <th scope="row" abbr=${DAY_NAMES[day] ?? day}>${(DAY_NAMES[day] ?? day).slice(0, 3)}</th>
          ${hours.map((value, hour) => {
            const label = cellLabel(day, hour, value);
            return html`<td
              class=${`heat heat-${levelOf(value)}`}
              style=${`--heat: ${value.toFixed(3)}`}
              title=${label}
              aria-label=${label}
              data-value=${value}
            ></td>`;
          })}
        </tr>`;
      })}
    </tbody>
  </table>
  <p class="best-times-legend" aria-hidden="true">
    <span>Fewer readers</span>
    ${[0, 1, 2, 3, 4].map((level) => html`<span class=${`heat heat-${level} legend-swatch`}></span>`)}
    <span>The best hour</span>
  </p>`;
}
