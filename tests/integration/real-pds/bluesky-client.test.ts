/**
 * Crier's Bluesky client against a real AT Protocol PDS (@atproto/pds with a PLC
 * directory, tests/pds-server): accounts made on it, an app password as the channel's
 * credentials, and every record read back with getRecord and checked against the
 * lexicons, the facets' bytes and the blobs. Skipped, saying how to install it, when
 * tests/pds-server has no node_modules.
 */
import {
  AppBskyEmbedExternal,
  AppBskyFeedPost,
  AtpAgent,
  AtUri,
  type BlobRef,
  XRPCError,
} from '@atproto/api';
import { TID } from '@atproto/common-web';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readPublishingConfig } from '../../../shared/config/publishing';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { channelSchema } from '../../../shared/domain/channel';
import type { ArticleRecord } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import { refOf } from '../../../shared/domain/share-key';
import { createBlueskyClient } from '../../../shared/platforms/bluesky/client';
import { blueskyPost } from '../../../shared/platforms/bluesky/composer';
import type { ClientCall, NetworkClient } from '../../../shared/platforms/client';
import type { Facet } from '../../../shared/platforms/types';
import { newShare } from '../../../shared/usecases/compose-article';
import { withdrawPost } from '../../../shared/usecases/withdraw-post';
import { appLinkLabel } from '../../support/bluesky-label';
import {
  InMemoryArticleStore,
  InMemoryChannelStateStore,
  InMemoryShareStore,
  ManualClock,
} from '../../support/in-memory';
import {
  createRealAccount,
  type RealAccount,
  type RealPds,
  realPdsInstalled,
  realPdsSuite,
  startRealPds,
} from '../../support/real-pds';
import { expectKind } from '../../support/sandbox-contract';
import { claimedThreadShare, postThread, threadChannel } from '../../support/thread';
import { sampleArticle } from '../../support/webhook';

const POST = 'app.bsky.feed.post';

const channel = channelSchema.parse({
  id: 'bsky-real',
  platform: 'bluesky',
  account: 'newsroom.test',
  template: '{title}\n\n{hashtags} {url}',
  hashtags: { max: 2 },
  utm: { source: 'bsky', medium: 'social', campaign: 'crier' },
});

let serial = 0;

/** A share of an article in Russian, with emoji and tags, as the publisher claims it. */
function claimedShare(overrides: Partial<Share> = {}): Share {
  serial += 1;
  const now = new Date();
  const article = parseGenericArticle({
    id: `real-${serial}`,
    url: `https://example.org/news/moskva-${serial}`,
    title: `Москва 🇧🇴 “AT&T” 東京 👨‍👩‍👧‍👦 ${serial}`,
    summary: 'Сводка дня',
    tags: ['Россия', 'Evo Morales'],
    language: 'ru',
    publishedAt: now.toISOString(),
  });
  const record: ArticleRecord = {
    articleId: `real-${serial}`,
    article,
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  return {
    ...newShare(record, channel, now),
    status: 'publishing',
    firstClaimedAt: now.toISOString(),
    remoteKey: TID.nextStr(),
    ...overrides,
  };
}

/** What each facet's byte range covers in the record's UTF-8 text. */
const sliced = (text: string, facets: readonly { index: Facet['index'] }[]) =>
  facets.map((f) => Buffer.from(text).subarray(f.index.byteStart, f.index.byteEnd).toString());

/** The createRecord answers the PDS gave Crier's client, read from the wire. */
type Answer = { status: number; body: Record<string, unknown> };

describe.skipIf(!realPdsInstalled)(realPdsSuite('the Bluesky client against a real PDS'), () => {
  let pds: RealPds;
  let newsroom: RealAccount;
  let reporter: RealAccount;
  /** an agent with no session: what anyone reading the network sees */
  let reader: AtpAgent;
  let session: string | undefined;
  const answers: Answer[] = [];
  /** When set, the next createRecord reaches the PDS but its answer is lost. */
  let loseNextCreate = false;

  const realFetch = globalThis.fetch;
  const call = (share: Share, extra: Partial<ClientCall> = {}): ClientCall => ({
    share,
    account: newsroom.handle,
    credentials: newsroom.credentials,
    session,
    timeoutMs: 20_000,
    ...extra,
  });
  const keep = <O extends { session?: string }>(outcome: O): O => {
    if (outcome.session) session = outcome.session;
    return outcome;
  };

  /** The stored record at `uri`, through com.atproto.repo.getRecord. */
  async function recordAt(uri: string) {
    const at = new AtUri(uri);
    const { data } = await reader.com.atproto.repo.getRecord({
      repo: at.host,
      collection: at.collection,
      rkey: at.rkey,
    });
    const checked = AppBskyFeedPost.validateRecord(data.value);
    if (!checked.success) throw checked.error;
    return { uri: data.uri, cid: data.cid ?? '', value: checked.value };
  }

  /** The PDS validated the record it stored (its lexicons, not only the client's). */
  function expectValidated(uri: string) {
    const answer = answers.find((a) => a.body.uri === uri);
    expect(answer?.status).toBe(200);
    expect(answer?.body.validationStatus).toBe('valid');
  }

  async function expectGone(uri: string) {
    await expect(recordAt(uri)).rejects.toMatchObject({ status: 400, error: 'RecordNotFound' });
  }

  beforeAll(async () => {
    pds = await startRealPds();
    newsroom = await createRealAccount(pds, 'newsroom');
    reporter = await createRealAccount(pds, 'reporter');
    reader = new AtpAgent({ service: pds.url });
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const response = await realFetch(input, init);
      if (url.pathname !== '/xrpc/com.atproto.repo.createRecord') return response;
      const body: unknown = await response.clone().json();
      answers.push({ status: response.status, body: Object(body) });
      if (loseNextCreate) {
        loseNextCreate = false;
        throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
      }
      return response;
    });
  }, 120_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    await pds?.stop();
  });

  it('logs in with the app password and posts: the text with the link as its label, link and tag facets on the UTF-8 bytes of non-ASCII text, the language', async () => {
    const share = claimedShare();
    const outcome = keep(expectKind(await createBlueskyClient().publish(call(share)), 'published'));
    expect(outcome.remoteId).toBe(`at://${newsroom.did}/${POST}/${share.remoteKey}`);
    expect(outcome.remoteUrl).toBe(
      `https://bsky.app/profile/${newsroom.handle}/post/${share.remoteKey}`,
    );
    expect(outcome.session).toBeTypeOf('string');
    expectValidated(outcome.remoteId);

    const { value } = await recordAt(outcome.remoteId);
    expect(value.text).toBe(share.text);
    expect(value.langs).toEqual(['ru']);
    const url = `${share.url.split('?')[0]}?utm_source=bsky&utm_medium=social&utm_campaign=crier`;
    // The text shows the app's label; its facet covers exactly the label's bytes and
    // links to the full URL, UTM parameters and all.
    const label = appLinkLabel(url);
    expect(label).toMatch(/^example\.org\/news\/moskva-\.\.\.$/);
    expect(value.text.endsWith(` ${label}`)).toBe(true);
    expect(value.text).not.toContain('https://');
    expect(sliced(value.text, value.facets ?? [])).toEqual(['#Россия', '#EvoMorales', label]);
    const bytes = Buffer.byteLength(value.text);
    expect(value.facets?.[2]?.index).toEqual({
      byteStart: bytes - Buffer.byteLength(label),
      byteEnd: bytes,
    });
    expect(value.facets?.map((f) => f.features)).toEqual([
      [{ $type: 'app.bsky.richtext.facet#tag', tag: 'Россия' }],
      [{ $type: 'app.bsky.richtext.facet#tag', tag: 'EvoMorales' }],
      [{ $type: 'app.bsky.richtext.facet#link', uri: url }],
    ]);
    // The card went out without a thumbnail (no thumbnail source given).
    expect(AppBskyEmbedExternal.isMain(value.embed)).toBe(true);
    if (!AppBskyEmbedExternal.isMain(value.embed)) return;
    expect(value.embed.external).toMatchObject({ uri: share.card?.url, title: share.card?.title });
    expect(value.embed.external.thumb).toBeUndefined();
  });

  it('uploads the card thumbnail, and the stored blob is the same bytes', async () => {
    const jpeg = await sharp({
      create: { width: 1200, height: 630, channels: 3, background: '#2e86c1' },
    })
      .jpeg({ quality: 80 })
      .toBuffer();
    const client = createBlueskyClient({
      thumbnail: async () => ({ bytes: jpeg, mimeType: 'image/jpeg' }),
    });
    const share = claimedShare();
    const outcome = keep(expectKind(await client.publish(call(share)), 'published'));
    expectValidated(outcome.remoteId);

    const { value } = await recordAt(outcome.remoteId);
    if (!AppBskyEmbedExternal.isMain(value.embed)) throw new Error('no external embed');
    const thumb: BlobRef | undefined = value.embed.external.thumb;
    expect(thumb).toMatchObject({ mimeType: 'image/jpeg', size: jpeg.length });
    const blob = await reader.com.atproto.sync.getBlob({
      did: newsroom.did,
      cid: thumb?.ref.toString() ?? '',
    });
    expect(Buffer.from(blob.data).equals(jpeg)).toBe(true);
    expect(blob.headers['content-type']).toBe('image/jpeg');
  });

  it("mentions another account by its real DID on the mention's bytes, and leaves a handle nobody has as plain text with a warning", async () => {
    const base = claimedShare();
    const typed = `Interview: @${reporter.handle} in Zürich 🇨🇭, not @ghost.test. #Bolivia ${base.url}`;
    const { text, facets: composed } = blueskyPost(typed, { urls: [base.url] });
    const share = { ...base, text, facets: composed };
    const outcome = keep(expectKind(await createBlueskyClient().publish(call(share)), 'published'));
    expect(outcome.warnings).toEqual([
      '@ghost.test is not a Bluesky account that could be found: the mention stays plain text and notifies no one',
    ]);
    expectValidated(outcome.remoteId);

    const { value } = await recordAt(outcome.remoteId);
    expect(value.text).toBe(text);
    const facets = value.facets ?? [];
    expect(sliced(text, facets)).toEqual([
      `@${reporter.handle}`,
      '#Bolivia',
      appLinkLabel(base.url),
    ]);
    expect(facets[2]?.features).toEqual([{ $type: 'app.bsky.richtext.facet#link', uri: base.url }]);
    expect(facets[0]?.features).toEqual([
      { $type: 'app.bsky.richtext.facet#mention', did: reporter.did },
    ]);
  });

  it('leaves out a language the PDS would refuse, which the PDS itself refuses with 400', async () => {
    const share = claimedShare({ language: 'en-12' });
    const outcome = keep(expectKind(await createBlueskyClient().publish(call(share)), 'published'));
    expect((await recordAt(outcome.remoteId)).value.langs).toBeUndefined();

    const direct = newsroom.agent.com.atproto.repo.createRecord({
      repo: newsroom.did,
      collection: POST,
      record: { $type: POST, text: 'x', langs: ['en-12'], createdAt: new Date().toISOString() },
    });
    await expect(direct).rejects.toMatchObject({ status: 400, error: 'InvalidRequest' });
  });

  it('refuses a text over 300 graphemes, which the composer must prevent', async () => {
    const share = claimedShare({ text: 'é'.repeat(301), facets: [] });
    const outcome = keep(await createBlueskyClient().publish(call(share)));
    expect(outcome).toMatchObject({ kind: 'rejected' });
    await expect(recordAt(`at://${newsroom.did}/${POST}/${share.remoteKey}`)).rejects.toThrow(
      XRPCError,
    );
  });

  it('posts a thread: each part replies to the root and to the part before, by uri and cid', async () => {
    const claimed = claimedThreadShare('bluesky');
    const client = createBlueskyClient();
    const { share, outcomes } = await postThread(
      client,
      { account: newsroom.handle, credentials: newsroom.credentials, timeoutMs: 20_000 },
      claimed,
    );
    expect(outcomes).toEqual(['published', 'published', 'published']);
    const [rootUri, secondUri, thirdUri] = [share.remoteId ?? '', ...(share.threadIds ?? [])];
    expect(rootUri).toBe(`at://${newsroom.did}/${POST}/${claimed.remoteKey}`);
    expect([secondUri, thirdUri]).toEqual(
      claimed.threadKeys?.map((key) => `at://${newsroom.did}/${POST}/${key}`),
    );
    const root = await recordAt(rootUri);
    const second = await recordAt(secondUri ?? '');
    const third = await recordAt(thirdUri ?? '');
    for (const part of [root, second, third]) expectValidated(part.uri);
    expect(root.value.reply).toBeUndefined();
    const ref = (r: { uri: string; cid: string }) => ({ uri: r.uri, cid: r.cid });
    expect(second.value.reply).toEqual({ root: ref(root), parent: ref(root) });
    expect(third.value.reply).toEqual({ root: ref(root), parent: ref(second) });
    expect([second.value.text, third.value.text]).toEqual(claimed.thread);
  });

  it("sends a reply's links as labels: a full URL and the share's own label, each with a facet to its full URL", async () => {
    const claimed = claimedThreadShare('bluesky');
    const other =
      'https://www.leftvoice.org/bolivia-background-explainer/?utm_source=bluesky&utm_medium=social';
    const label = appLinkLabel(claimed.url);
    const last = `Background: ${other} — and the story, ${label} 3/3`;
    const share = { ...claimed, thread: [claimed.thread?.[0] ?? '', last] };
    const { share: done } = await postThread(
      createBlueskyClient(),
      { account: newsroom.handle, credentials: newsroom.credentials, session, timeoutMs: 20_000 },
      share,
    );
    const uri = done.threadIds?.[1] ?? '';
    expectValidated(uri);
    const { value } = await recordAt(uri);
    const otherLabel = appLinkLabel(other);
    expect(value.text).toBe(`Background: ${otherLabel} — and the story, ${label} 3/3`);
    const facets = value.facets ?? [];
    expect(sliced(value.text, facets)).toEqual([otherLabel, label]);
    expect(facets.map((f) => f.features)).toEqual([
      [{ $type: 'app.bsky.richtext.facet#link', uri: other }],
      [{ $type: 'app.bsky.richtext.facet#link', uri: claimed.url }],
    ]);
  });

  it('finds the post by its record key after the answer to createRecord is lost, and a post never made is absent', async () => {
    const client = createBlueskyClient();
    const share = claimedShare();
    loseNextCreate = true;
    const lost = keep(await client.publish(call(share)));
    expect(lost.kind).toBe('unknown');
    const found = keep(await client.reconcile(call(share)));
    expect(found).toMatchObject({
      kind: 'found',
      remoteId: `at://${newsroom.did}/${POST}/${share.remoteKey}`,
    });
    // Sent again under the same key, the PDS answers its plain 500: still unknown, still found.
    expect(keep(await client.publish(call(share))).kind).toBe('unknown');
    expect(answers.at(-1)).toMatchObject({ status: 500, body: { error: 'InternalServerError' } });
    expect(keep(await client.reconcile(call(share))).kind).toBe('found');

    expect(keep(await client.reconcile(call(claimedShare())))).toEqual({ kind: 'absent' });
  });

  it('finds a part of a thread by its own key after its answer is lost', async () => {
    const client = createBlueskyClient();
    const base = { account: newsroom.handle, credentials: newsroom.credentials, timeoutMs: 20_000 };
    const { share, outcomes } = await postThread(
      client,
      base,
      claimedThreadShare('bluesky'),
      (step) => {
        if (step.kind === 'reply' && step.index === 0) loseNextCreate = true;
      },
    );
    expect(outcomes).toEqual(['published', 'unknown', 'found', 'published']);
    const second = await recordAt(share.threadIds?.[0] ?? '');
    expect(second.uri.endsWith(`/${share.threadKeys?.[0]}`)).toBe(true);
  });

  it('deletes a post, and deleting it again succeeds', async () => {
    const client = createBlueskyClient();
    const share = claimedShare();
    const posted = keep(expectKind(await client.publish(call(share)), 'published'));
    const done = { ...share, remoteId: posted.remoteId };
    expect(keep(await client.withdraw({ ...call(done), action: 'delete' }))).toMatchObject({
      kind: 'withdrawn',
    });
    await expectGone(posted.remoteId);
    expect(keep(await client.withdraw({ ...call(done), action: 'delete' }))).toMatchObject({
      kind: 'withdrawn',
    });
  });

  it('withdraws a thread: the replies from the last to the first, then the first post, none left', async () => {
    const client: NetworkClient = createBlueskyClient();
    const base = { account: newsroom.handle, credentials: newsroom.credentials, timeoutMs: 20_000 };
    const { share: posted } = await postThread(client, base, claimedThreadShare('bluesky'));
    const share: Share = { ...posted, status: 'published' };
    const shares = new InMemoryShareStore();
    shares.put(share);
    const articles = new InMemoryArticleStore();
    const now = new Date().toISOString();
    await articles.putRevision({
      articleId: share.articleId,
      article: { ...parseGenericArticle(sampleArticle()), status: 'unpublished', revision: 2 },
      receivedAt: now,
      updatedAt: now,
    });
    const deleted: string[] = [];
    const watching: NetworkClient = {
      ...client,
      withdraw: (withdrawal) => {
        deleted.push(withdrawal.share.remoteId ?? '');
        return client.withdraw(withdrawal);
      },
    };
    const result = await withdrawPost(
      {
        shares,
        articles,
        channelState: new InMemoryChannelStateStore(),
        credentials: { get: async () => newsroom.credentials },
        channels: [threadChannel('bluesky', 3, { onWithdraw: 'delete' })],
        clientFor: () => watching,
        clock: new ManualClock(),
        config: readPublishingConfig({}),
      },
      share,
    );
    expect(result).toMatchObject({ outcome: 'withdrawn' });
    const uris = [share.threadIds?.[1], share.threadIds?.[0], share.remoteId];
    expect(deleted).toEqual(uris);
    for (const uri of uris) await expectGone(uri ?? '');
    expect((await shares.get(refOf(share)))?.withdrawal).toMatchObject({
      action: 'delete',
      outcome: 'done',
    });
  });
});
