/**
 * One HTTP exchange for the plain-fetch clients (LinkedIn, Facebook): the answer with its
 * body read and parsed, or why there is none, told apart the way publishing needs it:
 * `not-sent` (no connection was made, so nothing can have been posted), `timeout` (the
 * deadline passed first) and `lost` (the connection failed once the request may have
 * gone out). Error details name codes, never URLs or headers, so no token leaks.
 */
import type { PublishOutcome } from '../client';
import { errorCodes, NEVER_CONNECTED } from '../transport';

/** A plain-fetch client's call: its credentials, and the deadline every request ends at. */
export type RestCall<C> = { credentials: C; deadline: AbortSignal; timeoutMs: number };

export function restCall<C>(credentials: C, timeoutMs: number): RestCall<C> {
  return { credentials, deadline: AbortSignal.timeout(timeoutMs), timeoutMs };
}

export type Answer = {
  status: number;
  headers: Headers;
  /** the parsed JSON body; undefined when the body is empty or not JSON */
  body: unknown;
};

export type Exchange =
  | { ok: true; answer: Answer }
  | { ok: false; failure: 'not-sent' | 'timeout' | 'lost'; detail: string };

function parseBody(text: string): unknown {
  if (!/^\s*[{[]/.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Sends the request and reads the whole answer before `init.signal` aborts. Never throws:
 * every failure comes back as a value.
 */
export async function exchange(
  url: URL,
  init: RequestInit & { signal: AbortSignal },
): Promise<Exchange> {
  try {
    const response = await fetch(url, init);
    const text = await response.text();
    return {
      ok: true,
      answer: { status: response.status, headers: response.headers, body: parseBody(text) },
    };
  } catch (error) {
    if (init.signal.aborted) return { ok: false, failure: 'timeout', detail: 'deadline passed' };
    const codes = errorCodes(error);
    const detail = codes[0] ?? (error instanceof Error ? error.name : 'unknown error');
    return {
      ok: false,
      failure: codes.some((code) => NEVER_CONNECTED.has(code)) ? 'not-sent' : 'lost',
      detail,
    };
  }
}

type NoAnswer = Extract<Exchange, { ok: false }>;

/** A create that got no answer: `retry` only when no connection was ever made. */
export function unansweredCreate(
  network: string,
  result: NoAnswer,
  timeoutMs: number,
): PublishOutcome {
  if (result.failure === 'not-sent') {
    return {
      kind: 'retry',
      message: `Could not reach ${network} (${result.detail}); nothing was sent`,
    };
  }
  return {
    kind: 'unknown',
    message:
      result.failure === 'timeout'
        ? `No answer from ${network} within ${timeoutMs} ms of sending the post; it may exist`
        : `The connection to ${network} failed after the post was sent (${result.detail}); it may exist`,
  };
}

/** Why a lookup got no answer, as a reconcile reason. */
export function unansweredLookup(network: string, result: NoAnswer, timeoutMs: number): string {
  return result.failure === 'timeout'
    ? `No answer from ${network} within ${timeoutMs} ms`
    : `Could not reach ${network} (${result.detail})`;
}
