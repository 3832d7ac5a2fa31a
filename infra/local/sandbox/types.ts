/** What every sandbox network gets from the local runtime, and what it hands back. */
import type { Platform } from '../../../shared/domain/platform';
import type { Logger } from '../logger';
import type { FaultInjector } from './faults';
import type { SandboxPosts } from './posts';

export type SandboxContext = {
  posts: SandboxPosts;
  faults: FaultInjector;
  log: Logger;
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
  stop(): Promise<void>;
};

export type SandboxFactory = (context: SandboxContext) => Promise<RunningSandbox>;
