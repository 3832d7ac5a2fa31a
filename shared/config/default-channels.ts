/**
 * The built-in local configuration: one sandbox channel per network, each `asap`, with
 * no approval, so the sample article goes straight out everywhere.
 */
import type { ChannelInput, Site } from '../domain/channel';

export const DEFAULT_SITE: Site = {
  name: 'Newsroom',
  brand: { background: '#111827', foreground: '#ffffff', accent: '#e11d48' },
};

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
    // The sandbox's reads cost nothing, but a real X channel's do: the budget shows how.
    metrics: { enabled: true, monthlyReads: 10_000 },
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
  {
    id: 'threads-newsroom',
    platform: 'threads',
    name: 'Newsroom on Threads (sandbox)',
    account: 'newsroom',
    template: '{title}\n\n{summary}\n\n{url}',
    hashtags: { max: 1 },
    utm,
  },
  {
    id: 'linkedin-newsroom',
    platform: 'linkedin',
    name: 'Newsroom on LinkedIn (sandbox)',
    account: 'Newsroom',
    template: '{title}\n\n{summary}\n\n{hashtags}',
    hashtags: { max: 3 },
    utm,
  },
  {
    id: 'facebook-newsroom',
    platform: 'facebook',
    name: 'Newsroom on Facebook (sandbox)',
    account: 'Newsroom',
    template: '{title}\n\n{summary}',
    hashtags: { max: 0 },
    utm,
  },
  {
    id: 'instagram-newsroom',
    platform: 'instagram',
    name: 'Newsroom on Instagram (sandbox)',
    account: 'newsroom',
    // Instagram shows the caption under the photo: the photo's credit belongs there.
    template:
      '{title}\n\n{summary}\n\nRead it at the link in our bio.\n\nPhoto: {imageCredit}\n\n{hashtags}',
    hashtags: { max: 10 },
    utm,
  },
  {
    id: 'telegram-newsroom',
    platform: 'telegram',
    name: 'Newsroom on Telegram (sandbox)',
    account: '@newsroom',
    // Sent as a photo, the text is the caption under it: the credit goes with it.
    template: '{title}\n\n{summary}\n\nPhoto: {imageCredit}\n\n{url}',
    hashtags: { max: 2 },
    utm,
  },
];
