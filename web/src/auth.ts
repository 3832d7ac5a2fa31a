/**
 * Who the editor is, to the API. Locally the editor token (typed once, or handed over
 * in the address's `#token=` fragment by `npm start`); in AWS a Cognito ID token from
 * the hosted sign-in page, by the authorization code flow with PKCE. Either is kept in
 * sessionStorage: it goes when the tab closes.
 */
import * as z from 'zod/mini';
import { LOCAL_RUNTIME_CONFIG, type RuntimeConfig, runtimeConfigSchema } from './runtime-config';

export type { RuntimeConfig } from './runtime-config';

type CognitoConfig = Extract<RuntimeConfig['auth'], { mode: 'cognito' }>;

/** What `/config.json` says; without one, the local token sign-in. */
export async function loadRuntimeConfig(): Promise<RuntimeConfig> {
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (response.ok) {
      const parsed = runtimeConfigSchema.safeParse(await response.json());
      if (parsed.success) return parsed.data;
    }
  } catch {
    // No config: the local runtime's defaults.
  }
  // Never the local sandbox links: a deployment whose config did not load is not local.
  return { auth: LOCAL_RUNTIME_CONFIG.auth };
}

const TOKEN_KEY = 'crier.token';
const PKCE_KEY = 'crier.pkce';

export const storedToken = (): string | undefined => sessionStorage.getItem(TOKEN_KEY) ?? undefined;
export const storeToken = (token: string) => sessionStorage.setItem(TOKEN_KEY, token);
export const forgetToken = () => sessionStorage.removeItem(TOKEN_KEY);

/**
 * `#token=<token>` in the address (npm start prints such a link): kept, and removed from
 * the address and the history at once, so it is not bookmarked or shared by accident.
 */
export function takeTokenFromFragment(): boolean {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return false;
  storeToken(decodeURIComponent(match[1]));
  history.replaceState(null, '', `${location.pathname}${location.search}#/queue`);
  return true;
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const randomString = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

const redirectUri = () => `${location.origin}/`;

/** Off to Cognito's sign-in page; it comes back to `/?code=...&state=...`. */
export async function startCognitoSignIn(config: CognitoConfig): Promise<void> {
  const verifier = randomString();
  const state = randomString();
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, hash: location.hash }));
  const url = new URL('/oauth2/authorize', config.domain);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid email profile',
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

const pendingSchema = z.object({ verifier: z.string(), state: z.string(), hash: z.string() });
const tokenAnswerSchema = z.object({ id_token: z.string() });

/**
 * Back from the sign-in page: trade the code for tokens (the state must match the one
 * this tab sent), keep the ID token, and clean the address. False when this is no return.
 */
export async function finishCognitoSignIn(config: CognitoConfig): Promise<boolean> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (!code) return false;
  const pending = pendingSchema.safeParse(JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null'));
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', `/${pending.success ? pending.data.hash : ''}`);
  if (!pending.success || params.get('state') !== pending.data.state) {
    throw new Error('The sign-in answer does not match the request this tab made. Sign in again.');
  }
  const response = await fetch(new URL('/oauth2/token', config.domain), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: pending.data.verifier,
    }),
  });
  const answer = tokenAnswerSchema.safeParse(await response.json().catch(() => null));
  if (!response.ok || !answer.success) throw new Error('Cognito did not accept the sign-in.');
  storeToken(answer.data.id_token);
  return true;
}

export function cognitoSignOut(config: CognitoConfig): void {
  forgetToken();
  const url = new URL('/logout', config.domain);
  url.search = new URLSearchParams({
    client_id: config.clientId,
    logout_uri: redirectUri(),
  }).toString();
  location.assign(url.toString());
}
