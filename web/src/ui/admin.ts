/**
 * The admin pages in the shell: their links, shown to admins only (as `GET /api/me`
 * says), and the page the address names, refused in words to anyone else.
 */
import { html } from 'htm/preact';
import type { Route } from '../router';
import { routeHref } from '../router';
import type { Me } from '../schemas';
import { AuditView } from './audit-view';
import { ErrorNotice } from './common';
import { EditorsView } from './editors-view';
import type { Async } from './hooks';
import { NotificationsView } from './notifications-view';

type AdminRoute = Extract<Route, { view: 'editors' | 'notifications' | 'audit' }>;

export const isAdminRoute = (route: Route): route is AdminRoute =>
  route.view === 'editors' || route.view === 'notifications' || route.view === 'audit';

export function AdminLinks({ me, view }: { me: Me | undefined; view: Route['view'] }) {
  if (me?.role !== 'admin') return null;
  const current = (name: Route['view']) => (view === name ? 'page' : undefined);
  return html`<a href=${routeHref('/editors')} aria-current=${current('editors')}>Editors</a>
    <a href=${routeHref('/notifications')} aria-current=${current('notifications')}>Notifications</a>
    <a href=${routeHref('/audit')} aria-current=${current('audit')}>Audit log</a>`;
}

export function AdminPage({ route, me }: { route: AdminRoute; me: Async<Me | undefined> }) {
  if (me.data === undefined) {
    return me.error === undefined
      ? html`<p>Loading…</p>`
      : html`<${ErrorNotice} error=${me.error} />`;
  }
  if (me.data.role !== 'admin') {
    return html`<section>
      <h1 tabindex="-1">Admins only</h1>
      <p>Only an admin may see the editors, the notifications and the audit log.</p>
      <p><a href=${routeHref('/queue')}>Back to the queue</a></p>
    </section>`;
  }
  if (route.view === 'editors') return html`<${EditorsView} />`;
  if (route.view === 'notifications') return html`<${NotificationsView} />`;
  return html`<${AuditView} params=${route.params} />`;
}
