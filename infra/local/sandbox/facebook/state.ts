/**
 * The Facebook sandbox's in-memory model: one Page with its token, feed posts, call log
 * (for the usage header) and 429 window, and two more Pages that only the consent page's
 * second sign-in (`several`, who manages all three) reaches.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../logger';
import { AuthLedger, type AuthorizationServer, type OAuthApp } from '../kit/oauth';
import type { SandboxContext } from '../types';
import type { Params } from './graph';
import { facebookApp, facebookAuthorizationServer } from './login';

export type FacebookSandboxOptions = {
  /** the Page's numeric id */
  pageId?: string;
  /** the Page's name, as a channel's `account` names it */
  name?: string;
  /** the Graph version the credentials name */
  apiVersion?: string;
  /** how late the `slow` fault answers */
  slowMs?: number;
  /** how long the same message and link count as a duplicate: Meta does not say; a guess */
  duplicateWindowMs?: number;
  /** the Instagram business account linked to the Page (Instagram with Facebook login) */
  instagramBusinessAccountId?: string;
};

export const PLATFORM = 'facebook';
/** The consent page's second sign-in: a person who manages several Pages. */
export const SEVERAL_PAGES = 'several';
const SLOW_MS = 3_000;
/** The widely cited message limit (docs/networks.md: unconfirmed), in UTF-16 code units. */
export const MAX_MESSAGE = 63_206;
export const DAY_MS = 24 * 60 * 60_000;
/** A Page's Business Use Case budget: 4,800 calls per 24 h per engaged user; one user here. */
const CALLS_PER_DAY = 4800;

export type Post = {
  /** `{page-id}_{post-id}` */
  id: string;
  message: string;
  link?: string;
  createdAt: number;
  updatedAt: number;
  deleted: boolean;
};

export type Page = {
  id: string;
  name: string;
  token: string;
  posts: Post[];
  /** after a `429`, creates are refused until then */
  rateLimitedUntil: number;
  calls: number[];
};

/** One request, as the Facebook routes see it. */
export type Exchange = {
  state: FacebookState;
  req: IncomingMessage;
  res: ServerResponse;
  params: Params;
  page: Page;
  version: string;
};

export class FacebookState {
  readonly slowMs: number;
  readonly duplicateWindowMs: number;
  readonly apiVersion: string;
  readonly page: Page;
  readonly pagesByToken: Map<string, Page>;
  /** the login (login.ts): its user tokens read the user's Pages, its Page tokens act as the Page */
  readonly auth: AuthorizationServer;
  readonly app: OAuthApp;
  /** the Page tokens `/me/accounts` handed out, and the Page each acts as */
  readonly pageTokens = new Map<string, Page>();
  /** the Pages besides `page` that the `several` sign-in also manages */
  readonly otherPages: Page[];
  /** the person who manages the Page and signs in on the dialog */
  readonly member: { id: string; name: string };
  private readonly linkedInstagram: string | undefined;
  readonly requestLog: { method: string; path: string }[] = [];
  /** the sandbox's own URL, once it listens */
  base = '';
  delay: (ms: number) => Promise<boolean> = async () => false;
  private sequence = 0;

  constructor(
    readonly sandbox: SandboxContext,
    readonly log: Logger,
    options: FacebookSandboxOptions,
  ) {
    this.slowMs = options.slowMs ?? SLOW_MS;
    this.duplicateWindowMs = options.duplicateWindowMs ?? DAY_MS;
    this.apiVersion = options.apiVersion ?? 'v25.0';
    this.page = {
      // Page ids are 15-digit numbers.
      id: options.pageId ?? String(100_000_000_000_000 + randomBytes(6).readUIntBE(0, 6)),
      name: options.name ?? 'Newsroom',
      // Page tokens are long opaque strings starting with "EAA".
      token: `EAAG${randomBytes(96).toString('base64url').replace(/[-_]/g, 'Z')}`,
      posts: [],
      rateLimitedUntil: 0,
      calls: [],
    };
    this.otherPages = ['Newsroom Sports', 'Newsroom Culture'].map((name) => ({
      id: String(100_000_000_000_000 + randomBytes(6).readUIntBE(0, 6)),
      name,
      token: `EAAG${randomBytes(96).toString('base64url').replace(/[-_]/g, 'Z')}`,
      posts: [],
      rateLimitedUntil: 0,
      calls: [],
    }));
    this.pagesByToken = new Map([[this.page.token, this.page]]);
    this.auth = facebookAuthorizationServer(
      sandbox.auth?.ledger ?? new AuthLedger(),
      sandbox.auth?.tokenSeconds,
    );
    this.app = this.auth.register(facebookApp());
    this.member = {
      id: String(10_000_000_000_000 + randomBytes(5).readUIntBE(0, 5)),
      name: 'Sam Editor',
    };
    this.linkedInstagram = options.instagramBusinessAccountId;
    if (sandbox.auth?.links) sandbox.auth.links.facebook = this.auth;
  }

  /** the Instagram account linked to the Page: the option, else the Instagram sandbox's */
  get instagramBusinessAccountId(): string | undefined {
    return this.linkedInstagram ?? this.sandbox.auth?.links?.instagramAccountId;
  }

  /** The Pages a user token's sign-in manages: the one Page, or all three for `several`. */
  pagesOf(account: string | undefined): Page[] {
    return account === SEVERAL_PAGES ? [this.page, ...this.otherPages] : [this.page];
  }

  nextPostId(): string {
    return `${this.page.id}_${Date.now()}${String(this.sequence++ % 1000).padStart(3, '0')}`;
  }

  livePost(p: Page, id: string): Post | undefined {
    return p.posts.find((post) => post.id === id && !post.deleted);
  }

  /** `X-Business-Use-Case-Usage`: percentages of the Page's budget, and minutes until it is back. */
  usageHeader(p: Page, now = Date.now()) {
    p.calls = p.calls.filter((at) => at > now - DAY_MS);
    const percent = Math.min(100, Math.ceil((p.calls.length * 100) / CALLS_PER_DAY));
    const limited = p.rateLimitedUntil > now;
    const minutes = limited ? Math.max(1, Math.ceil((p.rateLimitedUntil - now) / 60_000)) : 0;
    const usage = {
      [p.id]: [
        {
          type: 'pages',
          call_count: limited ? 100 : percent,
          total_cputime: Math.min(100, percent),
          total_time: Math.min(100, percent),
          estimated_time_to_regain_access: minutes,
        },
      ],
    };
    return { 'x-business-use-case-usage': JSON.stringify(usage) };
  }
}
