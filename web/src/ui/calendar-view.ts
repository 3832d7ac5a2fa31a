/**
 * The calendar: a calendar week or the next seven days with one row per channel, or a
 * month, at the editor's own times, with each channel's slots and quiet hours drawn from
 * its schedule. A waiting share is dragged to another day (or moved with its Move…
 * button) and lands at the nearest time the channel allows, once the editor confirms.
 * The view, the span and the chosen day live in the address.
 */
import { html } from 'htm/preact';
import { useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Platform } from '../../../shared/domain/platform';
import { listAllArticles } from '../api';
import { type ChannelRules, quietSpans, rulesOf, slotsBetween } from '../calendar-plan';
import { articleHref, routeHref } from '../router';
import { type ArticleSummary, type ShareSummary, shareKey } from '../schemas';
import {
  addDays,
  channelClock,
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
import { describeInstant, isMovable, MoveDialog, type MoveRequest } from './move-dialog';

const REFRESH_MS = 30_000;
/** Below this width the week is a list of days and the month a grid of counts. */
const NARROW = '(max-width: 40rem)';

type Item = { article: ArticleSummary; share: ShareSummary; at: Date };
type Mode = 'week' | 'rolling' | 'month';

/** Shares that hold a place on their channel's calendar (spacing and caps count them). */
const HOLDS_PLACE = new Set(['draft', 'scheduled', 'queued', 'publishing', 'published', 'unknown']);

/**
 * The articles with a share due in the span. The API bounds dueAt only within one
 * channel (without one, `from` and `to` bound when articles arrived), so it asks each
 * channel; without a channel list, it reads the latest articles instead.
 */
async function loadSpan(
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

function useMediaQuery(query: string): boolean {
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const changed = () => setMatches(list.matches);
    list.addEventListener('change', changed);
    changed();
    return () => list.removeEventListener('change', changed);
  }, [query]);
  return matches;
}

const monthKey = (date: Date) => dayKey(date).slice(0, 7);
const monthTitle = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' });

/** The days the view shows, and how its address names them and their neighbours. */
function spanOf(mode: Mode, params: URLSearchParams, today: Date) {
  if (mode === 'month') {
    const asked = /^\d{4}-\d{2}$/.test(params.get('month') ?? '')
      ? fromDayKey(`${params.get('month')}-01`)
      : undefined;
    const first = asked ?? new Date(today.getFullYear(), today.getMonth(), 1);
    const next = new Date(first.getFullYear(), first.getMonth() + 1, 1);
    const start = startOfWeek(first);
    const end = addDays(startOfWeek(addDays(next, -1)), 7);
    const previous = new Date(first.getFullYear(), first.getMonth() - 1, 1);
    return {
      start,
      end,
      first,
      title: monthTitle.format(first),
      earlier: { label: '← Previous month', params: { month: monthKey(previous) } },
      now: { label: 'This month', params: {} },
      later: { label: 'Next month →', params: { month: monthKey(next) } },
    };
  }
  if (mode === 'rolling') {
    const start = fromDayKey(params.get('from') ?? '') ?? today;
    return {
      start,
      end: addDays(start, 7),
      first: start,
      title: `${formatLongDate(start)} and the 6 days after`,
      earlier: { label: '← Earlier', params: { from: dayKey(addDays(start, -7)) } },
      now: { label: 'From today', params: {} },
      later: { label: 'Later →', params: { from: dayKey(addDays(start, 7)) } },
    };
  }
  const start = startOfWeek(fromDayKey(params.get('week') ?? '') ?? today);
  return {
    start,
    end: addDays(start, 7),
    first: start,
    title: `Week of ${formatLongDate(start)}`,
    earlier: { label: '← Previous week', params: { week: dayKey(addDays(start, -7)) } },
    now: { label: 'This week', params: {} },
    later: { label: 'Next week →', params: { week: dayKey(addDays(start, 7)) } },
  };
}

const VIEWS: { mode: Mode; label: string }[] = [
  { mode: 'week', label: 'Week' },
  { mode: 'rolling', label: 'Next 7 days' },
  { mode: 'month', label: 'Month' },
];

const href = (mode: Mode, params: Record<string, string | undefined> = {}) =>
  routeHref('/calendar', { view: mode === 'week' ? undefined : mode, ...params });

export function CalendarView({ params }: { params: URLSearchParams }) {
  const app = useContext(AppContext);
  const narrow = useMediaQuery(NARROW);
  const asked = params.get('view');
  const mode: Mode = asked === 'rolling' || asked === 'month' ? asked : 'week';
  const now = new Date();
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const span = spanOf(mode, params, today);
  const dayCount = Math.round((span.end.getTime() - span.start.getTime()) / 86_400_000);
  const days = Array.from({ length: dayCount }, (_, i) => addDays(span.start, i));
  const key = `${mode}/${dayKey(span.start)}/${dayKey(span.end)}`;
  const [moving, setMoving] = useState<MoveRequest>();
  const [notice, setNotice] = useState<string>();
  const dragged = useRef<Item>();

  const data = useAsync(
    () => (app ? loadSpan(app, span.start, span.end) : Promise.resolve({ articles: [] })),
    [app, key, app?.siteId],
  );
  useInterval(data.reload, REFRESH_MS);
  useEffect(() => {
    document.title = 'Calendar · Crier';
  }, []);

  const rules = useMemo(
    () => new Map<string, ChannelRules>((app?.channels ?? []).map((c) => [c.id, rulesOf(c)])),
    [app?.channels],
  );
  if (!app) return null;
  const rulesFor = (channelId: string) => rules.get(channelId) ?? rulesOf(undefined);

  const all: Item[] = (data.data?.articles ?? []).flatMap((article) =>
    article.shares.map((share) => ({ article, share, at: new Date(share.dueAt) })),
  );
  const items = all.filter(({ at }) => at >= span.start && at < span.end);
  const channels = new Map<string, Platform>(app.channels.map((c) => [c.id, c.platform]));
  for (const { share } of items) channels.set(share.channelId, share.platform);
  const rows = [...channels].sort(
    ([a, pa], [b, pb]) => platformOrder(pa) - platformOrder(pb) || a.localeCompare(b),
  );

  /** The channel's other posts the calendar knows of, which spacing and caps count. */
  const busyFor = (moved: ShareSummary) =>
    all
      .filter(
        ({ share }) =>
          share.channelId === moved.channelId && share !== moved && HOLDS_PLACE.has(share.status),
      )
      .map(({ at }) => at.getTime());

  const startMove = (item: Item, day?: Date) => {
    const { at } = item;
    const wanted = day
      ? new Date(day.getFullYear(), day.getMonth(), day.getDate(), at.getHours(), at.getMinutes())
      : at;
    setNotice(undefined);
    setMoving({ article: item.article, share: item.share, wanted: wanted.getTime() });
  };

  const ctx: GridContext = {
    app,
    today,
    items,
    rulesFor,
    narrow,
    onMove: (item) => startMove(item),
    drag: {
      start: (item) => {
        dragged.current = item;
      },
      end: () => {
        dragged.current = undefined;
      },
      accepts: (channelId) =>
        dragged.current !== undefined &&
        (channelId === undefined || dragged.current.share.channelId === channelId),
      drop: (day) => {
        const item = dragged.current;
        dragged.current = undefined;
        if (item) startMove(item, day);
      },
    },
  };

  const selected = mode === 'month' ? fromDayKey(params.get('day') ?? '') : undefined;
  const spanParams =
    mode === 'month'
      ? { month: params.get('month') ?? undefined }
      : mode === 'rolling'
        ? { from: params.get('from') ?? undefined }
        : { week: params.get('week') ?? undefined };

  return html`<section class=${`calendar-view calendar-${mode}${narrow ? ' narrow' : ''}`}>
    <h1 tabindex="-1">Calendar</h1>
    <nav class="calendar-modes" aria-label="Calendar views">
      ${VIEWS.map(
        (view) =>
          html`<a href=${href(view.mode)} aria-current=${view.mode === mode ? 'page' : undefined}>${view.label}</a>`,
      )}
    </nav>
    <nav class="week-nav" aria-label=${mode === 'month' ? 'Months' : 'Weeks'}>
      <a href=${href(mode, span.earlier.params)}>${span.earlier.label}</a>
      <a href=${href(mode, span.now.params)}>${span.now.label}</a>
      <a href=${href(mode, span.later.params)}>${span.later.label}</a>
    </nav>
    ${
      (mode === 'month' || narrow) &&
      html`<p class="calendar-caption" id="calendar-caption">
        ${span.title}, times in ${localZone()}${data.loading && !data.data ? ' (loading…)' : ''}
      </p>`
    }
    <p class="calendar-legend note">
      <span class="cal-slot">09:30</span> a channel's slot ·
      <span class="cal-legend-quiet" aria-hidden="true"></span> its quiet hours, on a strip of the
      day's 24 hours · drag a waiting share to another day, or use its Move… button
    </p>
    ${data.error !== undefined && html`<${ErrorNotice} error=${data.error} />`}
    ${notice && html`<p class="notice notice-success" role="status">${notice}</p>`}
    ${
      mode === 'month'
        ? html`<${MonthGrid} ctx=${ctx} days=${days} first=${span.first} selected=${selected}
            dayHref=${(day: Date) => href('month', { ...spanParams, day: dayKey(day) })} />
          ${selected && html`<${DayList} ctx=${ctx} days=${[selected]} />`}`
        : narrow
          ? html`<${DayList} ctx=${ctx} days=${days} />`
          : html`<${WeekTable} ctx=${ctx} days=${days} rows=${rows} caption=${span.title}
            loading=${data.loading && !data.data} />`
    }
    ${
      moving &&
      html`<${MoveDialog}
        key=${`${moving.article.id}/${shareKey(moving.share)}/${moving.wanted}`}
        request=${moving}
        rules=${rulesFor(moving.share.channelId)}
        busy=${busyFor(moving.share)}
        onClose=${() => setMoving(undefined)}
        onConflict=${data.reload}
        onMoved=${(share: { dueAt: string }) => {
          setNotice(
            `Moved “${moving.article.title}” to ${describeInstant(share.dueAt, rulesFor(moving.share.channelId).timeZone)}.`,
          );
          data.reload();
        }}
      />`
    }
  </section>`;
}

type GridContext = {
  app: AppContextValue;
  today: Date;
  items: Item[];
  rulesFor: (channelId: string) => ChannelRules;
  narrow: boolean;
  onMove: (item: Item) => void;
  drag: {
    start: (item: Item) => void;
    end: () => void;
    /** whether what is dragged may land in a cell (of this channel's row, if given) */
    accepts: (channelId?: string) => boolean;
    drop: (day: Date) => void;
  };
};

const byTime = (a: Item, b: Item) => a.at.getTime() - b.at.getTime();

/** Handlers that make a cell a place to drop a share on. */
function dropTarget(ctx: GridContext, day: Date, channelId?: string) {
  return {
    onDragOver: (event: DragEvent) => {
      if (!ctx.drag.accepts(channelId)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
      (event.currentTarget as HTMLElement).classList.add('drop-here');
    },
    onDragLeave: (event: DragEvent) => {
      (event.currentTarget as HTMLElement).classList.remove('drop-here');
    },
    onDrop: (event: DragEvent) => {
      (event.currentTarget as HTMLElement).classList.remove('drop-here');
      if (!ctx.drag.accepts(channelId)) return;
      event.preventDefault();
      ctx.drag.drop(day);
    },
  };
}

/** One share on the calendar: a link to its article, draggable and movable while it waits. */
function Entry({
  ctx,
  item,
  withChannel,
}: {
  ctx: GridContext;
  item: Item;
  withChannel?: boolean;
}) {
  const { article, share } = item;
  const movable = isMovable(share);
  const zone = ctx.rulesFor(share.channelId).timeZone;
  const theirs = channelClock(share.dueAt, zone);
  const channel = channelLabel(ctx.app.channels, share.channelId);
  return html`<li
    class="cal-entry"
    data-channel=${share.channelId}
    data-article=${article.id}
  >
    <a
      class=${`cal-item status-${share.status}${movable ? ' movable' : ''}`}
      href=${articleHref(article.id)}
      draggable=${movable ? 'true' : 'false'}
      onDragStart=${(event: DragEvent) => {
        if (!movable) return;
        event.dataTransfer?.setData('text/plain', `${article.id}/${shareKey(share)}`);
        if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
        ctx.drag.start(item);
      }}
      onDragEnd=${ctx.drag.end}
    >
      <time datetime=${share.dueAt}>${formatTime(share.dueAt)}</time>
      ${theirs && html`<span class="cal-zone">${theirs}</span>`}
      ${withChannel && html`<span class="cal-channel"><${NetworkTag} platform=${share.platform} /> ${channel}</span>`}
      <span class="cal-title">${article.title}</span>
      <span class="cal-status">${STATUS_LABELS[share.status]}</span>
    </a>
    ${
      movable &&
      html`<button
        type="button"
        class="cal-move"
        aria-label=${`Move “${article.title}” on ${channel}…`}
        onClick=${() => ctx.onMove(item)}
      >
        Move…
      </button>`
    }
  </li>`;
}

/** A channel's slots and quiet hours on one of the editor's days: a strip of the day's hours and the slot times. */
function DayRules({ ctx, channelId, day }: { ctx: GridContext; channelId: string; day: Date }) {
  const rules = ctx.rulesFor(channelId);
  const start = day.getTime();
  const end = addDays(day, 1).getTime();
  const slots = slotsBetween(rules, start, end);
  const quiet = quietSpans(rules, start, end);
  if (slots.length === 0 && quiet.length === 0) return null;
  const length = end - start;
  const at = (instant: number) => `${((instant - start) / length) * 100}%`;
  const taken = new Set(
    ctx.items.filter((i) => i.share.channelId === channelId).map((i) => i.at.getTime()),
  );
  const zone = rules.timeZone;
  const quietHours = rules.schedule?.quietHours;
  return html`<div class="cal-rules">
    <div class="cal-strip" aria-hidden="true">
      ${quiet.map(
        (span) => html`<span
          class="cal-quiet"
          data-from=${new Date(span.from).toISOString()}
          data-to=${new Date(span.to).toISOString()}
          style=${`left:${at(span.from)};width:${((span.to - span.from) / length) * 100}%`}
          title=${`Quiet hours ${quietHours?.from}–${quietHours?.to} ${zone}`}
        ></span>`,
      )}
      ${slots.map((slot) => html`<span class="cal-tick" style=${`left:${at(slot)}`}></span>`)}
    </div>
    ${
      quiet.length > 0 &&
      html`<span class="visually-hidden">
        Quiet ${quiet.map((s) => `${formatTime(new Date(s.from).toISOString())}–${formatTime(new Date(s.to).toISOString())}`).join(', ')}.
      </span>`
    }
    ${
      slots.length > 0 &&
      html`<ul class="cal-slots" aria-label="Slots">
        ${slots.map((slot) => {
          const iso = new Date(slot).toISOString();
          const theirs = channelClock(iso, zone);
          return html`<li
            class=${`cal-slot${taken.has(slot) ? ' taken' : ''}`}
            data-at=${iso}
            title=${`Slot${theirs ? `: ${theirs}` : ''}${taken.has(slot) ? ' (taken)' : ''}`}
          >
            ${formatTime(iso)}
          </li>`;
        })}
      </ul>`
    }
  </div>`;
}

/** The week (calendar or rolling) as a table: one row per channel, one column per day. */
function WeekTable({
  ctx,
  days,
  rows,
  caption,
  loading,
}: {
  ctx: GridContext;
  days: Date[];
  rows: [string, Platform][];
  caption: string;
  loading: boolean;
}) {
  return html`<div class="calendar-scroll">
    <table class="calendar">
      <caption>
        ${caption}, times in ${localZone()}
        ${loading ? ' (loading…)' : ''}
      </caption>
      <thead>
        <tr>
          <th scope="col">Channel</th>
          ${days.map(
            (day) =>
              html`<th scope="col" class=${isSameDay(day, ctx.today) ? 'today' : ''} aria-current=${isSameDay(day, ctx.today) ? 'date' : undefined}>
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
                ([channelId, platform]) => html`<tr data-channel=${channelId}>
                  <th scope="row">
                    <${NetworkTag} platform=${platform} />
                    <span class="channel-name">${channelLabel(ctx.app.channels, channelId)}</span>
                    ${
                      ctx.rulesFor(channelId).timeZone !== localZone() &&
                      html`<span class="channel-zone">${ctx.rulesFor(channelId).timeZone}</span>`
                    }
                  </th>
                  ${days.map((day) => {
                    const inCell = ctx.items
                      .filter(
                        (item) => item.share.channelId === channelId && isSameDay(item.at, day),
                      )
                      .sort(byTime);
                    return html`<td
                      class=${isSameDay(day, ctx.today) ? 'today' : ''}
                      data-day=${dayKey(day)}
                      ...${dropTarget(ctx, day, channelId)}
                    >
                      <${DayRules} ctx=${ctx} channelId=${channelId} day=${day} />
                      ${
                        inCell.length > 0 &&
                        html`<ul class="cal-items">
                          ${inCell.map((item) => html`<${Entry} ctx=${ctx} item=${item} />`)}
                        </ul>`
                      }
                    </td>`;
                  })}
                </tr>`,
              )
        }
      </tbody>
    </table>
  </div>`;
}

/** Days one under another (a phone's week, a month's chosen day): every channel's shares in time order. */
function DayList({ ctx, days }: { ctx: GridContext; days: Date[] }) {
  const channelIds = [...new Set(ctx.app.channels.map((c) => c.id))];
  return html`<div class="cal-days">
    ${days.map((day) => {
      const inDay = ctx.items.filter((item) => isSameDay(item.at, day)).sort(byTime);
      const ruled = channelIds.filter(
        (id) =>
          slotsBetween(ctx.rulesFor(id), day.getTime(), addDays(day, 1).getTime()).length > 0 ||
          ctx.rulesFor(id).schedule?.quietHours,
      );
      const today = isSameDay(day, ctx.today);
      return html`<section
        class=${`cal-day${today ? ' today' : ''}`}
        data-day=${dayKey(day)}
        aria-labelledby=${`day-${dayKey(day)}`}
        ...${dropTarget(ctx, day)}
      >
        <h2 id=${`day-${dayKey(day)}`} aria-current=${today ? 'date' : undefined}>
          ${formatDay(day)}${today ? ' · today' : ''}
        </h2>
        ${
          inDay.length > 0
            ? html`<ul class="cal-items">
                ${inDay.map((item) => html`<${Entry} ctx=${ctx} item=${item} withChannel=${true} />`)}
              </ul>`
            : html`<p class="empty">Nothing due.</p>`
        }
        ${
          ruled.length > 0 &&
          html`<details class="cal-day-rules">
            <summary>Slots and quiet hours</summary>
            ${ruled.map(
              (id) => html`<div class="cal-day-channel" data-channel=${id}>
                <span class="cal-channel">${channelLabel(ctx.app.channels, id)}</span>
                <${DayRules} ctx=${ctx} channelId=${id} day=${day} />
              </div>`,
            )}
          </details>`
        }
      </section>`;
    })}
  </div>`;
}

const WEEKDAYS = Array.from({ length: 7 }, (_, i) =>
  new Intl.DateTimeFormat(undefined, { weekday: 'short' }).format(new Date(2026, 0, 5 + i)),
);

/** The month as weeks of days: the shares in each (their count on a phone), a day chosen by its link. */
function MonthGrid({
  ctx,
  days,
  first,
  selected,
  dayHref,
}: {
  ctx: GridContext;
  days: Date[];
  first: Date;
  selected?: Date;
  dayHref: (day: Date) => string;
}) {
  const weeks = Array.from({ length: days.length / 7 }, (_, i) => days.slice(i * 7, i * 7 + 7));
  const limit = 4;
  return html`<table class=${`calendar month${ctx.narrow ? ' compact' : ''}`} aria-describedby="calendar-caption">
    <thead>
      <tr>${WEEKDAYS.map((name) => html`<th scope="col">${name}</th>`)}</tr>
    </thead>
    <tbody>
      ${weeks.map(
        (week) => html`<tr>
          ${week.map((day) => {
            const inDay = ctx.items.filter((item) => isSameDay(item.at, day)).sort(byTime);
            const slots = ctx.app.channels.reduce(
              (n, c) =>
                n +
                slotsBetween(ctx.rulesFor(c.id), day.getTime(), addDays(day, 1).getTime()).length,
              0,
            );
            const classes = [
              day.getMonth() === first.getMonth() ? '' : 'other-month',
              isSameDay(day, ctx.today) ? 'today' : '',
              selected && isSameDay(day, selected) ? 'selected' : '',
            ]
              .filter(Boolean)
              .join(' ');
            return html`<td class=${classes} data-day=${dayKey(day)} ...${dropTarget(ctx, day)}>
              <a
                class="day-link"
                href=${dayHref(day)}
                aria-current=${selected && isSameDay(day, selected) ? 'date' : undefined}
                aria-label=${`${formatDay(day)}: ${inDay.length} ${inDay.length === 1 ? 'share' : 'shares'}`}
              >
                <span class="day-number">${day.getDate()}</span>
                ${inDay.length > 0 && html`<span class="day-count">${inDay.length}</span>`}
              </a>
              ${
                !ctx.narrow &&
                html`${
                  inDay.length > 0 &&
                  html`<ul class="cal-items">
                    ${inDay.slice(0, limit).map((item) => html`<${Entry} ctx=${ctx} item=${item} withChannel=${true} />`)}
                  </ul>`
                }
                ${inDay.length > limit && html`<a class="more" href=${dayHref(day)}>${inDay.length - limit} more</a>`}
                ${slots > 0 && html`<span class="cal-slot-count" title="Slots the channels post at">${slots} ${slots === 1 ? 'slot' : 'slots'}</span>`}`
              }
            </td>`;
          })}
        </tr>`,
      )}
    </tbody>
  </table>`;
}
