/**
 * The publish step's media bucket. The image stack (sharp, resvg, satori) is imported
 * only when an image must be made again, so the publisher's cold start does not load it.
 */
import type { MediaKeeper } from '../domain/ports';
import { createMediaKeeper } from '../preview/media-keeper';
import { mediaStore } from '../store/media-store';
import { once } from './index';

export const mediaKeeper = once(
  (): MediaKeeper =>
    createMediaKeeper({
      store: mediaStore,
      remake: async (article, platform) => {
        const { enricher } = await import('./preview');
        return (await enricher()(article, [platform])).media[platform];
      },
    }),
);
