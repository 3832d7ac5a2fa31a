/**
 * Connects the local channels that have no credentials of their own through their
 * sandbox's real sign-in, as an admin would: for the OAuth networks Connect's consent URL,
 * the sandbox's consent page answered "Authorize", and the callback's use case storing
 * what the code gives; for Bluesky and Telegram the sandbox account's credentials, checked
 * by the network and stored as `PUT /api/channels/{id}/credentials` stores them. So a local
 * channel posts with tokens that expire and are refreshed like real ones. A channel whose
 * credentials come from the environment is never touched.
 */
import type { DirectoryChannel } from '../../shared/domain/channel-directory';
import { isOAuthPlatform } from '../../shared/domain/oauth-connect';
import type { Logger } from './logger';
import type { Sandboxes } from './sandbox';

/** Who the audit log names for a channel the local runtime connected. */
export const LOCAL_STACK = 'local-stack';

const TIMEOUT_MS = 10_000;
/**
 * A sandbox channel whose refresh grant ends this soon is connected again, as a person
 * would before it ends (LinkedIn's year-long grant lasts two minutes with 20-second tokens).
 */
const RENEW_GRANT_WITHIN_MS = 30_000;

export type AutoConnect = {
  /**
   * Connects every live channel without credentials; `atStart` also those whose stored
   * credentials name a loopback sandbox, whose tokens died with the last run's sandboxes.
   * Resolves once done (a channel that failed is tried again by the next sweep).
   */
  sweep(options?: { atStart?: boolean }): Promise<void>;
  /** a sweep soon (a channel was just created), after the one under way */
  nudge(): void;
  stop(): Promise<void>;
};

/** The consent form of a sandbox page: where it posts, and its hidden fields. */
export function consentForm(page: string): { action: string; fields: URLSearchParams } {
  const unescapeHtml = (value: string) =>
    value
      .replaceAll('&quot;', '"')
      .replaceAll('&#39;', "'")
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&amp;', '&');
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  if (!action) throw new Error('the consent page has no form');
  const fields = new URLSearchParams();
  for (const match of page.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields.append(unescapeHtml(match[1] ?? ''), unescapeHtml(match[2] ?? ''));
  }
  return { action: unescapeHtml(action), fields };
}

/** The admin's browser on the consent page: "Authorize", and where the network sends it back. */
async function authorize(authorizeUrl: string): Promise<URL> {
  const page = await fetch(authorizeUrl, {
    redirect: 'manual',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (page.status !== 200) throw new Error(`the consent page answered ${page.status}`);
  const { action, fields } = consentForm(await page.text());
  fields.set('decision', 'allow');
  const answer = await fetch(new URL(action, authorizeUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const location = answer.headers.get('location');
  if (answer.status !== 302 || !location) {
    throw new Error(`the consent answered ${answer.status} without a redirect`);
  }
  return new URL(location, authorizeUrl);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether stored credentials point their client at a loopback address (a sandbox). */
export function namesLoopback(value: unknown): boolean {
  if (!value || typeof value !== 'object') return false;
  return ['apiBase', 'url', 'service', 'apiRoot'].some((field) => {
    const text = (value as Record<string, unknown>)[field];
    if (typeof text !== 'string') return false;
    try {
      const url = new URL(text);
      return url.protocol === 'http:' && LOOPBACK.has(url.hostname);
    } catch {
      return false;
    }
  });
}

export function startAutoConnect(options: {
  sandboxes: Sandboxes;
  log: Logger;
  /** seconds between sweeps that find channels `crier channels import` wrote; 0: none */
  sweepSeconds: number;
}): AutoConnect {
  const { sandboxes, log } = options;
  // The functions' own composition, imported once the stack has set their environment:
  // the same credentials cache, directory and connect store the handlers use.
  const deps = (async () => {
    const platforms = await import('../../shared/composition/platforms');
    const composition = await import('../../shared/composition/index');
    const connect = await import('../../shared/usecases/connect-channel');
    const health = await import('../../shared/usecases/channel-health');
    return { platforms, composition, connect, health };
  })();
  // A channel that failed is logged once, then tried again quietly by each sweep.
  const failed = new Set<string>();
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  async function connectOne(channel: DirectoryChannel): Promise<void> {
    const sandbox = sandboxes.byPlatform(channel.platform);
    if (!sandbox) return;
    const { platforms, connect, health } = await deps;
    const platform = channel.platform;
    if (isOAuthPlatform(platform)) {
      const connectDeps = platforms.connectDeps();
      const { authorizeUrl } = await connect.startConnect(
        connectDeps,
        channel.id,
        LOCAL_STACK,
        platform === 'mastodon' ? { instance: sandbox.url } : {},
      );
      const back = await authorize(authorizeUrl);
      const outcome = await connect.finishConnect(
        connectDeps,
        platform,
        Object.fromEntries(back.searchParams),
      );
      if (outcome.kind !== 'redirect' || outcome.outcome !== 'connected') {
        const why =
          outcome.kind === 'page'
            ? outcome.message
            : (new URL(outcome.location).hash.match(/connectError=([^&]*)/)?.[1] ??
              outcome.outcome);
        throw new Error(`the callback did not connect: ${decodeURIComponent(why)}`);
      }
    } else {
      await health.setChannelCredentials(
        platforms.channelHealthDeps(),
        channel.id,
        sandbox.credentials,
        LOCAL_STACK,
      );
    }
  }

  /** A refresh grant about to end, on a channel that is not failing (revoked: a person's call). */
  async function grantEnding(channel: DirectoryChannel, value: unknown): Promise<boolean> {
    const { composition, health } = await deps;
    const deadline = health.reconnectBy(value, channel.platform);
    if (!deadline || deadline.at - Date.now() > RENEW_GRANT_WITHIN_MS) return false;
    const state = await composition.channelStateStore().get(channel.id);
    return state.health?.status !== 'failing';
  }

  async function sweepOnce(atStart: boolean): Promise<void> {
    const { platforms, composition } = await deps;
    const credentials = platforms.channelCredentials();
    const channels = await composition.channelDirectory().listChannels();
    for (const channel of channels) {
      if (stopped) return;
      if (!sandboxes.byPlatform(channel.platform)) continue;
      // Read afresh: an admin may have stored credentials from another process.
      credentials.forget(channel.id);
      const found = await credentials.find(channel);
      const sandboxTokens = found.origin === 'stored' && namesLoopback(found.value);
      const stale = atStart && sandboxTokens;
      const ending = sandboxTokens && !stale && (await grantEnding(channel, found.value));
      if (found.origin !== 'none' && !stale && !ending) continue;
      try {
        await connectOne(channel);
        failed.delete(channel.id);
        log.debug('sandbox.connected', {
          channel: channel.id,
          platform: channel.platform,
          ...(stale ? { reason: 'tokens of an earlier run' } : {}),
          ...(ending ? { reason: 'its refresh grant ends' } : {}),
        });
      } catch (error) {
        if (!failed.has(channel.id)) {
          failed.add(channel.id);
          log.warn('sandbox.connect-failed', {
            channel: channel.id,
            platform: channel.platform,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    }
  }

  const sweep = (sweepOptions: { atStart?: boolean } = {}): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await sweepOnce(sweepOptions.atStart ?? false).catch((error: unknown) => {
            log.warn('sandbox.connect-sweep-failed', {
              error: error instanceof Error ? error.message : String(error),
            });
          });
          sweepOptions = {};
        } while (again && !stopped);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const timer =
    options.sweepSeconds > 0
      ? setInterval(() => void sweep(), options.sweepSeconds * 1000).unref()
      : undefined;

  return {
    sweep,
    nudge: () => void sweep(),
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
