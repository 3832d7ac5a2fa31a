/**
 * One store per invocation for Powertools, as Lambda's runtime provides where one
 * environment runs several invocations at once. The local runtime runs every function's
 * invocations in one process, sharing one Powertools logger: without a store of its
 * own, each invocation's Lambda context and appended keys (its article, its channel)
 * would overwrite another's, and log lines would name the wrong function and article.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

type Store = Record<string | symbol, unknown>;

/** The keys the runtime sets and Powertools reads, as `@aws/lambda-invoke-store` names them. */
const REQUEST_ID = Symbol.for('_AWS_LAMBDA_REQUEST_ID');
const X_RAY_TRACE_ID = Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID');
const TENANT_ID = Symbol.for('_AWS_LAMBDA_TENANT_ID');

/**
 * The interface of Lambda's `InvokeStore` that Powertools calls, over AsyncLocalStorage.
 * Outside any invocation (the stack starting up) reads and writes go to one shared
 * store, as they would in a single-invocation environment.
 */
export class LocalInvokeStore {
  private readonly als = new AsyncLocalStorage<Store>();
  private readonly outside: Store = {};

  getContext(): Store | undefined {
    return this.als.getStore();
  }

  hasContext(): boolean {
    return this.als.getStore() !== undefined;
  }

  get<T = unknown>(key: string | symbol): T | undefined {
    return (this.als.getStore() ?? this.outside)[key] as T | undefined;
  }

  set<T = unknown>(key: string | symbol, value: T): void {
    (this.als.getStore() ?? this.outside)[key] = value;
  }

  run<T>(context: Store, fn: () => T): T {
    return this.als.run({ ...context }, fn);
  }

  getRequestId(): string {
    return this.get<string>(REQUEST_ID) ?? '-';
  }

  getXRayTraceId(): string | undefined {
    return this.get<string>(X_RAY_TRACE_ID);
  }

  getTenantId(): string | undefined {
    return this.get<string>(TENANT_ID);
  }

  getTraceparent(): string | undefined {
    return undefined;
  }

  getTracestate(): string | undefined {
    return undefined;
  }

  getBaggage(): string | undefined {
    return undefined;
  }

  /** Runs `fn` as the invocation `requestId`, with a store of its own. */
  invocation<T>(requestId: string, fn: () => T): T {
    return this.run({ [REQUEST_ID]: requestId }, fn);
  }
}

type LambdaGlobal = { awslambda?: { InvokeStore?: unknown } };

let installed: LocalInvokeStore | undefined;

/**
 * Installs the store where Powertools looks for it (`globalThis.awslambda.InvokeStore`)
 * and tells Powertools to use it (`AWS_LAMBDA_MAX_CONCURRENCY`, which Lambda sets when an
 * environment takes concurrent invocations). Idempotent.
 */
export function localInvokeStore(): LocalInvokeStore {
  if (installed) return installed;
  const store = new LocalInvokeStore();
  const global = globalThis as LambdaGlobal;
  global.awslambda ??= {};
  global.awslambda.InvokeStore = store;
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';
  installed = store;
  return store;
}
