/** Every share across articles and channels: what goes out next, and what went out lately. */
import { html } from 'htm/preact';
import { useContext, useEffect } from 'preact/hooks';
import { isFinal, SHARE_STATUSES, type ShareStatus } from '../../../shared/domain/share-state';
import { listAllArticles } from '../api';
import { articleHref, routeHref } from '../router';
import { postLink } from '../sandbox-links';
import type { ArticleSummary, ShareSummary } from '../schemas';
import { shareKey, statusSchema } from '../schemas';
import {
  AppContext,
  channelLabel,
  DueTime,
  ErrorNotice,
  inputValue,
  NETWORK_NAMES,
  NetworkTag,
  platformOrder,
  STATUS_LABELS,
  StatusBadge,
} from './common';
import { useAsync, useInterval } from './hooks';

const REFRESH_MS = 10_000;
/** The most recent finished shares the queue lists. */
const RECENT_LIMIT = 50;

type Row = { article: ArticleSummary; share: ShareSummary };

function ShareRows({
  rows,
  channels,
}: {
  rows: Row[];
  channels: Parameters<typeof channelLabel>[0];
}) {
  return rows.map(
    ({ article, share }) => html`<tr key=${`${article.id}/${shareKey(share)}`}>
      <td><${DueTime} iso=${share.dueAt} channelId=${share.channelId} /></td>
      <td><${NetworkTag} platform=${share.platform} /> ${channelLabel(channels, share.channelId)}</td>
      <td><a href=${articleHref(article.id)}>${article.title}</a></td>
      <td><${StatusBadge} status=${share.status} /></td>
      <td>
        ${
          postLink(share)
            ? html`<a href=${postLink(share)} target="_blank" rel="noopener noreferrer"
                >View<span class="visually-hidden">
                  the post on ${NETWORK_NAMES[share.platform]} (opens in a new tab)</span
                ></a
              >`
            : ''
        }
      </td>
    </tr>`,
  );
}

function ShareTable({
  caption,
  rows,
  channels,
  empty,
}: {
  caption: string;
  rows: Row[];
  channels: Parameters<typeof channelLabel>[0];
  empty: string;
}) {
  return html`<table class="shares-table">
    <caption>${caption} <span class="count-note">(${rows.length})</span></caption>
    <thead>
      <tr>
        <th scope="col">Due</th>
        <th scope="col">Channel</th>
        <th scope="col">Article</th>
        <th scope="col">Status</th>
        <th scope="col">Post</th>
      </tr>
    </thead>
    <tbody>
      ${
        rows.length > 0
          ? html`<${ShareRows} rows=${rows} channels=${channels} />`
          : html`<tr><td colspan="5" class="empty">${empty}</td></tr>`
      }
    </tbody>
  </table>`;
}

export function QueueView({ params }: { params: URLSearchParams }) {
  const app = useContext(AppContext);
  const parsedStatus = statusSchema.safeParse(params.get('status'));
  const status: ShareStatus | undefined = parsedStatus.success ? parsedStatus.data : undefined;
  const channel = params.get('channel') ?? '';

  const data = useAsync(
    () =>
      app
        ? listAllArticles(app.api, { status, channel: channel || undefined, siteId: app.siteId })
        : Promise.resolve({ articles: [], complete: true }),
    [app, status, channel, app?.siteId],
  );
  useInterval(data.reload, REFRESH_MS);
  useEffect(() => {
    document.title = 'Queue · Crier';
  }, []);
  if (!app) return null;

  const rows: Row[] = (data.data?.articles ?? []).flatMap((article) =>
    article.shares
      .filter(
        (share) =>
          (!status || share.status === status) && (!channel || share.channelId === channel),
      )
      .map((share) => ({ article, share })),
  );
  const upcoming = rows
    .filter((row) => !isFinal(row.share.status))
    .sort(
      (a, b) =>
        a.share.dueAt.localeCompare(b.share.dueAt) ||
        platformOrder(a.share.platform) - platformOrder(b.share.platform),
    );
  const recent = rows
    .filter((row) => isFinal(row.share.status))
    .sort((a, b) => b.share.dueAt.localeCompare(a.share.dueAt))
    .slice(0, RECENT_LIMIT);

  const channelIds = new Map(app.channels.map((c) => [c.id, c.platform]));
  for (const row of rows) channelIds.set(row.share.channelId, row.share.platform);
  const channelOptions = [...channelIds].sort(
    ([a, pa], [b, pb]) => platformOrder(pa) - platformOrder(pb) || a.localeCompare(b),
  );
  const setFilter = (name: 'status' | 'channel', value: string) => {
    location.hash = routeHref('/queue', {
      status: name === 'status' ? value : status,
      channel: name === 'channel' ? value : channel,
    });
  };

  return html`<section class="queue-view" aria-busy=${data.loading && !data.data ? 'true' : 'false'}>
    <h1 tabindex="-1">Queue</h1>
    <form class="filters" role="search" aria-label="Filter the shares" onSubmit=${(e: Event) => e.preventDefault()}>
      <label>
        Status
        <select value=${status ?? ''} onChange=${(e: Event) => setFilter('status', inputValue(e))}>
          <option value="">All statuses</option>
          ${SHARE_STATUSES.map((s) => html`<option value=${s}>${STATUS_LABELS[s]}</option>`)}
        </select>
      </label>
      <label>
        Channel
        <select value=${channel} onChange=${(e: Event) => setFilter('channel', inputValue(e))}>
          <option value="">All channels</option>
          ${channelOptions.map(
            ([id, platform]) =>
              html`<option value=${id}>${NETWORK_NAMES[platform]} · ${channelLabel(app.channels, id)}</option>`,
          )}
        </select>
      </label>
      <button type="button" onClick=${data.reload}>Refresh</button>
    </form>
    ${data.error !== undefined && html`<${ErrorNotice} error=${data.error} />`}
    ${
      data.data
        ? html`<${ShareTable}
              caption="Upcoming"
              rows=${upcoming}
              channels=${app.channels}
              empty="Nothing waiting to go out."
            />
            <${ShareTable}
              caption="Recent"
              rows=${recent}
              channels=${app.channels}
              empty="Nothing published, failed or cancelled yet."
            />
            ${!data.data.complete && html`<p class="note">Showing the most recent articles only.</p>`}`
        : !data.error && html`<p>Loading the queue…</p>`
    }
  </section>`;
}
