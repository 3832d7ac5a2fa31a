/**
 * Mentions and languages against the Bluesky sandbox: the client resolves each `@handle` through the
 * agent (com.atproto.identity.resolveHandle) and the stored record carries a mention
 * facet with the DID on the mention's bytes; a handle the network cannot resolve stays
 * plain text and the outcome says so. The sandbox checks mention facets as it stores them.
 * A share carrying a language tag the PDS refuses posts without it.
 */
import { readFileSync } from 'node:fs';
import { AtpAgent, XRPCError } from '@atproto/api';
import { TID } from '@atproto/common-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { blueskySandbox, type RunningBlueskySandbox } from '../../../infra/local/sandbox/bluesky';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import { loadChannelsConfig } from '../../../shared/config/channels';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import type { Share } from '../../../shared/domain/share';
import { blueskyClient } from '../../../shared/platforms/bluesky/client';
import { blueskyFacets } from '../../../shared/platforms/bluesky/composer';
import { unresolvedWarning } from '../../../shared/platforms/bluesky/mentions';
import { newShare } from '../../../shared/usecases/compose-article';
import { expectKind } from '../../support/sandbox-contract';

const article = parseGenericArticle(
  JSON.parse(
    readFileSync(
      new URL('../../../tests/fixtures/webhooks/generic-article.json', import.meta.url),
      'utf8',
    ),
  ),
);
const channel = loadChannelsConfig(undefined).channels.find((c) => c.platform === 'bluesky');

/** A claimed Bluesky share of the sample article whose text is `text`, facets as composed. */
function claimedShare(text: string): Share {
  if (!channel) throw new Error('the built-in channels have no Bluesky channel');
  const now = new Date();
  const share = newShare(
    {
      articleId: `art-${now.getTime()}-${Math.random()}`,
      article,
      receivedAt: now.toISOString(),
      updatedAt: now.toISOString(),
    },
    channel,
    now,
  );
  return {
    ...share,
    text,
    facets: blueskyFacets(text, [share.url]),
    card: undefined,
    status: 'publishing',
    firstClaimedAt: now.toISOString(),
    remoteKey: TID.nextStr(),
  };
}

const covered = (text: string, index: { byteStart: number; byteEnd: number }) =>
  Buffer.from(text, 'utf8').subarray(index.byteStart, index.byteEnd).toString('utf8');

describe('Bluesky mentions against the sandbox', () => {
  let sandbox: RunningBlueskySandbox;
  let agent: AtpAgent;

  beforeAll(async () => {
    const log = createLogger({ quiet: true, sink: () => {} });
    const start = blueskySandbox({ knownHandles: ['alice.bsky.social'] });
    sandbox = (await start({
      posts: new SandboxPosts(),
      faults: new FaultInjector(undefined, 1),
      log,
    })) as RunningBlueskySandbox;
    agent = new AtpAgent({ service: sandbox.url });
    await agent.login({
      identifier: sandbox.credentials.identifier,
      password: sandbox.credentials.password,
    });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  const publish = (share: Share) =>
    blueskyClient.publish({
      share,
      account: sandbox.account,
      credentials: sandbox.credentials,
      timeoutMs: 10_000,
    });

  const stored = async (share: Share) => {
    const response = await agent.com.atproto.repo.getRecord({
      repo: agent.session?.did ?? '',
      collection: 'app.bsky.feed.post',
      rkey: share.remoteKey ?? '',
    });
    return response.data.value as { text: string; facets?: unknown[] };
  };

  it('resolves a known handle to its DID, and answers 400 "Unable to resolve handle" otherwise', async () => {
    const known = await agent.com.atproto.identity.resolveHandle({ handle: 'alice.bsky.social' });
    expect(known.data.did).toMatch(/^did:plc:[a-z2-7]{24}$/);
    const own = await agent.com.atproto.identity.resolveHandle({ handle: sandbox.account });
    expect(own.data.did).toBe(agent.session?.did);

    const unknown = agent.com.atproto.identity.resolveHandle({ handle: 'nobody.example.com' });
    await expect(unknown).rejects.toBeInstanceOf(XRPCError);
    await expect(unknown).rejects.toMatchObject({
      status: 400,
      error: 'InvalidRequest',
      message: 'Unable to resolve handle',
    });
  });

  it('posts a mention as a facet with the DID on its exact bytes, after emoji and CJK', async () => {
    const text = `🇯🇵 速報 👩🏽‍💻 Interview with @alice.bsky.social: ${article.url}`;
    const share = claimedShare(text);
    const outcome = expectKind(await publish(share), 'published');
    expect(outcome.warnings).toBeUndefined();

    const { data } = await agent.com.atproto.identity.resolveHandle({
      handle: 'alice.bsky.social',
    });
    const record = await stored(share);
    expect(record.text).toBe(text);
    const start = Buffer.byteLength(text.slice(0, text.indexOf('@alice')), 'utf8');
    expect(record.facets).toContainEqual({
      index: { byteStart: start, byteEnd: start + '@alice.bsky.social'.length },
      features: [{ $type: 'app.bsky.richtext.facet#mention', did: data.did }],
    });
    // The link facet the composer made is still there.
    expect(record.facets).toHaveLength(2);
  });

  it('leaves a handle that does not resolve as plain text and says so in a warning', async () => {
    const text = 'Said @nobody.example.com, and @alice.bsky.social agreed';
    const share = claimedShare(text);
    const outcome = expectKind(await publish(share), 'published');
    expect(outcome.warnings).toEqual([unresolvedWarning('nobody.example.com')]);

    const record = await stored(share);
    const facets = (record.facets ?? []) as { index: { byteStart: number; byteEnd: number } }[];
    expect(facets.map((f) => covered(text, f.index))).toEqual(['@alice.bsky.social']);
  });

  it("refuses a mention facet whose DID is nobody's, or whose bytes are not that handle", async () => {
    const { data } = await agent.com.atproto.identity.resolveHandle({
      handle: 'alice.bsky.social',
    });
    const create = (facet: unknown) =>
      agent.com.atproto.repo.createRecord({
        repo: agent.session?.did ?? '',
        collection: 'app.bsky.feed.post',
        rkey: TID.nextStr(),
        record: {
          $type: 'app.bsky.feed.post',
          text: 'hi @alice.bsky.social',
          facets: [facet],
          createdAt: new Date().toISOString(),
        },
      });
    const mention = (did: string, byteStart: number, byteEnd: number) => ({
      index: { byteStart, byteEnd },
      features: [{ $type: 'app.bsky.richtext.facet#mention', did }],
    });
    await expect(create(mention('did:plc:nobodyatall234567abcdefg', 3, 21))).rejects.toMatchObject({
      status: 400,
      error: 'InvalidRequest',
    });
    await expect(create(mention(data.did, 2, 20))).rejects.toMatchObject({
      status: 400,
      error: 'InvalidRequest',
    });
    await expect(create(mention(data.did, 3, 21))).resolves.toBeDefined();
  });

  it('refuses a record whose langs is not BCP 47, as the PDS does', async () => {
    const create = agent.com.atproto.repo.createRecord({
      repo: agent.session?.did ?? '',
      collection: 'app.bsky.feed.post',
      rkey: TID.nextStr(),
      record: {
        $type: 'app.bsky.feed.post',
        text: 'hi',
        langs: ['en-12'],
        createdAt: new Date().toISOString(),
      },
    });
    await expect(create).rejects.toMatchObject({ status: 400, error: 'InvalidRequest' });
  });

  it('posts a share whose language tag Bluesky would refuse without it, rather than failing', async () => {
    const share = { ...claimedShare('A post in a tag nobody reads'), language: 'en-12' };
    expectKind(await publish(share), 'published');
    const record = await stored(share);
    expect(record).not.toHaveProperty('langs');

    const tagged = { ...claimedShare('Uma notícia'), language: 'pt-BR' };
    expectKind(await publish(tagged), 'published');
    expect(await stored(tagged)).toMatchObject({ langs: ['pt-BR'] });
  });
});
