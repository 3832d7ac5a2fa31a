/**
 * What every sandbox network's test shares: the sample article as a claimed share (each
 * with an article URL of its own), a running sandbox with its posts and fault knobs, and
 * the per-network table the contract suite (tests/integration/sandbox/contract.test.ts)
 * runs the same behaviours over: each fault as the network's client maps it.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { TID } from '@atproto/common-web';
import { expect } from 'vitest';
import * as z from 'zod';
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
import { parseGenericArticle } from '../../shared/domain/article-payload';
import { channelSchema } from '../../shared/domain/channel';
import type { Platform } from '../../shared/domain/platform';
import type { Share } from '../../shared/domain/share';
import { blueskyClient } from '../../shared/platforms/bluesky/client';
import type { ClientCall, NetworkClient, PublishOutcome } from '../../shared/platforms/client';
import { facebookClient, facebookCredentialsSchema } from '../../shared/platforms/facebook/client';
import { composeFacebook } from '../../shared/platforms/facebook/composer';
import {
  instagramClient,
  instagramCredentialsSchema,
} from '../../shared/platforms/instagram/client';
import { composeInstagram } from '../../shared/platforms/instagram/composer';
import { linkedinClient, linkedinCredentialsSchema } from '../../shared/platforms/linkedin/client';
import { composeLinkedIn } from '../../shared/platforms/linkedin/composer';
import { mastodonClient, mastodonCredentialsSchema } from '../../shared/platforms/mastodon/client';
import { telegramClient, telegramCredentialsSchema } from '../../shared/platforms/telegram/client';
import { composeTelegram } from '../../shared/platforms/telegram/composer';
import { threadsClient, threadsCredentialsSchema } from '../../shared/platforms/threads/client';
import { composeThreads } from '../../shared/platforms/threads/composer';
import type { Composer } from '../../shared/platforms/types';
import { xClient } from '../../shared/platforms/x/client';
import { newShare } from '../../shared/usecases/compose-article';

export const HOUR = 3_600_000;

export const quietLog = () => createLogger({ quiet: true });

/** The sample article of tests/fixtures/webhooks/generic-article.json. */
export const sampleArticle = z
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
      ? sampleArticle
      : {
          ...sampleArticle,
          id: `${sampleArticle.id}-${articles}`,
          url: sampleArticle.url.replace(/\/$/, `-${articles}/`),
          title: `${sampleArticle.title} (${articles})`,
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
    // The record key Bluesky's first claim sets, before anything is sent.
    ...(platform === 'bluesky' ? { remoteKey: TID.nextStr() } : {}),
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
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ kind });
  if (outcome.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<PublishOutcome, { kind: K }>;
}

/** How many TCP listeners the process holds. */
export const tcpServers = () =>
  process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

/** How many TCP handles (listeners and sockets) the process holds. */
export const tcpHandles = () =>
  process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;

/** A call of `share` as the publisher makes it against `sandbox`. */
export function callOf(
  sandbox: RunningSandbox,
  share: Share,
  overrides: Partial<ClientCall> = {},
): ClientCall {
  return {
    share,
    account: sandbox.account,
    credentials: sandbox.credentials,
    timeoutMs: 5_000,
    ...overrides,
  };
}

/** A raw Graph call (Meta), as any HTTP client would make it: the token in the form or query. */
export async function graphCall(
  base: string,
  token: string,
  method: string,
  path: string,
  params: Record<string, string> = {},
) {
  const url = new URL(path, base);
  const form = new URLSearchParams({ ...params, access_token: token });
  if (method === 'POST') {
    const response = await fetch(url, { method, body: form });
    return { status: response.status, body: z.unknown().parse(await response.json()) };
  }
  for (const [name, value] of form) url.searchParams.set(name, value);
  const response = await fetch(url, { method });
  return { status: response.status, body: z.unknown().parse(await response.json()) };
}

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
    call: (share, overrides = {}) => callOf(sandbox, share, overrides),
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
  /**
   * The `429` fault: rate until the network's reset, at least `min` ms after the call and
   * at most `max` ms after its answer (LinkedIn names none: the next midnight UTC).
   */
  rateReset: { min: number; max: number } | 'midnight';
  /** the public URL of a post, where the network's test pins it */
  publicUrl?(remoteId: string): string;
  /** the timeout test: the client's timeoutMs, and the most the call may take */
  timeout: { ms: number; withinMs: number; says: boolean };
  /**
   * A wrong secret in the credentials (`field` set to `value`): auth, with what the message
   * says (`exact`: all it says), naming neither secret; Meta's prepare says `prepare`.
   */
  wrongSecret: {
    field: string;
    value(sandbox: RunningSandbox): string;
    says: string[];
    exact?: boolean;
    prepare?: string[];
  };
  /**
   * The `auth` and `expired-token` faults: auth, with what the message says (`exact`: all
   * it says); Meta plays them on prepare too, whose message says `prepare`.
   */
  authFaults?: { auth: string[]; 'expired-token': string[]; exact?: boolean; prepare?: string };
  /**
   * stop(): a create the `timeout` fault holds, sent raw (its socket then ends ECONNRESET)
   * or by the client (which then answers unknown), on a sandbox `stopStart` launches.
   */
  hold(sandbox: RunningSandbox, client: NetworkClient, share: Share): Promise<string>;
  held: 'ECONNRESET' | 'unknown';
  stopStart?(context: SandboxContext): Promise<RunningSandbox>;
  /** how long stop() may take (default 2 s) */
  stopWithinMs?: number;
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

/** The share with the container `prepare` made for it (Meta). */
export async function prepared(client: NetworkClient, call: ClientCall): Promise<Share> {
  const outcome = await client.prepare?.(call);
  if (outcome?.kind !== 'prepared') throw new Error(`not prepared: ${JSON.stringify(outcome)}`);
  return { ...call.share, preparedId: outcome.preparedId };
}

/** A create sent raw, held by the sandbox: resolves with how its exchange ended. */
function rawCreate(url: string, headers: Record<string, string>, body: string): Promise<string> {
  const held = request(url, { method: 'POST', agent: false, headers });
  const ended = new Promise<string>((resolve) => {
    held.on('response', () => resolve('answered'));
    held.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
  held.end(body);
  return ended;
}

/** A create the client sends, held by the sandbox: resolves with the outcome's kind. */
async function clientCreate(sandbox: RunningSandbox, client: NetworkClient, share: Share) {
  const call = { share, account: sandbox.account, credentials: sandbox.credentials };
  return client.publish({ ...call, timeoutMs: 20_000 }).then((outcome) => outcome.kind);
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const HELD_TEXT = 'Held until the sandbox stops';

/** Meta: a container made (and at once FINISHED), its publish sent raw. */
async function heldPublish(
  sandbox: RunningSandbox,
  client: NetworkClient,
  share: Share,
  path: string,
  accessToken: string,
): Promise<string> {
  const call = { share, account: sandbox.account, credentials: sandbox.credentials };
  const outcome = await client.prepare?.({ ...call, timeoutMs: 5_000 });
  if (outcome?.kind !== 'prepared') throw new Error(JSON.stringify(outcome));
  const body = form({ creation_id: outcome.preparedId, access_token: accessToken });
  return rawCreate(`${sandbox.url}${path}`, FORM, body);
}

/** Meta's auth faults: Graph's 190 on prepare, and auth on publish. */
const META_AUTH: NonNullable<NetworkContract['authFaults']> = {
  auth: [],
  'expired-token': [],
  prepare: '#190/',
};

const META: Pick<
  NetworkContract,
  'refusals' | 'afterRefusal' | 'lost' | 'timeout' | 'unreachable' | 'ready' | 'held' | 'rateReset'
> = {
  refusals: ['500', '502', '503', 'reset'],
  afterRefusal: { absent: true, postsOnce: true },
  lost: 'found',
  timeout: { ms: 1_000, withinMs: 20_000, says: true },
  unreachable: { prepare: true },
  ready: prepared,
  held: 'ECONNRESET',
  rateReset: { min: 59_000, max: 61_000 },
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
    authFaults: {
      auth: ['X answered 401: Unauthorized'],
      'expired-token': ['X answered 401: Unauthorized'],
      exact: true,
    },
    hold: clientCreate,
    held: 'unknown',
    wrongSecret: { field: 'accessToken', value: () => '1234-not-the-token', says: ['401'] },
    rateReset: { min: 1_000, max: 2_000 },
  },
  {
    name: 'Bluesky',
    platform: 'bluesky',
    start: blueskySandbox(),
    client: blueskyClient,
    share: () => claimedShare('bluesky'),
    postsOf: (posts, share) =>
      posts.filter((p) => p.remoteId.endsWith(`/app.bsky.feed.post/${share.remoteKey}`)),
    serverError: (status) => status,
    afterRefusal: { absent: true },
    lost: 'found',
    timeout: { ms: 1_500, withinMs: 2_500, says: false },
    hold: clientCreate,
    stopWithinMs: 1_000,
    held: 'unknown',
    wrongSecret: {
      field: 'password',
      value: () => 'wrng-pass-word-abcd',
      says: ['Invalid identifier or password'],
    },
    rateReset: { min: 1_000, max: 2_100 },
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
    authFaults: {
      auth: ['Mastodon answered 401: The access token is invalid'],
      'expired-token': ['Mastodon answered 401: The access token is invalid'],
      exact: true,
    },
    hold: (sandbox) => {
      const { accessToken } = mastodonCredentialsSchema.parse(sandbox.credentials);
      const headers = {
        Authorization: `Bearer ${accessToken}`,
        'Content-Type': 'application/json',
      };
      return rawCreate(
        `${sandbox.url}/api/v1/statuses`,
        headers,
        JSON.stringify({ status: HELD_TEXT }),
      );
    },
    held: 'ECONNRESET',
    wrongSecret: {
      field: 'accessToken',
      value: () => 'not-the-token-0123456789',
      says: ['401', 'The access token is invalid'],
    },
    rateReset: { min: 900, max: 1_100 },
  },
  {
    name: 'Threads',
    platform: 'threads',
    start: (context) => launchThreadsSandbox(context),
    client: threadsClient,
    share: () => claimedShare('threads', { compose: composeThreads }),
    postsOf: (posts, share) => byText(posts, share).filter((p) => p.platform === 'threads'),
    ...META,
    authFaults: {
      ...META_AUTH,
      auth: ['Error validating access token'],
      'expired-token': ['Error validating access token'],
    },
    hold: (sandbox, client, share) => {
      const { accessToken } = threadsCredentialsSchema.parse(sandbox.credentials);
      return heldPublish(sandbox, client, share, '/v1.0/me/threads_publish', accessToken);
    },
    stopStart: (context) => launchThreadsSandbox(context, { readyMs: 0 }),
    wrongSecret: {
      field: 'accessToken',
      value: () => 'THAAnot-the-token-0123456789',
      says: [],
      prepare: ['#190', 'Invalid OAuth access token'],
    },
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
    authFaults: {
      auth: [
        'LinkedIn answered 401 REVOKED_ACCESS_TOKEN: The token used in the request has been revoked by the user',
      ],
      'expired-token': [
        'LinkedIn answered 401 EXPIRED_ACCESS_TOKEN: The token used in the request has expired',
      ],
      exact: true,
    },
    hold: (sandbox) => {
      const { accessToken, author, version } = linkedinCredentialsSchema.parse(sandbox.credentials);
      const headers = {
        Authorization: `Bearer ${accessToken}`,
        'LinkedIn-Version': version,
        'X-Restli-Protocol-Version': '2.0.0',
        'Content-Type': 'application/json',
      };
      const post = {
        author,
        commentary: HELD_TEXT,
        visibility: 'PUBLIC',
        distribution: { feedDistribution: 'MAIN_FEED' },
        lifecycleState: 'PUBLISHED',
      };
      return rawCreate(`${sandbox.url}/rest/posts`, headers, JSON.stringify(post));
    },
    held: 'ECONNRESET',
    wrongSecret: {
      field: 'accessToken',
      value: () => 'AQwrongtoken0123456789',
      says: ['LinkedIn answered 401 INVALID_ACCESS_TOKEN: Invalid access token'],
      exact: true,
    },
    rateReset: 'midnight',
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
    authFaults: {
      auth: ['code 190, subcode 460', 'changed their password'],
      'expired-token': ['code 190, subcode 463', 'Session has expired'],
    },
    hold: (sandbox) => {
      const { pageId, pageAccessToken, apiVersion } = facebookCredentialsSchema.parse(
        sandbox.credentials,
      );
      const body = form({ message: HELD_TEXT, access_token: pageAccessToken });
      return rawCreate(`${sandbox.url}/${apiVersion}/${pageId}/feed`, FORM, body);
    },
    held: 'ECONNRESET',
    wrongSecret: {
      field: 'pageAccessToken',
      value: () => 'EAAGwrongtoken0123456789',
      says: [
        'Facebook answered 400 (OAuthException, code 190): Invalid OAuth access token - Cannot parse access token',
      ],
      exact: true,
    },
    rateReset: { min: 60_000, max: 60_000 },
  },
  {
    name: 'Instagram',
    platform: 'instagram',
    start: (context) => launchInstagramSandbox(context),
    client: instagramClient,
    share: () => claimedShare('instagram', { compose: composeInstagram }),
    postsOf: (posts, share) => byText(posts, share).filter((p) => p.platform === 'instagram'),
    ...META,
    authFaults: META_AUTH,
    hold: (sandbox, client, share) => {
      const { accessToken, userId } = instagramCredentialsSchema.parse(sandbox.credentials);
      return heldPublish(sandbox, client, share, `/v25.0/${userId}/media_publish`, accessToken);
    },
    stopStart: (context) => launchInstagramSandbox(context, { readyMs: 0 }),
    wrongSecret: {
      field: 'accessToken',
      value: () => 'IGAAnot-the-token-0123456789',
      says: ['#190'],
    },
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
    authFaults: {
      auth: ['Telegram answered 401 to sendPhoto: Unauthorized'],
      'expired-token': ['Telegram answered 401 to sendPhoto: Unauthorized'],
      exact: true,
    },
    hold: (sandbox) => {
      const { botToken } = telegramCredentialsSchema.parse(sandbox.credentials);
      const body = JSON.stringify({ chat_id: '@newsroom', text: HELD_TEXT });
      return rawCreate(
        `${sandbox.url}/bot${botToken}/sendMessage`,
        { 'Content-Type': 'application/json' },
        body,
      );
    },
    held: 'ECONNRESET',
    wrongSecret: {
      field: 'botToken',
      value: (sandbox) =>
        `${String(sandbox.credentials.botToken).split(':')[0]}:AAwrongwrongwrongwrongwrongwrongwro`,
      says: ['Telegram answered 401 to sendPhoto: Unauthorized'],
      exact: true,
    },
    rateReset: { min: 1_000, max: 1_100 },
  },
];
