/**
 * A loopback Mastodon instance that masto talks to unchanged: instance limits, the
 * account, statuses (create with Idempotency-Key, read, list, edit, delete) and media, with
 * Mastodon's paths, status codes and bodies (docs/networks.md, Mastodon), and the fault knobs;
 * apps and OAuth (oauth.ts) give tokens for the same account.
 * The model is in state.ts, the answers' shapes in serialize.ts, the routes in routes.ts.
 */
import { readBody, sendHtml, sendJson } from '../kit/http';
import { sendReply } from '../kit/reply';
import { startServer } from '../kit/server';
import type { RunningSandbox, SandboxContext, SandboxFactory } from '../types';
import { route } from './routes';
import { SERVER_ERROR_PAGE } from './serialize';
import { type MastodonSandboxOptions, MastodonState, PLATFORM } from './state';

export type { MastodonSandboxOptions } from './state';

export type MastodonSandbox = RunningSandbox & {
  /** an admin changing the limit: clients that cached the old one find out from a 422 */
  setMaxCharacters(maxCharacters: number): void;
  /** every request the sandbox received, in order (method and path, no query) */
  requests(): { method: string; path: string }[];
};

const MAX_BODY_BYTES = 20 * 1024 * 1024;

export async function launchMastodonSandbox(
  context: SandboxContext,
  options: MastodonSandboxOptions = {},
): Promise<MastodonSandbox> {
  const log = context.log.child({ sandbox: PLATFORM });
  const state = new MastodonState(context, log, options);
  const server = await startServer({
    async handle(req, res) {
      const body = await readBody(req, MAX_BODY_BYTES);
      if (body === 'too-large') {
        sendJson(res, 413, { error: 'Request Entity Too Large' }, { Connection: 'close' });
        return;
      }
      const url = new URL(req.url ?? '/', state.base);
      const reply = await route({ state, req, res, url, body, delay: server.delay });
      if (!reply || res.destroyed || server.closing.aborted) return;
      sendReply(res, reply);
      if (reply.status >= 400) {
        const path = req.url?.split('?')[0];
        log.debug('sandbox.refused', { platform: PLATFORM, status: reply.status, path });
      }
    },
    failed(error, _req, res) {
      log.error('sandbox.failed', { platform: PLATFORM, error });
      if (!res.headersSent && !res.destroyed) sendHtml(res, 500, SERVER_ERROR_PAGE);
      else res.destroy();
    },
  });
  state.base = server.url;
  log.debug('sandbox.listening', { platform: PLATFORM, url: state.base, account: state.handle });

  return {
    platform: PLATFORM,
    url: state.base,
    account: state.handle,
    credentials: { url: state.base, accessToken: state.account.token },
    app: {
      clientId: state.app.clientId,
      clientSecret: state.app.clientSecret ?? '',
      authorizeUrl: `${state.base}/oauth/authorize`,
      tokenUrl: `${state.base}/oauth/token`,
      addRedirectUri: (uri) => void state.app.redirectUris.add(uri),
    },
    setMaxCharacters(value) {
      state.maxCharacters = value;
    },
    requests: () => state.requestLog.map((r) => ({ ...r })),
    async stop() {
      if (await server.stop()) log.info('sandbox.stopped', { platform: PLATFORM });
    },
  };
}

export const startMastodonSandbox: SandboxFactory = (context) => launchMastodonSandbox(context);
