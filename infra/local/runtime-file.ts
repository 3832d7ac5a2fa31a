/**
 * `<dataDir>/runtime.json`: where a running local stack's emulators, table and queues
 * are, for tools outside it (`crier dlq redrive`, `crier share reconcile`). Written once
 * the stack is ready and removed when it stops; the ports change at every start.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

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
});

export type LocalRuntime = z.output<typeof runtimeSchema>;

export function writeRuntimeFile(dataDir: string, runtime: LocalRuntime): void {
  writeFileSync(join(dataDir, RUNTIME_FILE_NAME), `${JSON.stringify(runtime, null, 2)}\n`);
}

export function removeRuntimeFile(dataDir: string): void {
  rmSync(join(dataDir, RUNTIME_FILE_NAME), { force: true });
}

/** The running stack's runtime file, or undefined when none is there or its process is gone. */
export function readRuntimeFile(dataDir: string): LocalRuntime | undefined {
  let raw: string;
  try {
    raw = readFileSync(join(dataDir, RUNTIME_FILE_NAME), 'utf8');
  } catch {
    return undefined;
  }
  const runtime = runtimeSchema.parse(JSON.parse(raw));
  return isAlive(runtime.pid) ? runtime : undefined;
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
