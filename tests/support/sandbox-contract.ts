/**
 * What every sandbox network's test shares: the sample article as a claimed share (each
 * with an article URL of its own), a running sandbox with its posts and fault knobs, and
 * the per-network table the contract suite (tests/integration/sandbox/contract.test.ts)
 * runs the same behaviours over: each fault as the network's client maps it.
 */
import { readFileSync } from 'node:fs';
import { TID } from '@atproto/common-web';
import { expect } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../infra/local/logger';
import { blueskySandbox } from '../../infra/local/sandbox/bluesky';
import { launchFacebookSandbox } from '../../infra/local/sandbox/facebook';
import { FaultInjector } from '../../infra/local/sandbox/faults';
import { launchInstagramSandbox } from '../../infra/local/sandbox/instagram';
import { launchLinkedInSandbox } from '../../infra/local/sandbox/linkedin';
import { launchMastodonSandbox } from '../../infra/local/sandbox/mastodon';
import { type SandboxPost, SandboxPosts } from '../../infra/local/sandbox/posts';
import { launchTelegramSandbox } from '../../infra/local/sandbox/telegram';
import { launchThreadsSandbox } from '../../infra/local/sandbox/threads';
import type { RunningSandbox, SandboxContext } from '../../infra/local/sandbox/types';
import { startXSandbox } from '../../infra/local/sandbox/x';
import { DEFAULT_CHANNELS } from '../../shared/config/default-channels';
import { parseGenericArticle } from '../../shared/domain/article';
import { channelSchema } from '../../shared/domain/channel';
import type { Platform } from '../../shared/domain/platform';
import type { Share } from '../../shared/domain/share';
import { blueskyClient } from '../../shared/platforms/bluesky/client';
import type { ClientCall, NetworkClient, PublishOutcome } from '../../shared/platforms/client';
import { facebookClient } from '../../shared/platforms/facebook/client';
import { composeFacebook } from '../../shared/platforms/facebook/composer';
import { instagramClient } from '../../shared/platforms/instagram/client';
import { composeInstagram } from '../../shared/platforms/instagram/composer';
import { linkedinClient } from '../../shared/platforms/linkedin/client';
import { composeLinkedIn } from '../../shared/platforms/linkedin/composer';
import { mastodonClient } from '../../shared/platforms/mastodon/client';
import { telegramClient } from '../../shared/platforms/telegram/client';
import { composeTelegram } from '../../shared/platforms/telegram/composer';
import { threadsClient } from '../../shared/platforms/threads/client';
import { composeThreads } from '../../shared/platforms/threads/composer';
import type { Composer } from '../../shared/platforms/types';
import { xClient } from '../../shared/platforms/x/client';
import { newShare } from '../../shared/usecases/compose-article';

export const HOUR = 3_600_000;

export const quietLog = () => createLogger({ quiet: true });

const fixture = z
  .looseObject({ id: z.string(), url: z.string(), title: z.string() })
  .parse(
    JSON.parse(
      readFileSync(
        new URL('../../tests/fixtures/webhooks/generic-article.json', import.meta.url),
        'utf8',
      ),
    ),
  );

let articles = 0;

export type ShareOptions = {
  /** how long ago the publisher first claimed it */
  claimedAgoMs?: number;
  /** the sample article as it is, without a URL and headline of its own */
  pristine?: boolean;
  /** fields of the article to change */
  patch?: Record<string, unknown>;
  /** the network's composer, where the test wants its text rather than the default one */
  compose?: Composer;
};

/**
 * A share of the sample article as compose makes it and the publisher claims it. Unless
 * pristine, each gets its own article URL and a numbered headline, so a test finds its own
 * post and no network takes it for a duplicate of another test's.
 */
export function claimedShare(platform: Platform, options: ShareOptions = {}): Share {
  articles += 1;
  const channel = channelSchema.parse(DEFAULT_CHANNELS.find((c) => c.platform === platform));
  const article = parseGenericArticle(
    options.pristine
      ? fixture
      : {
          ...fixture,
          id: `${fixture.id}-${articles}`,
          url: fixture.url.replace(/\/$/, `-${articles}/`),
          title: `${fixture.title} (${articles})`,
          ...options.patch,
        },
  );
  const now = new Date();
  const record = {
    articleId: `art-${articles}`,
    article,
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const { lastError: _notComposed, ...share } = newShare(record, channel, now);
  const post = options.compose?.(article, channel);
  return {
    ...share,
    ...(post
      ? {
          text: post.text,
          url: post.url,
          hashtags: post.hashtags,
          card: post.card,
          media: post.media,
          language: post.language,
          length: post.length,
        }
      : {}),
    status: 'publishing',
    firstClaimedAt: new Date(now.getTime() - (options.claimedAgoMs ?? 0)).toISOString(),
  };
}

export function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  const [item] = items;
  if (item === undefined) throw new Error('expected one item');
  return item;
}

export function expectKind<K extends PublishOutcome['kind']>(
  outcome: PublishOutcome,
  kind: K,
): Extract<PublishOutcome, { kind: K }> {
  expect(outcome).toMatchObject({ kind });
  if (outcome.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<PublishOutcome, { kind: K }>;
}

/** How many TCP listeners the process holds. */
export const tcpServers = () =>
  process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

/** A running sandbox with its own record of posts and fault knobs (`resetSeconds` 1). */
export type Harness<S extends RunningSandbox = RunningSandbox> = {
  sandbox: S;
  posts: SandboxPosts;
  faults: FaultInjector;
  /** a call of `share` as the publisher makes it against this sandbox */
  call(share: Share, overrides?: Partial<ClientCall>): ClientCall;
};

export async function startHarness<S extends RunningSandbox>(
  start: (context: SandboxContext) => Promise<S>,
  faultSpec?: string,
): Promise<Harness<S>> {
  const posts = new SandboxPosts();
  const faults = new FaultInjector(faultSpec, 1);
  const sandbox = await start({ posts, faults, log: quietLog() });
  return {
    sandbox,
    posts,
    faults,
    call: (share, overrides = {}) => ({
      share,
      account: sandbox.account,
      credentials: sandbox.credentials,
      timeoutMs: 5_000,
      ...overrides,
    }),
  };
}

/** What the contract suite needs to know of one network. */
export type NetworkContract = {
  name: string;
  platform: Platform;
  start(context: SandboxContext): Promise<RunningSandbox>;
  client: NetworkClient;
  share(): Share;
  /** the posts of `share` among those the sandbox recorded */
  postsOf(posts: SandboxPost[], share: Share): SandboxPost[];
  /** Meta: the container made first, so that a fault plays on the publish step */
  ready?(client: NetworkClient, call: ClientCall): Promise<Share>;
  /** what the client's message says of a 5xx before the commit, where it says it */
  serverError?(status: string): string;
  /** the faults before the commit the contract plays (default 500, 502, 503) */
  refusals?: readonly string[];
  /** after a refusal: reconcile says absent, and (Meta) the same share then posts once */
  afterRefusal?: { absent: boolean; postsOnce?: boolean };
  /** after a commit whose answer was lost, what reconcile answers */
  lost: 'found' | { unsure: string };
  /** the public URL of a post, where the network's test pins it */
  publicUrl?(remoteId: string): string;
  /** the timeout test: the client's timeoutMs, and the most the call may take */
  timeout: { ms: number; withinMs: number; says: boolean };
  /** how a client meets a stopped sandbox: retry, and reconcile unsure (with its reason) */
  unreachable?: {
    said?: string;
    reasonSays?: boolean;
    /** Telegram: a post first, so that a kept-alive socket could be reused */
    warmUp?: boolean;
    /** Meta: prepare answers retry too */
    prepare?: boolean;
  };
};

const byText = (posts: SandboxPost[], share: Share) => posts.filter((p) => p.text === share.text);
const byCard = (posts: SandboxPost[], share: Share) =>
  posts.filter((p) => p.card?.url === share.url);
const byUrl = (posts: SandboxPost[], share: Share) =>
  posts.filter((p) => p.text.includes(share.url));

async function prepared(client: NetworkClient, call: ClientCall): Promise<Share> {
  const outcome = await client.prepare?.(call);
  if (outcome?.kind !== 'prepared') throw new Error(`not prepared: ${JSON.stringify(outcome)}`);
  return { ...call.share, preparedId: outcome.preparedId };
}

const META: Pick<
  NetworkContract,
  'refusals' | 'afterRefusal' | 'lost' | 'timeout' | 'unreachable' | 'ready'
> = {
  refusals: ['500', '502', '503', 'reset'],
  afterRefusal: { absent: true, postsOnce: true },
  lost: 'found',
  timeout: { ms: 1_000, withinMs: 20_000, says: true },
  unreachable: { prepare: true },
  ready: prepared,
};

export const NETWORKS: NetworkContract[] = [
  {
    name: 'X',
    platform: 'x',
    start: startXSandbox,
    client: xClient,
    share: () => claimedShare('x'),
    postsOf: (posts, share) => byText(posts, share).filter((p) => p.platform === 'x'),
    serverError: (status) => `X answered ${status}`,
    afterRefusal: { absent: true },
    lost: 'found',
    publicUrl: (id) => `https://x.com/newsroom/status/${id}`,
    timeout: { ms: 1_000, withinMs: 1_500, says: true },
  },
  {
    name: 'Bluesky',
    platform: 'bluesky',
    start: blueskySandbox(),
    client: blueskyClient,
    share: () => ({ ...claimedShare('bluesky'), remoteKey: TID.nextStr() }),
    postsOf: (posts, share) =>
      posts.filter((p) => p.remoteId.endsWith(`/app.bsky.feed.post/${share.remoteKey}`)),
    serverError: (status) => status,
    afterRefusal: { absent: true },
    lost: 'found',
    timeout: { ms: 1_500, withinMs: 2_500, says: false },
  },
  {
    name: 'Mastodon',
    platform: 'mastodon',
    start: (context) => launchMastodonSandbox(context),
    client: mastodonClient,
    share: () => claimedShare('mastodon'),
    postsOf: byUrl,
    lost: 'found',
    timeout: { ms: 1_000, withinMs: 20_000, says: true },
    unreachable: {},
  },
  {
    name: 'Threads',
    platform: 'threads',
    start: (context) => launchThreadsSandbox(context),
    client: threadsClient,
    share: () => claimedShare('threads', { compose: composeThreads }),
    postsOf: (posts, share) => byText(posts, share).filter((p) => p.platform === 'threads'),
    ...META,
  },
  {
    name: 'LinkedIn',
    platform: 'linkedin',
    start: (context) => launchLinkedInSandbox(context),
    client: linkedinClient,
    share: () => claimedShare('linkedin', { compose: composeLinkedIn }),
    postsOf: byCard,
    serverError: (status) => `LinkedIn answered ${status}`,
    afterRefusal: { absent: true },
    lost: 'found',
    timeout: { ms: 1_000, withinMs: 2_000, says: true },
    unreachable: { reasonSays: true },
  },
  {
    name: 'Facebook Page',
    platform: 'facebook',
    start: (context) => launchFacebookSandbox(context),
    client: facebookClient,
    share: () => claimedShare('facebook', { compose: composeFacebook }),
    postsOf: byCard,
    serverError: (status) => `Facebook answered ${status}`,
    afterRefusal: { absent: true },
    lost: 'found',
    timeout: { ms: 1_000, withinMs: 2_000, says: true },
    unreachable: { reasonSays: true },
  },
  {
    name: 'Instagram',
    platform: 'instagram',
    start: (context) => launchInstagramSandbox(context),
    client: instagramClient,
    share: () => claimedShare('instagram', { compose: composeInstagram }),
    postsOf: (posts, share) => byText(posts, share).filter((p) => p.platform === 'instagram'),
    ...META,
  },
  {
    name: 'Telegram',
    platform: 'telegram',
    start: (context) => launchTelegramSandbox(context),
    client: telegramClient,
    share: () => claimedShare('telegram', { compose: composeTelegram }),
    postsOf: byUrl,
    serverError: (status) =>
      ({
        '500': 'Telegram answered 500 to sendPhoto: Internal Server Error',
        '502': 'Telegram answered 502 to sendPhoto: Bad Gateway',
        '503': "Telegram's answer to sendPhoto was not JSON (a proxy's error page)",
      })[status] ?? status,
    lost: { unsure: 'look in https://t.me/newsroom' },
    timeout: { ms: 1_000, withinMs: 20_000, says: true },
    unreachable: {
      said: 'Could not reach Telegram (ECONNREFUSED); nothing was sent',
      warmUp: true,
    },
  },
];
