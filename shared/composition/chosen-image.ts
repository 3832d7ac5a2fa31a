/**
 * The editor API's image maker for a share's chosen image, apart from index.ts: sharp,
 * resvg and satori are loaded by the first PATCH that chooses an image, not at cold start.
 */
import { dirname } from 'node:path';
import type { ChosenImageInput } from '../preview/chosen-image';
import type { PlatformMedia } from '../preview/media';
import { mediaStore } from '../store/media-store';
import { uploadStore } from '../store/upload-store';
import { channelsConfigPath, clock } from './index';
import { safeFetch } from './network';

export async function chooseImage(input: ChosenImageInput): Promise<PlatformMedia> {
  const { makeChosenImage } = await import('../preview/chosen-image');
  const path = channelsConfigPath();
  return makeChosenImage(input, {
    safeFetch: safeFetch(),
    store: mediaStore(),
    uploads: uploadStore(),
    now: () => clock.now(),
    // A logo path in the site's brand is relative to the config file it was imported from.
    ...(path ? { card: { baseDir: dirname(path) } } : {}),
  });
}
