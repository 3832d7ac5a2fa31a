/**
 * Connecting a channel through its network's OAuth consent: which networks connect this
 * way, the scopes each needs to publish, delete and read engagement, PKCE (S256), and the
 * single-use `state` that binds a consent to one channel, one admin and one verifier.
 */
import type { Platform } from './platform';

/** Networks an admin connects with Connect; Bluesky and Telegram take PUT credentials. */
export const OAUTH_PLATFORMS = [
  'x',
  'mastodon',
  'linkedin',
  'threads',
  'instagram',
  'facebook',
] as const satisfies readonly Platform[];
export type OAuthPlatform = (typeof OAUTH_PLATFORMS)[number];

export const isOAuthPlatform = (platform: string): platform is OAuthPlatform =>
  (OAUTH_PLATFORMS as readonly string[]).includes(platform);

/** Networks whose app the deployment registers once; Crier registers itself on each Mastodon instance. */
export const NETWORK_APP_PLATFORMS = OAUTH_PLATFORMS.filter(
  (platform): platform is Exclude<OAuthPlatform, 'mastodon'> => platform !== 'mastodon',
);

/**
 * What each network's token must be allowed: publish, delete or edit, read engagement, and
 * post and find a correction note (Threads' replies, Instagram's and Facebook's comments).
 */
export const CONNECT_SCOPES: Record<OAuthPlatform, readonly string[]> = {
  x: ['tweet.read', 'tweet.write', 'users.read', 'offline.access', 'media.write'],
  mastodon: ['read', 'write'],
  linkedin: [
    'w_member_social',
    'w_organization_social',
    'r_organization_social',
    // a Page post's share statistics (impressions, clicks, shares)
    'rw_organization_admin',
    'openid',
    'profile',
  ],
  threads: [
    'threads_basic',
    'threads_content_publish',
    'threads_manage_insights',
    'threads_delete',
    'threads_manage_replies',
    'threads_read_replies',
  ],
  instagram: [
    'instagram_business_basic',
    'instagram_business_content_publish',
    'instagram_business_manage_insights',
    'instagram_business_manage_comments',
  ],
  facebook: [
    'pages_manage_posts',
    'pages_read_engagement',
    'read_insights',
    'pages_show_list',
    'pages_manage_engagement',
    'pages_read_user_content',
  ],
};

/**
 * Instagram with Facebook login: Facebook's dialog, and the scopes that read the Pages,
 * their Instagram business accounts, and publish and read insights as those accounts.
 */
export const INSTAGRAM_FACEBOOK_SCOPES: readonly string[] = [
  'instagram_basic',
  'instagram_content_publish',
  'instagram_manage_insights',
  'instagram_manage_comments',
  'pages_show_list',
  'pages_read_engagement',
  'business_management',
];

/** The networks' own endpoints, where the deployment's app names none (only sandboxes do). */
export const OAUTH_ENDPOINTS: Record<
  Exclude<OAuthPlatform, 'mastodon'>,
  { authorizeUrl: string; tokenUrl: string }
> = {
  x: {
    authorizeUrl: 'https://x.com/i/oauth2/authorize',
    tokenUrl: 'https://api.x.com/2/oauth2/token',
  },
  linkedin: {
    authorizeUrl: 'https://www.linkedin.com/oauth/v2/authorization',
    tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
  },
  threads: {
    authorizeUrl: 'https://threads.net/oauth/authorize',
    tokenUrl: 'https://graph.threads.net/oauth/access_token',
  },
  instagram: {
    authorizeUrl: 'https://www.instagram.com/oauth/authorize',
    tokenUrl: 'https://api.instagram.com/oauth/access_token',
  },
  facebook: {
    authorizeUrl: 'https://www.facebook.com/v21.0/dialog/oauth',
    tokenUrl: 'https://graph.facebook.com/v21.0/oauth/access_token',
  },
};

/** A consent must come back within this long, once. */
export const STATE_TTL_MS = 10 * 60_000;

/** A consent under way, kept under its `state` until the callback takes it. */
export type ConnectState = {
  state: string;
  channelId: string;
  platform: OAuthPlatform;
  /** the admin who asked (audited as who connected) */
  who: string;
  verifier: string;
  /** Mastodon: the instance's origin */
  instance?: string;
  /** Instagram: `facebook` when the admin consents with Facebook login */
  via?: 'facebook';
  createdAt: string;
  /** ISO instant; past it the state is refused */
  expiresAt: string;
};

/** Where the network's consent page sends the admin, with everything it needs. */
export function authorizeUrlOf(input: {
  platform: OAuthPlatform;
  authorizeUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  challenge: string;
  /** where the consent asks for other scopes than the network's (Instagram with Facebook login) */
  scopes?: readonly string[];
}): string {
  const url = new URL(input.authorizeUrl);
  const scopes = input.scopes ?? CONNECT_SCOPES[input.platform];
  // Meta's dialogs take scopes comma-separated; the others space-separated.
  const meta =
    input.platform === 'threads' || input.platform === 'instagram' || input.platform === 'facebook';
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('scope', scopes.join(meta ? ',' : ' '));
  url.searchParams.set('state', input.state);
  url.searchParams.set('code_challenge', input.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

/** The redirect URI registered with each network's app. */
export const redirectUriOf = (apiUrl: string, platform: OAuthPlatform) =>
  `${apiUrl.replace(/\/+$/, '')}/oauth/callback/${platform}`;

/** Accounts one consent may connect, for the admin to pick from, are kept this long, once. */
export const CHOICE_TTL_MS = 10 * 60_000;

/** A Page, an organization, the member themself or an Instagram account the consent reached. */
export type ConnectCandidate = { id: string; name: string };

/**
 * A consent that reached several accounts, kept until the admin who started it picks one
 * for the channel. Only ids and names: the candidates' tokens wait in the channel secret
 * store (`PendingChoiceSecret`), never in the table.
 */
export type PendingChoice = {
  id: string;
  channelId: string;
  platform: OAuthPlatform;
  who: string;
  candidates: ConnectCandidate[];
  createdAt: string;
  /** ISO instant; past it the choice is refused */
  expiresAt: string;
  /** set once, when the admin picked */
  usedAt?: string;
};
