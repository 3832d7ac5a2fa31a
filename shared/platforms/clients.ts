/** The network client for each platform that has one. */
import type { Platform } from '../domain/platform';
import { getMedia } from '../store/media-store';
import { createBlueskyClient } from './bluesky/client';
import type { NetworkClient } from './client';
import { facebookClient } from './facebook/client';
import { instagramClient } from './instagram/client';
import { createLinkedInClient } from './linkedin/client';
import { mastodonClient } from './mastodon/client';
import { telegramClient } from './telegram/client';
import { threadsClient } from './threads/client';
import type { LinkCard } from './types';
import { xClient } from './x/client';

/**
 * The card thumbnail Crier stored when it composed the share (`s3://` in the media
 * bucket, already sized for the network). A card that names any other URL goes out
 * without a thumbnail: a client never fetches the article's own image.
 */
async function storedThumbnail(
  card: LinkCard,
): Promise<{ bytes: Uint8Array; mimeType: string } | undefined> {
  if (!card.imageUrl?.startsWith('s3://')) return undefined;
  return getMedia(card.imageUrl);
}

const CLIENTS: Partial<Record<Platform, NetworkClient>> = {
  x: xClient,
  bluesky: createBlueskyClient({ thumbnail: storedThumbnail }),
  mastodon: mastodonClient,
  threads: threadsClient,
  linkedin: createLinkedInClient({ thumbnail: storedThumbnail }),
  facebook: facebookClient,
  instagram: instagramClient,
  telegram: telegramClient,
};

export function clientFor(platform: Platform): NetworkClient | undefined {
  return CLIENTS[platform];
}
