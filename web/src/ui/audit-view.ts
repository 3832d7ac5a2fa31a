/**
 * The audit log (admins only): every change of the sites and channels, newest first,
 * each with what it changed, for one site or all of them, a page at a time.
 */
import { html } from 'htm/preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { auditDiff, type FieldChange, formatAuditValue } from '../audit-diff';
import { routeHref } from '../router';
import type { AuditEntry } from '../schemas';
import { formatDateTime } from '../time';
import { AppContext, ErrorNotice, inputValue } from './common';
import { useAsync } from './hooks';

const PAGE_SIZE = 50;

const ACTION_LABELS: Record<string, string> = {
  create: 'Created',
  update: 'Changed',
  pause: 'Paused',
  resume: 'Resumed',
  archive: 'Archived',
  restore: 'Restored',
};

/** `channel:x-north` as "Channel x-north". */
function targetLabel(target: string): string {
  const [kind = '', ...rest] = target.split(':');
  const id = rest.join(':');
  if (!id) return target;
  return `${kind.charAt(0).toUpperCase()}${kind.slice(1)} ${id}`;
}

function Change({ change }: { change: FieldChange }) {
  const field = html`<code>${change.field}</code>`;
  if (change.kind === 'changed') {
    return html`<li>
      ${field}: <del>${formatAuditValue(change.before)}</del> <span aria-hidden="true">→</span
      ><span class="visually-hidden"> to </span> <ins>${formatAuditValue(change.after)}</ins>
    </li>`;
  }
  if (change.kind === 'added') {
    return html`<li>${field}: <ins>${formatAuditValue(change.after)}</ins> <span class="note">(set)</span></li>`;
  }
  return html`<li>${field}: <del>${formatAuditValue(change.before)}</del> <span class="note">(removed)</span></li>`;
}

function Diff({ entry }: { entry: AuditEntry }) {
  const diff = auditDiff(entry.before, entry.after);
  if (diff.kind === 'created') {
    return html`<details class="audit-diff">
      <summary>Created with ${diff.changes.length} fields</summary>
      <ul>${diff.changes.map((c) => html`<${Change} change=${c} />`)}</ul>
    </details>`;
  }
  if (diff.kind === 'removed') return html`<p class="audit-diff">Removed</p>`;
  if (diff.changes.length === 0) return html`<p class="audit-diff note">No field changed</p>`;
  return html`<ul class="audit-diff">${diff.changes.map((c) => html`<${Change} change=${c} />`)}</ul>`;
}

export function AuditView({ params }: { params: URLSearchParams }) {
  const app = useContext(AppContext);
  const siteId = params.get('siteId') ?? '';
  const sites = useAsync(() => (app ? app.api.listSites() : Promise.resolve([])), [app?.api]);
  const [pages, setPages] = useState<{ entries: AuditEntry[]; cursor?: string | null }>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);
  // An answer for a filter or a page no longer asked for is dropped.
  const latest = useRef(0);

  const load = async (cursor?: string) => {
    if (!app) return;
    const request = ++latest.current;
    setLoading(true);
    setError(undefined);
    try {
      const page = await app.api.listAudit({
        siteId: siteId || undefined,
        cursor,
        limit: PAGE_SIZE,
      });
      if (request !== latest.current) return;
      setPages((previous) => ({
        entries: cursor ? [...(previous?.entries ?? []), ...page.entries] : page.entries,
        cursor: page.cursor,
      }));
    } catch (caught) {
      if (request === latest.current) setError(caught);
    } finally {
      if (request === latest.current) setLoading(false);
    }
  };

  // Another site: the list starts again from the newest entry. (The context object is
  // new at each render of the shell; its api is not, so a re-render keeps the pages.)
  useEffect(() => {
    setPages(undefined);
    void load();
  }, [app?.api, siteId]);
  useEffect(() => {
    document.title = 'Audit log · Crier';
  }, []);
  if (!app) return null;
  const siteNames = new Map((sites.data ?? []).map((s) => [s.id, s.name]));
  const entries = pages?.entries ?? [];

  return html`<section class="audit-view" aria-busy=${loading ? 'true' : 'false'}>
    <h1 tabindex="-1">Audit log</h1>
    <form class="filters" role="search" aria-label="Filter the audit log" onSubmit=${(e: Event) => e.preventDefault()}>
      <label>
        Site
        <select
          value=${siteId}
          onChange=${(e: Event) => {
            location.hash = routeHref('/audit', { siteId: inputValue(e) });
          }}
        >
          <option value="">All sites</option>
          ${(sites.data ?? []).map((s) => html`<option value=${s.id}>${s.name}</option>`)}
        </select>
      </label>
      <button type="button" onClick=${() => load()}>Refresh</button>
    </form>
    ${error !== undefined && html`<${ErrorNotice} error=${error} />`}
    <table class="shares-table audit-table">
      <caption>
        Changes, newest first <span class="count-note">(${entries.length}${pages?.cursor ? '+' : ''})</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">Action</th>
          <th scope="col">Target</th>
          <th scope="col">What changed</th>
        </tr>
      </thead>
      <tbody>
        ${
          pages === undefined
            ? html`<tr><td colspan="5" class="empty">${error ? '' : 'Loading…'}</td></tr>`
            : entries.length === 0
              ? html`<tr><td colspan="5" class="empty">No changes recorded${siteId ? ' for this site' : ''}.</td></tr>`
              : entries.map(
                  (entry) => html`<tr key=${`${entry.at}/${entry.target}/${entry.version ?? ''}`}>
                    <td><time datetime=${entry.at}>${formatDateTime(entry.at)}</time></td>
                    <td>${entry.who}</td>
                    <td>${ACTION_LABELS[entry.action] ?? entry.action}</td>
                    <td>
                      ${targetLabel(entry.target)}
                      ${
                        entry.siteId &&
                        !entry.target.startsWith('site:') &&
                        html`<div class="note">${siteNames.get(entry.siteId) ?? entry.siteId}</div>`
                      }
                    </td>
                    <td><${Diff} entry=${entry} /></td>
                  </tr>`,
                )
        }
      </tbody>
    </table>
    ${
      pages?.cursor &&
      html`<button type="button" disabled=${loading} onClick=${() => load(pages.cursor ?? undefined)}>
        ${loading ? 'Loading…' : 'Load more'}
      </button>`
    }
  </section>`;
}
