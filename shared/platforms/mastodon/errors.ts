/**
 * What a failed masto request was (an HTTP answer, a timeout, no connection, a lost one),
 * in words that never carry the token, and what it means for a create or a withdrawal
 * (docs/networks.md, Mastodon, Errors).
 */
import { MastoHttpError, MastoTimeoutError } from 'masto';
import type { MetricsOutcome, PublishOutcome, WithdrawCall, WithdrawOutcome } from '../client';

/** Without X-RateLimit-Reset, the API throttle's whole period (5 minutes) is the safe wait. */
const DEFAULT_RATE_WAIT_MS = 5 * 60_000;
/** connecting failed: nothing reached the instance */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

function errorCode(error: unknown): string | undefined {
  for (let cause: unknown = error, depth = 0; cause && depth < 4; depth++) {
    if (typeof cause !== 'object') return undefined;
    if ('code' in cause && typeof cause.code === 'string') return cause.code;
    if (cause instanceof AggregateError) {
      const first: unknown = cause.errors[0];
      if (first && typeof first === 'object' && 'code' in first && typeof first.code === 'string') {
        return first.code;
      }
    }
    cause = 'cause' in cause ? cause.cause : undefined;
  }
  return undefined;
}

export type Failure =
  | { kind: 'http'; status: number; error: string; message: string; retryAt?: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'not-sent'; message: string }
  | { kind: 'lost'; message: string };

/** What went wrong, in words that never carry the token (masto's messages hold none). */
export function failure(error: unknown, signal: AbortSignal, timeoutMs: number): Failure {
  if (error instanceof MastoHttpError) {
    const said = error.message ? `: ${error.message}` : '';
    const out: Failure = {
      kind: 'http',
      status: error.statusCode,
      error: error.message ?? '',
      message: `Mastodon answered ${error.statusCode}${said}`,
    };
    if (error.statusCode === 429) {
      const reset =
        error.cause instanceof Response ? error.cause.headers.get('x-ratelimit-reset') : null;
      const at = reset ? Date.parse(reset) : Number.NaN;
      out.retryAt = new Date(
        Number.isFinite(at) ? Math.max(at, Date.now()) : Date.now() + DEFAULT_RATE_WAIT_MS,
      ).toISOString();
    }
    return out;
  }
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (
    error instanceof MastoTimeoutError ||
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    signal.aborted
  ) {
    return { kind: 'timeout', message: `Mastodon did not answer within ${timeoutMs} ms` };
  }
  const code = errorCode(error);
  if (code && NOT_SENT_CODES.has(code)) {
    return { kind: 'not-sent', message: `Could not reach the Mastodon instance (${code})` };
  }
  if (code) return { kind: 'lost', message: `The connection to Mastodon failed (${code})` };
  // masto 7.12 throws a bare TypeError or MastoUnexpectedError when an error answer is
  // not JSON (Mastodon's HTML 500 page, a proxy's 502): the status code is lost with it.
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { kind: 'lost', message: `Mastodon's answer was unusable (${detail})` };
}

export function createOutcome(f: Failure): PublishOutcome {
  if (f.kind === 'not-sent') return { kind: 'retry', message: f.message };
  if (f.kind !== 'http') {
    return { kind: 'unknown', message: `${f.message}; the status may have been posted` };
  }
  if (f.status === 401) return { kind: 'auth', message: f.message };
  if (f.status === 429) {
    return { kind: 'rate', until: f.retryAt ?? new Date().toISOString(), message: f.message };
  }
  if (f.status >= 500 || f.status === 408) {
    return { kind: 'unknown', message: `${f.message}; the status may have been posted` };
  }
  // 400, 403, 404, 422 and the rest of 4xx: the request itself is wrong.
  return { kind: 'rejected', message: f.message };
}

/** A delete or an edit is safe to repeat: whatever did not clearly finish is tried again. */
export function withdrawFailure(f: Failure, action: WithdrawCall['action']): WithdrawOutcome {
  if (f.kind !== 'http') return { kind: 'retry', message: f.message };
  // The status is not there (deleted by hand, or by an earlier attempt): nothing to withdraw.
  if (f.status === 404) return { kind: 'withdrawn', note: 'the status was already gone' };
  if (f.status === 401) return { kind: 'auth', message: f.message };
  if (f.status === 429) {
    return { kind: 'rate', until: f.retryAt ?? new Date().toISOString(), message: f.message };
  }
  if (f.status >= 500 || f.status === 408) return { kind: 'retry', message: f.message };
  return { kind: 'rejected', message: `Mastodon refused the ${action}: ${f.message}` };
}

/** A metrics read changes nothing: a 404 means the status is gone, the rest as usual. */
export function metricsFailure(f: Failure): MetricsOutcome {
  if (f.kind !== 'http') return { kind: 'retry', message: f.message };
  if (f.status === 404 || f.status === 410) {
    return { kind: 'gone', message: `${f.message}: the status is no longer there` };
  }
  if (f.status === 401) return { kind: 'auth', message: f.message };
  if (f.status === 429) {
    return { kind: 'rate', until: f.retryAt ?? new Date().toISOString(), message: f.message };
  }
  if (f.status >= 500 || f.status === 408) return { kind: 'retry', message: f.message };
  return { kind: 'rejected', message: `Mastodon refused the metrics read: ${f.message}` };
}
