/** The network client for each platform that has one. */
import type { Platform } from '../domain/platform';
import { blueskyClient } from './bluesky/client';
import type { NetworkClient } from './client';
import { facebookClient } from './facebook/client';
import { linkedinClient } from './linkedin/client';
import { mastodonClient } from './mastodon/client';
import { telegramClient } from './telegram/client';
import { xClient } from './x/client';

const CLIENTS: Partial<Record<Platform, NetworkClient>> = {
  x: xClient,
  bluesky: blueskyClient,
  mastodon: mastodonClient,
  linkedin: linkedinClient,
  facebook: facebookClient,
  telegram: telegramClient,
};

export function clientFor(platform: Platform): NetworkClient | undefined {
  return CLIENTS[platform];
}
