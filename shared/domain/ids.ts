import { createHash } from 'node:crypto';
import type { ArticleSource } from './article';

/**
 * An article is known by its source and its id there, so the same article sent twice,
 * under any delivery id, lands on the same record.
 */
export function articleIdFor(source: ArticleSource, sourceId: string): string {
  return createHash('sha256').update(`${source}\u0000${sourceId}`).digest('hex').slice(0, 32);
}

/** What articleIdFor makes: every queue message names its article by one. */
export const ARTICLE_ID_PATTERN = /^[0-9a-f]{32}$/;
