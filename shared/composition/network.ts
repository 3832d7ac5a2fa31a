/**
 * The outbound fetch to public addresses (article pages, feeds, Mastodon servers), apart
 * from index.ts: undici goes only into the bundles of the functions that fetch.
 */
import type { Channel } from '../domain/channel';
import { instanceLimit } from '../platforms/mastodon/instance';
import { createSafeFetch, type SafeFetcher } from '../preview/fetch';
import { once } from './index';

/** Public addresses only, every redirect hop checked (shared/preview/fetch.ts). */
export const safeFetch = once((): SafeFetcher => createSafeFetch());

/** A network's own text limit for a channel, where the server sets it (Mastodon). */
export const serverLimit = once((): ((channel: Channel) => Promise<number | undefined>) => {
  const fetch = safeFetch();
  return (channel) =>
    channel.platform === 'mastodon'
      ? instanceLimit(channel.account, fetch)
      : Promise.resolve(undefined);
});
