/**
 * The network client for each platform that has one. Each network's client, and the
 * library it posts through, is loaded when a share for that network is first handled,
 * not with the function: a publisher that only ever posts to Mastodon never loads the
 * Bluesky, X or Telegram libraries.
 */
import type { Platform } from '../domain/platform';
import { getMedia } from '../store/media-store';
import type { NetworkClient } from './client';
import type { LinkCard, MediaRef } from './types';

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

/** An attached image's bytes, where Crier stored it (see ImageSource). */
async function storedImage(
  ref: MediaRef,
): Promise<{ bytes: Uint8Array; mimeType: string } | undefined> {
  if (!ref.url.startsWith('s3://')) return undefined;
  return getMedia(ref.url);
}

const LOADERS: Record<Platform, () => Promise<NetworkClient>> = {
  x: async () => (await import('./x/client')).createXClient({ image: storedImage }),
  bluesky: async () =>
    (await import('./bluesky/client')).createBlueskyClient({ thumbnail: storedThumbnail }),
  mastodon: async () =>
    (await import('./mastodon/client')).createMastodonClient({ image: storedImage }),
  threads: async () => (await import('./threads/client')).threadsClient,
  linkedin: async () =>
    (await import('./linkedin/client')).createLinkedInClient({ thumbnail: storedThumbnail }),
  facebook: async () => (await import('./facebook/client')).facebookClient,
  instagram: async () => (await import('./instagram/client')).instagramClient,
  telegram: async () => (await import('./telegram/client')).telegramClient,
};

/** One client per platform and process, made on first use; a failed load is tried again. */
const loaded = new Map<Platform, Promise<NetworkClient>>();

export async function clientFor(platform: Platform): Promise<NetworkClient | undefined> {
  const load = LOADERS[platform];
  if (!load) return undefined;
  let client = loaded.get(platform);
  if (!client) {
    client = load();
    loaded.set(platform, client);
    client.catch(() => loaded.delete(platform));
  }
  return client;
}
