/**
 * Sends a signed webhook as a CMS should: again on a 429, a 408, a 5xx or no answer, after
 * an exponential backoff with jitter, never before the `Retry-After` the answer gave, and
 * signed afresh for each attempt (the same `webhook-id`, a new timestamp), so Crier's
 * delivery guard recognises a retry of a delivery it already took.
 */

export type RetryPolicy = {
  /** attempts in all, the first included */
  attempts: number;
  /** the first backoff; each next one doubles */
  baseMs: number;
  /** the longest backoff, and the longest `Retry-After` worth waiting for */
  maxMs: number;
  /** how long one attempt may wait for its answer */
  timeoutMs: number;
};

/** Six attempts within about half a minute: long enough for a throttle's bucket to refill. */
export const WEBHOOK_RETRY: RetryPolicy = {
  attempts: 6,
  baseMs: 1_000,
  maxMs: 30_000,
  timeoutMs: 10_000,
};

/** An answer worth trying again: throttled, timed out, or the server's fault. */
export const isRetryableStatus = (status: number): boolean =>
  status === 429 || status === 408 || status >= 500;

/**
 * `Retry-After` in milliseconds from `now`: delta seconds or an HTTP date; undefined
 * when absent or unreadable.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and month (`Wed, 21 Oct 2026 07:28:00 GMT`); Date.parse
  // would take `-5` for a year.
  if (!/^[A-Za-z]{3}, /.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before retry `retry` (1 for the first): the delay doubles each time, and a random
 * half of it (jitter) keeps senders throttled together from coming back together.
 */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export type Attempt = {
  attempt: number;
  /** the answer's status, or undefined when none came */
  status?: number;
  error?: unknown;
  /** how long the sender waits before the next attempt */
  waitMs: number;
};

export type Delivery = {
  status: number;
  body: string;
  attempts: number;
};

export class DeliveryError extends Error {
  override name = 'DeliveryError';
}

export type SendOptions = {
  url: URL;
  body: Uint8Array | string;
  /** the signature headers, made again for each attempt */
  sign: () => Record<string, string>;
  policy?: Partial<RetryPolicy>;
  /** told of each attempt that will be followed by another */
  onRetry?: (attempt: Attempt) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
};

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Posts until an answer that is not worth retrying, or the attempts run out: the last
 * answer is returned; no answer at all after the last attempt throws a DeliveryError.
 */
export async function sendWebhook(options: SendOptions): Promise<Delivery> {
  const policy = { ...WEBHOOK_RETRY, ...options.policy };
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  for (let attempt = 1; ; attempt += 1) {
    const last = attempt >= policy.attempts;
    let status: number | undefined;
    let waitFor: number | undefined;
    let failure: unknown;
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.sign() },
        body: options.body,
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      const body = await response.text();
      status = response.status;
      if (!isRetryableStatus(status) || last) return { status, body, attempts: attempt };
      waitFor = retryAfterMs(response.headers.get('retry-after'), now());
      // Told to come back later than we would wait: say so rather than hang.
      if (waitFor !== undefined && waitFor > policy.maxMs) {
        return { status, body, attempts: attempt };
      }
    } catch (error) {
      if (last) {
        throw new DeliveryError(`no answer from ${options.url.origin} after ${attempt} attempts`, {
          cause: error,
        });
      }
      failure = error;
    }
    const backoff = backoffMs(attempt, policy, random);
    // Never before Retry-After; a little past it, so a crowd told the same second spreads.
    const waitMs = waitFor === undefined ? backoff : waitFor + Math.round(random() * policy.baseMs);
    options.onRetry?.({
      attempt,
      ...(status === undefined ? {} : { status }),
      ...(failure === undefined ? {} : { error: failure }),
      waitMs,
    });
    await sleep(waitMs);
  }
}
