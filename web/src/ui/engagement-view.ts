/**
 * The Engagement page (`#/engagement?from=…&to=…&channel=…&section=…`): how the chosen
 * site's posts did over a period (by publication day, UTC), per day, per channel and per
 * section, the top posts with links, and the period's posts as a CSV download.
 */
import { html } from 'htm/preact';
import { useContext, useState } from 'preact/hooks';
import { NETWORK_NAMES, type Platform } from '../../../shared/domain/platform';
import type { EngagementQuery } from '../api';
import {
  addDays,
  countRows,
  daySeconds,
  formatCount,
  PERIODS,
  periodEnding,
  reports,
  shortLabel,
  todayUtc,
} from '../engagement-model';
import type { Engagement, EngagementPost, Figures } from '../engagement-schemas';
import { articleHref, routeHref } from '../router';
import { formatDateTime } from '../time';
import { Chart } from './chart';
import { AppContext, ErrorNotice, inputValue } from './common';
import { useAsync } from './hooks';

const FIGURE_COLUMNS = [
  ['posts', 'Posts'],
  ['likes', 'Likes'],
  ['reposts', 'Reposts'],
  ['replies', 'Replies'],
  ['quotes', 'Quotes'],
  ['views', 'Views'],
  ['clicks', 'Clicks'],
  ['engagement', 'Engagement'],
] as const;

const DEFAULT_DAYS = 7;

function queryOf(params: URLSearchParams, siteId: string | undefined): EngagementQuery {
  const to = params.get('to') || todayUtc();
  const from = params.get('from') || periodEnding(to, DEFAULT_DAYS).from;
  return {
    ...(siteId ? { siteId } : {}),
    from,
    to,
    ...(params.get('channel') ? { channelId: params.get('channel') ?? '' } : {}),
    ...(params.get('section') ? { section: params.get('section') ?? '' } : {}),
  };
}

const hrefOf = (query: EngagementQuery) =>
  routeHref('/engagement', {
    from: query.from,
    to: query.to,
    channel: query.channelId,
    section: query.section,
  });

function Totals({ totals }: { totals: Figures }) {
  return html`<dl class="engagement-totals" aria-label="Totals for the period">
    ${FIGURE_COLUMNS.map(
      ([key, label]) => html`<div class=${`total total-${key}`}>
        <dt>${label}</dt>
        <dd>${formatCount(totals[key])}</dd>
      </div>`,
    )}
  </dl>`;
}

/** The figures of each group as a table: what the bar chart above it draws, in numbers. */
function FiguresTable({
  caption,
  rows,
}: {
  caption: string;
  /** `platform`: a channel's network, whose counts it never reports are shown as such */
  rows: { name: string; figures: Figures; platform?: Platform }[];
}) {
  return html`<div class="table-wrap">
    <table class="figures-table">
      <caption class="visually-hidden">${caption}</caption>
      <thead>
        <tr>
          <th scope="col">${caption.split(' ')[0]}</th>
          ${FIGURE_COLUMNS.map(([, label]) => html`<th scope="col">${label}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) => html`<tr>
            <th scope="row">${row.name}</th>
            ${FIGURE_COLUMNS.map(
              ([key, label]) =>
                html`<td data-label=${label}>${
                  row.platform &&
                  key !== 'posts' &&
                  key !== 'engagement' &&
                  !reports(row.platform, key)
                    ? '–'
                    : formatCount(row.figures[key])
                }</td>`,
            )}
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function TopPost({ post }: { post: EngagementPost }) {
  return html`<li class="top-post">
    <a class="top-title" href=${articleHref(post.articleId)}>${post.title}</a>
    <span class="top-meta">
      <span class=${`net net-${post.platform}`}>${NETWORK_NAMES[post.platform]}</span>
      ${' '}${post.channelId} · ${formatDateTime(post.publishedAt)}
      ${post.section ? ` · ${post.section}` : ''}
    </span>
    <span class="top-figures">
      <strong>${formatCount(post.engagement)}</strong> engagement
      ${countRows(post.platform, post)
        .filter((row) => row.value !== undefined)
        .map((row) => ` · ${formatCount(row.value)} ${row.label.toLowerCase()}`)}
    </span>
    ${
      post.remoteUrl &&
      html`<a class="top-live" href=${post.remoteUrl} target="_blank" rel="noopener noreferrer"
        >View the post<span class="visually-hidden"> on ${NETWORK_NAMES[post.platform]} (opens in a new tab)</span></a
      >`
    }
  </li>`;
}

function Charts({ data }: { data: Engagement }) {
  const channelNames = data.channels.map((c) => shortLabel(c.channelId, 16));
  const sectionNames = data.sections.map((s) => shortLabel(s.section ?? 'No section', 16));
  return html`
    <section class="engagement-block" aria-labelledby="by-day">
      <h2 id="by-day">Per day</h2>
      <${Chart}
        label="Engagement, likes, reposts and replies per publication day"
        x=${data.days.map((d) => daySeconds(d.day))}
        series=${[
          { label: 'Engagement', values: data.days.map((d) => d.engagement) },
          { label: 'Likes', values: data.days.map((d) => d.likes) },
          { label: 'Reposts', values: data.days.map((d) => d.reposts) },
          { label: 'Replies', values: data.days.map((d) => d.replies) },
        ]}
        utcDays=${true}
      />
    </section>
    <section class="engagement-block" aria-labelledby="by-channel">
      <h2 id="by-channel">Per channel</h2>
      ${
        data.channels.length > 0 &&
        html`<${Chart}
          label="Engagement per channel"
          x=${data.channels.map((_, i) => i)}
          categories=${channelNames}
          series=${[{ label: 'Engagement', values: data.channels.map((c) => c.engagement) }]}
        />`
      }
      <${FiguresTable}
        caption="Channel figures"
        rows=${data.channels.map((c) => ({ name: `${c.channelId} (${NETWORK_NAMES[c.platform]})`, figures: c, platform: c.platform }))}
      />
    </section>
    <section class="engagement-block" aria-labelledby="by-section">
      <h2 id="by-section">Per section</h2>
      ${
        data.sections.length > 0 &&
        html`<${Chart}
          label="Engagement per section"
          x=${data.sections.map((_, i) => i)}
          categories=${sectionNames}
          series=${[{ label: 'Engagement', values: data.sections.map((s) => s.engagement) }]}
        />`
      }
      <${FiguresTable}
        caption="Section figures"
        rows=${data.sections.map((s) => ({ name: s.section ?? 'No section', figures: s }))}
      />
    </section>
  `;
}

export function EngagementView({ params }: { params: URLSearchParams }) {
  const app = useContext(AppContext);
  const query = queryOf(params, app?.siteId);
  const key = JSON.stringify(query);
  const data = useAsync(
    () => (app ? app.api.engagement(query) : Promise.reject(new Error('No API'))),
    [key],
  );
  const [from, setFrom] = useState(query.from ?? '');
  const [to, setTo] = useState(query.to ?? '');
  const [downloadError, setDownloadError] = useState<unknown>();
  const [downloading, setDownloading] = useState(false);
  if (!app) return null;
  const today = todayUtc();

  const download = async (event: Event) => {
    event.preventDefault();
    setDownloading(true);
    setDownloadError(undefined);
    try {
      const blob = await app.api.engagementCsv(query);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `engagement-${data.data?.siteId ?? query.siteId ?? 'site'}-${query.from}-${query.to}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (caught) {
      setDownloadError(caught);
    } finally {
      setDownloading(false);
    }
  };

  return html`<section class="engagement-view" aria-labelledby="engagement-title">
    <h1 id="engagement-title" tabindex="-1">Engagement</h1>
    <p class="engagement-intro">
      How the posts published in the period did, by publication day (UTC), each with its
      latest reading. Engagement is likes + reposts + replies + quotes + link clicks.
    </p>
    <nav class="period-presets" aria-label="Periods">
      ${PERIODS.map(({ days, label }) => {
        const period = periodEnding(today, days);
        const current = period.from === query.from && period.to === query.to;
        return html`<a
          class="button-link"
          href=${hrefOf({ ...query, ...period })}
          aria-current=${current ? 'true' : undefined}
          >${label}</a
        >`;
      })}
    </nav>
    <form
      class="period-form"
      aria-label="Period and filters"
      onSubmit=${(event: Event) => {
        event.preventDefault();
        const form = event.currentTarget as HTMLFormElement;
        const fields = new FormData(form);
        location.hash = hrefOf({
          from: from || undefined,
          to: to || undefined,
          channelId: String(fields.get('channel') ?? '') || undefined,
          section: String(fields.get('section') ?? '').trim() || undefined,
        });
      }}
    >
      <div class="period-field">
        <label for="engagement-from">From</label>
        <input id="engagement-from" type="date" name="from" value=${from} max=${addDays(today, 1)} onInput=${(e: Event) => setFrom(inputValue(e))} />
      </div>
      <div class="period-field">
        <label for="engagement-to">To</label>
        <input id="engagement-to" type="date" name="to" value=${to} max=${addDays(today, 1)} onInput=${(e: Event) => setTo(inputValue(e))} />
      </div>
      <div class="period-field">
        <label for="engagement-channel">Channel</label>
        <select id="engagement-channel" name="channel">
          <option value="">Every channel</option>
          ${app.channels.map(
            (c) =>
              html`<option value=${c.id} selected=${c.id === query.channelId}>${c.id}</option>`,
          )}
        </select>
      </div>
      <div class="period-field">
        <label for="engagement-section">Section</label>
        <input id="engagement-section" type="text" name="section" value=${query.section ?? ''} placeholder="Any" />
      </div>
      <button type="submit" class="primary">Show</button>
    </form>
    <p class="csv-download">
      <a href=${`/api/engagement/posts.csv`} onClick=${download} aria-busy=${downloading ? 'true' : undefined}
        >Download CSV</a
      >
      <span class="csv-note"> · every post of the period, one a line</span>
    </p>
    ${downloadError !== undefined && html`<${ErrorNotice} error=${downloadError} />`}
    ${data.error !== undefined && html`<${ErrorNotice} error=${data.error} />`}
    ${
      data.data
        ? html`
            <p class="period-line">
              ${data.data.from} to ${data.data.to} · site ${data.data.siteId}
              ${query.channelId ? ` · channel ${query.channelId}` : ''}
              ${query.section ? ` · section ${query.section}` : ''}
            </p>
            <${Totals} totals=${data.data.totals} />
            ${
              data.data.totals.posts === 0
                ? html`<p class="empty">No post of this period has been read yet.</p>`
                : html`<${Charts} data=${data.data} />
                    <section class="engagement-block" aria-labelledby="top-posts">
                      <h2 id="top-posts">Top posts</h2>
                      <ol class="top-posts">
                        ${data.data.top.map((post) => html`<${TopPost} post=${post} />`)}
                      </ol>
                    </section>`
            }
          `
        : data.loading && html`<p>Loading…</p>`
    }
  </section>`;
}
