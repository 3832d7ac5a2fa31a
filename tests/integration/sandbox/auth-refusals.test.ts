/**
 * Each network client tells a dead token from a missing permission, on the sandboxes'
 * own refusals: an expired or revoked token is `auth` (a refresh may help), a token
 * without the permission, scope or role is `auth` with `permission` (no refresh can),
 * and Mastodon's 403 stays a refusal of the request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { type Sandboxes, startSandboxes } from '../../../infra/local/sandbox';
import type { Platform } from '../../../shared/domain/platform';
import type { PublishOutcome } from '../../../shared/platforms/client';
import { clientFor } from '../../../shared/platforms/clients';
import { claimedShare } from '../../support/sandbox-contract';

let sandboxes: Sandboxes;

beforeAll(async () => {
  sandboxes = await startSandboxes({ log: createLogger({ quiet: true }) });
});
afterAll(() => sandboxes?.stop());

async function publishWith(platform: Platform, fault: string): Promise<PublishOutcome> {
  const sandbox = sandboxes.byPlatform(platform);
  const client = await clientFor(platform);
  if (!sandbox || !client) throw new Error(`no ${platform} sandbox or client`);
  sandboxes.faults.set(`${platform}:${fault}:1:1`);
  try {
    return await client.publish({
      share: claimedShare(platform),
      account: sandbox.account,
      credentials: sandbox.credentials,
      timeoutMs: 5_000,
    });
  } finally {
    sandboxes.faults.set(undefined);
  }
}

describe('a dead token and a missing permission, told apart', () => {
  const networks: { platform: Platform; permission: RegExp; healsExpired?: true }[] = [
    { platform: 'x', permission: /oauth1 app permissions/ },
    { platform: 'threads', permission: /\(#10\) Application does not have permission/ },
    { platform: 'instagram', permission: /\(#10\) Application does not have permission/ },
    { platform: 'facebook', permission: /\(#200\).*pages_manage_posts/ },
    { platform: 'linkedin', permission: /Not enough permissions/ },
    { platform: 'telegram', permission: /need administrator rights/ },
    // The app password logs in again over an expired session and the post goes out; a
    // scope it lacks stays lacking, so no new login is tried for it.
    { platform: 'bluesky', permission: /Bad token scope/, healsExpired: true },
  ];

  for (const { platform, permission, healsExpired } of networks) {
    it(`${platform}: a permission refusal is auth with permission; an expired token is not`, async () => {
      const denied = await publishWith(platform, 'permission');
      expect(denied).toMatchObject({ kind: 'auth', permission: true });
      expect(denied.kind === 'auth' && denied.message).toMatch(permission);

      const expired = await publishWith(platform, 'expired-token');
      expect(expired.kind).toBe(healsExpired ? 'published' : 'auth');
      expect(expired).not.toHaveProperty('permission');
    });
  }

  it('mastodon: a 403 is a refusal of the request, a 401 a dead token', async () => {
    expect(await publishWith('mastodon', 'permission')).toMatchObject({ kind: 'rejected' });
    const expired = await publishWith('mastodon', 'expired-token');
    expect(expired.kind).toBe('auth');
    expect(expired).not.toHaveProperty('permission');
  });
});
