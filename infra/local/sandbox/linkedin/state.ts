/**
 * The LinkedIn sandbox's in-memory model: one organization with its token, posts and
 * images, the member who administers it and the OAuth server that signs them in, the 429
 * window, and the versions LinkedIn serves.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../logger';
import { AuthLedger, type AuthorizationServer, type OAuthApp } from '../kit/oauth';
import type { SandboxContext } from '../types';
import { linkedInApp, linkedInAuthorizationServer } from './oauth';

export type LinkedInSandboxOptions = {
  /** the organization's numeric id (its author URN is `urn:li:organization:<id>`) */
  organizationId?: string;
  /** the Page's name, as a channel's `account` names it */
  name?: string;
  /** how late the `slow` fault answers */
  slowMs?: number;
  /** how long identical commentary counts as a duplicate: LinkedIn does not say; a guess */
  duplicateWindowMs?: number;
};

export const PLATFORM = 'linkedin';
const SLOW_MS = 3_000;
export const DAY_MS = 24 * 60 * 60_000;
/** `commentary` as sent, in UTF-16 code units (the counting unit is unconfirmed). */
export const MAX_COMMENTARY = 3000;
/** A version is served for about a year after its month (docs/networks.md, LinkedIn, Auth). */
const ACTIVE_MONTHS = 12;

export type Article = { source: string; title: string; description?: string; thumbnail?: string };

export type StoredPost = {
  id: string;
  author: string;
  /** as sent: little text */
  commentary: string;
  /** as a reader sees it */
  text: string;
  visibility: string;
  feedDistribution: string;
  lifecycleState: string;
  article?: Article;
  isReshareDisabledByAuthor: boolean;
  createdAt: number;
  lastModifiedAt: number;
  edited: boolean;
  deleted: boolean;
};

export type Draft = Omit<StoredPost, 'id' | 'createdAt' | 'lastModifiedAt'>;

export type Image = {
  id: string;
  owner: string;
  uploadToken: string;
  status: 'WAITING_UPLOAD' | 'AVAILABLE' | 'PROCESSING_FAILED';
  bytes?: number;
  mimeType?: string;
};

export type Account = {
  author: string;
  name: string;
  token: string;
  posts: StoredPost[];
  images: Map<string, Image>;
  /** after a `429`, creates are refused until then */
  rateLimitedUntil: number;
};

/** One request, as the LinkedIn routes see it. */
export type Exchange = {
  state: LinkedInState;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: Buffer;
  account: Account;
  version: string;
  /** the scopes an OAuth token was granted; undefined for the account's own token */
  scopes?: string[];
};

export function versionOf(now: number): string {
  const date = new Date(now);
  return `${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

function monthIndex(version: string): number {
  return Number(version.slice(0, 4)) * 12 + Number(version.slice(4, 6)) - 1;
}

/** Whether LinkedIn serves `version` (`YYYYMM` or `YYYYMM.RR`) this month. */
export function isActiveVersion(version: string, now: number): boolean {
  const current = monthIndex(versionOf(now));
  const asked = /^\d{6}(?:\.\d{2})?$/.test(version) ? monthIndex(version) : Number.NaN;
  return asked <= current && asked > current - ACTIVE_MONTHS;
}

/** LinkedIn's post ids are time-ordered 19-digit numbers: milliseconds, shifted, and a sequence. */
function idGenerator(): () => string {
  let last = 0n;
  return () => {
    let id = BigInt(Date.now()) << 22n;
    if (id <= last) id = last + 1n;
    last = id;
    return id.toString();
  };
}

/** Newer ids are larger (BigInt: the ids pass 2^53), so posts made in one millisecond order too. */
export function compareUrns(a: string, b: string): number {
  const x = BigInt(a.slice(a.lastIndexOf(':') + 1));
  const y = BigInt(b.slice(b.lastIndexOf(':') + 1));
  return x === y ? 0 : x < y ? -1 : 1;
}

/** The consent page's second sign-in: a member who administers several organizations. */
export const SEVERAL_ORGANIZATIONS = 'several';

export class LinkedInState {
  readonly nextId = idGenerator();
  readonly slowMs: number;
  readonly duplicateWindowMs: number;
  readonly account: Account;
  readonly accountsByToken: Map<string, Account>;
  /** the member who administers the organization and signs in on the consent page */
  readonly member: { id: string; name: string; email: string };
  /**
   * The organizations besides `account` that the consent page's second sign-in
   * (`several`) also administers: listed and named, not posted as.
   */
  readonly otherOrganizations: { author: string; name: string }[];
  readonly auth: AuthorizationServer;
  /** the sandbox's LinkedIn app, approved for programmatic refresh tokens */
  readonly app: OAuthApp;
  readonly requestLog: { method: string; path: string; restliMethod: string | undefined }[] = [];
  /** the sandbox's own URL, once it listens */
  base = '';
  delay: (ms: number) => Promise<boolean> = async () => false;

  constructor(
    readonly sandbox: SandboxContext,
    readonly log: Logger,
    options: LinkedInSandboxOptions,
  ) {
    this.slowMs = options.slowMs ?? SLOW_MS;
    this.duplicateWindowMs = options.duplicateWindowMs ?? DAY_MS;
    const organizationId =
      options.organizationId ?? String(2_000_000 + (randomBytes(3).readUIntBE(0, 3) % 8_000_000));
    this.account = {
      author: `urn:li:organization:${organizationId}`,
      name: options.name ?? 'Newsroom',
      // LinkedIn's access tokens are long opaque strings starting with "AQ".
      token: `AQ${randomBytes(90).toString('base64url')}`,
      posts: [],
      images: new Map(),
      rateLimitedUntil: 0,
    };
    this.accountsByToken = new Map([[this.account.token, this.account]]);
    this.otherOrganizations = ['Newsroom Sports', 'Newsroom Culture'].map((name, i) => ({
      author: `urn:li:organization:${Number(organizationId) + 1 + i}`,
      name,
    }));
    // A member's OpenID `sub` is an opaque 10-character id.
    this.member = {
      id: randomBytes(8).toString('base64url').slice(0, 10),
      name: 'Sam Editor',
      email: 'sam.editor@newsroom.example',
    };
    this.auth = linkedInAuthorizationServer(
      sandbox.auth?.ledger ?? new AuthLedger(),
      sandbox.auth?.tokenSeconds,
    );
    this.app = this.auth.register(linkedInApp());
  }

  /** The organizations a token's sign-in administers: the one, or all three for `several`. */
  organizationsOf(account: string | undefined): { author: string; name: string }[] {
    const own = { author: this.account.author, name: this.account.name };
    return account === SEVERAL_ORGANIZATIONS ? [own, ...this.otherOrganizations] : [own];
  }

  livePost(a: Account, urn: string): StoredPost | undefined {
    return a.posts.find((p) => p.id === urn && !p.deleted);
  }
}
