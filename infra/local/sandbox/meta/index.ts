/**
 * The engine both Meta sandboxes run on: a loopback Graph host with one account, media
 * containers that process for a moment, a publish step, the account's post list,
 * quotas, delete, and the fault knobs played on the two create routes (the container and
 * the publish). Each network brings its paths, checks, error bodies and field names.
 * The network's contract is in network.ts, the model in state.ts (and account.ts), the
 * creates in publish.ts, the other routes in routes.ts.
 */
import { BodyTooLargeError, readBodyCapped } from '../kit/http';
import type { OAuthApp } from '../kit/oauth';
import { startServer } from '../kit/server';
import type { SandboxApp, SandboxContext } from '../types';
import { TRANSIENT } from './errors';
import { graphError, graphParams, send } from './http';
import type { GraphNetwork, GraphSandbox, GraphSandboxOptions } from './network';
import { route } from './routes';
import { GraphState } from './state';

export type { Container, ContainerDraft, ContainerState, Media } from './account';
export type { Drafted, GraphNetwork, GraphSandbox, GraphSandboxOptions } from './network';
export { invalidDraft as invalid, isWebUrl } from './network';

const MAX_BODY_BYTES = 1024 * 1024;

function sandboxApp(app: OAuthApp, base: string): SandboxApp {
  return {
    clientId: app.clientId,
    clientSecret: app.clientSecret ?? '',
    authorizeUrl: `${base}/oauth/authorize`,
    tokenUrl: `${base}/oauth/access_token`,
    addRedirectUri: (uri) => void app.redirectUris.add(uri),
  };
}

export async function launchGraphSandbox(
  context: SandboxContext,
  network: GraphNetwork,
  options: GraphSandboxOptions = {},
): Promise<GraphSandbox> {
  const { platform } = network;
  const log = context.log.child({ sandbox: platform });
  const g = new GraphState(network, context, log, options);
  const server = await startServer({
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
      let body: Buffer;
      try {
        body = await readBodyCapped(req, MAX_BODY_BYTES);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          send(res, graphError({ message: 'Request Entity Too Large', code: 1 }, 413));
        }
        return;
      }
      const params = graphParams(req, url, body);
      const reply = params
        ? await route(g, req, res, url, params)
        : graphError({ message: '(#100) The request body could not be read', code: 100 });
      if (!reply || server.closing.aborted) return;
      send(res, reply);
      if (reply.status >= 400) {
        log.debug('sandbox.refused', { platform, status: reply.status, path: url.pathname });
      }
    },
    failed(error, req, res) {
      log.error('sandbox.failed', { platform, error, path: req.url?.split('?')[0] });
      send(res, graphError(TRANSIENT, 500));
    },
  });
  g.base = server.url;
  g.delay = server.delay;
  const { account, base } = g;
  log.debug('sandbox.listening', { platform, url: base, account: account.username });

  return {
    platform,
    url: base,
    account: account.username,
    credentials: { accessToken: account.token, userId: account.id, apiBase: base },
    ...(g.login ? { app: sandboxApp(g.login.app, base) } : {}),
    requests: () => g.requestLog.map((r) => ({ ...r })),
    containers: () => [...account.containers.values()].map((c) => ({ ...c })),
    async stop() {
      if (await server.stop()) log.info('sandbox.stopped', { platform });
    },
  };
}
