/**
 * The kept-token tests' common ground: sandboxes whose tokens live a few seconds and
 * count every refresh in one ledger, a folder for the channels' secrets, Meta's OAuth
 * code exchange and Graph reads, and a publisher posting over several token lives.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect } from 'vitest';
import { createLogger } from '../../infra/local/logger';
import { FaultInjector } from '../../infra/local/sandbox/faults';
import type { AuthLedger } from '../../infra/local/sandbox/kit/oauth';
import { SandboxPosts } from '../../infra/local/sandbox/posts';
import type { RunningSandbox, SandboxApp, SandboxContext } from '../../infra/local/sandbox/types';
import type { Channel } from '../../shared/domain/channel';
import type { StoredCredentials } from '../../shared/platforms/refresh';
import { handlePublishMessage, type PublishShareDeps } from '../../shared/usecases/publish-share';
import { queuedShare, refOf, storeArticle } from './in-memory/fixtures';
import type { InMemoryWorld } from './in-memory/index';
import { CALLBACK, consent, postForm } from './oauth-flow';

/** How long a sandbox's tokens live here, in seconds. */
export const TOKEN_SECONDS = 3;

/** A folder of its own for this file's channel secrets, made before its tests and removed after. */
export function secretsFolderForFile(prefix: string): () => string {
  let folder: string | undefined;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });
  return () => {
    if (folder === undefined) throw new Error('the secrets folder is made before the tests');
    return folder;
  };
}

/**
 * A sandbox whose tokens live TOKEN_SECONDS (or `tokenSeconds`), counted in `ledger`; an
 * OAuth app it has takes CALLBACK as a redirect URI.
 */
export async function startShortLived<S extends RunningSandbox>(
  factory: (context: SandboxContext) => Promise<S>,
  ledger: AuthLedger,
  options: { faults?: FaultInjector; tokenSeconds?: number } = {},
): Promise<S> {
  const sandbox = await factory({
    posts: new SandboxPosts(),
    faults: options.faults ?? new FaultInjector(undefined, 1),
    log: createLogger({ quiet: true }),
    auth: { ledger, tokenSeconds: options.tokenSeconds ?? TOKEN_SECONDS },
  });
  sandbox.app?.addRedirectUri(CALLBACK);
  return sandbox;
}

/** The sandbox's OAuth app, or a failure saying it has none. */
export function appOf(sandbox: RunningSandbox): SandboxApp {
  if (!sandbox.app) throw new Error(`the ${sandbox.platform} sandbox has no OAuth app`);
  return sandbox.app;
}

/** A GET of the sandbox's Graph API with `params` in the query: the status and JSON body. */
export async function graphGet(
  sandbox: RunningSandbox,
  path: string,
  params: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(`${sandbox.url}${path}`);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * Meta's login (Threads, Instagram): consent for `scope`, then the code exchanged for a
 * short-lived token, which must be issued: the token endpoint's answer.
 */
export async function metaShortLivedToken(
  sandbox: RunningSandbox,
  scope: string,
): Promise<Record<string, unknown>> {
  const app = appOf(sandbox);
  const back = await consent(app.authorizeUrl, {
    client_id: app.clientId,
    redirect_uri: CALLBACK,
    scope,
    response_type: 'code',
    state: 'kept',
  });
  const issued = await postForm(`${sandbox.url}/oauth/access_token`, {
    client_id: app.clientId,
    client_secret: app.clientSecret,
    grant_type: 'authorization_code',
    redirect_uri: CALLBACK,
    code: back.searchParams.get('code') ?? '',
  });
  expect(issued.status).toBe(200);
  return issued.body;
}

/** A Threads account connected as the editor UI connects it: a long-lived token, as the channel's secret holds it. */
export async function connectThreads(sandbox: RunningSandbox): Promise<StoredCredentials> {
  const issued = await metaShortLivedToken(sandbox, 'threads_basic,threads_content_publish');
  const long = await graphGet(sandbox, '/access_token', {
    grant_type: 'th_exchange_token',
    client_secret: appOf(sandbox).clientSecret,
    access_token: String(issued.access_token),
  });
  expect(long.status).toBe(200);
  const now = Date.now();
  return {
    accessToken: long.body.access_token,
    obtainedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + Number(long.body.expires_in) * 1000).toISOString(),
    apiBase: sandbox.url,
  };
}

/**
 * Publishes a new article's share on `channel` every 700 ms for `lives` token lives, each
 * one published: how many went out.
 */
export async function publishOverLives(
  world: InMemoryWorld,
  channel: Channel,
  deps: PublishShareDeps,
  lives: number,
): Promise<number> {
  const until = Date.now() + lives * TOKEN_SECONDS * 1000;
  let posted = 0;
  while (Date.now() < until) {
    world.clock.set(new Date());
    const share = await queuedShare(world, await storeArticle(world), channel);
    expect((await handlePublishMessage(deps, refOf(share))).outcome).toBe('published');
    posted += 1;
    await sleep(700);
  }
  return posted;
}

/**
 * Hands `use` the keeper's token for the channel every 250 ms for `lives` token lives:
 * the refreshes and the expired tokens presented that the network counted meanwhile.
 */
export async function keptOverLives(
  ledger: AuthLedger,
  platform: RunningSandbox['platform'],
  lives: number,
  fresh: () => Promise<string>,
  use: (accessToken: string) => Promise<void>,
): Promise<{ refreshed: number; expired: number }> {
  const before = ledger.snapshot()[platform] ?? { refreshed: 0, expired: 0 };
  const until = Date.now() + lives * TOKEN_SECONDS * 1000;
  while (Date.now() < until) {
    await use(await fresh());
    await sleep(250);
  }
  const after = ledger.snapshot()[platform];
  return {
    refreshed: (after?.refreshed ?? 0) - before.refreshed,
    expired: (after?.expired ?? 0) - before.expired,
  };
}
