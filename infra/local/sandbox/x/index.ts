/**
 * The X sandbox: a loopback imitation of X's API v2 that twitter-api-v2 talks to unchanged
 * (the client only rewrites scheme and port). One account, OAuth 1.0a or an OAuth 2.0 user
 * token from the sandbox's authorization server (authorize.ts) on every call, and
 * the fault knobs played on `POST /2/tweets` (docs/networks.md, X; docs/architecture.md, sandbox faults).
 * The account is in account.ts, the routing table and the create's faults in routes.ts,
 * the routes in create.ts, tweets.ts and media.ts, a post's metrics (from the audience
 * model, with the read faults) in metrics.ts.
 */
import { AuthLedger } from '../kit/oauth';
import { startServer } from '../kit/server';
import type { SandboxFactory } from '../types';
import { randomToken, SnowflakeIds, XAccount } from './account';
import { AUTHORIZE_PATH, TOKEN_PATH, xApp, xAuthorizationServer } from './authorize';
import { SERVER_ERRORS, sendProblem } from './http';
import { handle, type XServer } from './routes';

export const startXSandbox: SandboxFactory = async (context) => {
  const log = context.log.child({ sandbox: 'x' });
  const ids = new SnowflakeIds();
  const userId = ids.next(Date.parse('2015-03-20T12:00:00Z'));
  const account = new XAccount(
    {
      id: userId,
      username: 'newsroom',
      name: 'Newsroom (sandbox)',
      createdAt: '2015-03-20T12:00:00.000Z',
    },
    {
      appKey: randomToken(25),
      appSecret: randomToken(50),
      // X's access tokens start with the account's numeric id.
      accessToken: `${userId}-${randomToken(40)}`,
      accessSecret: randomToken(45),
    },
  );
  const auth = xAuthorizationServer(
    context.auth?.ledger ?? new AuthLedger(),
    context.auth?.tokenSeconds,
  );
  const app = auth.register(xApp());
  const shared = {
    account,
    ids,
    posts: context.posts,
    auth,
    state: { faults: context.faults, log },
  };
  const delays: XServer = { delay: async () => false };
  const server = await startServer({
    handle: (req, res) => handle(shared, delays, req, res),
    failed(error, req, res) {
      log.error('sandbox.x.error', { error, path: req.url });
      sendProblem(res, 500, SERVER_ERRORS[500]);
    },
  });
  delays.delay = server.delay;
  const url = server.url;
  log.debug('sandbox.x.started', { url, account: account.user.username });

  return {
    platform: 'x',
    url,
    account: account.user.username,
    credentials: { ...account.keys, apiBase: url },
    app: {
      clientId: app.clientId,
      clientSecret: app.clientSecret ?? '',
      authorizeUrl: `${url}${AUTHORIZE_PATH}`,
      tokenUrl: `${url}${TOKEN_PATH}`,
      addRedirectUri: (uri) => void app.redirectUris.add(uri),
    },
    async stop() {
      await server.stop();
    },
  };
};
