/**
 * What a failed X request means for the share: before the create nothing was posted,
 * after it X's silence (or a duplicate refusal) leaves the post unknown until reconcile,
 * and a lookup or a delete words its own outcome (docs/networks.md, X, Errors).
 */
import {
  ApiPartialResponseError,
  ApiRequestError,
  ApiResponseError,
  type TwitterRateLimit,
} from 'twitter-api-v2';
import * as z from 'zod';
import type { MetricsOutcome, PublishOutcome, WithdrawOutcome } from '../client';
import { DeadlineError } from '../transport';

/** X has no idempotency key: a retry of a posted text meets this 403 instead. */
const DUPLICATE = /duplicate content/i;
/** X's 403s that say the app or token may not post at all: an operator's matter. */
const PERMISSION =
  /client-forbidden|unsupported-authentication|oauth1 app permissions|not permitted to use/i;
/** Failures that happen before a byte reaches X: the post was certainly not made. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** When a 429 carries no reset header: X's windows are 15 minutes. */
const FALLBACK_RATE_MS = 15 * 60_000;

const problemSchema = z.object({
  title: z.string().optional(),
  detail: z.string().optional(),
  type: z.string().optional(),
  errors: z.array(z.object({ message: z.string().optional() })).optional(),
});

function describe(error: ApiResponseError): string {
  const problem = problemSchema.safeParse(error.data);
  const detail = problem.success
    ? [
        problem.data.detail ?? problem.data.title,
        ...(problem.data.errors ?? []).map((e) => e.message),
      ]
        .filter(Boolean)
        .join('; ')
    : '';
  return `X answered ${error.code}${detail ? `: ${detail.slice(0, 300)}` : ''}`;
}

function problemText(error: ApiResponseError): string {
  const problem = problemSchema.safeParse(error.data);
  if (!problem.success) return '';
  const { title, detail, type, errors } = problem.data;
  return [title, detail, type, ...(errors ?? []).map((e) => e.message)].join(' ');
}

/** The later of the exhausted resets (Unix seconds), as an ISO instant. */
function rateUntil(rate: TwitterRateLimit | undefined, now = Date.now()): string {
  const resets: number[] = [];
  if (rate) {
    if (rate.userDay?.remaining === 0) resets.push(rate.userDay.reset);
    if (rate.day?.remaining === 0) resets.push(rate.day.reset);
    if (rate.remaining === 0 || resets.length === 0) resets.push(rate.reset);
  }
  const known = resets.filter((r) => Number.isFinite(r) && r > 0).map((r) => r * 1000);
  const until = known.length ? Math.max(...known) : now + FALLBACK_RATE_MS;
  return new Date(Math.max(until, now)).toISOString();
}

const causeSchema = z.object({ error: z.instanceof(Error) });
const codeSchema = z.object({ code: z.string() });

/**
 * twitter-api-v2 1.29.1's `ApiRequestError.requestError` reads a property the constructor
 * never sets (always undefined); the socket error sits in its private `_options.error`.
 */
function connectionCode(error: ApiRequestError): string {
  const cause = causeSchema.safeParse(Reflect.get(error, '_options'));
  if (!cause.success) return 'unknown';
  const inner = cause.data.error;
  const code = codeSchema.safeParse(inner);
  if (code.success) return code.data.code;
  // Node's happy-eyeballs connect reports every address's failure in an AggregateError.
  const first = inner instanceof AggregateError ? codeSchema.safeParse(inner.errors[0]) : undefined;
  return first?.success ? first.data.code : inner.name;
}

/** After the create request may have reached X: anything unclear is `unknown`. */
export function createFailure(
  error: unknown,
  deadline: AbortSignal,
  timeoutMs: number,
): PublishOutcome {
  if (error instanceof DeadlineError || deadline.aborted) {
    return {
      kind: 'unknown',
      message: `No answer from X within ${timeoutMs} ms of sending the post; it may exist`,
    };
  }
  if (error instanceof ApiResponseError) {
    const message = describe(error);
    if (error.code === 401) return { kind: 'auth', message };
    if (error.code === 403 && DUPLICATE.test(problemText(error))) {
      return {
        kind: 'unknown',
        message: `${message} (an earlier attempt probably posted this text)`,
      };
    }
    if (error.code === 403 && PERMISSION.test(problemText(error))) {
      return { kind: 'auth', message, permission: true };
    }
    if (error.code === 429) return { kind: 'rate', until: rateUntil(error.rateLimit), message };
    if (error.code >= 500) return { kind: 'unknown', message };
    return { kind: 'rejected', message };
  }
  if (error instanceof ApiPartialResponseError) {
    return {
      kind: 'unknown',
      message: `X's answer to the post was cut off (HTTP ${error.response.statusCode})`,
    };
  }
  if (error instanceof ApiRequestError) {
    const code = connectionCode(error);
    return NOT_SENT.has(code)
      ? { kind: 'retry', message: `Could not reach X (${code}); nothing was sent` }
      : {
          kind: 'unknown',
          message: `The connection to X failed after the post was sent (${code})`,
        };
  }
  const name = error instanceof Error ? error.name : typeof error;
  return { kind: 'unknown', message: `Unexpected failure while posting to X (${name})` };
}

/**
 * Before the create nothing is posted: a failure is `auth`, or `retry`; a users/me rate
 * limit only costs the username in the URL (undefined: go on and post).
 */
export function identifyFailure(error: unknown, timeoutMs: number): PublishOutcome | undefined {
  if (error instanceof DeadlineError) {
    return {
      kind: 'retry',
      message: `No answer from X users/me within ${timeoutMs} ms; nothing was posted`,
    };
  }
  if (error instanceof ApiResponseError) {
    if (error.code === 401) return { kind: 'auth', message: describe(error) };
    if (error.code === 403) return { kind: 'auth', message: describe(error), permission: true };
    if (error.code === 429) return undefined;
    return { kind: 'retry', message: `${describe(error)} on users/me; nothing was posted` };
  }
  if (error instanceof ApiRequestError) {
    return {
      kind: 'retry',
      message: `Could not reach X (${connectionCode(error)}); nothing was posted`,
    };
  }
  const name = error instanceof Error ? error.name : typeof error;
  return { kind: 'retry', message: `X users/me failed (${name}); nothing was posted` };
}

export function lookupFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof DeadlineError) return `No answer from X within ${timeoutMs} ms`;
  if (error instanceof ApiResponseError) {
    return error.code === 429
      ? `X rate-limited the lookup until ${rateUntil(error.rateLimit)}`
      : describe(error);
  }
  if (error instanceof ApiRequestError) return `Could not reach X (${connectionCode(error)})`;
  return `The lookup failed (${error instanceof Error ? error.name : typeof error})`;
}

/** What a delete and a metrics read both make of a failure other than a delete's 404. */
type RequestFailure = Extract<WithdrawOutcome, { kind: 'auth' | 'rejected' | 'retry' | 'rate' }>;

/**
 * A delete or a metrics read is safe to repeat: whatever did not clearly fail for good is
 * tried again; `action` names the request in the messages.
 */
function requestFailure(error: unknown, timeoutMs: number, action: string): RequestFailure {
  if (error instanceof DeadlineError) {
    return { kind: 'retry', message: `No answer from X to the ${action} within ${timeoutMs} ms` };
  }
  if (error instanceof ApiResponseError) {
    const message = describe(error);
    if (error.code === 401) return { kind: 'auth', message };
    if (error.code === 403 && PERMISSION.test(problemText(error))) {
      return { kind: 'auth', message, permission: true };
    }
    if (error.code === 429) return { kind: 'rate', until: rateUntil(error.rateLimit), message };
    if (error.code >= 500) return { kind: 'retry', message };
    return { kind: 'rejected', message };
  }
  if (error instanceof ApiRequestError) {
    return { kind: 'retry', message: `Could not reach X (${connectionCode(error)})` };
  }
  const name = error instanceof Error ? error.name : typeof error;
  return { kind: 'retry', message: `The ${action} on X failed (${name})` };
}

/** A delete that finds the post already gone has done its work. */
export function deleteFailure(error: unknown, timeoutMs: number): WithdrawOutcome {
  if (error instanceof ApiResponseError && error.code === 404) {
    return { kind: 'withdrawn', note: 'the post was already gone' };
  }
  return requestFailure(error, timeoutMs, 'delete');
}

/** A metrics read changes nothing; a 404 there is `rejected`, as X gives no counts. */
export function metricsFailure(error: unknown, timeoutMs: number): MetricsOutcome {
  return requestFailure(error, timeoutMs, 'metrics read');
}
