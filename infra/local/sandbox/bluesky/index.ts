/**
 * A tiny Bluesky PDS on loopback that @atproto/api talks to unchanged: sessions with
 * rotating refresh tokens, createRecord under a client-chosen record key, getRecord,
 * listRecords, deleteRecord and uploadBlob, and the AppView's getPosts with the audience
 * model's counts (feed.ts), with the PDS's own status codes and bodies
 * (docs/networks.md, Bluesky) and the fault knobs of `faults.ts` on createRecord.
 * The model is in state.ts (and repo.ts, tokens.ts), XRPC's shapes in xrpc.ts, the
 * methods in routes.ts and records.ts.
 */
import { startServer } from '../kit/server';
import type { RunningSandbox, SandboxContext, SandboxFactory } from '../types';
import { handle } from './routes';
import { type BlueskySandboxOptions, BlueskyState } from './state';
import { fail, INTERNAL } from './xrpc';

export type { BlueskySandboxOptions } from './state';

export type RunningBlueskySandbox = RunningSandbox & {
  credentials: { service: string; identifier: string; password: string };
};

export function blueskySandbox(options: BlueskySandboxOptions = {}): SandboxFactory {
  return (context) => startBluesky(context, options);
}

export const startBlueskySandbox: SandboxFactory = blueskySandbox();

/** The XRPC method a path names; undefined outside `/xrpc/`. */
function nsidOf(url: URL): string | undefined {
  return url.pathname.startsWith('/xrpc/')
    ? decodeURIComponent(url.pathname.slice('/xrpc/'.length))
    : undefined;
}

async function startBluesky(
  context: SandboxContext,
  options: BlueskySandboxOptions,
): Promise<RunningBlueskySandbox> {
  const { log } = context;
  const state = new BlueskyState(context, log, options);
  let base = 'http://127.0.0.1';
  const server = await startServer({
    async handle(req, res) {
      const url = new URL(req.url ?? '/', base);
      const nsid = nsidOf(url);
      res.on('close', () => {
        log.debug('sandbox.request', {
          method: req.method,
          nsid: nsid ?? url.pathname,
          status: res.writableFinished ? res.statusCode : 'no answer',
        });
      });
      await handle(state, req, res, url, nsid);
    },
    failed(error, req, res) {
      log.error('sandbox.error', { nsid: nsidOf(new URL(req.url ?? '/', base)), error });
      if (!res.headersSent) fail(res, INTERNAL);
    },
  });
  base = server.url;
  state.issuer = state.issuerFor(Number(new URL(base).port));
  state.delay = server.delay;
  const { handle: account, did, password } = state.account;
  log.debug('sandbox.listening', { url: base, handle: account, did });

  return {
    platform: 'bluesky',
    url: base,
    account,
    credentials: { service: base, identifier: account, password },
    stop: async () => {
      await server.stop();
    },
  };
}
