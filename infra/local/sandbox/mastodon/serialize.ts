/** The Mastodon sandbox's entities and errors, shaped as Mastodon's serializers shape them. */
import { engagementAt } from '../kit/engagement';
import { json, type Reply } from '../kit/reply';
import { iso8601Micro } from './http';
import {
  type Account,
  API_LIMIT,
  AUDIO_TYPES,
  byIdDescending,
  type Card,
  DESCRIPTION_LIMIT,
  IMAGE_SIZE_LIMIT,
  IMAGE_TYPES,
  MAX_MEDIA_ATTACHMENTS,
  type MastodonState,
  type Media,
  PLATFORM,
  type Status,
  VIDEO_SIZE_LIMIT,
  VIDEO_TYPES,
} from './state';
import { htmlToText } from './text';

const TOKEN_INVALID = 'The access token is invalid';
const NO_AUDIENCE = { likes: 0, reposts: 0, replies: 0, quotes: 0 };

// Mastodon's public/500.html answers an unhandled error, even on the API: undici's
// `Accept: */*` is not JSON to Rails, so PublicExceptions renders the HTML page.
export const SERVER_ERROR_PAGE = `<!DOCTYPE html>
<html>
<head>
<meta content='width=device-width, initial-scale=1' name='viewport'>
<meta charset='utf-8'>
<title>We're sorry, but something went wrong (500)</title>
</head>
<body class='error'>
<div class='dialog'>
<div class='dialog__message'>
<h1>We&#x27;re sorry, but something went wrong on our end.</h1>
</div>
</div>
</body>
</html>
`;

export const notFound = (): Reply => json(404, { error: 'Record not found' });
export const unprocessable = (error: string): Reply => json(422, { error });
export const unparsable = (): Reply =>
  json(400, { error: 'Error occurred while parsing request parameters' });

export const unauthorized = (): Reply =>
  json(
    401,
    { error: TOKEN_INVALID },
    {
      'WWW-Authenticate': `Bearer realm="Doorkeeper", error="invalid_token", error_description="${TOKEN_INVALID}"`,
    },
  );

// Rack::Attack's throttled responder: JSON, the reset as an ISO 8601 instant.
export const tooManyRequests = (until: number): Reply =>
  json(
    429,
    { error: 'Too many requests' },
    {
      'X-RateLimit-Limit': String(API_LIMIT),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': iso8601Micro(until),
    },
  );

export const accountUrl = (state: MastodonState, a: Account) => `${state.base}/@${a.username}`;
export const statusUrl = (state: MastodonState, a: Account, s: Status) =>
  `${state.base}/@${a.username}/${s.id}`;

function lastStatusAt(a: Account): string | null {
  const newest = [...a.statuses.values()].sort(byIdDescending)[0];
  return newest ? newest.createdAt.slice(0, 10) : null;
}

export function serializeAccount(state: MastodonState, a: Account) {
  const { base } = state;
  return {
    id: a.id,
    username: a.username,
    acct: a.username,
    display_name: 'Newsroom',
    locked: false,
    bot: false,
    discoverable: true,
    indexable: false,
    group: false,
    created_at: a.createdAt,
    note: '',
    url: accountUrl(state, a),
    uri: `${base}/users/${a.username}`,
    avatar: `${base}/avatars/original/missing.png`,
    avatar_static: `${base}/avatars/original/missing.png`,
    header: `${base}/headers/original/missing.png`,
    header_static: `${base}/headers/original/missing.png`,
    followers_count: 0,
    following_count: 0,
    statuses_count: a.statuses.size,
    last_status_at: lastStatusAt(a),
    hide_collections: false,
    noindex: false,
    emojis: [],
    roles: [],
    fields: [],
  };
}

export function serializeCredentialAccount(state: MastodonState, a: Account) {
  return {
    ...serializeAccount(state, a),
    source: {
      privacy: 'public',
      sensitive: false,
      language: '',
      note: '',
      fields: [],
      follow_requests_count: 0,
      hide_collections: false,
      discoverable: true,
      indexable: false,
      attribution_domains: [],
    },
    role: { id: '-99', name: '', permissions: '65536', color: '', highlighted: false },
  };
}

export function serializeMedia(state: MastodonState, m: Media, now = Date.now()) {
  const ready = now >= m.readyAt;
  const url = `${state.base}/system/media_attachments/files/${m.id}/original/${encodeURIComponent(m.fileName)}`;
  return {
    id: m.id,
    type: m.type,
    url: ready ? url : null,
    preview_url: ready ? url.replace('/original/', '/small/') : null,
    remote_url: null,
    preview_remote_url: null,
    text_url: null,
    meta: m.focus ? { focus: focusOf(m.focus) } : {},
    description: m.description,
    blurhash: null,
  };
}

/** The focus point as Mastodon stores it: `"x,y"` with each in -1..1. */
function focusOf(focus: string): { x: number; y: number } {
  const [x = 0, y = 0] = focus.split(',').map((n) => Math.max(-1, Math.min(1, Number(n) || 0)));
  return { x, y };
}

function serializeCard(card: Card) {
  return {
    url: card.url,
    title: card.title,
    description: '',
    language: null,
    type: 'link',
    author_name: '',
    author_url: '',
    provider_name: '',
    provider_url: '',
    html: '',
    width: 0,
    height: 0,
    image: null,
    image_description: '',
    embed_url: '',
    blurhash: null,
    published_at: null,
    authors: [],
  };
}

export function serializeStatus(
  state: MastodonState,
  a: Account,
  s: Status,
  options: { withCard: boolean },
) {
  const { base } = state;
  const audience = engagementAt(state.sandbox.posts, PLATFORM, s.id, Date.now()) ?? NO_AUDIENCE;
  const tags = Array.from(
    s.content.matchAll(/class="mention hashtag" rel="tag">#<span>([^<]*)</g),
    (m) => htmlToText(m[1] ?? ''),
  );
  return {
    id: s.id,
    created_at: s.createdAt,
    in_reply_to_id: s.inReplyToId,
    in_reply_to_account_id: s.inReplyToAccountId,
    sensitive: s.sensitive,
    spoiler_text: s.spoilerText,
    visibility: s.visibility,
    language: s.language,
    uri: `${base}/users/${a.username}/statuses/${s.id}`,
    url: statusUrl(state, a, s),
    // The audience model's counts; the replies also count the sandbox's own answers.
    replies_count:
      state.allStatuses().filter((r) => r.status.inReplyToId === s.id).length + audience.replies,
    reblogs_count: audience.reposts,
    favourites_count: audience.likes,
    quotes_count: audience.quotes,
    edited_at: s.editedAt ?? null,
    favourited: false,
    reblogged: false,
    muted: false,
    bookmarked: false,
    pinned: false,
    content: s.content,
    filtered: [],
    reblog: null,
    application: { name: 'Crier', website: null },
    account: serializeAccount(state, a),
    media_attachments: s.mediaIds.flatMap((id) => {
      const m = a.media.get(id);
      return m ? [serializeMedia(state, m)] : [];
    }),
    mentions: [],
    tags: tags.map((name) => ({ name: name.toLowerCase(), url: `${base}/tags/${name}` })),
    emojis: [],
    quote: null,
    // The create response comes before the link crawl, so its card is null.
    card: options.withCard && s.card ? serializeCard(s.card) : null,
    poll: null,
  };
}

export function serializeInstance(state: MastodonState) {
  const { base } = state;
  return {
    domain: state.localDomain,
    title: 'Crier sandbox (Mastodon)',
    version: '4.4.0',
    source_url: 'https://github.com/mastodon/mastodon',
    description: 'A loopback Mastodon instance for Crier',
    usage: { users: { active_month: 1 } },
    thumbnail: { url: `${base}/packs/media/images/preview.png` },
    icon: [],
    languages: ['en'],
    configuration: {
      urls: {
        streaming: base.replace(/^http/, 'ws'),
        status: null,
        about: `${base}/about`,
        privacy_policy: `${base}/privacy-policy`,
        terms_of_service: null,
      },
      vapid: { public_key: '' },
      accounts: { max_featured_tags: 10, max_pinned_statuses: 5 },
      statuses: {
        max_characters: state.maxCharacters,
        max_media_attachments: MAX_MEDIA_ATTACHMENTS,
        characters_reserved_per_url: state.reservedPerUrl,
      },
      media_attachments: {
        description_limit: DESCRIPTION_LIMIT,
        image_matrix_limit: 33_177_600,
        image_size_limit: IMAGE_SIZE_LIMIT,
        supported_mime_types: [...IMAGE_TYPES, ...VIDEO_TYPES, ...AUDIO_TYPES],
        video_frame_rate_limit: 120,
        video_matrix_limit: 8_294_400,
        video_size_limit: VIDEO_SIZE_LIMIT,
      },
      polls: {
        max_options: 4,
        max_characters_per_option: 50,
        min_expiration: 300,
        max_expiration: 2_629_746,
      },
      translation: { enabled: false },
    },
    registrations: { enabled: false, approval_required: false, message: null, url: null },
    api_versions: { mastodon: 6 },
    contact: { email: 'admin@mastodon.example', account: null },
    rules: [],
  };
}
