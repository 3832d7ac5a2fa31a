/**
 * The README's quick start as a new user runs it: `npm start` in its own process,
 * `npm run send-sample` beside it, Ctrl-C, and a restart that keeps the table.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { allPublished, CHANNEL_COUNT } from '../support/channels';

const dataDir = mkdtempSync(join(tmpdir(), 'crier-quick-start-'));
const running: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };
type Started = { child: ChildProcess; output: () => string; exited: Promise<Exit> };

async function npmStart(port: number): Promise<Started> {
  // Its own process group, so a Ctrl-C reaches npm and the stack alike, as in a terminal.
  const child = spawn('npm', ['start'], {
    env: { ...process.env, PORT: String(port), CRIER_DATA_DIR: dataDir },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  // 'close', not 'exit': npm exits at the first Ctrl-C while the stack below it is still
  // stopping; its output pipes close only once the stack, which shares them, has gone.
  const exited = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  await vi.waitFor(
    async () => {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(response.status).toBe(200);
    },
    { timeout: 60_000, interval: 250 },
  );
  return { child, output: () => output, exited };
}

async function ctrlC(started: Started): Promise<Exit> {
  if (started.child.pid) process.kill(-started.child.pid, 'SIGINT');
  return started.exited;
}

/** npm itself dies of the SIGINT, as in a terminal; the stack below it must stop cleanly. */
async function expectCleanStop(started: Started): Promise<void> {
  const exit = await ctrlC(started);
  expect([0, 130, null]).toContain(exit.code);
  expect(started.output()).toMatch(/stack\.stopped/);
  expect(started.output()).not.toMatch(/stop-failed|Error/);
}

afterAll(() => {
  for (const child of running) {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('quick start', () => {
  it('starts with nothing configured, publishes the sample article, stops on Ctrl-C and keeps the table', async () => {
    const port = await freePort();
    const first = await npmStart(port);
    const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<
      string,
      string
    >;
    const token = secrets.CRIER_EDITOR_TOKEN ?? '';
    const banner = await vi.waitFor(
      () => {
        const output = first.output();
        expect(output).toContain('Ctrl-C stops.');
        return output;
      },
      { timeout: 10_000, interval: 100 },
    );
    // The banner comes first: nothing but npm's own header before it at the default level.
    const beforeBanner = banner.slice(0, banner.indexOf('Crier is running locally'));
    expect(beforeBanner.split('\n').filter((line) => line.trim() && !line.startsWith('>'))).toEqual(
      [],
    );
    expect(banner).toContain(`http://127.0.0.1:${port}`);
    expect(banner).toContain(`Authorization: Bearer ${token}`);
    expect(banner).toContain(`http://127.0.0.1:${port}/#token=${encodeURIComponent(token)}`);
    expect(banner).toContain(join(dataDir, 'secrets.json'));
    expect(banner).not.toContain(secrets.CRIER_WEBHOOK_SECRET ?? 'missing');

    // The command exactly as the banner prints it, from another folder and a shell without
    // the stack's PORT and CRIER_DATA_DIR, as a second terminal would run it.
    const sendSample = banner.match(/send the sample {2}(.+)$/m)?.[1];
    expect(sendSample).toBe(`PORT=${port} CRIER_DATA_DIR=${dataDir} npm run send-sample`);
    const { PORT: _port, CRIER_DATA_DIR: _dataDir, ...otherEnv } = process.env;
    const sent = await promisify(execFile)(
      'sh',
      ['-c', `cd ${JSON.stringify(process.cwd())} && ${sendSample}`],
      {
        env: otherEnv,
        cwd: tmpdir(),
      },
    );
    expect(sent.stdout).toMatch(/202 \{"articleId":"[0-9a-f]{32}"\}/);

    const api = `http://127.0.0.1:${port}/api/articles`;
    const headers = { authorization: `Bearer ${token}` };
    const listed = await vi.waitFor(
      async () => {
        const body = (await (await fetch(api, { headers })).json()) as {
          articles: { title: string; shares: { status: string }[] }[];
        };
        expect(body.articles[0]?.shares).toHaveLength(CHANNEL_COUNT);
        // Published on the sandbox networks before the stop, so nothing moves after it.
        expect(body.articles[0]?.shares.map((s) => s.status)).toEqual(allPublished());
        return body;
      },
      { timeout: 20_000, interval: 250 },
    );
    expect(listed.articles[0]?.title).toBe('Trump Declares Support for Coup in Bolivia');

    await expectCleanStop(first);
    expect(first.output()).not.toContain(secrets.CRIER_WEBHOOK_SECRET ?? 'missing');

    const second = await npmStart(port);
    const again = (await (await fetch(api, { headers })).json()) as unknown;
    expect(again).toEqual(listed);
    await expectCleanStop(second);
  }, 120_000);
});
