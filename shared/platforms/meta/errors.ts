/**
 * Meta's Graph errors (`{"error":{"message","type","code","error_subcode","fbtrace_id"}}`)
 * and usage headers, mapped onto Crier's outcome kinds step by step (docs/networks.md,
 * Threads and Instagram, "Errors"). Meta's codes decide, not the HTTP status: the same
 * throttle arrives as 400, 403 or 429 depending on the surface.
 */
import * as z from 'zod';
import { parseJson } from '../../domain/json';

const code = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);

export const graphErrorSchema = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().optional(),
    code: code.optional(),
    error_subcode: code.optional(),
    is_transient: z.boolean().optional(),
    error_user_title: z.string().optional(),
    error_user_msg: z.string().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

export type GraphError = z.output<typeof graphErrorSchema>['error'];

/** Why a Graph call did not give an answer to use. */
export type GraphFailure =
  | { kind: 'http'; status: number; error?: GraphError; headers: Headers }
  /** the call's time ran out: the request may have arrived */
  | { kind: 'timeout' }
  /** no connection was made: nothing arrived */
  | { kind: 'not-sent'; detail: string }
  /** the connection broke, or the answer was not JSON: the request may have arrived */
  | { kind: 'lost'; detail: string };

/**
 * Which call failed. Nothing is posted before `publish`, so every failure of a
 * container or status step is safe to retry; after `publish` only a clear refusal is.
 */
export type GraphStep = 'container' | 'status' | 'publish';

export type Classified =
  | { kind: 'auth'; message: string; permission?: true }
  | { kind: 'rejected'; message: string }
  | { kind: 'retry'; message: string }
  | { kind: 'unknown'; message: string }
  | { kind: 'rate'; until: string; message: string };

/** Token invalid, expired, or the session was changed (password, app removed). */
const AUTH_CODES = new Set([102, 190]);
/** Permissions missing: an operator's matter, like a dead token, but no refresh helps. */
const PERMISSION_CODES = new Set([3, 10]);

/** Graph's permission errors: #3 and #10, and the #200-#299 family (#200 for Pages). */
export const isPermissionCode = (code: number) =>
  PERMISSION_CODES.has(code) || (code >= 200 && code <= 299);
/** Platform and Business Use Case throttles (Graph's rate-limiting page). */
const THROTTLE_CODES = new Set([4, 17, 32, 613, 80001, 80002, 80004, 80005, 80006]);
/** Instagram's publishing quota (100 or so per 24 h), enforced at media_publish. */
const QUOTA = { code: 9, subcode: 2207042 };
/** "We restrict certain activity to protect our community": possible spam. */
const SPAM = { code: 4, subcode: 2207051 };
/** The image could not be fetched from image_url (code 9004 on Instagram and Threads). */
const DOWNLOAD_FAILED = 2207052;
/** Transient container failures Meta asks to retry with a new container. */
const RETRY_SUBCODES = new Set([2207001, 2207003, 2207032, 2207053]);
/** The container expired (not published within 24 h): only a new one helps. */
const EXPIRED_SUBCODE = 2207020;
/** The container is not ready yet ("Media ID is not available"). */
const NOT_READY = { code: 9007, subcode: 2207027 };
/** "The requested resource does not exist": a container not found (Threads 4279009, Instagram 2207006). */
const NOT_FOUND_CODE = 24;

/** Without a usable `estimated_time_to_regain_access`: Graph throttles clear within the hour. */
const THROTTLE_BACKOFF_MS = 15 * 60_000;
/** A publishing quota is a rolling 24 h: try again in an hour rather than hammer it. */
const QUOTA_BACKOFF_MS = 60 * 60_000;

const usageEntrySchema = z.object({ estimated_time_to_regain_access: z.number().optional() });
const businessUsageSchema = z.record(z.string(), z.array(usageEntrySchema));

/**
 * When Meta says access returns: the largest `estimated_time_to_regain_access` (minutes)
 * in `X-Business-Use-Case-Usage`. `X-App-Usage` gives percentages only, no time.
 */
export function regainAccessAt(headers: Headers, now = Date.now()): number | undefined {
  const raw = headers.get('x-business-use-case-usage');
  if (!raw) return undefined;
  const usage = parseJson(businessUsageSchema, raw);
  if (!usage.success) return undefined;
  const minutes = Object.values(usage.data)
    .flat()
    .map((entry) => entry.estimated_time_to_regain_access ?? 0)
    .filter((m) => Number.isFinite(m) && m > 0);
  return minutes.length > 0 ? now + Math.max(...minutes) * 60_000 : undefined;
}

/** `Threads answered 400 (#190/463 OAuthException): Error validating access token: …` */
export function describeFailure(network: string, failure: GraphFailure, timeoutMs: number): string {
  switch (failure.kind) {
    case 'timeout':
      return `No answer from ${network} within ${timeoutMs} ms`;
    case 'not-sent':
      return `Could not reach ${network} (${failure.detail})`;
    case 'lost':
      return `The exchange with ${network} broke off (${failure.detail})`;
    case 'http': {
      const e = failure.error;
      if (!e) return `${network} answered ${failure.status} without a Graph error`;
      const codes = [e.code, e.error_subcode].filter((c) => c !== undefined).join('/');
      const label = [codes ? `#${codes}` : '', e.type ?? ''].filter(Boolean).join(' ');
      const said = [e.message, e.error_user_title, e.error_user_msg].filter(Boolean).join(' ');
      return `${network} answered ${failure.status}${label ? ` (${label})` : ''}${said ? `: ${said.slice(0, 400)}` : ''}`;
    }
  }
}

function rateUntil(failure: GraphFailure, fallbackMs: number, now = Date.now()): string {
  const headers = failure.kind === 'http' ? failure.headers : undefined;
  const at = headers ? regainAccessAt(headers, now) : undefined;
  return new Date(Math.max(at ?? now + fallbackMs, now)).toISOString();
}

const is = (e: GraphError, match: { code: number; subcode: number }) =>
  e.code === match.code && e.error_subcode === match.subcode;

/**
 * The outcome of a failed step. Before `publish` nothing can have been posted, so what
 * would be `unknown` there is `retry`; on `publish`, only a refusal that Meta states
 * plainly is anything but `unknown`.
 */
export function classify(
  network: string,
  step: GraphStep,
  failure: GraphFailure,
  timeoutMs: number,
): Classified {
  const message = describeFailure(network, failure, timeoutMs);
  const mayHavePosted = step === 'publish';
  const unclear: Classified = mayHavePosted
    ? { kind: 'unknown', message: `${message}; the post may exist: reconcile before any retry` }
    : { kind: 'retry', message: `${message}; nothing was posted` };

  if (failure.kind === 'not-sent')
    return { kind: 'retry', message: `${message}; nothing was sent` };
  if (failure.kind !== 'http') return unclear;
  const e = failure.error;
  if (!e) {
    if (failure.status === 429) {
      return { kind: 'rate', until: rateUntil(failure, THROTTLE_BACKOFF_MS), message };
    }
    // A proxy's page, or a body cut short: whether Graph saw the request is unknown.
    return unclear;
  }
  if (e.code !== undefined && AUTH_CODES.has(e.code)) return { kind: 'auth', message };
  if (e.code !== undefined && isPermissionCode(e.code)) {
    return { kind: 'auth', message, permission: true };
  }
  if (is(e, SPAM)) {
    // Third-party publishers report posts that went out despite this answer to media_publish.
    return mayHavePosted ? unclear : { kind: 'rejected', message };
  }
  if (is(e, QUOTA)) return { kind: 'rate', until: rateUntil(failure, QUOTA_BACKOFF_MS), message };
  if (e.code !== undefined && THROTTLE_CODES.has(e.code)) {
    return { kind: 'rate', until: rateUntil(failure, THROTTLE_BACKOFF_MS), message };
  }
  if (e.error_subcode === EXPIRED_SUBCODE) {
    return {
      kind: 'retry',
      message: `${message}; the container expired unpublished: a new one must be prepared`,
    };
  }
  if (is(e, NOT_READY)) return { kind: 'retry', message: `${message}; nothing was posted` };
  if (e.code === NOT_FOUND_CODE) {
    // On publish it may be the container that was just published; elsewhere it is gone.
    return mayHavePosted ? unclear : { kind: 'retry', message: `${message}; nothing was posted` };
  }
  if (e.error_subcode === DOWNLOAD_FAILED || e.code === 9004) return { kind: 'rejected', message };
  if (e.error_subcode !== undefined && RETRY_SUBCODES.has(e.error_subcode)) {
    return mayHavePosted ? unclear : { kind: 'retry', message: `${message}; nothing was posted` };
  }
  if (failure.status >= 500 || e.code === 1 || e.code === 2 || e.is_transient === true) {
    return unclear;
  }
  return { kind: 'rejected', message };
}
