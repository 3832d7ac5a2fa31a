/**
 * What compose learns about an article beyond the CMS payload, once per article: the
 * page's own card (cached; offline it fails fast and the payload stands alone) and each
 * network's processed image or share card.
 */
import { type Article, siteOf } from '../domain/article';
import { type Site, siteSchema } from '../domain/channel';
import type { Platform } from '../domain/platform';
import type { Clock } from '../domain/ports';
import type { Enrichment } from '../usecases/compose-article';
import { getPreview, type PreviewStore } from './cache';
import { buildShareMedia, type ShareMediaDeps } from './media';
import type { SafeFetch } from './types';

export type EnricherDeps = {
  fetch: SafeFetch;
  previews: PreviewStore;
  media: ShareMediaDeps['store'];
  site: Site | undefined;
  /** the article's own site (the channel directory); where given, read instead of `site` */
  siteOf?: (siteId: string) => Promise<Site | undefined>;
  clock: Clock;
  /** where a logo path in the site's brand is relative to (the config file's folder) */
  baseDir?: string;
};

export function createEnricher(deps: EnricherDeps) {
  return async (article: Article, platforms: readonly Platform[]): Promise<Enrichment> => {
    // The page and the site's settings are read side by side.
    const [page, own] = await Promise.all([
      getPreview(article.url, { fetch: deps.fetch, store: deps.previews }).catch(() => undefined),
      deps.siteOf ? deps.siteOf(siteOf(article)) : deps.site,
    ]);
    const site = own ?? siteSchema.parse({ name: page?.siteName ?? new URL(article.url).hostname });
    const media = await buildShareMedia(
      { article: { ...article, imageUrl: article.imageUrl ?? page?.image }, site, platforms },
      {
        safeFetch: deps.fetch,
        store: deps.media,
        now: () => deps.clock.now(),
        ...(deps.baseDir ? { card: { baseDir: deps.baseDir } } : {}),
      },
    );
    return { page, media };
  };
}
