/**
 * A Bluesky channel's session kept in its secret, against the Bluesky sandbox with access
 * JWTs that live three seconds: the publisher posts across several expiries, logging in
 * once and renewing the session after, and the secret holds the latest session beside
 * the app password.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { startBlueskySandbox } from '../../../infra/local/sandbox/bluesky';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { AuthLedger } from '../../../infra/local/sandbox/kit/oauth';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import type { RunningSandbox } from '../../../infra/local/sandbox/types';
import { FileChannelSecrets } from '../../../shared/config/channel-secrets';
import { ChannelCredentials } from '../../../shared/config/credentials';
import { SessionInSecret } from '../../../shared/config/session-in-secret';
import { clientFor } from '../../../shared/platforms/clients';
import { handlePublishMessage } from '../../../shared/usecases/publish-share';
import {
  channelOf,
  publishDeps,
  queuedShare,
  refOf,
  storeArticle,
} from '../../support/in-memory/fixtures';
import { inMemoryWorld } from '../../support/in-memory/index';

const TOKEN_SECONDS = 3;
const ledger = new AuthLedger();
let sandbox: RunningSandbox;
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'crier-bsky-session-'));
  sandbox = await startBlueskySandbox({
    posts: new SandboxPosts(),
    faults: new FaultInjector(undefined, 1),
    log: createLogger({ quiet: true }),
    auth: { ledger, tokenSeconds: TOKEN_SECONDS },
  });
});

afterAll(async () => {
  await sandbox?.stop();
  await rm(folder, { recursive: true, force: true });
});

describe("a Bluesky session kept in the channel's secret", () => {
  it('posts across several expiries with one login, the latest session stored beside the password', async () => {
    const world = inMemoryWorld(new Date());
    const channel = channelOf({ id: 'bsky-kept', platform: 'bluesky', account: '@newsroom' });
    const secrets = new FileChannelSecrets(folder);
    const credentials = new ChannelCredentials({}, secrets);
    const channelState = new SessionInSecret(world.channelState, credentials);
    const client = clientFor('bluesky');
    if (!client) throw new Error('no Bluesky client');
    const deps = publishDeps(world, [channel], client, { credentials, channelState });
    const password = sandbox.credentials;
    await credentials.put(channel.id, password);

    const until = Date.now() + 3 * TOKEN_SECONDS * 1000;
    let posted = 0;
    while (Date.now() < until) {
      world.clock.set(new Date());
      const share = await queuedShare(world, await storeArticle(world), channel);
      expect((await handlePublishMessage(deps, refOf(share))).outcome).toBe('published');
      posted += 1;
      await sleep(700);
    }
    expect(posted).toBeGreaterThanOrEqual(6);
    const counts = ledger.snapshot().bluesky;
    // A refresh issues a session too: every session past the first came from a refresh.
    expect(counts?.refreshed).toBeGreaterThanOrEqual(2);
    expect((counts?.issued ?? 0) - (counts?.refreshed ?? 0)).toBe(1);

    const stored = (await secrets.get(channel.id)) as Record<string, unknown>;
    expect(stored).toMatchObject(password);
    const session = JSON.parse(String(stored.session)) as Record<string, unknown>;
    expect(session).toMatchObject({
      accessJwt: expect.any(String),
      refreshJwt: expect.any(String),
    });
    // Nothing of the session is left in the channel's state item.
    expect((await world.channelState.get(channel.id)).session).toBeUndefined();
  });
});
