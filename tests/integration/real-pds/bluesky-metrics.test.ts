/**
 * Bluesky metrics against a real PDS (tests/pds-server): a PDS keeps records but not the
 * counts, which it asks its AppView for. This one has none it can reach, as a PDS of one's
 * own without an AppView set: the read is a retry that says so, and the post is untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blueskyClient } from '../../../shared/platforms/bluesky/client';
import {
  createRealAccount,
  type RealAccount,
  type RealPds,
  realPdsInstalled,
  realPdsSuite,
  startRealPds,
} from '../../support/real-pds';
import { claimedShare, expectKind } from '../../support/sandbox-contract';

describe.skipIf(!realPdsInstalled)(realPdsSuite('Bluesky metrics against a real PDS'), () => {
  let pds: RealPds;
  let newsroom: RealAccount;
  beforeAll(async () => {
    pds = await startRealPds();
    newsroom = await createRealAccount(pds, 'newsroom');
  }, 120_000);
  afterAll(async () => {
    await pds?.stop();
  });

  it('answers retry, naming the AppView the PDS could not reach, when no AppView is behind the PDS', async () => {
    const share = claimedShare('bluesky');
    const base = { account: newsroom.handle, credentials: newsroom.credentials, timeoutMs: 20_000 };
    const published = expectKind(await blueskyClient.publish({ ...base, share }), 'published');
    const read = await blueskyClient.metrics?.({
      ...base,
      session: published.session,
      share: { ...share, status: 'published', remoteId: published.remoteId },
    });
    expect(read).toMatchObject({
      kind: 'retry',
      message: expect.stringMatching(/502 UpstreamFailure.*could not reach the AppView/),
    });
    // The record itself is the PDS's own to answer.
    expect(
      await blueskyClient.reconcile({ ...base, session: published.session, share }),
    ).toMatchObject({ kind: 'found', remoteId: published.remoteId });
  }, 60_000);
});
