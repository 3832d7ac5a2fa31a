/**
 * What a running local stack tells other processes on this machine: its URL, its queues
 * and the functions' environment, in `<data folder>/runtime.json`. An extra worker
 * (infra/local/worker.ts) reads it to consume a queue beside the stack, as a second
 * Lambda would. The environment holds the local secrets, so the file is readable by its
 * owner only, like the secrets file beside it, and is removed when the stack stops.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const runtimeFileSchema = z.object({
  pid: z.number().int(),
  url: z.string(),
  sqsEndpoint: z.string(),
  queues: z.record(z.string(), z.object({ url: z.string(), arn: z.string() })),
  environment: z.record(z.string(), z.string().optional()),
});

export type RuntimeFile = z.infer<typeof runtimeFileSchema>;

export const runtimeFilePath = (dataDir: string) => join(dataDir, 'runtime.json');

export function writeRuntimeFile(dataDir: string, contents: RuntimeFile): void {
  const path = runtimeFilePath(dataDir);
  writeFileSync(path, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function removeRuntimeFile(dataDir: string): void {
  rmSync(runtimeFilePath(dataDir), { force: true });
}

export class NoRunningStackError extends Error {
  override name = 'NoRunningStackError';
}

/** The running stack's file, or a clear error when no stack runs on that folder. */
export function readRuntimeFile(dataDir: string): RuntimeFile {
  const path = runtimeFilePath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new NoRunningStackError(
      `No local stack is running on ${dataDir} (${path} is missing): start one with npm start`,
    );
  }
  const parsed = runtimeFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new NoRunningStackError(`${path} is not a runtime file`);
  try {
    process.kill(parsed.data.pid, 0);
  } catch {
    throw new NoRunningStackError(
      `The local stack that wrote ${path} (pid ${parsed.data.pid}) is no longer running`,
    );
  }
  return parsed.data;
}
