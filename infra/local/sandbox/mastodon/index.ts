/**
 * A loopback Mastodon instance that masto talks to unchanged: instance limits, the
 * account, statuses (create with Idempotency-Key, read, list, edit, delete) and media, with
 * Mastodon's paths, status codes and bodies (docs/networks.md, Mastodon), and the fault knobs.
 */

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { POST_FAULTS } from '../faults';
import { listenOnLoopback } from '../loopback';
import type { SandboxPost } from '../posts';
import type { RunningSandbox, SandboxContext, SandboxFactory } from '../types';
import {
  bool,
  iso8601Micro,
  type Params,
  parseParams,
  readBody,
  sendHtml,
  sendJson,
  str,
  strings,
} from './http';
import { countableLength, firstLink, h, htmlToText, isBlank, statusHtml } from './text';

export type MastodonSandboxOptions = {
  /** `configuration.statuses.max_characters` (a stock instance: 500) */
  maxCharacters?: number;
  /** `configuration.statuses.characters_reserved_per_url` (stock: 23) */
  charactersReservedPerUrl?: number;
  /** how long an Idempotency-Key maps to its status (Mastodon: 3,600 s) */
  idempotencySeconds?: number;
  /** how late the `slow` fault answers */
  slowMs?: number;
  /** LOCAL_DOMAIN, the domain of handles; the web address is the sandbox's own URL */
  localDomain?: string;
  username?: string;
};

export type MastodonSandbox = RunningSandbox & {
  /** an admin changing the limit: clients that cached the old one find out from a 422 */
  setMaxCharacters(maxCharacters: number): void;
  /** every request the sandbox received, in order (method and path, no query) */
  requests(): { method: string; path: string }[];
};

const PLATFORM = 'mastodon';
const TOKEN_INVALID = 'The access token is invalid';
const RECORD_NOT_FOUND = 'Record not found';
/** the documented API throttle: 300 requests per 5 minutes */
const API_LIMIT = 300;
const API_PERIOD_MS = 5 * 60_000;
const MAX_BODY_BYTES = 20 * 1024 * 1024;
const MAX_MEDIA_ATTACHMENTS = 4;
const IMAGE_SIZE_LIMIT = 16 * 1024 * 1024;
const VIDEO_SIZE_LIMIT = 99 * 1024 * 1024;
const DESCRIPTION_LIMIT = 1500;
/** how long a video or audio upload "processes" before GET /api/v1/media/:id shows its url */
const MEDIA_PROCESSING_MS = 1500;
const IMAGE_TYPES = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/heic',
  'image/heif',
  'image/webp',
  'image/avif',
];
const VIDEO_TYPES = ['video/webm', 'video/mp4', 'video/quicktime', 'video/ogg'];
const AUDIO_TYPES = [
  'audio/wave',
  'audio/wav',
  'audio/x-wav',
  'audio/ogg',
  'audio/mpeg',
  'audio/mp3',
];
const VISIBILITIES = ['public', 'unlisted', 'private', 'direct'];

// Mastodon's public/500.html answers an unhandled error, even on the API: undici's
// `Accept: */*` is not JSON to Rails, so PublicExceptions renders the HTML page.
const SERVER_ERROR_PAGE = `<!DOCTYPE html>
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
// What nginx in front of Puma answers when Puma is down.
const BAD_GATEWAY_PAGE =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

type Card = { url: string; title: string };

type Media = {
  id: string;
  type: 'image' | 'video' | 'audio';
  mimeType: string;
  bytes: number;
  fileName: string;
  description: string | null;
  focus: string | null;
  readyAt: number;
  statusId?: string;
};

type Status = {
  id: string;
  createdAt: string;
  text: string;
  spoilerText: string;
  sensitive: boolean;
  visibility: string;
  language: string | null;
  inReplyToId: string | null;
  inReplyToAccountId: string | null;
  content: string;
  mediaIds: string[];
  /** built by the server after posting, as LinkCrawlWorker does */
  card: Card | null;
  /** set by an edit (`PUT /api/v1/statuses/:id`) */
  editedAt?: string;
};

type Account = {
  id: string;
  username: string;
  token: string;
  createdAt: string;
  statuses: Map<string, Status>;
  media: Map<string, Media>;
  /** Idempotency-Key -> status id, each kept `idempotencySeconds` */
  idempotency: Map<string, { statusId: string; expiresAt: number }>;
  /** after a 429, creates are refused until then */
  rateLimitedUntil: number;
  apiWindow: { start: number; count: number };
};

type Reply =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'html'; status: number; html: string };

const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  kind: 'json',
  status,
  body,
  headers,
});
const notFound = (): Reply => json(404, { error: RECORD_NOT_FOUND });
const unprocessable = (error: string): Reply => json(422, { error });

/** Mastodon's snowflake ids: milliseconds shifted left 16 bits, plus a sequence. */
function idGenerator(): () => string {
  let last = 0n;
  return () => {
    let id = BigInt(Date.now()) << 16n;
    if (id <= last) id = last + 1n;
    last = id;
    return id.toString();
  };
}

const byIdDescending = (a: { id: string }, b: { id: string }) => {
  const x = BigInt(a.id);
  const y = BigInt(b.id);
  return x === y ? 0 : x > y ? -1 : 1;
};

export async function launchMastodonSandbox(
  context: SandboxContext,
  options: MastodonSandboxOptions = {},
): Promise<MastodonSandbox> {
  const log = context.log.child({ sandbox: PLATFORM });
  const nextId = idGenerator();
  let maxCharacters = options.maxCharacters ?? 500;
  const reservedPerUrl = options.charactersReservedPerUrl ?? 23;
  const idempotencyMs = (options.idempotencySeconds ?? 3600) * 1000;
  const slowMs = options.slowMs ?? 3000;
  const localDomain = options.localDomain ?? 'mastodon.example';
  const username = options.username ?? 'newsroom';

  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  const account: Account = {
    id: nextId(),
    username,
    token: randomBytes(32).toString('base64url'),
    createdAt: today.toISOString(),
    statuses: new Map(),
    media: new Map(),
    idempotency: new Map(),
    rateLimitedUntil: 0,
    apiWindow: { start: Date.now(), count: 0 },
  };
  const accountsByToken = new Map([[account.token, account]]);
  const accountsById = new Map([[account.id, account]]);
  const handle = `@${username}@${localDomain}`;

  const timers = new Set<NodeJS.Timeout>();
  const requestLog: { method: string; path: string }[] = [];
  let base = '';
  let stopped = false;

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  // --- entities, shaped as Mastodon's serializers shape them ---

  const accountUrl = (a: Account) => `${base}/@${a.username}`;
  const statusUrl = (a: Account, s: Status) => `${base}/@${a.username}/${s.id}`;

  function lastStatusAt(a: Account): string | null {
    const newest = [...a.statuses.values()].sort(byIdDescending)[0];
    return newest ? newest.createdAt.slice(0, 10) : null;
  }

  function serializeAccount(a: Account) {
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
      url: accountUrl(a),
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

  function serializeCredentialAccount(a: Account) {
    return {
      ...serializeAccount(a),
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

  function serializeMedia(m: Media, now = Date.now()) {
    const ready = now >= m.readyAt;
    const url = `${base}/system/media_attachments/files/${m.id}/original/${encodeURIComponent(m.fileName)}`;
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

  function serializeStatus(a: Account, s: Status, options: { withCard: boolean }) {
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
      url: statusUrl(a, s),
      replies_count: [...accountsById.values()].reduce(
        (count, owner) =>
          count + [...owner.statuses.values()].filter((r) => r.inReplyToId === s.id).length,
        0,
      ),
      reblogs_count: 0,
      favourites_count: 0,
      quotes_count: 0,
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
      account: serializeAccount(a),
      media_attachments: s.mediaIds.flatMap((id) => {
        const m = a.media.get(id);
        return m ? [serializeMedia(m)] : [];
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

  function serializeInstance() {
    return {
      domain: localDomain,
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
          max_characters: maxCharacters,
          max_media_attachments: MAX_MEDIA_ATTACHMENTS,
          characters_reserved_per_url: reservedPerUrl,
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
      contact: { email: '', account: null },
      rules: [],
    };
  }

  // --- auth and rate limits ---

  /** The account of a valid bearer token; `null` when none was sent; `undefined` when it is wrong. */
  function tokenAccount(req: IncomingMessage): Account | null | undefined {
    const header = req.headers.authorization;
    if (!header) return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ? accountsByToken.get(match[1]) : undefined;
  }

  const unauthorized = (): Reply =>
    json(
      401,
      { error: TOKEN_INVALID },
      {
        'WWW-Authenticate': `Bearer realm="Doorkeeper", error="invalid_token", error_description="${TOKEN_INVALID}"`,
      },
    );

  /** The API throttle's headers, which Mastodon sends on every authenticated answer. */
  function rateHeaders(a: Account, now = Date.now()): Record<string, string> {
    if (now - a.apiWindow.start >= API_PERIOD_MS) a.apiWindow = { start: now, count: 0 };
    a.apiWindow.count += 1;
    return {
      'X-RateLimit-Limit': String(API_LIMIT),
      'X-RateLimit-Remaining': String(Math.max(0, API_LIMIT - a.apiWindow.count)),
      'X-RateLimit-Reset': iso8601Micro(a.apiWindow.start + API_PERIOD_MS),
    };
  }

  // Rack::Attack's throttled responder: JSON, the reset as an ISO 8601 instant.
  const tooManyRequests = (until: number): Reply =>
    json(
      429,
      { error: 'Too many requests' },
      {
        'X-RateLimit-Limit': String(API_LIMIT),
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': iso8601Micro(until),
      },
    );

  // --- routes ---

  function visibleTo(viewer: Account | null, owner: Account, s: Status): boolean {
    return viewer === owner || s.visibility === 'public' || s.visibility === 'unlisted';
  }

  /**
   * `GET /api/v1/statuses/:id/context`: the statuses it answers, oldest first, and those
   * that answer it however deep, in thread order (each reply after its parent), as far
   * as the viewer may see them.
   */
  function statusContext(viewer: Account | null, status: Status) {
    const all = [...accountsById.values()].flatMap((owner) =>
      [...owner.statuses.values()].map((s) => ({ owner, status: s })),
    );
    const seen = (entry: { owner: Account; status: Status }) =>
      visibleTo(viewer, entry.owner, entry.status);
    const ancestors: { owner: Account; status: Status }[] = [];
    for (let id = status.inReplyToId; id; ) {
      const parent = findStatus(id);
      if (!parent || ancestors.length > 1000) break;
      if (seen(parent)) ancestors.unshift(parent);
      id = parent.status.inReplyToId;
    }
    const descendants: { owner: Account; status: Status }[] = [];
    const walk = (parentId: string) => {
      const children = all
        .filter((entry) => entry.status.inReplyToId === parentId)
        .sort((a, b) => -byIdDescending(a.status, b.status));
      for (const child of children) {
        if (!seen(child) || descendants.length > 1000) continue;
        descendants.push(child);
        walk(child.status.id);
      }
    };
    walk(status.id);
    const shape = (entry: { owner: Account; status: Status }) =>
      serializeStatus(entry.owner, entry.status, { withCard: true });
    return { ancestors: ancestors.map(shape), descendants: descendants.map(shape) };
  }

  function findStatus(id: string): { owner: Account; status: Status } | undefined {
    for (const owner of accountsById.values()) {
      const status = owner.statuses.get(id);
      if (status) return { owner, status };
    }
    return undefined;
  }

  function validateMedia(a: Account, ids: string[]): { media: Media[] } | { error: Reply } {
    if (ids.length > MAX_MEDIA_ATTACHMENTS) {
      return { error: unprocessable('Cannot attach more than 4 files') };
    }
    const media = ids.flatMap((id) => {
      const m = a.media.get(id);
      return m && !m.statusId ? [m] : [];
    });
    const missing = ids.filter((id) => !media.some((m) => m.id === id));
    if (missing.length > 0) {
      // The wording is unconfirmed; Mastodon 4.3+ refuses unknown or attached media with a 422.
      return {
        error: unprocessable(
          `Media ${missing.join(', ')} not found or already attached to another post`,
        ),
      };
    }
    if (media.some((m) => Date.now() < m.readyAt)) {
      return {
        error: unprocessable(
          'Cannot attach files that have not finished processing. Try again in a moment!',
        ),
      };
    }
    if (media.some((m) => m.type !== 'image') && media.length > 1) {
      return {
        error: unprocessable('Cannot attach a video to a post that already contains images'),
      };
    }
    return { media };
  }

  /** PostStatusService: the idempotency check first, then validation, then the commit. */
  function postStatus(a: Account, params: Params, idempotencyKey: string | undefined): Reply {
    const now = Date.now();
    for (const [key, entry] of a.idempotency) if (entry.expiresAt <= now) a.idempotency.delete(key);
    const original = idempotencyKey ? a.idempotency.get(idempotencyKey) : undefined;
    if (original) {
      const status = a.statuses.get(original.statusId);
      // `@account.statuses.find`: a key whose status was deleted within the hour is a 404.
      if (!status) return notFound();
      log.info('sandbox.idempotent-repeat', { platform: PLATFORM, remoteId: status.id });
      return json(200, serializeStatus(a, status, { withCard: true }), rateHeaders(a));
    }

    let text = str(params.status) ?? '';
    let spoilerText = str(params.spoiler_text) ?? '';
    // A content warning with no text becomes the text (PostStatusService).
    if (isBlank(text) && !isBlank(spoilerText)) [text, spoilerText] = [spoilerText, ''];
    const visibility = str(params.visibility) || 'public';
    const inReplyTo = str(params.in_reply_to_id);
    const checked = validateMedia(a, strings(params.media_ids));
    if ('error' in checked) return checked.error;

    let thread: { owner: Account; status: Status } | undefined;
    if (inReplyTo) {
      thread = findStatus(inReplyTo);
      if (!thread || !visibleTo(a, thread.owner, thread.status)) {
        return json(404, {
          error: 'The post you are trying to reply to does not appear to exist.',
        });
      }
    }
    // The message of an unknown visibility is unconfirmed; the 422 is what matters.
    if (!VISIBILITIES.includes(visibility)) {
      return unprocessable('Validation failed: Visibility is not included in the list');
    }
    if (isBlank(text) && checked.media.length === 0) {
      return unprocessable("Validation failed: Text can't be blank");
    }
    if (countableLength(text, spoilerText, reservedPerUrl) > maxCharacters) {
      return unprocessable(`Validation failed: Text character limit of ${maxCharacters} exceeded`);
    }

    const link = firstLink(text);
    const status: Status = {
      id: nextId(),
      createdAt: new Date(now).toISOString(),
      text,
      spoilerText,
      sensitive: bool(params.sensitive) || spoilerText !== '',
      visibility,
      // valid_locale_cascade: the requested language, else the default locale.
      language: /^[a-z]{2,3}(-[A-Za-z0-9]+)*$/.test(str(params.language) ?? '')
        ? (str(params.language) ?? 'en')
        : 'en',
      inReplyToId: thread?.status.id ?? null,
      inReplyToAccountId: thread?.owner.id ?? null,
      content: statusHtml(text, { base, localDomain, localUsernames: [username] }),
      mediaIds: checked.media.map((m) => m.id),
      // Nothing is fetched: the card names the link's host where a crawl would find a title.
      card: link ? { url: link, title: URL.canParse(link) ? new URL(link).hostname : link } : null,
    };
    a.statuses.set(status.id, status);
    for (const m of checked.media) m.statusId = status.id;
    if (idempotencyKey) {
      a.idempotency.set(idempotencyKey, { statusId: status.id, expiresAt: now + idempotencyMs });
    }

    const reader = htmlToText(status.content);
    const post: Omit<SandboxPost, 'receivedAt'> = {
      platform: PLATFORM,
      remoteId: status.id,
      inReplyToId: status.inReplyToId,
      text: spoilerText ? `${spoilerText}\n\n${reader}` : reader,
      account: handle,
      url: statusUrl(a, status),
    };
    if (status.card) post.card = { url: status.card.url, title: status.card.title };
    if (checked.media.length > 0) {
      post.media = checked.media.map((m) => ({
        mimeType: m.mimeType,
        bytes: m.bytes,
        ...(m.description ? { alt: m.description } : {}),
      }));
    }
    context.posts.add({ ...post, receivedAt: status.createdAt });
    log.info('sandbox.post', { platform: PLATFORM, remoteId: status.id });
    return json(200, serializeStatus(a, status, { withCard: false }), rateHeaders(a));
  }

  /**
   * UpdateStatusService: the new text, the same limits as a create, and the media the
   * edit names (the status's own; the rest are dropped); a changed link is crawled again.
   */
  function editStatus(a: Account, status: Status, params: Params): Reply {
    const text = str(params.status) ?? '';
    const spoilerText = str(params.spoiler_text) ?? '';
    const mediaIds = strings(params.media_ids);
    const foreign = mediaIds.filter((id) => !status.mediaIds.includes(id));
    if (foreign.length > 0) {
      return unprocessable(
        `Media ${foreign.join(', ')} not found or already attached to another post`,
      );
    }
    if (isBlank(text) && mediaIds.length === 0) {
      return unprocessable("Validation failed: Text can't be blank");
    }
    if (countableLength(text, spoilerText, reservedPerUrl) > maxCharacters) {
      return unprocessable(`Validation failed: Text character limit of ${maxCharacters} exceeded`);
    }
    for (const id of status.mediaIds) if (!mediaIds.includes(id)) a.media.delete(id);
    const link = firstLink(text);
    Object.assign(status, {
      text,
      spoilerText,
      mediaIds,
      editedAt: new Date().toISOString(),
      content: statusHtml(text, { base, localDomain, localUsernames: [username] }),
      card: link ? { url: link, title: URL.canParse(link) ? new URL(link).hostname : link } : null,
    });
    const reader = htmlToText(status.content);
    const kept = mediaIds.flatMap((id) => {
      const m = a.media.get(id);
      return m ? [m] : [];
    });
    context.posts.edit(PLATFORM, status.id, {
      text: spoilerText ? `${spoilerText}\n\n${reader}` : reader,
      card: status.card ? { url: status.card.url, title: status.card.title } : undefined,
      media: kept.length
        ? kept.map((m) => ({
            mimeType: m.mimeType,
            bytes: m.bytes,
            ...(m.description ? { alt: m.description } : {}),
          }))
        : undefined,
    });
    log.info('sandbox.edited', { platform: PLATFORM, remoteId: status.id });
    return json(200, serializeStatus(a, status, { withCard: true }), rateHeaders(a));
  }

  async function createStatus(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ): Promise<Reply | undefined> {
    // Rack::Attack answers before the application sees the request, token or not.
    if (Date.now() < account.rateLimitedUntil) return tooManyRequests(account.rateLimitedUntil);

    const fault = context.faults.pick(PLATFORM, POST_FAULTS);
    if (fault)
      log.info('sandbox.fault', { platform: PLATFORM, fault, route: 'POST /api/v1/statuses' });
    switch (fault) {
      case '429':
        account.rateLimitedUntil = Date.now() + context.faults.resetSeconds * 1000;
        return tooManyRequests(account.rateLimitedUntil);
      case '500':
        return { kind: 'html', status: 500, html: SERVER_ERROR_PAGE };
      case '502':
        return { kind: 'html', status: 502, html: BAD_GATEWAY_PAGE };
      case '503':
        return json(503, {
          error: 'There was a temporary problem serving your request, please try again',
        });
      case 'reset':
        res.socket?.destroy();
        return undefined;
      case 'auth':
      case 'expired-token':
        return unauthorized();
      case 'slow':
        // Puma keeps working on a request whose client has gone, so this one commits too.
        await delay(slowMs);
        if (stopped) return undefined;
        break;
      default:
        break;
    }

    const viewer = tokenAccount(req);
    let reply: Reply;
    if (!viewer) reply = unauthorized();
    else {
      const params = await parseParams(req, body);
      reply = params
        ? postStatus(viewer, params, str(req.headers['idempotency-key']))
        : json(400, { error: 'Error occurred while parsing request parameters' });
    }

    switch (fault) {
      case 'timeout':
        // Committed; the answer never comes. The socket stays open until the client leaves.
        return undefined;
      case 'crash-after-post':
        res.socket?.destroy();
        return undefined;
      case '500-after-post':
        return { kind: 'html', status: 500, html: SERVER_ERROR_PAGE };
      default:
        return reply;
    }
  }

  async function uploadMedia(a: Account, req: IncomingMessage, body: Buffer): Promise<Reply> {
    const params = await parseParams(req, body);
    if (!params) return json(400, { error: 'Error occurred while parsing request parameters' });
    const file = params.file;
    if (!(file instanceof Blob)) return unprocessable("Validation failed: File can't be blank");
    const mimeType = file.type.split(';')[0]?.trim().toLowerCase() ?? '';
    const type = IMAGE_TYPES.includes(mimeType)
      ? 'image'
      : VIDEO_TYPES.includes(mimeType)
        ? 'video'
        : AUDIO_TYPES.includes(mimeType)
          ? 'audio'
          : undefined;
    if (!type)
      return unprocessable('Validation failed: File content type is invalid, File is invalid');
    // The size messages are unconfirmed; a 422 is what Mastodon answers.
    if (file.size > (type === 'image' ? IMAGE_SIZE_LIMIT : VIDEO_SIZE_LIMIT)) {
      return unprocessable('Validation failed: File file size must be less than the limit');
    }
    const description = str(params.description) ?? null;
    if (description && [...description].length > DESCRIPTION_LIMIT) {
      return unprocessable(
        `Validation failed: Description is too long (maximum is ${DESCRIPTION_LIMIT} characters)`,
      );
    }
    const media: Media = {
      id: nextId(),
      type,
      mimeType,
      bytes: file.size,
      fileName: file instanceof File && file.name ? file.name : 'file',
      description,
      focus: str(params.focus) ?? null,
      // Images are processed while the request runs (Mastodon 4.0+), the rest later.
      readyAt: type === 'image' ? 0 : Date.now() + MEDIA_PROCESSING_MS,
    };
    a.media.set(media.id, media);
    return json(type === 'image' ? 200 : 202, serializeMedia(media), rateHeaders(a));
  }

  function accountStatuses(viewer: Account | null, owner: Account, query: URLSearchParams): Reply {
    const limit = Math.min(Math.max(Number(query.get('limit')) || 20, 1), 40);
    const maxId = query.get('max_id');
    const sinceId = query.get('since_id');
    const minId = query.get('min_id');
    let list = [...owner.statuses.values()]
      .filter((s) => visibleTo(viewer, owner, s))
      .filter(
        (s) =>
          !(
            bool(query.get('exclude_replies')) &&
            s.inReplyToAccountId &&
            s.inReplyToAccountId !== owner.id
          ),
      )
      .filter((s) => !(bool(query.get('only_media')) && s.mediaIds.length === 0))
      .filter((s) => !maxId || BigInt(s.id) < BigInt(maxId))
      .filter((s) => !sinceId || BigInt(s.id) > BigInt(sinceId))
      .filter((s) => !minId || BigInt(s.id) > BigInt(minId))
      .sort(byIdDescending);
    // min_id pages forward from the oldest end; the page itself is still newest first.
    list = minId ? list.slice(-limit) : list.slice(0, limit);
    const headers: Record<string, string> = viewer ? rateHeaders(viewer) : {};
    const first = list[0];
    const last = list[list.length - 1];
    if (first && last) {
      const page = (key: string, id: string) => {
        const params = new URLSearchParams();
        for (const name of ['limit', 'exclude_replies', 'exclude_reblogs', 'only_media']) {
          const value = query.get(name);
          if (value !== null) params.set(name, value);
        }
        params.set(key, id);
        return `${base}/api/v1/accounts/${owner.id}/statuses?${params}`;
      };
      const links = [`<${page('min_id', first.id)}>; rel="prev"`];
      // Mastodon offers the next page only when this one is full.
      if (list.length === limit) links.unshift(`<${page('max_id', last.id)}>; rel="next"`);
      headers.Link = links.join(', ');
    }
    return json(
      200,
      list.map((s) => serializeStatus(owner, s, { withCard: true })),
      headers,
    );
  }

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ): Promise<Reply | undefined> {
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    requestLog.push({ method, path });

    if (method === 'POST' && path === '/api/v1/statuses') return createStatus(req, res, body);
    if (method === 'GET' && path === '/api/v2/instance') return json(200, serializeInstance());

    const viewer = tokenAccount(req);
    // A token that was sent must be valid, even where none is needed (authorize_if_got_token!).
    if (viewer === undefined) return unauthorized();

    if (method === 'GET' && path === '/api/v1/accounts/verify_credentials') {
      return viewer
        ? json(200, serializeCredentialAccount(viewer), rateHeaders(viewer))
        : unauthorized();
    }
    let match = /^\/api\/v1\/accounts\/(\d+)(\/statuses)?$/.exec(path);
    if (method === 'GET' && match?.[1]) {
      const owner = accountsById.get(match[1]);
      if (!owner) return notFound();
      return match[2]
        ? accountStatuses(viewer, owner, url.searchParams)
        : json(200, serializeAccount(owner));
    }
    match = /^\/api\/v1\/statuses\/(\d+)\/context$/.exec(path);
    if (method === 'GET' && match?.[1]) {
      const found = findStatus(match[1]);
      if (!found || !visibleTo(viewer, found.owner, found.status)) return notFound();
      return json(200, statusContext(viewer, found.status), viewer ? rateHeaders(viewer) : {});
    }
    match = /^\/api\/v1\/statuses\/(\d+)$/.exec(path);
    if (match?.[1] && method === 'PUT') {
      if (!viewer) return unauthorized();
      const found = findStatus(match[1]);
      if (!found || found.owner !== viewer) return notFound();
      const params = await parseParams(req, body);
      return params
        ? editStatus(viewer, found.status, params)
        : json(400, { error: 'Error occurred while parsing request parameters' });
    }
    if (match?.[1] && (method === 'GET' || method === 'DELETE')) {
      const found = findStatus(match[1]);
      if (method === 'GET') {
        return found && visibleTo(viewer, found.owner, found.status)
          ? json(200, serializeStatus(found.owner, found.status, { withCard: true }))
          : notFound();
      }
      if (!viewer) return unauthorized();
      if (!found || found.owner !== viewer) return notFound();
      viewer.statuses.delete(found.status.id);
      for (const id of found.status.mediaIds) viewer.media.delete(id);
      context.posts.remove(PLATFORM, found.status.id);
      log.info('sandbox.deleted', { platform: PLATFORM, remoteId: found.status.id });
      return json(
        200,
        {
          ...serializeStatus(viewer, found.status, { withCard: true }),
          text: found.status.text,
        },
        rateHeaders(viewer),
      );
    }
    if (method === 'POST' && path === '/api/v2/media') {
      return viewer ? uploadMedia(viewer, req, body) : unauthorized();
    }
    match = /^\/api\/v1\/media\/(\d+)$/.exec(path);
    if (method === 'GET' && match?.[1]) {
      if (!viewer) return unauthorized();
      const media = viewer.media.get(match[1]);
      if (!media) return notFound();
      return json(
        Date.now() < media.readyAt ? 206 : 200,
        serializeMedia(media),
        rateHeaders(viewer),
      );
    }
    match = /^\/@([^/]+)\/(\d+)$/.exec(path);
    if (method === 'GET' && match?.[1] && match[2]) {
      const found = findStatus(match[2]);
      if (
        !found ||
        found.owner.username !== match[1] ||
        !visibleTo(null, found.owner, found.status)
      ) {
        return { kind: 'html', status: 404, html: '<!DOCTYPE html><title>Not found</title>' };
      }
      return {
        kind: 'html',
        status: 200,
        html: `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${h(handle)}</title></head><body><article>${found.status.content}</article></body></html>`,
      };
    }
    return json(404, { error: 'Not Found' });
  }

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req, MAX_BODY_BYTES);
      if (body === 'too-large') {
        sendJson(res, 413, { error: 'Request Entity Too Large' }, { Connection: 'close' });
        return;
      }
      const reply = await route(req, res, body);
      if (!reply || res.destroyed || stopped) return;
      if (reply.kind === 'html') sendHtml(res, reply.status, reply.html);
      else sendJson(res, reply.status, reply.body, reply.headers);
      if (reply.status >= 400) {
        log.debug('sandbox.refused', {
          platform: PLATFORM,
          status: reply.status,
          path: req.url?.split('?')[0],
        });
      }
    })().catch((error: unknown) => {
      log.error('sandbox.failed', { platform: PLATFORM, error });
      if (!res.headersSent && !res.destroyed) sendHtml(res, 500, SERVER_ERROR_PAGE);
      else res.destroy();
    });
  });
  const loopback = await listenOnLoopback(server);
  base = loopback.url;
  log.debug('sandbox.listening', { platform: PLATFORM, url: base, account: handle });

  return {
    platform: PLATFORM,
    url: base,
    account: handle,
    credentials: { url: base, accessToken: account.token },
    setMaxCharacters(value) {
      maxCharacters = value;
    },
    requests: () => requestLog.map((r) => ({ ...r })),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await loopback.close();
      log.info('sandbox.stopped', { platform: PLATFORM });
    },
  };
}

/** The focus point as Mastodon stores it: `"x,y"` with each in -1..1. */
function focusOf(focus: string): { x: number; y: number } {
  const [x = 0, y = 0] = focus.split(',').map((n) => Math.max(-1, Math.min(1, Number(n) || 0)));
  return { x, y };
}

export const startMastodonSandbox: SandboxFactory = (context) => launchMastodonSandbox(context);
