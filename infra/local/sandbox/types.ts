/** What every sandbox network gets from the local runtime, and what it hands back. */
import type { Platform } from '../../../shared/domain/platform';
import type { Logger } from '../logger';
import type { FaultInjector } from './faults';
import type { AuthLedger, AuthLinks } from './kit/oauth';
import type { SandboxPosts } from './posts';

export type SandboxContext = {
  posts: SandboxPosts;
  faults: FaultInjector;
  log: Logger;
  /**
   * The authorization servers' shared counts and `CRIER_SANDBOX_TOKEN_SECONDS`; a sandbox
   * started alone keeps counts of its own and the network's lifetimes.
   */
  auth?: { ledger: AuthLedger; tokenSeconds?: number; links?: AuthLinks };
};

/** The sandbox's one OAuth application, as a deployment's network app would be configured. */
export type SandboxApp = {
  clientId: string;
  clientSecret: string;
  /** where the network's consent page is, e.g. `<url>/i/oauth2/authorize` */
  authorizeUrl: string;
  /** where codes and refresh tokens are exchanged */
  tokenUrl: string;
  /** registers one more redirect URI for the app, as a developer does in the network's console */
  addRedirectUri(uri: string): void;
};

export type RunningSandbox = {
  platform: Platform;
  /** the sandbox's base URL on loopback, e.g. http://127.0.0.1:41234 */
  url: string;
  /**
   * The credentials of the sandbox's one account, exactly as a channel's credentials
   * secret holds them (with the endpoint override that points the client here).
   */
  credentials: Record<string, unknown>;
  /** the account's handle, as a channel's `account` names it */
  account: string;
  /** the OAuth application of a network whose sandbox runs an authorization flow */
  app?: SandboxApp;
  stop(): Promise<void>;
};

export type SandboxFactory = (context: SandboxContext) => Promise<RunningSandbox>;
