/** A week of shares by channel and day, at their times in the editor's own time zone. */
import { html } from 'htm/preact';
import { useContext, useEffect } from 'preact/hooks';
import type { Platform } from '../../../shared/domain/platform';
import { listAllArticles } from '../api';
import { articleHref, routeHref } from '../router';
import type { ArticleSummary, ShareSummary } from '../schemas';
import {
  addDays,
  dayKey,
  formatDay,
  formatLongDate,
  formatTime,
  fromDayKey,
  isSameDay,
  localZone,
  startOfWeek,
} from '../time';
import {
  AppContext,
  type AppContextValue,
  channelLabel,
  ErrorNotice,
  NetworkTag,
  platformOrder,
  STATUS_LABELS,
} from './common';
import { useAsync, useInterval } from './hooks';

const REFRESH_MS = 30_000;

type Item = { article: ArticleSummary; share: ShareSummary; at: Date };

/**
 * The articles with a share due in the week. The API bounds dueAt only within one
 * channel (without one, `from` and `to` bound when articles arrived), so it asks each
 * channel; without a channel list, it reads the latest articles instead.
 */
async function loadWeek(
  app: AppContextValue,
  start: Date,
  end: Date,
): Promise<{ articles: ArticleSummary[] }> {
  // The chosen site's channels only (app.channels); its articles where none is listed.
  if (app.channels.length === 0) return listAllArticles(app.api, { siteId: app.siteId });
  const range = { from: start.toISOString(), to: new Date(end.getTime() - 1).toISOString() };
  const pages = await Promise.all(
    app.channels.map((channel) => listAllArticles(app.api, { ...range, channel: channel.id })),
  );
  const byId = new Map<string, ArticleSummary>();
  for (const page of pages) for (const article of page.articles) byId.set(article.id, article);
  return { articles: [...byId.values()] };
}

export function CalendarView({ params }: { params: URLSearchParams }) {
  const app = useContext(AppContext);
  const asked = fromDayKey(params.get('week') ?? '');
  const weekStart = startOfWeek(asked ?? new Date());
  const weekEnd = addDays(weekStart, 7);
  const days = Array.from({ length: 7 }, (_, i) => addDays(weekStart, i));
  const key = dayKey(weekStart);

  const data = useAsync(
    () => (app ? loadWeek(app, weekStart, weekEnd) : Promise.resolve({ articles: [] })),
    [app, key, app?.siteId],
  );
  useInterval(data.reload, REFRESH_MS);
  useEffect(() => {
    document.title = 'Calendar · Crier';
  }, []);
  if (!app) return null;

  const items: Item[] = (data.data?.articles ?? []).flatMap((article) =>
    article.shares
      .map((share) => ({ article, share, at: new Date(share.dueAt) }))
      .filter(({ at }) => at >= weekStart && at < weekEnd),
  );
  const channels = new Map<string, Platform>(app.channels.map((c) => [c.id, c.platform]));
  for (const { share } of items) channels.set(share.channelId, share.platform);
  const rows = [...channels].sort(
    ([a, pa], [b, pb]) => platformOrder(pa) - platformOrder(pb) || a.localeCompare(b),
  );
  const today = new Date();

  return html`<section class="calendar-view">
    <h1 tabindex="-1">Calendar</h1>
    <nav class="week-nav" aria-label="Weeks">
      <a href=${routeHref('/calendar', { week: dayKey(addDays(weekStart, -7)) })}>← Previous week</a>
      <a href=${routeHref('/calendar')}>This week</a>
      <a href=${routeHref('/calendar', { week: dayKey(weekEnd) })}>Next week →</a>
    </nav>
    ${data.error !== undefined && html`<${ErrorNotice} error=${data.error} />`}
    <div class="calendar-scroll">
      <table class="calendar">
        <caption>
          Week of ${formatLongDate(weekStart)}, times in ${localZone()}
          ${data.loading && !data.data ? ' (loading…)' : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">Channel</th>
            ${days.map(
              (day) =>
                html`<th scope="col" class=${isSameDay(day, today) ? 'today' : ''} aria-current=${isSameDay(day, today) ? 'date' : undefined}>
                  ${formatDay(day)}
                </th>`,
            )}
          </tr>
        </thead>
        <tbody>
          ${
            rows.length === 0
              ? html`<tr><td colspan="8" class="empty">No channels yet.</td></tr>`
              : rows.map(
                  ([channelId, platform]) => html`<tr>
                    <th scope="row">
                      <${NetworkTag} platform=${platform} />
                      <span class="channel-name">${channelLabel(app.channels, channelId)}</span>
                    </th>
                    ${days.map((day) => {
                      const inCell = items
                        .filter(
                          (item) => item.share.channelId === channelId && isSameDay(item.at, day),
                        )
                        .sort((a, b) => a.at.getTime() - b.at.getTime());
                      return html`<td class=${isSameDay(day, today) ? 'today' : ''}>
                        ${
                          inCell.length > 0 &&
                          html`<ul class="cal-items">
                            ${inCell.map(
                              ({ article, share }) => html`<li>
                                <a class=${`cal-item status-${share.status}`} href=${articleHref(article.id)}>
                                  <time datetime=${share.dueAt}>${formatTime(share.dueAt)}</time>
                                  <span class="cal-title">${article.title}</span>
                                  <span class="cal-status">${STATUS_LABELS[share.status]}</span>
                                </a>
                              </li>`,
                            )}
                          </ul>`
                        }
                      </td>`;
                    })}
                  </tr>`,
                )
          }
        </tbody>
      </table>
    </div>
  </section>`;
}
