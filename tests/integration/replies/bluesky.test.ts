/**
 * Threads of posts on Bluesky through @atproto/api against the Bluesky sandbox: each part
 * a reply naming the thread's root and its parent, under a record key of its own, so a
 * repeat collides and reconcile finds the part by its key.
 */
import { AtpAgent, XRPCError } from '@atproto/api';
import { TID } from '@atproto/common-web';
import { describe, expect, it } from 'vitest';
import { startBlueskySandbox } from '../../../infra/local/sandbox/bluesky';
import { createBlueskyClient } from '../../../shared/platforms/bluesky/client';
import { claimedThreadShare, expectThread, postThread } from '../../support/thread';
import { threadSandboxPerTest } from '../../support/thread-sandbox';

const client = createBlueskyClient();
const net = threadSandboxPerTest(startBlueskySandbox);
const { base } = net;

/** The record a post is stored as, read back through the PDS's own getRecord. */
async function recordOf(uri: string): Promise<Record<string, unknown>> {
  const [, , did, collection, rkey] = uri.split('/');
  const url = new URL('/xrpc/com.atproto.repo.getRecord', net.sandbox.url);
  url.search = new URLSearchParams({
    repo: did ?? '',
    collection: collection ?? '',
    rkey: rkey ?? '',
  }).toString();
  const body: unknown = await (await fetch(url)).json();
  if (typeof body !== 'object' || body === null || !('value' in body)) throw new Error('no record');
  const { value } = body;
  if (typeof value !== 'object' || value === null) throw new Error('no record value');
  return { ...value };
}

describe('Bluesky: a thread of posts', () => {
  it('posts a three-part thread as three records, each replying to the one before under the root', async () => {
    const share = claimedThreadShare('bluesky');
    expect(share.thread).toHaveLength(2);
    const { share: done, outcomes } = await postThread(client, base(), share);
    expect(outcomes).toEqual(['published', 'published', 'published']);
    expectThread(net.posts.list(), done);

    const [root, second, third] = [done.remoteId ?? '', ...(done.threadIds ?? [])];
    expect(root.endsWith(`/${share.remoteKey}`)).toBe(true);
    expect([second, third].map((uri) => uri?.split('/').pop())).toEqual(share.threadKeys);
    const reply = (await recordOf(third ?? '')).reply;
    expect(reply).toMatchObject({ root: { uri: root }, parent: { uri: second } });
  });

  it("gives each part its own facets: the last part's hashtags are tags", async () => {
    const share = claimedThreadShare('bluesky');
    const tagged = { ...share, thread: [share.thread?.[0] ?? '', 'The end 3/3\n\n#Bolivia'] };
    const { share: done } = await postThread(client, base(), tagged);
    const last = await recordOf(done.threadIds?.[1] ?? '');
    expect(last.facets).toEqual([
      {
        index: { byteStart: 13, byteEnd: 21 },
        features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'Bolivia' }],
      },
    ]);
  });

  it('finds the second part by its record key after the connection drops once it is posted', async () => {
    const { share: done, outcomes } = await net.postWithFault(
      client,
      'bluesky:crash-after-post:1:1',
    );
    expect(outcomes).toEqual(['published', 'unknown', 'found', 'published']);
    expectThread(net.posts.list(), done);
  });

  it('posts the second part under the same key after a 500 that committed nothing', async () => {
    const { share: done, outcomes } = await net.postWithFault(client, 'bluesky:500:1:1');
    expect(outcomes).toEqual(['published', 'unknown', 'absent', 'published', 'published']);
    expectThread(net.posts.list(), done);
  });

  it('collides instead of posting twice when a part is sent again under its key', async () => {
    const { share: done } = await postThread(client, base(), claimedThreadShare('bluesky'));
    const again = await client.replies?.publish({
      ...base(),
      share: done,
      index: 0,
      parentId: done.remoteId ?? '',
    });
    expect(again).toMatchObject({ kind: 'unknown' });
    expect(
      await client.replies?.reconcile({
        ...base(),
        share: done,
        index: 0,
        parentId: done.remoteId ?? '',
      }),
    ).toMatchObject({ kind: 'found', remoteId: done.threadIds?.[0] });
    expect(net.posts.list()).toHaveLength(3);
  });

  it('refuses a reply to a post that is not there, and posts nothing', async () => {
    const share = claimedThreadShare('bluesky');
    const { share: done } = await postThread(client, base(), { ...share, thread: [] });
    const gone = (done.remoteId ?? '').replace(/[^/]+$/, share.threadKeys?.[1] ?? '');
    const outcome = await client.replies?.publish({
      ...base(),
      share: { ...done, thread: share.thread },
      index: 0,
      parentId: gone,
    });
    expect(outcome).toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining('RecordNotFound'),
    });
    expect(net.posts.list()).toHaveLength(1);
  });

  it('refuses, as a sandbox check, a reply whose parent is not one of its records or whose cid differs', async () => {
    const { service, identifier, password } = net.sandbox.credentials;
    const agent = new AtpAgent({ service: String(service) });
    await agent.login({ identifier: String(identifier), password: String(password) });
    const did = agent.session?.did ?? '';
    const root = await agent.com.atproto.repo.createRecord({
      repo: did,
      collection: 'app.bsky.feed.post',
      rkey: TID.nextStr(),
      record: { $type: 'app.bsky.feed.post', text: 'Root', createdAt: new Date().toISOString() },
    });
    const rootRef = { uri: root.data.uri, cid: root.data.cid };
    const reply = (parent: { uri: string; cid: string }) =>
      agent.com.atproto.repo.createRecord({
        repo: did,
        collection: 'app.bsky.feed.post',
        rkey: TID.nextStr(),
        record: {
          $type: 'app.bsky.feed.post',
          text: 'Reply',
          createdAt: new Date().toISOString(),
          reply: { root: rootRef, parent },
        },
      });
    const answered = await reply(rootRef);
    const missing = { uri: `at://${did}/app.bsky.feed.post/${TID.nextStr()}`, cid: rootRef.cid };
    const otherCid = { uri: rootRef.uri, cid: answered.data.cid };
    for (const parent of [missing, otherCid]) {
      const refused = await reply(parent).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(XRPCError);
      expect(refused).toMatchObject({ status: 400, error: 'InvalidRequest' });
      expect(String(refused)).toMatch(/Record\/reply\/parent .* is not a post of this server/);
    }
    const [first, second] = net.posts.list();
    expect(net.posts.list()).toHaveLength(2);
    expect(second?.inReplyToId).toBe(first?.remoteId);
  });
});
