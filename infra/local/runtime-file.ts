/**
 * `<dataDir>/runtime.json`: what a running local stack tells other processes on this
 * machine: its URL, emulators, table and queues, for tools outside it (`crier dlq
 * redrive`, `crier share reconcile`), and the functions' environment, for extra workers
 * (infra/local/worker.ts) that consume a queue beside the stack as a second Lambda
 * would. Written once the stack is ready and removed when it stops; the ports change at
 * every start. The environment holds the local secrets, so the file is readable by its
 * owner only, like the secrets file beside it.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

export const RUNTIME_FILE_NAME = 'runtime.json';

const queueSchema = z.object({
  url: z.string(),
  arn: z.string(),
  dlqUrl: z.string(),
  dlqArn: z.string(),
});

export const runtimeSchema = z.object({
  /** the process that runs the stack */
  pid: z.number().int(),
  url: z.string(),
  region: z.string(),
  tableName: z.string(),
  dynamoEndpoint: z.string(),
  sqsEndpoint: z.string(),
  queues: z.record(z.string(), queueSchema),
  /** what the functions read at cold start, and the stack's own CRIER_ settings */
  environment: z.record(z.string(), z.string().optional()),
});

export type LocalRuntime = z.output<typeof runtimeSchema>;

export const runtimeFilePath = (dataDir: string) => join(dataDir, RUNTIME_FILE_NAME);

export function writeRuntimeFile(dataDir: string, runtime: LocalRuntime): void {
  const path = runtimeFilePath(dataDir);
  writeFileSync(path, `${JSON.stringify(runtime, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function removeRuntimeFile(dataDir: string): void {
  rmSync(runtimeFilePath(dataDir), { force: true });
}

/** The running stack's runtime file, or undefined when none is there or its process is gone. */
export function readRuntimeFile(dataDir: string): LocalRuntime | undefined {
  let raw: string;
  try {
    raw = readFileSync(runtimeFilePath(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  const runtime = runtimeSchema.parse(JSON.parse(raw));
  return isAlive(runtime.pid) ? runtime : undefined;
}

export class NoRunningStackError extends Error {
  override name = 'NoRunningStackError';
}

/** The running stack's runtime file, or a clear error when no stack runs on that folder. */
export function requireRuntimeFile(dataDir: string): LocalRuntime {
  const runtime = readRuntimeFile(dataDir);
  if (!runtime) {
    throw new NoRunningStackError(
      `No local stack is running on ${dataDir} (no live ${RUNTIME_FILE_NAME} there): start one with npm start`,
    );
  }
  return runtime;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}
