/**
 * The Mastodon sandbox's in-memory instance: its limits, the account with its statuses,
 * media and Idempotency-Keys, tokens, and the API throttle's window.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../logger';
import { bearerToken } from '../kit/http';
import { AuthLedger, type AuthorizationServer, type OAuthApp } from '../kit/oauth';
import type { SandboxContext } from '../types';
import { iso8601Micro } from './http';
import { MASTODON_SCOPES, mastodonAuthorizationServer, newMastodonApp } from './oauth';

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

export const PLATFORM = 'mastodon';
/** the documented API throttle: 300 requests per 5 minutes */
export const API_LIMIT = 300;
const API_PERIOD_MS = 5 * 60_000;
export const MAX_MEDIA_ATTACHMENTS = 4;
export const IMAGE_SIZE_LIMIT = 16 * 1024 * 1024;
export const VIDEO_SIZE_LIMIT = 99 * 1024 * 1024;
export const DESCRIPTION_LIMIT = 1500;
/** how long a video or audio upload "processes" before GET /api/v1/media/:id shows its url */
export const MEDIA_PROCESSING_MS = 1500;
export const IMAGE_TYPES = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/heic',
  'image/heif',
  'image/webp',
  'image/avif',
];
export const VIDEO_TYPES = ['video/webm', 'video/mp4', 'video/quicktime', 'video/ogg'];
export const AUDIO_TYPES = [
  'audio/wave',
  'audio/wav',
  'audio/x-wav',
  'audio/ogg',
  'audio/mpeg',
  'audio/mp3',
];
export const VISIBILITIES = ['public', 'unlisted', 'private', 'direct'];

export type Card = { url: string; title: string };

export type Media = {
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

export type Status = {
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

export type Account = {
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

/** A status with the account that posted it. */
export type Owned = { owner: Account; status: Status };

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

export const byIdDescending = (a: { id: string }, b: { id: string }) => {
  const x = BigInt(a.id);
  const y = BigInt(b.id);
  return x === y ? 0 : x > y ? -1 : 1;
};

export class MastodonState {
  readonly nextId = idGenerator();
  maxCharacters: number;
  readonly reservedPerUrl: number;
  readonly idempotencyMs: number;
  readonly slowMs: number;
  readonly localDomain: string;
  readonly username: string;
  readonly handle: string;
  readonly account: Account;
  readonly accountsByToken: Map<string, Account>;
  readonly accountsById: Map<string, Account>;
  readonly requestLog: { method: string; path: string }[] = [];
  /** the instance's OAuth provider; its tokens act for the one account */
  readonly auth: AuthorizationServer;
  /** an app registered up front, as `POST /api/v1/apps` would have */
  readonly app: OAuthApp;
  /** the sandbox's own URL, once it listens */
  base = '';

  constructor(
    readonly sandbox: SandboxContext,
    readonly log: Logger,
    options: MastodonSandboxOptions,
  ) {
    this.maxCharacters = options.maxCharacters ?? 500;
    this.reservedPerUrl = options.charactersReservedPerUrl ?? 23;
    this.idempotencyMs = (options.idempotencySeconds ?? 3600) * 1000;
    this.slowMs = options.slowMs ?? 3000;
    this.localDomain = options.localDomain ?? 'mastodon.example';
    this.username = options.username ?? 'newsroom';
    const today = new Date();
    today.setUTCHours(0, 0, 0, 0);
    this.account = {
      id: this.nextId(),
      username: this.username,
      token: randomBytes(32).toString('base64url'),
      createdAt: today.toISOString(),
      statuses: new Map(),
      media: new Map(),
      idempotency: new Map(),
      rateLimitedUntil: 0,
      apiWindow: { start: Date.now(), count: 0 },
    };
    this.accountsByToken = new Map([[this.account.token, this.account]]);
    this.accountsById = new Map([[this.account.id, this.account]]);
    this.handle = `@${this.username}@${this.localDomain}`;
    this.auth = mastodonAuthorizationServer(
      sandbox.auth?.ledger ?? new AuthLedger(),
      sandbox.auth?.tokenSeconds,
    );
    this.app = this.auth.register(newMastodonApp('Crier (sandbox)', [], MASTODON_SCOPES));
  }

  /** The account of a valid bearer token; `null` when none was sent; `undefined` when it is wrong. */
  tokenAccount(req: IncomingMessage): Account | null | undefined {
    if (!req.headers.authorization) return null;
    const token = bearerToken(req);
    if (!token) return undefined;
    const known = this.accountsByToken.get(token);
    if (known) return known;
    return this.auth.check(token).ok ? this.account : undefined;
  }

  /** The API throttle's headers, which Mastodon sends on every authenticated answer. */
  rateHeaders(a: Account, now = Date.now()): Record<string, string> {
    if (now - a.apiWindow.start >= API_PERIOD_MS) a.apiWindow = { start: now, count: 0 };
    a.apiWindow.count += 1;
    return {
      'X-RateLimit-Limit': String(API_LIMIT),
      'X-RateLimit-Remaining': String(Math.max(0, API_LIMIT - a.apiWindow.count)),
      'X-RateLimit-Reset': iso8601Micro(a.apiWindow.start + API_PERIOD_MS),
    };
  }

  allStatuses(): Owned[] {
    return [...this.accountsById.values()].flatMap((owner) =>
      [...owner.statuses.values()].map((status) => ({ owner, status })),
    );
  }

  findStatus(id: string): Owned | undefined {
    for (const owner of this.accountsById.values()) {
      const status = owner.statuses.get(id);
      if (status) return { owner, status };
    }
    return undefined;
  }

  visibleTo(viewer: Account | null, owner: Account, s: Status): boolean {
    return viewer === owner || s.visibility === 'public' || s.visibility === 'unlisted';
  }

  /** Drops the account's Idempotency-Keys that have expired. */
  expireIdempotency(a: Account, now: number): void {
    for (const [key, entry] of a.idempotency) if (entry.expiresAt <= now) a.idempotency.delete(key);
  }
}
