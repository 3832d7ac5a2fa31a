/**
 * What the publish step needs and what it returns: types only, read by each module of
 * the step and by announce-published.ts, so no module imports another for a type.
 */
import type { PublishingConfig } from '../../config/publishing';
import type { Channel, Site } from '../../domain/channel';
import type { ChannelStatus } from '../../domain/channel-directory';
import type { NotificationStore } from '../../domain/notification';
import type {
  ArticleStore,
  ChannelStateStore,
  Clock,
  CredentialsProvider,
  MediaKeeper,
  PublishQueue,
  ShareStore,
} from '../../domain/ports';
import type { Share } from '../../domain/share';
import type { SyndicationQueue } from '../../domain/syndication';
import type { ClientCall, NetworkClient } from '../../platforms/client';
import type { SessionGate } from '../session-gate';
import type { TokenKeeper } from '../token-keeper';

export type PublishShareDeps = {
  shares: ShareStore;
  articles: ArticleStore;
  channelState: ChannelStateStore;
  credentials: CredentialsProvider;
  publishQueue: PublishQueue;
  /** every channel, archived ones included (a past post is still withdrawn or edited) */
  channels: readonly Channel[];
  /**
   * The channel's effective status (the channel directory): a paused channel's share
   * waits, an archived one's is cancelled. Absent, or for a channel it does not know:
   * active.
   */
  statusOf?: (channelId: string) => ChannelStatus | undefined;
  /** the network's client, which may be loaded on first use */
  clientFor: (
    platform: Share['platform'],
  ) => NetworkClient | undefined | Promise<NetworkClient | undefined>;
  clock: Clock;
  config: PublishingConfig;
  random?: () => number;
  /** where a published share is announced for the CMS (syndication); none: not announced */
  syndication?: SyndicationQueue;
  /**
   * Runs once a share is recorded published, and again for any later message about it, so
   * a failure here retries the message until it succeeds (the next evergreen round).
   */
  afterPublished?: (share: Share) => Promise<unknown>;
  /** the newsroom, for `{site}` in a channel's `withdrawnText` */
  site?: Site;
  /** the editors' outbox: a failed or parked share is recorded there; none: not told */
  notifications?: NotificationStore;
  /** keeps OAuth tokens alive (token-keeper.ts); none: credentials are used as read */
  tokens?: Pick<TokenKeeper, 'fresh'>;
  /** one password login at a time per channel (Bluesky); none: each call logs in alone */
  sessions?: Pick<SessionGate, 'for'>;
  /**
   * The media bucket (media.ts): each stored image checked at the claim and made again
   * where it is gone, and presigned links made right before the network fetches; none:
   * images go out as stored.
   */
  media?: MediaKeeper;
  /**
   * Waits `ms` (under a second): a message that came before its share's dueAt is held
   * until then. None: such a share is posted at once, up to a second early.
   */
  wait?: (ms: number) => Promise<void>;
};

export type PublishResult =
  | {
      outcome:
        | 'published'
        | 'failed'
        | 'deferred'
        | 'unknown'
        | 'cancelled'
        | 'parked'
        | 'withdrawn'
        | 'refused'
        | 'corrected';
      share: Share;
      /** why the network refused the post, where it did: `auth` is the operators' to fix */
      refusal?: 'auth' | 'rejected';
    }
  | { outcome: 'early' | 'skipped'; reason: string };

/** What a post's outcome made of the share; `thread`: recorded, and more posts to make. */
export type Recorded = PublishResult | { outcome: 'thread'; share: Share };

/** What every call of one claim shares: the client, the channel's account and credentials. */
export type Posting = {
  client: NetworkClient;
  channelId: string;
  call: Omit<ClientCall, 'share' | 'timeoutMs'>;
  /** when this claim's calls must be over (ms since the epoch) */
  endsAt: number;
};
