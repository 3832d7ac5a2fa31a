/**
 * Correction notes through Crier's Bluesky client against a real AT Protocol PDS
 * (tests/pds-server): a note is a reply record naming the thread's root and the post it
 * answers by uri and cid, with a link facet on its label, under a record key made from the
 * note's key, so a repeat collides and reconcile finds the one note. Skipped, saying how to
 * install the PDS, when tests/pds-server has no node_modules (CRIER_REQUIRE_REAL_PDS=1 makes
 * that a failure).
 */
import { AppBskyFeedPost, AtpAgent, AtUri } from '@atproto/api';
import { TID } from '@atproto/common-web';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBlueskyClient } from '../../../shared/platforms/bluesky/client';
import { noteRecordKey } from '../../../shared/platforms/bluesky/note-key';
import type { NoteCall } from '../../../shared/platforms/client';
import { appLinkLabel } from '../../support/bluesky-label';
import {
  createRealAccount,
  type RealAccount,
  type RealPds,
  realPdsInstalled,
  realPdsSuite,
  startRealPds,
} from '../../support/real-pds';
import { expectKind } from '../../support/sandbox-contract';
import { claimedThreadShare, postThread } from '../../support/thread';

const POST = 'app.bsky.feed.post';
const client = createBlueskyClient();
const { notes } = client;
if (!notes) throw new Error('the Bluesky client posts no notes');
const CORRECTION_URL = 'https://news.example.org/corrections/2026/bolivia-vote?ref=note';

type Answer = { status: number; body: Record<string, unknown> };

describe.skipIf(!realPdsInstalled)(realPdsSuite('Bluesky correction notes on a real PDS'), () => {
  let pds: RealPds;
  let newsroom: RealAccount;
  let reader: AtpAgent;
  const answers: Answer[] = [];
  let loseNextCreate = false;
  const realFetch = globalThis.fetch;
  let serial = 0;

  const base = () => ({
    account: newsroom.handle,
    credentials: newsroom.credentials,
    timeoutMs: 20_000,
  });

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

  /** A thread posted for real, and a note call under its last post. */
  async function threadAndNote() {
    const { share } = await postThread(client, base(), claimedThreadShare('bluesky'));
    serial += 1;
    const text = `Correction ${serial}: the vote was on October 20, not October 21. ${CORRECTION_URL}`;
    const last = share.threadIds?.at(-1) ?? share.remoteId ?? '';
    const call: NoteCall = {
      ...base(),
      share,
      text,
      parentId: last,
      key: `${share.idempotencyKey}-r${serial}`,
    };
    return { share, call };
  }

  async function notesUnder(parentUri: string): Promise<string[]> {
    const { data } = await reader.com.atproto.repo.listRecords({
      repo: newsroom.did,
      collection: POST,
      limit: 100,
    });
    return data.records
      .filter((r) => {
        const value = AppBskyFeedPost.validateRecord(r.value);
        return value.success && value.value.reply?.parent.uri === parentUri;
      })
      .map((r) => r.uri);
  }

  beforeAll(async () => {
    pds = await startRealPds();
    newsroom = await createRealAccount(pds, 'newsroom');
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

  it('posts the note as a reply to the last post under the thread root, with a link facet on its label, under the key its own key makes', async () => {
    const { share, call } = await threadAndNote();
    const outcome = expectKind(await notes.publish(call), 'published');
    const rkey = noteRecordKey(call.parentId, call.key);
    expect(TID.is(rkey)).toBe(true);
    expect(outcome.remoteId).toBe(`at://${newsroom.did}/${POST}/${rkey}`);
    expect(answers.at(-1)).toMatchObject({
      status: 200,
      body: { uri: outcome.remoteId, validationStatus: 'valid' },
    });

    const note = await recordAt(outcome.remoteId);
    const root = await recordAt(share.remoteId ?? '');
    const parent = await recordAt(call.parentId);
    expect(note.value.reply).toEqual({
      root: { uri: root.uri, cid: root.cid },
      parent: { uri: parent.uri, cid: parent.cid },
    });
    const label = appLinkLabel(CORRECTION_URL);
    expect(note.value.text).toBe(call.text.replace(CORRECTION_URL, label));
    const facets = note.value.facets ?? [];
    expect(
      facets.map((f) =>
        Buffer.from(note.value.text).subarray(f.index.byteStart, f.index.byteEnd).toString(),
      ),
    ).toEqual([label]);
    expect(facets[0]?.features).toEqual([
      { $type: 'app.bsky.richtext.facet#link', uri: CORRECTION_URL },
    ]);
    expect(await notes.reconcile(call)).toMatchObject({
      kind: 'found',
      remoteId: outcome.remoteId,
    });
  });

  it('a repeat under the same key collides (the PDS answers 500): unknown, and reconcile finds the one note', async () => {
    const { call } = await threadAndNote();
    const first = expectKind(await notes.publish(call), 'published');
    const again = await notes.publish(call);
    expect(again?.kind).toBe('unknown');
    expect(answers.at(-1)).toMatchObject({ status: 500, body: { error: 'InternalServerError' } });
    expect(await notes.reconcile(call)).toMatchObject({
      kind: 'found',
      remoteId: first.remoteId,
    });
    expect(await notesUnder(call.parentId)).toEqual([first.remoteId]);
  });

  it('finds the note after the answer to createRecord is lost, and a note never made is absent', async () => {
    const { call } = await threadAndNote();
    loseNextCreate = true;
    expect((await notes.publish(call))?.kind).toBe('unknown');
    const found = await notes.reconcile(call);
    expect(found).toMatchObject({ kind: 'found' });
    expect(await notesUnder(call.parentId)).toHaveLength(1);
    expect(await notes.reconcile({ ...call, key: `${call.key}-other` })).toMatchObject({
      kind: 'absent',
    });
  });
});
