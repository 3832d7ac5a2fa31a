/**
 * The link previews, share cards and processed images, apart from index.ts: sharp,
 * resvg and satori go only into the bundle of the function that draws them.
 */
import { dirname } from 'node:path';
import { fileSiteOf } from '../domain/channel-directory';
import { createEnricher } from '../preview/enrich';
import { mediaStore } from '../store/media-store';
import { channelsConfigPath, clock, liveChannels, once, previewStore } from './index';
import { safeFetch } from './network';

/** The article's page card and its processed images, once per article. */
export const enricher = once(() => {
  const path = channelsConfigPath();
  return createEnricher({
    fetch: safeFetch(),
    previews: previewStore(),
    media: mediaStore(),
    site: undefined,
    // The article's site as the channel directory has it now (at most a TTL old).
    siteOf: async (siteId) => {
      const site = (await liveChannels()).siteOf(siteId);
      return site ? fileSiteOf(site) : undefined;
    },
    clock,
    // A logo path in the site's brand is relative to the config file it was imported from.
    baseDir: path ? dirname(path) : undefined,
  });
});
