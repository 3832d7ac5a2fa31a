/**
 * An OAuth 2.0 authorization server the sandbox networks share (RFC 6749 authorization
 * code, RFC 7636 PKCE with S256 only, RFC 7009 revocation): the consent page, codes that
 * are single-use and short-lived, access and refresh tokens with the network's lifetimes
 * (or `CRIER_SANDBOX_TOKEN_SECONDS`, with every other age rule scaled alike), and the
 * counts `GET /sandbox/auth` reports. Each network maps the outcomes to its own shapes.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Platform } from '../../../../shared/domain/platform';

export type AuthCounts = { issued: number; refreshed: number; revoked: number; expired: number };

/** The counts of every sandbox, per platform, as `GET /sandbox/auth` answers them. */
export class AuthLedger {
  private readonly counts = new Map<Platform, AuthCounts>();

  note(platform: Platform, event: keyof AuthCounts): void {
    const counts = this.counts.get(platform) ?? { issued: 0, refreshed: 0, revoked: 0, expired: 0 };
    counts[event] += 1;
    this.counts.set(platform, counts);
  }

  snapshot(): Partial<Record<Platform, AuthCounts>> {
    return Object.fromEntries([...this.counts].map(([platform, c]) => [platform, { ...c }]));
  }
}

/**
 * What one sandbox's sign-in lends another, filled in as they start and read at request
 * time: Instagram with Facebook login takes the Facebook sandbox's user tokens, and the
 * Facebook sandbox names the Instagram account linked to its Page.
 */
export class AuthLinks {
  facebook?: AuthorizationServer;
  instagramAccountId?: string;
}

export type OAuthApp = {
  clientId: string;
  /** absent for a public client, which proves itself with PKCE alone */
  clientSecret?: string;
  name: string;
  redirectUris: Set<string>;
  /** the scopes the app may ask for; undefined accepts any */
  scopes?: readonly string[];
};

export type TokenRecord = {
  token: string;
  kind: 'access' | 'refresh';
  clientId: string;
  scopes: string[];
  issuedAt: number;
  /** undefined: never expires */
  expiresAt?: number;
  revoked: boolean;
  /** the grant (one authorization) the token belongs to; a reused code revokes it all */
  grant: string;
  /** a label the network gives a token (e.g. Meta's `short`, `long`) */
  flavour?: string;
  /** which of the consent page's sign-ins granted it; undefined: the default one */
  account?: string;
};

/** A sign-in the consent page offers besides the default one (`value: ''`). */
export type ConsentAccount = { value: string; label: string };

export type TokenCheck =
  | { ok: true; record: TokenRecord }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked'; record?: TokenRecord };

export type OAuthError = { status: number; error: string; description: string };

export type TokenAnswer = {
  access: TokenRecord;
  refresh?: TokenRecord;
  /** seconds the access token lives; undefined when it does not expire */
  expiresIn?: number;
  refreshExpiresIn?: number;
};

export type AuthorizationServerOptions = {
  platform: Platform;
  ledger: AuthLedger;
  /** `CRIER_SANDBOX_TOKEN_SECONDS`; undefined keeps the network's own lifetimes */
  tokenSeconds?: number;
  /** the network's own access-token lifetime; undefined: its tokens do not expire */
  accessSeconds?: number;
  /** the network's refresh-token lifetime; undefined: no expiry */
  refreshSeconds?: number;
  /** whether a refresh grant is issued: always, never, or when a scope asks for it */
  refreshTokens: 'always' | 'never' | { scope: string };
  /** a used refresh token dies and a new one comes back */
  rotateRefresh: boolean;
  /** PKCE: the network insists on it, or checks it when the client sent a challenge */
  pkce: 'required' | 'optional';
  /** the network's authorization-code lifetime (X: 30 s; Doorkeeper: 10 min) */
  codeSeconds: number;
  /** the text of the consent page */
  networkName: string;
  /** the token's shape, as the network's look */
  mintToken?: (kind: 'access' | 'refresh' | 'code') => string;
  now?: () => number;
};

type PendingCode = {
  code: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  challenge?: string;
  expiresAt: number;
  used: boolean;
  grant: string;
  account?: string;
};

export type AuthorizeRequest = {
  app: OAuthApp;
  redirectUri: string;
  scopes: string[];
  state?: string;
  challenge?: string;
  /** every parameter of the request, carried through the consent form */
  params: URLSearchParams;
};

export type AuthorizeCheck =
  | { ok: true; request: AuthorizeRequest }
  /** no trustworthy redirect: the error is shown on the page (RFC 6749 4.1.2.1) */
  | { ok: false; page: string; status: number }
  /** the redirect is known: the error goes back to the client */
  | { ok: false; redirect: string };

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** The S256 challenge of a verifier (RFC 7636 4.2). */
export const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** An error redirect with `error`, `error_description` and the client's `state`. */
export function redirectWith(
  redirectUri: string,
  params: Record<string, string | undefined>,
): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  return url.toString();
}

export class AuthorizationServer {
  readonly platform: Platform;
  private readonly options: AuthorizationServerOptions;
  private readonly apps = new Map<string, OAuthApp>();
  private readonly codes = new Map<string, PendingCode>();
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly now: () => number;

  constructor(options: AuthorizationServerOptions) {
    this.options = options;
    this.platform = options.platform;
    this.now = options.now ?? Date.now;
  }

  get ledger(): AuthLedger {
    return this.options.ledger;
  }

  /** The access-token lifetime in seconds: the override, else the network's; undefined never expires. */
  get accessSeconds(): number | undefined {
    if (this.options.accessSeconds === undefined) return undefined;
    return this.options.tokenSeconds ?? this.options.accessSeconds;
  }

  /**
   * Any other age rule of the network (a refresh token's life, "refreshable once 24 hours
   * old"), scaled by the ratio of the overridden to the network's access-token lifetime.
   */
  scaled(networkSeconds: number, networkAccessSeconds = this.options.accessSeconds): number {
    const { tokenSeconds } = this.options;
    if (tokenSeconds === undefined || networkAccessSeconds === undefined) return networkSeconds;
    return (networkSeconds * tokenSeconds) / networkAccessSeconds;
  }

  register(app: OAuthApp): OAuthApp {
    this.apps.set(app.clientId, app);
    return app;
  }

  app(clientId: string): OAuthApp | undefined {
    return this.apps.get(clientId);
  }

  private mint(kind: 'access' | 'refresh' | 'code'): string {
    return this.options.mintToken?.(kind) ?? randomToken();
  }

  /** Checks an authorize request (GET for the page, POST for the decision). */
  checkAuthorize(params: URLSearchParams): AuthorizeCheck {
    const clientId = params.get('client_id') ?? '';
    const app = this.apps.get(clientId);
    if (!app) return this.errorPage(400, 'The client_id is not a registered application.');
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!app.redirectUris.has(redirectUri)) {
      return this.errorPage(400, 'The redirect_uri does not match the registered one.');
    }
    const state = params.get('state') ?? undefined;
    const back = (error: string, description: string) => ({
      ok: false as const,
      redirect: redirectWith(redirectUri, { error, error_description: description, state }),
    });
    if (params.get('response_type') !== 'code') {
      return back('unsupported_response_type', 'response_type must be code');
    }
    const scopes = (params.get('scope') ?? '').split(/[\s,]+/).filter(Boolean);
    const unknown = app.scopes ? scopes.filter((s) => !app.scopes?.includes(s)) : [];
    if (unknown.length > 0) return back('invalid_scope', `Unknown scope: ${unknown.join(' ')}`);
    const challenge = params.get('code_challenge') ?? undefined;
    const method = params.get('code_challenge_method') ?? undefined;
    if (challenge === undefined && this.options.pkce === 'required') {
      return back('invalid_request', 'code_challenge is required');
    }
    if (challenge !== undefined && method !== 'S256') {
      return back('invalid_request', 'code_challenge_method must be S256');
    }
    if (challenge !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return back('invalid_request', 'code_challenge is not an S256 challenge');
    }
    return { ok: true, request: { app, redirectUri, scopes, state, challenge, params } };
  }

  private errorPage(status: number, message: string): AuthorizeCheck {
    const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(
      this.options.networkName,
    )}: authorization error</title></head><body><h1>Authorization error</h1><p role="alert">${escapeHtml(
      message,
    )}</p></body></html>`;
    return { ok: false, status, page };
  }

  /** The consent page: the app, the scopes asked, and a form that posts the decision back. */
  consentPage(
    request: AuthorizeRequest,
    action: string,
    account: string,
    /** several sign-ins to choose from, the first (the default, `value: ''`) checked */
    choices: readonly ConsentAccount[] = [],
  ): string {
    const hidden = [...request.params]
      .filter(([key]) => key !== 'decision' && key !== 'account')
      .map(
        ([key, value]) =>
          `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(value)}">`,
      )
      .join('\n      ');
    const scopes = request.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('');
    const accounts =
      choices.length === 0
        ? ''
        : `<fieldset><legend>Sign in as</legend>${choices
            .map(
              (c, i) =>
                `<label><input type="radio" name="account" value="${escapeHtml(c.value)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(c.label)}</label>`,
            )
            .join('<br>')}</fieldset>`;
    const network = escapeHtml(this.options.networkName);
    const app = escapeHtml(request.app.name);
    return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Authorize ${app} - ${network} (sandbox)</title></head>
  <body>
    <main>
      <h1>${app} wants to access your ${network} account</h1>
      <p>Signed in as <strong>${escapeHtml(account)}</strong> (sandbox).</p>
      <h2>It asks to</h2>
      <ul class="scopes">${scopes || '<li>(no scope)</li>'}</ul>
      <form method="post" action="${escapeHtml(action)}">
      ${hidden}
      ${accounts}
        <button type="submit" name="decision" value="allow">Authorize app</button>
        <button type="submit" name="decision" value="deny">Deny</button>
      </form>
    </main>
  </body>
</html>
`;
  }

  /** The consent form's decision: the redirect with a code and `state`, or `access_denied`. */
  decide(form: URLSearchParams): AuthorizeCheck | { ok: true; redirect: string } {
    const checked = this.checkAuthorize(form);
    if (!checked.ok) return checked;
    const { request } = checked;
    if (form.get('decision') !== 'allow') {
      return {
        ok: false,
        redirect: redirectWith(request.redirectUri, {
          error: 'access_denied',
          error_description: 'The user denied the request',
          state: request.state,
        }),
      };
    }
    const code: PendingCode = {
      code: this.mint('code'),
      clientId: request.app.clientId,
      redirectUri: request.redirectUri,
      scopes: request.scopes,
      challenge: request.challenge,
      expiresAt: this.now() + this.options.codeSeconds * 1000,
      used: false,
      grant: randomToken(12),
      ...(form.get('account') ? { account: form.get('account') ?? '' } : {}),
    };
    this.codes.set(code.code, code);
    return {
      ok: true,
      redirect: redirectWith(request.redirectUri, { code: code.code, state: request.state }),
    };
  }

  /** The client's id and secret, checked; an error when the client is unknown or the secret wrong. */
  authenticateClient(clientId: string, clientSecret: string | undefined): OAuthApp | OAuthError {
    const app = this.apps.get(clientId);
    if (!app) return { status: 401, error: 'invalid_client', description: 'Unknown client' };
    if (app.clientSecret !== undefined) {
      if (clientSecret === undefined || !sameSecret(clientSecret, app.clientSecret)) {
        return {
          status: 401,
          error: 'invalid_client',
          description: 'Client authentication failed',
        };
      }
    }
    return app;
  }

  /** `grant_type=authorization_code`: the code, once, from the same client and redirect, with PKCE. */
  exchangeCode(
    app: OAuthApp,
    params: { code?: string; redirectUri?: string; verifier?: string },
    /** the access token's label and life, where the code gives a token of its own kind */
    token: { flavour?: string; accessSeconds?: number } = {},
  ): TokenAnswer | OAuthError {
    const invalid = (description: string): OAuthError => ({
      status: 400,
      error: 'invalid_grant',
      description,
    });
    const code = this.codes.get(params.code ?? '');
    if (!code || code.clientId !== app.clientId)
      return invalid('The authorization code is invalid');
    if (code.used) {
      // RFC 6749 4.1.2: a code used twice revokes what it gave.
      this.revokeGrant(code.grant);
      return invalid('The authorization code was already used');
    }
    code.used = true;
    if (code.expiresAt <= this.now()) return invalid('The authorization code has expired');
    if (params.redirectUri !== code.redirectUri) {
      return invalid('The redirect_uri does not match the authorization request');
    }
    if (code.challenge !== undefined) {
      if (!params.verifier || !sameSecret(s256(params.verifier), code.challenge)) {
        return invalid('The code_verifier does not match the code_challenge');
      }
    } else if (params.verifier !== undefined) {
      return invalid('A code_verifier was sent for a request without code_challenge');
    }
    return this.issue(
      app.clientId,
      code.scopes,
      code.grant,
      true,
      token.flavour,
      { seconds: 'accessSeconds' in token ? token.accessSeconds : this.accessSeconds },
      code.account,
    );
  }

  /** Issues an access token (and, where the network gives one, a refresh token). */
  issue(
    clientId: string,
    scopes: string[],
    grant = randomToken(12),
    withRefresh = true,
    flavour?: string,
    /** the access token's life in seconds; `seconds: undefined` never expires */
    lifetime: { seconds: number | undefined } = { seconds: this.accessSeconds },
    /** which sign-in granted it, carried to every token of the grant */
    account?: string,
  ): TokenAnswer {
    const accessSeconds = lifetime.seconds;
    const now = this.now();
    const access: TokenRecord = {
      token: this.mint('access'),
      kind: 'access',
      clientId,
      scopes,
      issuedAt: now,
      expiresAt: accessSeconds === undefined ? undefined : now + accessSeconds * 1000,
      revoked: false,
      grant,
      flavour,
      ...(account === undefined ? {} : { account }),
    };
    this.tokens.set(access.token, access);
    this.ledger.note(this.platform, 'issued');
    const answer: TokenAnswer = { access, expiresIn: accessSeconds };
    const policy = this.options.refreshTokens;
    const wantsRefresh =
      withRefresh &&
      (policy === 'always' || (typeof policy === 'object' && scopes.includes(policy.scope)));
    if (wantsRefresh) {
      const seconds =
        this.options.refreshSeconds === undefined
          ? undefined
          : this.scaled(this.options.refreshSeconds);
      answer.refresh = {
        token: this.mint('refresh'),
        kind: 'refresh',
        clientId,
        scopes,
        issuedAt: now,
        expiresAt: seconds === undefined ? undefined : now + seconds * 1000,
        revoked: false,
        grant,
        ...(account === undefined ? {} : { account }),
      };
      answer.refreshExpiresIn = seconds;
      this.tokens.set(answer.refresh.token, answer.refresh);
    }
    return answer;
  }

  /** `grant_type=refresh_token`: a new access token; the refresh token rotates where the network's does. */
  refresh(app: OAuthApp, refreshToken: string | undefined): TokenAnswer | OAuthError {
    const record = this.tokens.get(refreshToken ?? '');
    const invalid = (description: string): OAuthError => ({
      status: 400,
      error: 'invalid_grant',
      description,
    });
    if (record?.kind !== 'refresh' || record.clientId !== app.clientId) {
      return invalid('The refresh token is invalid');
    }
    if (record.revoked) return invalid('The refresh token was revoked');
    if (record.expiresAt !== undefined && record.expiresAt <= this.now()) {
      return invalid('The refresh token has expired');
    }
    this.ledger.note(this.platform, 'refreshed');
    // The old access tokens of the grant stay valid until they expire, as at X and LinkedIn.
    const answer = this.issue(
      app.clientId,
      record.scopes,
      record.grant,
      this.options.rotateRefresh,
      undefined,
      { seconds: this.accessSeconds },
      record.account,
    );
    if (this.options.rotateRefresh) {
      record.revoked = true;
    } else {
      answer.refresh = record;
      answer.refreshExpiresIn =
        record.expiresAt === undefined
          ? undefined
          : Math.max(0, Math.floor((record.expiresAt - this.now()) / 1000));
    }
    return answer;
  }

  /**
   * Replaces an access token with another of the same grant (Meta's long-lived exchange
   * and refresh); the old one stays valid until it expires, as Meta's do.
   */
  reissue(record: TokenRecord, flavour: string, seconds: number | undefined): TokenAnswer {
    return this.issue(
      record.clientId,
      record.scopes,
      record.grant,
      false,
      flavour,
      { seconds },
      record.account,
    );
  }

  /**
   * RFC 7009: revokes a token (and, for a refresh token or with `wholeGrant`, every token
   * of its grant, as a user removing the app does); unknown tokens are ignored.
   */
  revoke(token: string | undefined, clientId?: string, wholeGrant = false): boolean {
    const record = this.tokens.get(token ?? '');
    if (!record || (clientId !== undefined && record.clientId !== clientId)) return false;
    if (record.kind === 'refresh' || wholeGrant) this.revokeGrant(record.grant);
    else if (!record.revoked) {
      record.revoked = true;
      this.ledger.note(this.platform, 'revoked');
    }
    return true;
  }

  private revokeGrant(grant: string): void {
    for (const record of this.tokens.values()) {
      if (record.grant !== grant || record.revoked) continue;
      record.revoked = true;
      if (record.kind === 'access') this.ledger.note(this.platform, 'revoked');
    }
  }

  /** An access token presented to the API; an expired one is counted as refused. */
  check(token: string | undefined): TokenCheck {
    const record = this.tokens.get(token ?? '');
    if (record?.kind !== 'access') return { ok: false, reason: 'unknown' };
    if (record.revoked) return { ok: false, reason: 'revoked', record };
    if (record.expiresAt !== undefined && record.expiresAt <= this.now()) {
      this.ledger.note(this.platform, 'expired');
      return { ok: false, reason: 'expired', record };
    }
    return { ok: true, record };
  }

  /** Whether a token is one this server issued (valid or not). */
  knows(token: string | undefined): boolean {
    return this.tokens.has(token ?? '');
  }
}

/** The RFC 6749 error body most networks answer a token request with. */
export const oauthErrorBody = (error: OAuthError) => ({
  error: error.error,
  error_description: error.description,
});

export const isOAuthError = (value: unknown): value is OAuthError =>
  typeof value === 'object' && value !== null && 'error' in value && 'status' in value;

/** The client id and secret of an `Authorization: Basic` header (RFC 6749 2.3.1). */
export function basicCredentials(
  header: string | undefined,
): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon)),
      clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
    };
  } catch {
    return undefined;
  }
}
