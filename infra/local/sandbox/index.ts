/**
 * The sandbox networks of the local runtime, each on a loopback port of its own, with
 * one shared record of accepted posts and one set of fault knobs.
 */
import type { Platform } from '../../../shared/domain/platform';
import type { Logger } from '../logger';
import { startBlueskySandbox } from './bluesky';
import { startFacebookSandbox } from './facebook';
import { FaultInjector } from './faults';
import { startInstagramSandbox } from './instagram';
import { AuthLedger, AuthLinks } from './kit/oauth';
import { startLinkedInSandbox } from './linkedin';
import { startMastodonSandbox } from './mastodon';
import { SandboxPosts } from './posts';
import { startTelegramSandbox } from './telegram';
import { startThreadsSandbox } from './threads';
import type { RunningSandbox, SandboxFactory } from './types';
import { startXSandbox } from './x';

export const SANDBOXES: Partial<Record<Platform, SandboxFactory>> = {
  x: startXSandbox,
  bluesky: startBlueskySandbox,
  mastodon: startMastodonSandbox,
  threads: startThreadsSandbox,
  linkedin: startLinkedInSandbox,
  facebook: startFacebookSandbox,
  instagram: startInstagramSandbox,
  telegram: startTelegramSandbox,
};

export type Sandboxes = {
  posts: SandboxPosts;
  faults: FaultInjector;
  /** what the authorization servers issued, refreshed, revoked and refused (`GET /sandbox/auth`) */
  auth: AuthLedger;
  running: RunningSandbox[];
  byPlatform(platform: Platform): RunningSandbox | undefined;
  stop(): Promise<void>;
};

export async function startSandboxes(options: {
  log: Logger;
  faults?: string;
  resetSeconds?: number;
  /** `CRIER_SANDBOX_TOKEN_SECONDS`: the access-token lifetime where the network's expire */
  tokenSeconds?: number;
  /** the local API's base URL: `<base>/oauth/callback/<platform>` is registered with every app */
  redirectBase?: string;
}): Promise<Sandboxes> {
  const posts = new SandboxPosts();
  const faults = new FaultInjector(options.faults, options.resetSeconds ?? 5);
  const auth = new AuthLedger();
  const links = new AuthLinks();
  const running: RunningSandbox[] = [];
  try {
    for (const [platform, start] of Object.entries(SANDBOXES)) {
      const sandbox = await start({
        posts,
        faults,
        log: options.log.child({ sandbox: platform }),
        auth: { ledger: auth, tokenSeconds: options.tokenSeconds, links },
      });
      running.push(sandbox);
      if (options.redirectBase) {
        sandbox.app?.addRedirectUri(`${options.redirectBase}/oauth/callback/${platform}`);
        // Instagram with Facebook login consents on Facebook's dialog, back to Instagram's callback.
        if (platform === 'facebook') {
          sandbox.app?.addRedirectUri(`${options.redirectBase}/oauth/callback/instagram`);
        }
      }
      options.log.debug('sandbox.started', { platform, url: sandbox.url });
    }
  } catch (error) {
    await Promise.allSettled(running.map((s) => s.stop()));
    throw error;
  }
  return {
    posts,
    faults,
    auth,
    running,
    byPlatform: (platform) => running.find((s) => s.platform === platform),
    stop: async () => {
      await Promise.allSettled(running.map((s) => s.stop()));
    },
  };
}
