import { createHash } from 'node:crypto';
import type { ArticleSource } from './article';
import { DEFAULT_SITE_ID } from './routing';

/**
 * An article is known by its site, its source and its id there, so the same article sent
 * twice, under any delivery id, lands on the same record, and two sites' CMSs that number
 * their posts alike never share one. The default site's ids leave the site out, as they
 * did before there were sites.
 */
export function articleIdFor(source: ArticleSource, sourceId: string, siteId?: string): string {
  const key =
    siteId && siteId !== DEFAULT_SITE_ID
      ? `${source}\u0000${sourceId}\u0000${siteId}`
      : `${source}\u0000${sourceId}`;
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** What articleIdFor makes: every queue message names its article by one. */
export const ARTICLE_ID_PATTERN = /^[0-9a-f]{32}$/;
