/**
 * One network's sandbox for the thread tests, started afresh before each test (X refuses
 * a text it already holds, and every test posts the same parts) with posts and faults of
 * its own, and the client call's common fields for its account.
 */
import { afterEach, beforeEach } from 'vitest';
import { createLogger } from '../../infra/local/logger';
import { FaultInjector } from '../../infra/local/sandbox/faults';
import { SandboxPosts } from '../../infra/local/sandbox/posts';
import type { RunningSandbox, SandboxContext } from '../../infra/local/sandbox/types';
import type { NetworkClient } from '../../shared/platforms/client';
import { atPart, claimedThreadShare, postThread } from './thread';

export type ThreadSandbox<S extends RunningSandbox> = {
  readonly posts: SandboxPosts;
  readonly faults: FaultInjector;
  readonly sandbox: S;
  /** The fields of every client call: the sandbox account, its credentials, the timeout. */
  base(): { account: string; credentials: Record<string, unknown>; timeoutMs: number };
  /** Posts a fresh thread share of the sandbox's platform, setting `fault` once, as part 2 is due. */
  postWithFault(client: NetworkClient, fault: string): ReturnType<typeof postThread>;
};

/** Starts the sandbox `launch` makes before each test and stops it after; read it through the answer. */
export function threadSandboxPerTest<S extends RunningSandbox>(
  launch: (context: SandboxContext) => Promise<S>,
  timeoutMs = 3_000,
): ThreadSandbox<S> {
  let current: { posts: SandboxPosts; faults: FaultInjector; sandbox: S } | undefined;
  const now = () => {
    if (!current) throw new Error('the sandbox runs only inside a test');
    return current;
  };

  beforeEach(async () => {
    const posts = new SandboxPosts();
    const faults = new FaultInjector(undefined, 1);
    const sandbox = await launch({ posts, faults, log: createLogger({ quiet: true }) });
    current = { posts, faults, sandbox };
  });

  afterEach(async () => {
    await current?.sandbox.stop();
    current = undefined;
  });

  const threads: ThreadSandbox<S> = {
    get posts() {
      return now().posts;
    },
    get faults() {
      return now().faults;
    },
    get sandbox() {
      return now().sandbox;
    },
    base: () => ({
      account: now().sandbox.account,
      credentials: now().sandbox.credentials,
      timeoutMs,
    }),
    postWithFault: (client, fault) =>
      postThread(
        client,
        threads.base(),
        claimedThreadShare(now().sandbox.platform),
        atPart(0, () => now().faults.set(fault)),
      ),
  };
  return threads;
}
