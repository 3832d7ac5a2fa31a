/**
 * One Crier per data folder: a second dynalite on the same LevelDB folder crashes the
 * whole process with an uncatchable error, so the folder is claimed by a lock file first.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {
  readonly dataDir: string;
  readonly pid: number;
  constructor(dataDir: string, pid: number) {
    super(
      `another Crier is running on ${dataDir} (pid ${pid}); stop it, or set CRIER_DATA_DIR to another folder (if pid ${pid} is not Crier, delete ${join(dataDir, 'crier.lock')})`,
    );
    this.name = 'DataDirInUseError';
    this.dataDir = dataDir;
    this.pid = pid;
  }
}

export type DataDirLock = { path: string; release(): void };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes `<dataDir>/crier.lock` (this process's pid inside). A lock left by a process that
 * is gone is taken over; one held by a live process, this one included, is refused.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'crier.lock');
  // Written aside then hard-linked into place: the lock never exists without its pid.
  const pending = join(dataDir, `crier.lock.${process.pid}`);
  writeFileSync(pending, `${process.pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(pending, path);
        let released = false;
        return {
          path,
          release: () => {
            if (released) return;
            released = true;
            if (readPid(path) === process.pid) rmSync(path, { force: true });
          },
        };
      } catch (error) {
        if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      }
      const holder = readPid(path);
      if (holder !== undefined && isAlive(holder)) throw new DataDirInUseError(dataDir, holder);
      // Its process is gone: take the lock over.
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(pending, { force: true });
  }
  throw new Error(`could not take the lock ${path}`);
}
