/**
 * Finds a function's handler: an in-memory one (tests), or the `handler` export of its
 * `entry` file, imported at the first invocation, after the stack has set the environment.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Handler } from 'aws-lambda';
import type { FunctionDefinition } from '../../shared/resources';
import { isHandler } from './invoke';

/** A function as the local runtime runs it: the shared definition, or a test's own handler. */
export type LocalFunctionDefinition = FunctionDefinition & { handler?: Handler };

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function entryPath(entry: string): string {
  return resolve(REPOSITORY_ROOT, entry);
}

export function entryExists(definition: LocalFunctionDefinition): boolean {
  return definition.handler !== undefined || existsSync(entryPath(definition.entry));
}

/**
 * Returns a loader that imports the entry once. A failed import is not remembered, so a
 * file that is fixed (or written) while the runtime runs loads on the next invocation.
 */
export function handlerLoader(definition: LocalFunctionDefinition): () => Promise<Handler> {
  const inMemory = definition.handler;
  if (inMemory) return async () => inMemory;
  let loading: Promise<Handler> | undefined;
  return () => {
    loading ??= (async () => {
      const path = entryPath(definition.entry);
      const module: Record<string, unknown> = await import(pathToFileURL(path).href);
      const handler = module.handler;
      if (!isHandler(handler)) {
        throw new Error(`${definition.entry} does not export a function named handler`);
      }
      return handler;
    })().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
