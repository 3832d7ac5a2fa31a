/**
 * Bluesky sessions: pooled agents (each bound to one call's deadline), a stored session
 * resumed as it is, a password login when there is none or it died (one at a time per
 * account in this process, and per channel across processes through the call's
 * `loginGate`), and the session to hand back when the agent renewed it. `inSession` runs
 * one call through all of that.
 */
import { AtpAgent, type AtpSessionData, type AtpSessionEvent, XRPCError } from '@atproto/api';
import * as z from 'zod';
import { parseJson } from '../../domain/json';
import type { LoginGate } from '../client';
import type { BlueskyCredentials } from './credentials';

/** What `ClientCall.session` holds between calls. */
const storedSessionSchema = z.object({
  service: z.string(),
  identifier: z.string(),
  did: z.string().startsWith('did:'),
  handle: z.string(),
  accessJwt: z.string().min(1),
  refreshJwt: z.string().min(1),
  /** the account's own PDS when the entryway named one in its DID document */
  pdsUrl: z.url().optional(),
});

type StoredSession = z.output<typeof storedSessionSchema>;

/**
 * An agent builds two lexicon registries (about 15 ms of CPU), so agents are kept and
 * reused; each serves one call at a time, and that call's deadline reaches every request
 * the agent makes, its own session refreshes included.
 */
export class PooledAgent {
  readonly agent: AtpAgent;
  deadline: AbortSignal = new AbortController().signal;
  /** the agent logged in or refreshed during the current call */
  renewed = false;

  constructor(readonly service: string) {
    this.agent = new AtpAgent({
      service,
      fetch: (input, init) => this.fetch(input, init),
      persistSession: (event: AtpSessionEvent) => {
        if (event === 'create' || event === 'update') this.renewed = true;
        if (event === 'expired' || event === 'create-failed') this.renewed = false;
      },
    });
  }

  private fetch(input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> {
    const signals = [this.deadline];
    if (input instanceof Request) signals.push(input.signal);
    if (init?.signal) signals.push(init.signal);
    return fetch(input, { ...init, signal: AbortSignal.any(signals) });
  }
}

const IDLE_PER_SERVICE = 4;
const idle = new Map<string, PooledAgent[]>();

function checkout(service: string, deadline: AbortSignal): PooledAgent {
  const pooled = idle.get(service)?.pop() ?? new PooledAgent(service);
  pooled.deadline = deadline;
  pooled.renewed = false;
  pooled.agent.sessionManager.session = undefined;
  pooled.agent.sessionManager.pdsUrl = undefined;
  return pooled;
}

/** Only an agent whose requests all settled goes back: an aborted one may still be refreshing. */
function release(pooled: PooledAgent): void {
  if (pooled.deadline.aborted) return;
  pooled.agent.sessionManager.session = undefined;
  const list = idle.get(pooled.service) ?? [];
  if (list.length < IDLE_PER_SERVICE) list.push(pooled);
  idle.set(pooled.service, list);
}

function readSession(raw: string | undefined, credentials: BlueskyCredentials) {
  if (!raw) return undefined;
  const parsed = parseJson(storedSessionSchema, raw);
  // A session of another account or server (the credentials changed) is not resumed.
  if (
    !parsed.success ||
    parsed.data.service !== credentials.service ||
    parsed.data.identifier !== credentials.identifier
  ) {
    return undefined;
  }
  return parsed.data;
}

/** The session to hand back when the agent logged in or refreshed during this call. */
function sessionToKeep(pooled: PooledAgent, credentials: BlueskyCredentials) {
  const session = pooled.agent.session;
  if (!pooled.renewed || !session) return undefined;
  const stored: StoredSession = {
    service: credentials.service,
    identifier: credentials.identifier,
    did: session.did,
    handle: session.handle,
    accessJwt: session.accessJwt,
    refreshJwt: session.refreshJwt,
    ...(pooled.agent.pdsUrl ? { pdsUrl: pooled.agent.pdsUrl.toString() } : {}),
  };
  return JSON.stringify(stored);
}

type Started = { ok: true; resumed: boolean } | { ok: false; error: unknown };

function resume(pooled: PooledAgent, stored: StoredSession): void {
  const session: AtpSessionData = {
    did: stored.did,
    handle: stored.handle,
    accessJwt: stored.accessJwt,
    refreshJwt: stored.refreshJwt,
    active: true,
  };
  pooled.agent.sessionManager.session = session;
  pooled.agent.sessionManager.pdsUrl = stored.pdsUrl ? new URL(stored.pdsUrl) : undefined;
}

/**
 * Resumes the stored session as it is, without the refresh that `resumeSession` forces in
 * @atproto/api 0.19: a refresh rotates the refresh token (the reference PDS takes a used
 * one for two more hours, then revokes it), so a refresh on every resume would cost a
 * request and a write of the stored session on every call, and a worker holding a session
 * older than that grace would find it dead. The agent refreshes by itself when the PDS
 * answers `ExpiredToken`. Without a usable session it logs in (createSession is limited
 * to 30 per 5 minutes per account).
 */
async function startSession(
  pooled: PooledAgent,
  credentials: BlueskyCredentials,
  call: SessionCall,
): Promise<Started> {
  const stored = readSession(call.session, credentials);
  if (stored) {
    resume(pooled, stored);
    return { ok: true, resumed: true };
  }
  return login(pooled, credentials, call, undefined);
}

type SessionCall = { session?: string; timeoutMs: number; loginGate?: LoginGate };
type LoggedIn =
  | { ok: true; stored: StoredSession; session?: string }
  | { ok: false; error: unknown; session?: undefined };

/** The logins under way in this process, by account: a call that needs one joins it. */
const loggingIn = new Map<string, Promise<LoggedIn>>();

/**
 * A password login, single-flight: calls of this process that need one at the same time
 * share it, and across processes the channel's gate lets one log in at a time, handing
 * the next the session the first stored. `dead` is the stored session found dead, which
 * the gate's re-read must not hand back.
 */
async function login(
  pooled: PooledAgent,
  credentials: BlueskyCredentials,
  call: SessionCall,
  dead: string | undefined,
): Promise<Started> {
  const account = `${credentials.service}\n${credentials.identifier}`;
  let flight = loggingIn.get(account);
  if (!flight) {
    flight = gatedLogin(credentials, call, dead).finally(() => loggingIn.delete(account));
    loggingIn.set(account, flight);
  }
  const done = await flight;
  if (!done.ok) return done;
  resume(pooled, done.stored);
  // Each call that joined hands the session back, so its caller stores it too (harmless).
  if (done.session) pooled.renewed = true;
  return { ok: true, resumed: false };
}

function gatedLogin(
  credentials: BlueskyCredentials,
  call: SessionCall,
  dead: string | undefined,
): Promise<LoggedIn> {
  const run = async (current: string | undefined): Promise<LoggedIn> => {
    const stored = current === dead ? undefined : readSession(current, credentials);
    // Another process logged in while this one waited at the gate.
    if (stored) return { ok: true, stored };
    const deadline = AbortSignal.timeout(call.timeoutMs);
    const pooled = checkout(credentials.service, deadline);
    try {
      await pooled.agent.login({
        identifier: credentials.identifier,
        password: credentials.password,
      });
      const session = sessionToKeep(pooled, credentials);
      const made = session ? readSession(session, credentials) : undefined;
      if (!session || !made)
        return { ok: false, error: new Error('The login answered no session') };
      return { ok: true, stored: made, session };
    } catch (error) {
      return { ok: false, error };
    } finally {
      release(pooled);
    }
  };
  return call.loginGate ? call.loginGate.exclusive(run) : run(undefined);
}

/**
 * The session is alive but its app password may not do this (`InvalidToken` with "Bad
 * token scope" or "Bad token method", as the PDS's auth verifier answers): a new login
 * with the same password gets the same scope, so only a person can help.
 */
export function isScopeError(error: unknown): boolean {
  return (
    error instanceof XRPCError &&
    error.error === 'InvalidToken' &&
    /^Bad token (scope|method)/.test(error.message)
  );
}

/** The stored session is dead (revoked, or its refresh failed): a password login may help. */
export function isSessionError(error: unknown): boolean {
  return (
    error instanceof XRPCError &&
    !isScopeError(error) &&
    (error.status === 401 ||
      (error.status === 400 && (error.error === 'ExpiredToken' || error.error === 'InvalidToken')))
  );
}

/** A step of a call: done, or failed with what it threw. */
type Step = { ok: true } | { ok: false; error: unknown };

/** The password login that a dead resumed session called for failed as well. */
export type LoginFailed = { ok: false; error: unknown; login: true };

export type Session = {
  pooled: PooledAgent;
  deadline: AbortSignal;
  /**
   * Runs `step`; when it finds a resumed session dead, logs in once with the password and
   * runs it again. The agent already tried a refresh, and a 400/401 auth error means
   * nothing was written, so the step is safe to repeat.
   */
  attempt: <R extends Step>(step: () => Promise<R>) => Promise<R | LoginFailed>;
};

/**
 * One call on a pooled agent: the stored session resumed (or a login, whose failure
 * `loginFailed` words), then `run`, and the session the agent renewed on the outcome.
 */
export async function inSession<O extends { session?: string }>(
  credentials: BlueskyCredentials,
  call: SessionCall,
  loginFailed: (error: unknown, deadline: AbortSignal) => O,
  run: (session: Session) => Promise<O>,
): Promise<O> {
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const pooled = checkout(credentials.service, deadline);
  try {
    const started = await startSession(pooled, credentials, call);
    const outcome = started.ok
      ? await run({
          pooled,
          deadline,
          attempt: async (step) => {
            const first = await step();
            if (first.ok || !started.resumed || !isSessionError(first.error)) return first;
            const again = await login(pooled, credentials, call, call.session);
            if (!again.ok) return { ok: false, error: again.error, login: true };
            return step();
          },
        })
      : loginFailed(started.error, deadline);
    const session = sessionToKeep(pooled, credentials);
    return session ? { ...outcome, session } : outcome;
  } finally {
    release(pooled);
  }
}
