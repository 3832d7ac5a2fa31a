/**
 * Calls a handler the way the Lambda Node.js runtime does: a Context whose clock counts
 * down from the function's timeout, promise or callback style, and the timeout enforced.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Callback, Context, Handler } from 'aws-lambda';
import { localInvokeStore } from './invoke-store';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './local-aws';
import type { Logger } from './logger';

export type FunctionIdentity = {
  name: string;
  /** fractions are allowed locally, so tests can run with tiny timeouts */
  timeoutSeconds: number;
  memoryMB: number;
  region?: string;
};

export type InvocationOutcome =
  | { status: 'succeeded'; requestId: string; durationMs: number; value: unknown }
  | { status: 'failed'; requestId: string; durationMs: number; error: Error }
  | { status: 'timed-out'; requestId: string; durationMs: number };

export class FunctionTimeoutError extends Error {
  constructor(functionName: string, timeoutSeconds: number) {
    super(`${functionName} timed out after ${timeoutSeconds} s`);
    this.name = 'FunctionTimeoutError';
  }
}

export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    'then' in value &&
    typeof value.then === 'function'
  );
}

export function isHandler(value: unknown): value is Handler {
  return typeof value === 'function';
}

function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/**
 * A Context as the runtime builds it. `settle` receives the legacy done/succeed/fail
 * calls, which end an invocation like the callback does.
 */
export function createContext(
  fn: FunctionIdentity,
  deadline: number,
  requestId: string,
  settle: Callback = () => {},
): Context {
  const region = fn.region ?? LOCAL_REGION;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${fn.name}`,
    memoryLimitInMB: String(fn.memoryMB),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: logStreamName(),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (error, result) => settle(error ?? null, result),
    fail: (error) => settle(toError(error)),
    succeed: (result: unknown) => settle(null, result),
  };
}

/**
 * Runs one invocation. A handler that overruns its timeout cannot be stopped in-process:
 * the invocation is reported as timed out at once, and whatever the handler does later
 * is logged and otherwise ignored, as Lambda would have frozen or killed it.
 */
export async function invokeHandler(
  handler: Handler,
  event: unknown,
  fn: FunctionIdentity,
  log: Logger,
): Promise<InvocationOutcome> {
  const requestId = randomUUID();
  const started = Date.now();
  const store = localInvokeStore();
  const timeoutMs = Math.round(fn.timeoutSeconds * 1000);

  const settled = new Promise<unknown>((resolve, reject) => {
    const callback: Callback = (error, result) => {
      if (error !== undefined && error !== null) reject(toError(error));
      else resolve(result);
    };
    const context = createContext(fn, started + timeoutMs, requestId, callback);
    let returned: unknown;
    try {
      // Its own Powertools context: concurrent invocations share the process.
      returned = store.invocation(requestId, () => handler(event, context, callback));
    } catch (error) {
      reject(toError(error));
      return;
    }
    if (isPromiseLike(returned)) {
      returned.then(resolve, (error: unknown) => reject(toError(error)));
    } else if (handler.length < 3) {
      // A synchronous handler that takes no callback has answered by returning.
      resolve(returned);
    }
    // Otherwise the runtime waits for the callback (or the timeout).
  });

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), timeoutMs);
  });
  const result = await Promise.race([
    settled.then(
      (value) => ({ status: 'succeeded' as const, value }),
      (error: unknown) => ({ status: 'failed' as const, error: toError(error) }),
    ),
    timedOut,
  ]);
  clearTimeout(timer);
  const durationMs = Date.now() - started;

  if (result === 'timed-out') {
    settled.then(
      () =>
        log.warn('invocation.settled-after-timeout', {
          function: fn.name,
          requestId,
          outcome: 'resolved',
          afterMs: Date.now() - started,
        }),
      (error: unknown) =>
        log.warn('invocation.settled-after-timeout', {
          function: fn.name,
          requestId,
          outcome: 'rejected',
          afterMs: Date.now() - started,
          error: toError(error),
        }),
    );
    return { status: 'timed-out', requestId, durationMs };
  }
  return { ...result, requestId, durationMs };
}
