/**
 * The queue: one row per article with its channels' statuses at a glance, filtered and
 * searched as the address says, page after page; shares selected there are approved,
 * cancelled, retried or rescheduled together (bulk-bar.ts).
 */
import { html } from 'htm/preact';
import { useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { SHARE_STATUSES } from '../../../shared/domain/share-state';
import type { BulkAction, BulkResult } from '../bulk-schemas';
import {
  apiFilters,
  isFiltered,
  type QueueFilters,
  queueFilterParams,
  readQueueFilters,
} from '../queue-filters';
import { type Loaded, loadFrom, merged } from '../queue-pages';
import { routeHref } from '../router';
import { shareKey } from '../schemas';
import { BulkBar, BulkResults, type SelectedShare } from './bulk-bar';
import {
  AppContext,
  channelLabel,
  ErrorNotice,
  inputValue,
  NETWORK_NAMES,
  platformOrder,
  STATUS_LABELS,
} from './common';
import { useInterval } from './hooks';
import { ChipLegend, QueueRow, selectionKey } from './queue-row';

/** Articles a page asks for. */
const PAGE = 25;
const REFRESH_MS = 15_000;

export function QueueView({ params }: { params: URLSearchParams }) {
  const app = useContext(AppContext);
  const filters = readQueueFilters(params);
  const known = (id: string | undefined) => app?.sites.some((site) => site.id === id) ?? false;
  // The address's site, where it names one of the editor's: a shared view shows its site.
  const siteId = filters.site && known(filters.site) ? filters.site : app?.siteId;
  const query = apiFilters(filters, siteId);
  const queryKey = JSON.stringify(query);

  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [outcome, setOutcome] = useState<
    | {
        summary: string;
        results: BulkResult[];
        names: Map<string, SelectedShare>;
        action: BulkAction;
      }
    | undefined
  >();
  const latest = useRef(0);
  const resultsRef = useRef<HTMLDivElement>(null);

  /** Loads from the start (`count` articles at least), replacing what is listed. */
  const reload = async (count = PAGE) => {
    if (!app) return;
    const request = ++latest.current;
    setBusy(true);
    try {
      const page = await loadFrom(app.api, query, undefined, count);
      if (request === latest.current) {
        setLoaded(page);
        setError(undefined);
      }
    } catch (caught) {
      if (request === latest.current) setError(caught);
    } finally {
      if (request === latest.current) setBusy(false);
    }
  };
  const loadMore = async () => {
    if (!app || !loaded?.cursor) return;
    const request = ++latest.current;
    setBusy(true);
    try {
      const page = await loadFrom(app.api, query, loaded.cursor, PAGE);
      if (request === latest.current) {
        setLoaded({ articles: merged(loaded.articles, page.articles), cursor: page.cursor });
        setError(undefined);
      }
    } catch (caught) {
      if (request === latest.current) setError(caught);
    } finally {
      if (request === latest.current) setBusy(false);
    }
  };

  useEffect(() => {
    setLoaded(undefined);
    setSelected(new Set());
    void reload();
  }, [queryKey, app?.api]);
  useEffect(() => {
    document.title = 'Queue · Crier';
  }, []);
  // The address and the header's site switcher name the same site: a site in an address
  // opened or edited moves the switcher; a choice in the switcher is written to the
  // address (only where there is a choice to make).
  const lastSite = useRef(app?.siteId);
  useEffect(() => {
    if (!app || app.sites.length < 2) return;
    const switched = lastSite.current !== app.siteId;
    lastSite.current = app.siteId;
    if (filters.site === app.siteId) return;
    if (!switched && filters.site && known(filters.site) && app.chooseSite) {
      app.chooseSite(filters.site);
    } else {
      location.replace(routeHref('/queue', queueFilterParams({ ...filters, site: app.siteId })));
    }
  }, [app?.siteId, filters.site, app?.sites.length]);
  // Kept fresh while nobody is choosing shares: a selection never moves under the editor.
  useInterval(
    () => {
      if (!busy) void reload(Math.max(PAGE, loaded?.articles.length ?? 0));
    },
    selected.size === 0 ? REFRESH_MS : null,
  );
  useEffect(() => {
    if (outcome) resultsRef.current?.querySelector<HTMLElement>('.bulk-results')?.focus();
  }, [outcome]);

  const articles = loaded?.articles ?? [];
  /** every listed share by its selection key, with what the results name it by */
  const byKey = useMemo(() => {
    const map = new Map<string, SelectedShare>();
    for (const article of articles) {
      for (const share of article.shares) {
        map.set(selectionKey(article.id, share), {
          articleId: article.id,
          key: shareKey(share),
          title: article.title,
          platform: share.platform,
          channel: channelLabel(app?.channels ?? [], share.channelId),
        });
      }
    }
    return map;
  }, [articles, app?.channels]);

  if (!app) return null;

  const setFilters = (change: Partial<QueueFilters>) => {
    location.hash = routeHref('/queue', queueFilterParams({ ...filters, ...change }));
  };
  const channelIds = new Map(app.channels.map((c) => [c.id, c.platform]));
  for (const article of articles) {
    for (const share of article.shares) channelIds.set(share.channelId, share.platform);
  }
  const channelOptions = [...channelIds].sort(
    ([a, pa], [b, pb]) => platformOrder(pa) - platformOrder(pb) || a.localeCompare(b),
  );
  const sections = [
    ...new Set(articles.map((a) => a.section).filter((s): s is string => Boolean(s))),
  ].sort();
  const siteNames = new Map(app.sites.map((s) => [s.id, s.name]));
  const selectedShares = [...selected].flatMap((key) => {
    const share = byKey.get(key);
    return share ? [share] : [];
  });
  const select = (keys: string[], on: boolean) => {
    setSelected((current) => {
      const next = new Set(current);
      for (const key of keys) {
        if (on) next.add(key);
        else next.delete(key);
      }
      return next;
    });
  };
  const allKeys = [...byKey.keys()];
  const toggle = (articleId: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(articleId)) next.delete(articleId);
      else next.add(articleId);
      return next;
    });

  return html`<section class="queue-view" aria-busy=${busy && !loaded ? 'true' : 'false'}>
    <h1 tabindex="-1">Queue</h1>
    <form
      class="filters queue-filters"
      role="search"
      aria-label="Filter the articles"
      onSubmit=${(e: Event) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget as HTMLFormElement);
        setFilters({
          q: String(form.get('q') ?? '').trim() || undefined,
          section: String(form.get('section') ?? '').trim() || undefined,
        });
      }}
    >
      <label class="filter-search">
        Search headlines and URLs
        <input type="search" name="q" maxlength="200" value=${filters.q ?? ''} placeholder="e.g. Bolivia" />
      </label>
      <label class="filter-section">
        Section
        <input type="text" name="section" list="queue-sections" maxlength="200" value=${filters.section ?? ''} />
        <datalist id="queue-sections">${sections.map((s) => html`<option value=${s} />`)}</datalist>
      </label>
      <button type="submit">Search</button>
      <label class="filter-half">
        Status
        <select value=${filters.status ?? ''} onChange=${(e: Event) => setFilters({ status: (inputValue(e) || undefined) as QueueFilters['status'] })}>
          <option value="">All statuses</option>
          ${SHARE_STATUSES.map((s) => html`<option value=${s}>${STATUS_LABELS[s]}</option>`)}
        </select>
      </label>
      <label class="filter-half">
        Channel
        <select value=${filters.channel ?? ''} onChange=${(e: Event) => setFilters({ channel: inputValue(e) || undefined })}>
          <option value="">All channels</option>
          ${channelOptions.map(
            ([id, platform]) =>
              html`<option value=${id}>${NETWORK_NAMES[platform]} · ${channelLabel(app.channels, id)}</option>`,
          )}
        </select>
      </label>
      <label class="filter-half">
        ${filters.channel ? 'Due from' : 'Received from'}
        <input type="date" value=${filters.from ?? ''} onChange=${(e: Event) => setFilters({ from: inputValue(e) || undefined })} />
      </label>
      <label class="filter-half">
        to
        <input type="date" value=${filters.to ?? ''} onChange=${(e: Event) => setFilters({ to: inputValue(e) || undefined })} />
      </label>
      ${
        isFiltered(filters) &&
        html`<a class="clear-filters" href=${routeHref('/queue', filters.site ? { site: filters.site } : {})}>Clear filters</a>`
      }
    </form>
    ${error !== undefined && html`<${ErrorNotice} error=${error} />`}
    <div ref=${resultsRef}>
      ${
        outcome &&
        html`<${BulkResults}
          summary=${outcome.summary}
          results=${outcome.results}
          names=${outcome.names}
          showDue=${outcome.action === 'reschedule'}
          onDismiss=${() => setOutcome(undefined)}
        />`
      }
    </div>
    ${
      loaded
        ? html`<div class="queue-head">
              <label class="select-all">
                <input
                  type="checkbox"
                  checked=${allKeys.length > 0 && allKeys.every((k) => selected.has(k))}
                  disabled=${allKeys.length === 0}
                  onChange=${(e: Event) => select(allKeys, (e.currentTarget as HTMLInputElement).checked)}
                />
                Select every share listed
              </label>
              <p class="count-note" role="status">
                ${articles.length} ${articles.length === 1 ? 'article' : 'articles'}${loaded.cursor ? ' so far' : ''}
              </p>
              <button type="button" onClick=${() => reload(Math.max(PAGE, articles.length))} disabled=${busy}>Refresh</button>
            </div>
            <${ChipLegend} />
            ${
              articles.length === 0
                ? html`<p class="empty">${
                    loaded.cursor
                      ? 'Nothing in the latest articles read: load more to look further back.'
                      : isFiltered(filters)
                        ? 'No article matches these filters.'
                        : 'No articles yet.'
                  }</p>`
                : html`<ul class="queue-list" aria-label="Articles">
                    ${articles.map(
                      (article) => html`<${QueueRow}
                        key=${article.id}
                        article=${article}
                        siteName=${!siteId && app.sites.length > 1 ? (siteNames.get(article.siteId) ?? article.siteId) : undefined}
                        channels=${app.channels}
                        expanded=${expanded.has(article.id)}
                        onToggle=${() => toggle(article.id)}
                        selected=${selected}
                        onSelect=${select}
                      />`,
                    )}
                  </ul>`
            }
            ${
              loaded.cursor &&
              html`<p class="load-more"><button type="button" onClick=${loadMore} disabled=${busy}>
                ${busy ? 'Loading…' : 'Load more'}
              </button></p>`
            }`
        : !error && html`<p>Loading the queue…</p>`
    }
    ${
      selectedShares.length > 0 &&
      html`<${BulkBar}
        api=${app.api}
        selected=${selectedShares}
        onClear=${() => setSelected(new Set())}
        onDone=${(results: BulkResult[], summary: string, action: BulkAction) => {
          setOutcome({ summary, results, names: new Map(byKey), action });
          setSelected(new Set());
          void reload(Math.max(PAGE, articles.length));
        }}
      />`
    }
  </section>`;
}
