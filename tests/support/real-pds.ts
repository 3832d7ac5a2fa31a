/**
 * The real AT Protocol PDS of tests/pds-server, started in a child process of its own (its
 * @atproto packages are not the product's, and its event loop stays its own), with
 * accounts made on it the way a newsroom makes one: createAccount, then an app password.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AtpAgent } from '@atproto/api';

const FOLDER = fileURLToPath(new URL('../pds-server/', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../pds-server/server.mjs', import.meta.url));

/** Whether tests/pds-server's packages are installed (they are not part of `npm ci`). */
export const realPdsInstalled = existsSync(`${FOLDER}node_modules/@atproto/pds/package.json`);

/** What the skipped tests say when the packages are missing. */
export const REAL_PDS_MISSING =
  'the real PDS is not installed: run `npm ci --prefix tests/pds-server --no-audit --no-fund` (about 5 minutes: better-sqlite3 compiles)';

// CI installs the package and sets this, so that a failed install cannot pass as a skip.
if (!realPdsInstalled && process.env.CRIER_REQUIRE_REAL_PDS === '1') {
  throw new Error(`CRIER_REQUIRE_REAL_PDS=1, but ${REAL_PDS_MISSING}`);
}

/**
 * The title of a suite that needs the real PDS: `name`, or, when the package is missing,
 * `name` with how to install it (the suite is skipped), which is also printed once.
 */
export function realPdsSuite(name: string): string {
  if (realPdsInstalled) return name;
  console.warn(`${name}: skipped, ${REAL_PDS_MISSING}`);
  return `${name} (skipped: ${REAL_PDS_MISSING})`;
}

export type RealPds = {
  /** the PDS, `http://localhost:<port>` */
  url: string;
  /** the PLC directory the PDS registers its accounts' DIDs with */
  plcUrl: string;
  stop(): Promise<void>;
};

const READY = 'CRIER_PDS_READY ';

/** Starts the PDS and its PLC directory; rejects with the child's own output if it fails. */
export function startRealPds(timeoutMs = 60_000): Promise<RealPds> {
  const child = spawn(process.execPath, [SCRIPT], {
    cwd: FOLDER,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, LOG_ENABLED: 'false' },
  });
  let output = '';
  return new Promise<RealPds>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the real PDS did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n').find((l) => l.startsWith(READY));
      if (!line) return;
      clearTimeout(timer);
      const started: unknown = JSON.parse(line.slice(READY.length));
      if (
        typeof started !== 'object' ||
        started === null ||
        !('url' in started) ||
        !('plcUrl' in started) ||
        typeof started.url !== 'string' ||
        typeof started.plcUrl !== 'string'
      ) {
        child.kill('SIGKILL');
        reject(new Error(`the real PDS said something else: ${line}`));
        return;
      }
      resolve({ url: started.url, plcUrl: started.plcUrl, stop: () => stopChild(child) });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the real PDS exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export type RealAccount = {
  did: string;
  handle: string;
  /** an app password, as a channel's credentials hold */
  appPassword: string;
  /** `{ service, identifier, password }`, the Bluesky client's credentials */
  credentials: { service: string; identifier: string; password: string };
  /** an agent logged in with the account's own password */
  agent: AtpAgent;
};

/** An account on the PDS (`<name>.test`) with an app password for Crier. */
export async function createRealAccount(pds: RealPds, name: string): Promise<RealAccount> {
  const handle = `${name}.test`;
  const agent = new AtpAgent({ service: pds.url });
  await agent.createAccount({
    handle,
    email: `${name}@example.org`,
    password: `${name}-own-password`,
  });
  const did = agent.session?.did;
  if (!did) throw new Error(`createAccount gave ${handle} no session`);
  const made = await agent.com.atproto.server.createAppPassword({ name: 'crier' });
  return {
    did,
    handle,
    appPassword: made.data.password,
    credentials: { service: pds.url, identifier: handle, password: made.data.password },
    agent,
  };
}
