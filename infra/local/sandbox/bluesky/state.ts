/**
 * The Bluesky sandbox's in-memory PDS: the account with its repo, app password, refresh
 * tokens and write budget, the 429 and revoked-password windows, and the token issuer.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../logger';
import { type AuthCounts, AuthLedger } from '../kit/oauth';
import type { SandboxContext } from '../types';
import { type RecordLookup, Repo } from './repo';
import { TokenIssuer } from './tokens';

export type BlueskySandboxOptions = {
  /** the one account's handle, as a channel's `account` names it */
  handle?: string;
  /**
   * Access token lifetime. The PDS gives 120 minutes; the sandbox's default is shorter so
   * that a local run sees the agent refresh, and a test can make it expire at once.
   */
  accessTokenSeconds?: number;
  refreshTokenSeconds?: number;
  /**
   * Other accounts on the network, by handle, that resolveHandle knows and a mention
   * facet may name (each gets a DID of its own); the account itself is always known.
   */
  knownHandles?: string[];
};

export const SLOW_MS = 3000;
/** The PDS's `repo-write-hour` limit: 5,000 points, a create costs 3 and a delete 1. */
export const WRITE_POINTS_PER_HOUR = 5000;
export const HOUR_MS = 3_600_000;

export type Account = {
  did: string;
  handle: string;
  email: string;
  password: string;
  repo: Repo;
  /** refresh token ids never used yet; rotation and revocation remove them */
  refreshIds: Set<string>;
  /**
   * Refresh token ids already used once: until `until` (two hours after that use, or
   * the token's own expiry if sooner) they refresh again, to a token with id `nextId`,
   * as the PDS's grace for a refresh whose answer was lost.
   */
  rotated: Map<string, { nextId: string; until: number }>;
  /** creates are refused with 429 until then (a `429` fault) */
  rateLimitedUntil: number;
  /** password logins are refused until then (an `auth` fault: the app password was revoked) */
  passwordRefusedUntil: number;
  writes: { windowStart: number; points: number };
};

/** One XRPC call, as the Bluesky routes see it. */
export type Call = {
  state: BlueskyState;
  req: IncomingMessage;
  res: ServerResponse;
  params: URLSearchParams;
  body: Buffer;
};

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function appPassword(): string {
  const chars = Array.from(randomBytes(16), (byte) => BASE32[byte % 32]).join('');
  return chars.match(/.{4}/g)?.join('-') ?? chars;
}

function randomDid(): string {
  return `did:plc:${Array.from(randomBytes(24), (byte) => BASE32[byte % 32]).join('')}`;
}

const PDS_ACCESS_SECONDS = 120 * 60;
/** How long a used refresh token still refreshes (the PDS's `REFRESH_GRACE_MS`). */
export const REFRESH_GRACE_MS = 2 * 3_600_000;
const PDS_REFRESH_SECONDS = 90 * 24 * 3600;

export class BlueskyState {
  readonly account: Account;
  readonly accounts: Map<string, Account>;
  /** every handle resolveHandle answers, with its DID: the account's and `knownHandles` */
  readonly handles: Map<string, string>;
  /** replaced once the sandbox listens: its audience names the port */
  issuer: TokenIssuer;
  delay: (ms: number) => Promise<boolean> = async () => false;
  private readonly ledger: AuthLedger;

  constructor(
    readonly sandbox: SandboxContext,
    readonly log: Logger,
    private readonly options: BlueskySandboxOptions,
  ) {
    const handle = options.handle ?? 'newsroom.bsky.social';
    const did = randomDid();
    this.account = {
      did,
      handle,
      email: `${handle.split('.')[0] ?? 'newsroom'}@example.org`,
      password: appPassword(),
      repo: new Repo(did),
      refreshIds: new Set(),
      rotated: new Map(),
      rateLimitedUntil: 0,
      passwordRefusedUntil: 0,
      writes: { windowStart: 0, points: 0 },
    };
    this.accounts = new Map([[did, this.account]]);
    this.handles = new Map([[handle, did]]);
    for (const other of options.knownHandles ?? []) {
      this.handles.set(other.toLowerCase(), randomDid());
    }
    this.ledger = sandbox.auth?.ledger ?? new AuthLedger();
    this.issuer = this.issuerFor(0);
  }

  /**
   * The token issuer of a PDS listening on `port`. The PDS's access JWT lives 120 minutes
   * and its refresh JWT 90 days; `CRIER_SANDBOX_TOKEN_SECONDS` sets the first and shrinks
   * the second in proportion.
   */
  issuerFor(port: number): TokenIssuer {
    const tokenSeconds = this.sandbox.auth?.tokenSeconds;
    const scale = tokenSeconds === undefined ? 1 : tokenSeconds / PDS_ACCESS_SECONDS;
    return new TokenIssuer(`did:web:127.0.0.1%3A${port}`, {
      accessSeconds: this.options.accessTokenSeconds ?? tokenSeconds ?? PDS_ACCESS_SECONDS,
      refreshSeconds: this.options.refreshTokenSeconds ?? PDS_REFRESH_SECONDS * scale,
    });
  }

  /** Counts a session event for `GET /sandbox/auth`. */
  note(event: keyof AuthCounts): void {
    this.ledger.note('bluesky', event);
  }

  byIdentifier(identifier: string): Account | undefined {
    const wanted = identifier.trim().toLowerCase();
    return [...this.accounts.values()].find(
      (a) => a.did === identifier || a.handle === wanted || a.email === wanted,
    );
  }

  /** The handle a DID belongs to, for checking a mention facet; undefined for an unknown DID. */
  readonly handleOf = (did: string): string | undefined => {
    for (const [handle, known] of this.handles) if (known === did) return handle;
    return undefined;
  };

  /** A record by its `at://` URI, for a reply's references: only this sandbox's repositories are known. */
  readonly findRecord: RecordLookup = (uri) => {
    const match = /^at:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(uri);
    const owner = match?.[1] ? this.byIdentifier(match[1]) : undefined;
    if (!match || !owner) return 'elsewhere';
    return owner.repo.get(match[2] ?? '', match[3] ?? '');
  };

  /** A new session's body; `jti` names the refresh token's id (a refresh within its grace). */
  sessionBody(a: Account, jti?: string) {
    const tokens = this.issuer.issue(a.did, Date.now(), jti);
    if (!a.rotated.has(tokens.jti)) a.refreshIds.add(tokens.jti);
    this.note('issued');
    // No didDoc: @atproto/api would send every later request to the PDS it names.
    return {
      accessJwt: tokens.accessJwt,
      refreshJwt: tokens.refreshJwt,
      handle: a.handle,
      did: a.did,
      email: a.email,
      emailConfirmed: true,
      emailAuthFactor: false,
      active: true,
    };
  }

  /** The write budget's headers, after spending `points` of it. */
  writeHeaders(a: Account, now: number, points: number) {
    if (now - a.writes.windowStart >= HOUR_MS) a.writes = { windowStart: now, points: 0 };
    a.writes.points += points;
    return {
      'RateLimit-Limit': WRITE_POINTS_PER_HOUR,
      'RateLimit-Remaining': Math.max(0, WRITE_POINTS_PER_HOUR - a.writes.points),
      'RateLimit-Reset': Math.floor((a.writes.windowStart + HOUR_MS) / 1000),
      'RateLimit-Policy': `${WRITE_POINTS_PER_HOUR};w=${HOUR_MS / 1000}`,
    };
  }
}
