/**
 * What a failed Bluesky request means for the share: before createRecord nothing was
 * posted, after it the record may exist and must be reconciled, and a lookup or a
 * delete says so in its own outcome (docs/networks.md, Bluesky, Errors).
 */
import { XRPCError } from '@atproto/api';
import type { MetricsOutcome, PublishOutcome, ReconcileOutcome, WithdrawOutcome } from '../client';
import { neverConnected } from '../transport';
import { isScopeError, isSessionError } from './session';

/** When a 429 names no reset, wait this long rather than hammer the PDS. */
const DEFAULT_RATE_WAIT_MS = 60_000;

function explain(error: XRPCError): string {
  return error.error ? `${error.status} ${error.error}: ${error.message}` : error.message;
}

/** The app password lacks the scope: no login or refresh helps, an operator must act. */
function scopeRefusal(error: XRPCError, step: string) {
  return {
    kind: 'auth',
    permission: true,
    message: `Bluesky refused ${step} for the app password's scope (${explain(error)}): use an app password that may post, or the account's own`,
  } as const;
}

/** RateLimit-Reset (Unix seconds) and Retry-After (seconds): the later of the two. */
function rateLimitedUntil(error: XRPCError, now = Date.now()): string {
  const headers = error.headers ?? {};
  const candidates: number[] = [];
  const reset = Number(headers['ratelimit-reset']);
  if (headers['ratelimit-reset'] && Number.isFinite(reset) && reset > 0) {
    candidates.push(reset * 1000);
  }
  const retryAfter = Number(headers['retry-after']);
  if (headers['retry-after'] && Number.isFinite(retryAfter) && retryAfter >= 0) {
    candidates.push(now + retryAfter * 1000);
  }
  const until = candidates.length > 0 ? Math.max(...candidates) : now + DEFAULT_RATE_WAIT_MS;
  return new Date(until).toISOString();
}

/** A failure before createRecord was sent: the post was certainly not made. */
export function beforeCreate(error: unknown, step: string, deadline: AbortSignal): PublishOutcome {
  if (error instanceof XRPCError && error.status >= 400) {
    if (error.status === 429) {
      return {
        kind: 'rate',
        until: rateLimitedUntil(error),
        message: `Bluesky rate-limited ${step}: ${explain(error)}`,
      };
    }
    if (error.status >= 500) {
      return { kind: 'retry', message: `Bluesky failed ${step}: ${explain(error)}` };
    }
    if (error.status === 404 || error.status === 501) {
      return {
        kind: 'rejected',
        message: `The Bluesky service does not serve ${step} (${explain(error)}): check credentials.service`,
      };
    }
    if (isScopeError(error)) return scopeRefusal(error, step);
    if (isSessionError(error) || step === 'the login') {
      return { kind: 'auth', message: `Bluesky refused ${step}: ${explain(error)}` };
    }
    return { kind: 'rejected', message: `Bluesky refused ${step}: ${explain(error)}` };
  }
  if (deadline.aborted) {
    return {
      kind: 'retry',
      message: `No answer from Bluesky to ${step} in time; nothing was posted`,
    };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'retry', message: `Could not reach Bluesky for ${step}: ${detail}` };
}

/** A failure once createRecord may have been sent (docs/networks.md, Bluesky, Errors). */
export function afterCreate(error: unknown, rkey: string, deadline: AbortSignal): PublishOutcome {
  const mayExist = `the record may exist (rkey ${rkey}): reconcile before any retry`;
  if (error instanceof XRPCError && error.status >= 400) {
    if (error.status === 429) {
      return {
        kind: 'rate',
        until: rateLimitedUntil(error),
        message: `Bluesky rate-limited createRecord: ${explain(error)}`,
      };
    }
    if (error.status >= 500 && error.status !== 501) {
      // A repeated rkey fails inside the repo write and surfaces as this same plain 500.
      return { kind: 'unknown', message: `Bluesky answered ${explain(error)}; ${mayExist}` };
    }
    // Refused at the auth check: the write was never made.
    if (isScopeError(error)) return scopeRefusal(error, 'createRecord');
    if (error.status === 401 || error.status === 403 || isSessionError(error)) {
      return { kind: 'auth', message: `Bluesky refused the credentials: ${explain(error)}` };
    }
    if (error.status === 400 && error.error === 'ConcurrentWrites') {
      return { kind: 'retry', message: `Bluesky refused a concurrent write: ${explain(error)}` };
    }
    if (error.status === 404 || error.status === 501) {
      return {
        kind: 'rejected',
        message: `The Bluesky service does not serve createRecord (${explain(error)}): check credentials.service`,
      };
    }
    return { kind: 'rejected', message: `Bluesky refused the post: ${explain(error)}` };
  }
  if (deadline.aborted) {
    return {
      kind: 'unknown',
      message: `No answer from Bluesky to createRecord in time; ${mayExist}`,
    };
  }
  if (neverConnected(error)) {
    const detail = error instanceof Error ? error.message : String(error);
    return { kind: 'retry', message: `Could not connect to Bluesky: ${detail}` };
  }
  // A dropped connection, or a 200 whose body was not a createRecord answer.
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'unknown', message: `createRecord failed (${detail}); ${mayExist}` };
}

export function unsure(error: unknown, deadline: AbortSignal): ReconcileOutcome {
  if (error instanceof XRPCError && error.status === 429) {
    return {
      kind: 'unsure',
      reason: `Bluesky rate-limited the lookup until ${rateLimitedUntil(error)}`,
    };
  }
  if (error instanceof XRPCError && error.status >= 400) {
    return { kind: 'unsure', reason: `Bluesky answered the lookup with ${explain(error)}` };
  }
  if (deadline.aborted) return { kind: 'unsure', reason: 'No answer from Bluesky in time' };
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'unsure', reason: `Could not reach Bluesky: ${detail}` };
}

export function deleteFailure(error: unknown, deadline: AbortSignal): WithdrawOutcome {
  if (error instanceof XRPCError && error.status >= 400) {
    const message = `Bluesky refused the delete: ${explain(error)}`;
    if (error.status === 429) return { kind: 'rate', until: rateLimitedUntil(error), message };
    if (error.status >= 500) return { kind: 'retry', message };
    if (isScopeError(error)) return scopeRefusal(error, 'the delete');
    if (error.status === 401 || error.status === 403 || isSessionError(error)) {
      return { kind: 'auth', message };
    }
    return { kind: 'rejected', message };
  }
  if (deadline.aborted)
    return { kind: 'retry', message: 'No answer from Bluesky to the delete in time' };
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'retry', message: `Could not reach Bluesky for the delete: ${detail}` };
}

/**
 * A failed metrics read (or the login before it). A PDS hands app.bsky.* reads to an
 * AppView: one that has none answers 501 (or 404 for an unknown method), which no retry
 * fixes.
 */
export function metricsFailure(
  error: unknown,
  step: string,
  deadline: AbortSignal,
): MetricsOutcome {
  if (error instanceof XRPCError && error.status >= 400) {
    const message = `Bluesky refused ${step}: ${explain(error)}`;
    if (error.status === 429) return { kind: 'rate', until: rateLimitedUntil(error), message };
    if (error.status === 501 || error.status === 404) {
      return {
        kind: 'rejected',
        message: `The Bluesky service does not serve ${step} (${explain(error)}): post counts come from an AppView, which this PDS does not reach; point credentials.service at a PDS that proxies to one (bsky.social does)`,
      };
    }
    if (error.status === 502 && error.error === 'UpstreamFailure') {
      // The PDS could not reach its AppView: down for now, or (a PDS of one's own) none set.
      return {
        kind: 'retry',
        message: `${message}: the PDS could not reach the AppView that counts likes and reposts (a PDS of your own needs PDS_BSKY_APP_VIEW_URL)`,
      };
    }
    if (error.status >= 500) return { kind: 'retry', message };
    if (isScopeError(error)) return scopeRefusal(error, step);
    if (
      error.status === 401 ||
      error.status === 403 ||
      isSessionError(error) ||
      step === 'the login'
    ) {
      return { kind: 'auth', message };
    }
    return { kind: 'rejected', message };
  }
  if (deadline.aborted)
    return { kind: 'retry', message: `No answer from Bluesky to ${step} in time` };
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'retry', message: `Could not reach Bluesky for ${step}: ${detail}` };
}
