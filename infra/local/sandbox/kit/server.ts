/**
 * A sandbox's HTTP server on a free loopback port: requests go to the network's handler,
 * an unexpected failure to the network's own 500 (never once the sandbox is stopping),
 * and `stop()` ends held answers and `slow` waits at once.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenOnLoopback } from './loopback';

export type SandboxServer = {
  /** the base URL on loopback, e.g. http://127.0.0.1:41234 */
  url: string;
  /** aborts when the sandbox stops */
  closing: AbortSignal;
  /** waits `ms`; false when the sandbox stopped first */
  delay(ms: number): Promise<boolean>;
  /** closes the server; false when it was stopped already */
  stop(): Promise<boolean>;
};

export type ServerHandlers = {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** answers a request whose handler threw, while the sandbox is not stopping */
  failed(error: unknown, req: IncomingMessage, res: ServerResponse): void;
};

export async function startServer(handlers: ServerHandlers): Promise<SandboxServer> {
  const closing = new AbortController();
  const server = createServer((req, res) => {
    handlers.handle(req, res).catch((error: unknown) => {
      if (!closing.signal.aborted) handlers.failed(error, req, res);
    });
  });
  const loopback = await listenOnLoopback(server);
  return {
    url: loopback.url,
    closing: closing.signal,
    async delay(ms) {
      try {
        await sleep(ms, undefined, { signal: closing.signal });
        return true;
      } catch {
        return false;
      }
    },
    async stop() {
      if (closing.signal.aborted) return false;
      closing.abort();
      await loopback.close();
      return true;
    },
  };
}
