/**
 * What the network clients share about a request on the wire: whether a failed request
 * ever connected (only one that never did certainly posted nothing), and how to stop
 * waiting for a library's promise when the call's deadline passes.
 */

/**
 * Failures of fetch (undici) that happen before a byte reaches the server. X, Mastodon and
 * Telegram go through other HTTP stacks and keep sets of their own.
 */
export const NEVER_CONNECTED: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The `code`s along an error's chain of causes, outermost first. */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if ('code' in current && typeof current.code === 'string') codes.push(current.code);
    // Node's happy-eyeballs connect reports every address's failure in an AggregateError.
    if (current instanceof AggregateError) codes.push(...errorCodes(current.errors[0]));
    current = current.cause;
  }
  return codes;
}

/** The connection was never made, so the request cannot have reached the server. */
export function neverConnected(error: unknown): boolean {
  return errorCodes(error).some((code) => NEVER_CONNECTED.has(code));
}

/** A call's own deadline passed before the library answered: the request may still land. */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/**
 * Settles with `promise`, or rejects with `reason()` the moment `signal` aborts: for
 * libraries that do not stop every request they make at a signal of ours.
 */
export function settleBefore<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  reason: () => unknown,
): Promise<T> {
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
