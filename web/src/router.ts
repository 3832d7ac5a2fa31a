/**
 * Where the editor is, in the address's fragment (`#/queue?status=scheduled`,
 * `#/calendar?week=2026-05-11`, `#/articles/<id>`, `#/channels`, `#/channels/new`,
 * `#/channels/<id>/edit`, `#/posts/new`, `#/channels/<id>/connect/<choiceId>` (the pick after a consent
 * that reached several accounts), `#/editors`, `#/notifications`, `#/audit`): static
 * hosting serves one page,
 * and a fragment never reaches a server or CloudFront's error pages.
 */
export type Route =
  | { view: 'queue'; params: URLSearchParams }
  | { view: 'calendar'; params: URLSearchParams }
  | { view: 'article'; articleId: string; params: URLSearchParams }
  /** `#/posts/new`: a post of the desk's own */
  | { view: 'new-post'; params: URLSearchParams }
  | { view: 'channels'; params: URLSearchParams }
  /** `channelId` undefined: a new channel */
  | { view: 'channel'; channelId?: string; params: URLSearchParams }
  | { view: 'connect-choice'; channelId: string; choiceId: string; params: URLSearchParams }
  /** `#/channels/<id>/best-times`: the channel's best times learned, as a heatmap */
  | { view: 'best-times'; channelId: string; params: URLSearchParams }
  // The admin pages: `#/editors`, `#/notifications`, `#/audit?siteId=north`.
  | { view: 'editors'; params: URLSearchParams }
  | { view: 'notifications'; params: URLSearchParams }
  | { view: 'audit'; params: URLSearchParams }
  /** `#/engagement?from=2026-05-01&to=2026-05-07&channel=…&section=…` */
  | { view: 'engagement'; params: URLSearchParams };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2);
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'calendar') return { view: 'calendar', params };
  if (parts[0] === 'editors') return { view: 'editors', params };
  if (parts[0] === 'notifications') return { view: 'notifications', params };
  if (parts[0] === 'audit') return { view: 'audit', params };
  if (parts[0] === 'engagement') return { view: 'engagement', params };
  if (parts[0] === 'posts' && parts[1] === 'new') return { view: 'new-post', params };
  if (parts[0] === 'articles' && parts[1]) {
    return { view: 'article', articleId: decodeURIComponent(parts[1]), params };
  }
  if (parts[0] === 'channels') {
    if (parts[1] && parts[2] === 'edit') {
      return { view: 'channel', channelId: decodeURIComponent(parts[1]), params };
    }
    if (parts[1] === 'new' && !parts[2]) return { view: 'channel', params };
    if (parts[1] && parts[2] === 'best-times') {
      return { view: 'best-times', channelId: decodeURIComponent(parts[1]), params };
    }
    if (parts[1] && parts[2] === 'connect' && parts[3]) {
      return {
        view: 'connect-choice',
        channelId: decodeURIComponent(parts[1]),
        choiceId: decodeURIComponent(parts[3]),
        params,
      };
    }
    return { view: 'channels', params };
  }
  return { view: 'queue', params };
}

export function routeHref(path: string, params?: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value) query.set(name, value);
  }
  const search = query.toString();
  return `#${path}${search ? `?${search}` : ''}`;
}

export const articleHref = (articleId: string) => `#/articles/${encodeURIComponent(articleId)}`;

export const bestTimesHref = (channelId: string) =>
  `#/channels/${encodeURIComponent(channelId)}/best-times`;

export const channelHref = (channelId?: string) =>
  channelId ? `#/channels/${encodeURIComponent(channelId)}/edit` : '#/channels/new';
