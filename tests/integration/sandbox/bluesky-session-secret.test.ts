/**
 * A Bluesky channel's session kept in its secret, against the Bluesky sandbox with access
 * JWTs that live three seconds: the publisher posts across several expiries, logging in
 * once and renewing the session after, and the secret holds the latest session beside
 * the app password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlueskySandbox } from '../../../infra/local/sandbox/bluesky';
import { AuthLedger } from '../../../infra/local/sandbox/kit/oauth';
import type { RunningSandbox } from '../../../infra/local/sandbox/types';
import { FileChannelSecrets } from '../../../shared/config/channel-secrets';
import { ChannelCredentials } from '../../../shared/config/credentials';
import { SessionInSecret } from '../../../shared/config/session-in-secret';
import { clientFor } from '../../../shared/platforms/clients';
import { channelOf, publishDeps } from '../../support/in-memory/fixtures';
import { inMemoryWorld } from '../../support/in-memory/index';
import { publishOverLives, secretsFolderForFile, startShortLived } from '../../support/kept-tokens';

const ledger = new AuthLedger();
const folder = secretsFolderForFile('crier-bsky-session-');
let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startShortLived(startBlueskySandbox, ledger);
});

afterAll(async () => {
  await sandbox?.stop();
});

describe("a Bluesky session kept in the channel's secret", () => {
  it('posts across several expiries with one login, the latest session stored beside the password', async () => {
    const world = inMemoryWorld(new Date());
    const channel = channelOf({ id: 'bsky-kept', platform: 'bluesky', account: '@newsroom' });
    const secrets = new FileChannelSecrets(folder());
    const credentials = new ChannelCredentials({}, secrets);
    const channelState = new SessionInSecret(world.channelState, credentials);
    const client = await clientFor('bluesky');
    if (!client) throw new Error('no Bluesky client');
    const deps = publishDeps(world, [channel], client, { credentials, channelState });
    const password = sandbox.credentials;
    await credentials.put(channel.id, password);

    const posted = await publishOverLives(world, channel, deps, 3);
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
