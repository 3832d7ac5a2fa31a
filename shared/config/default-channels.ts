/**
 * The built-in local configuration: one sandbox channel per network Crier supports so
 * far, each `asap`, with no approval, so the sample article goes straight out.
 */
import type { ChannelInput } from '../domain/channel';

const utm = { source: '{platform}', medium: 'social', campaign: 'crier' };

export const DEFAULT_CHANNELS: ChannelInput[] = [
  {
    id: 'x-newsroom',
    platform: 'x',
    name: 'Newsroom on X (sandbox)',
    account: 'newsroom',
    template: '{title} {url} {hashtags}',
    hashtags: { max: 2 },
    utm,
  },
  {
    id: 'bluesky-newsroom',
    platform: 'bluesky',
    name: 'Newsroom on Bluesky (sandbox)',
    account: 'newsroom.bsky.social',
    template: '{title}\n\n{summary}\n\n{url}\n\n{hashtags}',
    hashtags: { max: 2 },
    utm,
  },
  {
    id: 'mastodon-newsroom',
    platform: 'mastodon',
    name: 'Newsroom on Mastodon (sandbox)',
    account: '@newsroom@mastodon.example',
    template: '{title}\n\n{summary}\n\n{url}\n\n{hashtags}',
    hashtags: { max: 3 },
    utm,
    maxCharacters: 500,
  },
];
