/**
 * The channel directory as each function sees it: read whole at most once per TTL (60 s
 * by default) and kept, so a change made through the CLI or the editor API reaches every
 * function within a minute, without a restart, for one query a minute per function.
 */
import {
  type ChannelDirectory,
  type ChannelStatus,
  type DirectoryChannel,
  type DirectorySite,
  effectiveStatus,
} from '../domain/channel-directory';
import type { Clock } from '../domain/ports';

export const DEFAULT_DIRECTORY_TTL_SECONDS = 60;

/** Every site, and every channel archived ones included, as read at `readAt`. */
export type DirectorySnapshot = {
  sites: DirectorySite[];
  channels: DirectoryChannel[];
  readAt: Date;
};

export class CachedDirectory {
  private current: { snapshot: DirectorySnapshot; until: number } | undefined;
  private reading: Promise<DirectorySnapshot> | undefined;
  private readonly ttlMs: number;

  constructor(
    private readonly directory: Pick<ChannelDirectory, 'listSites' | 'listChannels'>,
    private readonly clock: Clock,
    options: { ttlSeconds?: number } = {},
  ) {
    const ttl = options.ttlSeconds ?? DEFAULT_DIRECTORY_TTL_SECONDS;
    if (!(ttl >= 0)) throw new Error(`The directory's TTL must be 0 s or more, not ${ttl}`);
    this.ttlMs = ttl * 1000;
  }

  /**
   * The directory as last read, or read now if that was `ttlSeconds` ago or more. Callers
   * at the same time share one read; a failed read is not kept, the next call tries again.
   */
  async snapshot(): Promise<DirectorySnapshot> {
    const now = this.clock.now().getTime();
    if (this.current && now < this.current.until) return this.current.snapshot;
    this.reading ??= this.read(now).finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /** The channels that post now: neither paused (by themselves or their site) nor archived. */
  async activeChannels(siteId?: string): Promise<DirectoryChannel[]> {
    const { sites, channels } = await this.snapshot();
    const siteOf = new Map(sites.map((site) => [site.id, site]));
    return channels.filter(
      (channel) =>
        (siteId === undefined || channel.siteId === siteId) &&
        effectiveStatus(channel, siteOf.get(channel.siteId)) === 'active',
    );
  }

  /** Forgets the snapshot: the next call reads the table (after a change this process made). */
  invalidate(): void {
    this.current = undefined;
  }

  private async read(now: number): Promise<DirectorySnapshot> {
    const [sites, channels] = await Promise.all([
      this.directory.listSites(),
      this.directory.listChannels({ includeArchived: true }),
    ]);
    const snapshot = { sites, channels, readAt: new Date(now) };
    this.current = { snapshot, until: now + this.ttlMs };
    return snapshot;
  }
}

/**
 * What the handlers read of one snapshot (docs/configuring.md, "Pausing and archiving"):
 * `all` for a post already made (withdraw, edit, reconcile, the CMS's notification),
 * archived channels included; `open` for new articles, active and paused channels (a
 * paused channel's shares are made, and wait at the claim until it is resumed);
 * `statusOf` the channel's effective status; `siteOf` a site's settings.
 */
export type LiveChannels = {
  all: DirectoryChannel[];
  open: DirectoryChannel[];
  statusOf(channelId: string): ChannelStatus | undefined;
  siteOf(siteId: string): DirectorySite | undefined;
};

export function liveChannels(
  snapshot: Pick<DirectorySnapshot, 'sites' | 'channels'>,
): LiveChannels {
  const sites = new Map(snapshot.sites.map((site) => [site.id, site]));
  const status = new Map(
    snapshot.channels.map((channel) => [
      channel.id,
      effectiveStatus(channel, sites.get(channel.siteId)),
    ]),
  );
  return {
    all: snapshot.channels,
    open: snapshot.channels.filter((channel) => status.get(channel.id) !== 'archived'),
    statusOf: (channelId) => status.get(channelId),
    siteOf: (siteId) => sites.get(siteId),
  };
}
