/**
 * The link previews, share cards and processed images, apart from index.ts: sharp,
 * resvg and satori go only into the bundle of the function that draws them.
 */
import { dirname } from 'node:path';
import { createEnricher } from '../preview/enrich';
import { mediaStore } from '../store/media-store';
import { channelsConfig, channelsConfigPath, clock, once, previewStore } from './index';
import { safeFetch } from './network';

/** The article's page card and its processed images, once per article. */
export const enricher = once(() => {
  const path = channelsConfigPath();
  return createEnricher({
    fetch: safeFetch(),
    previews: previewStore(),
    media: mediaStore(),
    site: channelsConfig().site,
    clock,
    // A logo path in the site's brand is relative to the config file.
    baseDir: path ? dirname(path) : undefined,
  });
});
