/** Which networks have a composer, and the composer for each. */
import { PLATFORMS, type Platform } from '../domain/platform';
import { composeBluesky } from './bluesky/composer';
import { composeFacebook } from './facebook/composer';
import { composeInstagram } from './instagram/composer';
import { composeLinkedIn } from './linkedin/composer';
import { composeMastodon } from './mastodon/composer';
import { composeTelegram } from './telegram/composer';
import { composeThreads } from './threads/composer';
import type { Composer } from './types';
import { composeX } from './x/composer';

const COMPOSERS: Partial<Record<Platform, Composer>> = {
  x: composeX,
  bluesky: composeBluesky,
  mastodon: composeMastodon,
  threads: composeThreads,
  linkedin: composeLinkedIn,
  facebook: composeFacebook,
  instagram: composeInstagram,
  telegram: composeTelegram,
};

/** The networks Crier can compose for, in the order PLATFORMS names them. */
export const SUPPORTED_PLATFORMS: readonly Platform[] = PLATFORMS.filter((p) => COMPOSERS[p]);

/** The composer for `platform`, or undefined where Crier has none yet. */
export function composerFor(platform: Platform): Composer | undefined {
  return COMPOSERS[platform];
}
