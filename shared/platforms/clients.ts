/** The network client for each platform that has one. */
import type { Platform } from '../domain/platform';
import { blueskyClient } from './bluesky/client';
import type { NetworkClient } from './client';
import { facebookClient } from './facebook/client';
import { instagramClient } from './instagram/client';
import { linkedinClient } from './linkedin/client';
import { mastodonClient } from './mastodon/client';
import { telegramClient } from './telegram/client';
import { threadsClient } from './threads/client';
import { xClient } from './x/client';

const CLIENTS: Partial<Record<Platform, NetworkClient>> = {
  x: xClient,
  bluesky: blueskyClient,
  mastodon: mastodonClient,
  threads: threadsClient,
  linkedin: linkedinClient,
  facebook: facebookClient,
  instagram: instagramClient,
  telegram: telegramClient,
};

export function clientFor(platform: Platform): NetworkClient | undefined {
  return CLIENTS[platform];
}
