import { createHash, randomUUID } from 'node:crypto';
import { type ArticleSource, DEFAULT_SITE_ID } from './article';

/**
 * An article is known by its source and its id there, so the same article sent twice,
 * under any delivery id, lands on the same record; and, for a site other than the
 * default, by its site too: two sites' CMSs number their posts alike (WordPress counts
 * from 1). The default site's ids are what they always were.
 */
export function articleIdFor(source: ArticleSource, sourceId: string, siteId?: string): string {
  const key =
    siteId && siteId !== DEFAULT_SITE_ID
      ? `${source}\u0000${sourceId}\u0000${siteId}`
      : `${source}\u0000${sourceId}`;
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/**
 * A desk post's id, marked as the desk's: no source id to hash, so a random one, or, when
 * the request names its own `idempotencyKey`, one made from it and the site, so the same
 * request sent again (its answer lost) names the same post instead of making a second.
 */
export const deskPostId = (request?: { siteId: string; idempotencyKey: string }): string =>
  request
    ? `desk-${createHash('sha256').update(`desk\u0000${request.siteId}\u0000${request.idempotencyKey}`).digest('hex').slice(0, 32)}`
    : `desk-${randomUUID().replaceAll('-', '')}`;

/** Whether an article id is a desk post's (deskPostId). */
export const isDeskPostId = (articleId: string): boolean => articleId.startsWith('desk-');

/** What articleIdFor and deskPostId make: every queue message names its article by one. */
export const ARTICLE_ID_PATTERN = /^(?:desk-)?[0-9a-f]{32}$/;
