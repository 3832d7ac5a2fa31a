/**
 * The queue's view as the address keeps it (`#/queue?status=draft&section=Labor&q=…`):
 * read from the hash's query and written back, so a view can be shared and reloaded.
 */
import { SHARE_STATUSES, type ShareStatus } from '../../shared/domain/share-state';

export type QueueFilters = {
  status?: ShareStatus;
  channel?: string;
  section?: string;
  /** a date (yyyy-mm-dd): received (or, with a channel, due) on or after it */
  from?: string;
  /** a date (yyyy-mm-dd): received (or due) on or before it */
  to?: string;
  /** text searched in the headline and the URL */
  q?: string;
  /** the site; unset, the header's site switcher decides */
  site?: string;
};

export const FILTER_NAMES = ['status', 'channel', 'section', 'from', 'to', 'q', 'site'] as const;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The filters the address holds; a value the API would refuse is left out. */
export function readQueueFilters(params: URLSearchParams): QueueFilters {
  const filters: QueueFilters = {};
  const status = params.get('status');
  if (status && (SHARE_STATUSES as readonly string[]).includes(status)) {
    filters.status = status as ShareStatus;
  }
  const channel = params.get('channel');
  if (channel && ID.test(channel)) filters.channel = channel;
  const site = params.get('site');
  if (site && ID.test(site)) filters.site = site;
  const section = params.get('section')?.trim();
  if (section) filters.section = section.slice(0, 200);
  const q = params.get('q')?.trim();
  if (q) filters.q = q.slice(0, 200);
  const from = params.get('from');
  if (from && DATE.test(from)) filters.from = from;
  const to = params.get('to');
  if (to && DATE.test(to)) filters.to = to;
  return filters;
}

/** The filters as the address's query, in a fixed order, empty ones left out. */
export function queueFilterParams(filters: QueueFilters): Record<string, string | undefined> {
  return Object.fromEntries(FILTER_NAMES.map((name) => [name, filters[name] || undefined]));
}

/** Whether any filter narrows the list (the site aside). */
export const isFiltered = (filters: QueueFilters) =>
  FILTER_NAMES.some((name) => name !== 'site' && filters[name] !== undefined);

/** A local calendar day (`2026-05-12`) as the instant it starts or ends, for the API. */
export function dayBound(day: string, edge: 'start' | 'end'): string {
  const [y, m, d] = day.split('-').map(Number);
  const date =
    edge === 'start'
      ? new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1)
      : new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1, 23, 59, 59, 999);
  return date.toISOString();
}

/** The query of `GET /api/articles` (the editor API's list filters; api.ts sends it). */
export type ArticleQuery = {
  status?: ShareStatus;
  channel?: string;
  siteId?: string;
  section?: string;
  q?: string;
  from?: string;
  to?: string;
};

/** The filters as `GET /api/articles` takes them: the days as the editor's own days. */
export function apiFilters(filters: QueueFilters, siteId: string | undefined): ArticleQuery {
  return {
    status: filters.status,
    channel: filters.channel,
    siteId,
    section: filters.section,
    q: filters.q,
    from: filters.from ? dayBound(filters.from, 'start') : undefined,
    to: filters.to ? dayBound(filters.to, 'end') : undefined,
  };
}
