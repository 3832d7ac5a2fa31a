/**
 * Correction notes, what needs no network: every platform's client posts them, Bluesky's
 * record key for a note is a TID made from the note's key and its parent (the same for
 * every attempt, after the parent's own time), Mastodon's note carries its own key, and
 * LinkedIn's comment address opens the post at the comment.
 */
import { AtUri } from '@atproto/api';
import { TID } from '@atproto/common-web';
import { describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../../shared/domain/platform';
import type { Share } from '../../../shared/domain/share';
import { noteRecordKey } from '../../../shared/platforms/bluesky/note-key';
import type { NoteCall } from '../../../shared/platforms/client';
import { clientFor } from '../../../shared/platforms/clients';
import { linkedinCommentUrl } from '../../../shared/platforms/linkedin/notes';
import { asNote } from '../../../shared/platforms/mastodon/api';

const PARENT_KEY = '3kq2ymzs5c22a';
const parent = `at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/${PARENT_KEY}`;

describe('every network takes correction notes', () => {
  it.each(PLATFORMS)('%s: the client has notes.publish and notes.reconcile', async (platform) => {
    const client = await clientFor(platform);
    expect(typeof client?.notes?.publish).toBe('function');
    expect(typeof client?.notes?.reconcile).toBe('function');
  });
});

describe("Bluesky: a note's record key", () => {
  it('is a TID, the same for the same note and parent at every attempt', () => {
    const key = noteRecordKey(parent, 'share-key-r2');
    expect(TID.is(key)).toBe(true);
    expect(noteRecordKey(parent, 'share-key-r2')).toBe(key);
  });

  it('differs for another note, and for the same note under another post', () => {
    const key = noteRecordKey(parent, 'share-key-r2');
    expect(noteRecordKey(parent, 'share-key-r3')).not.toBe(key);
    const other = parent.replace(PARENT_KEY, TID.nextStr());
    expect(noteRecordKey(other, 'share-key-r2')).not.toBe(key);
  });

  it("falls within the second after the parent's own time, so it sorts after the post it answers", () => {
    const parentMicros = TID.fromStr(PARENT_KEY).timestamp();
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const micros = TID.fromStr(noteRecordKey(parent, `key-${n}`)).timestamp();
      expect(micros).toBeGreaterThan(parentMicros);
      expect(micros).toBeLessThanOrEqual(parentMicros + 1_000_000);
    }
  });

  it('is still a TID under a parent whose key is not one', () => {
    const odd = 'at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/self';
    expect(new AtUri(odd).rkey).toBe('self');
    expect(TID.is(noteRecordKey(odd, 'k'))).toBe(true);
    expect(TID.is(noteRecordKey('not a uri', 'k'))).toBe(true);
  });
});

describe('Mastodon: a note', () => {
  it("is a reply to the parent under the note's own Idempotency-Key, in the share's language", () => {
    const share = { language: 'pt-BR' } as Share;
    const call = { share, text: 'Correção: a data era 20.', parentId: '1100', key: 'k-r2' };
    expect(asNote(call as NoteCall)).toEqual({
      text: 'Correção: a data era 20.',
      key: 'k-r2',
      language: 'pt',
      inReplyToId: '1100',
    });
  });
});

describe('LinkedIn: a comment address', () => {
  it('opens the post at the comment', () => {
    const post = 'urn:li:share:7190000000000000000';
    const comment = `urn:li:comment:(${post},7190000000000000001)`;
    expect(linkedinCommentUrl(post, comment)).toBe(
      `https://www.linkedin.com/feed/update/${post}/?commentUrn=${encodeURIComponent(comment)}`,
    );
  });
});

describe('what a client refuses before it calls the network', () => {
  const share = {} as Share;
  const call = (platform: string, parentId: string, text = 'Correction: the date.'): NoteCall => ({
    share,
    account: 'newsroom',
    // Credentials that would fail: the refusals below come before they are read.
    credentials: { platform },
    timeoutMs: 1_000,
    text,
    parentId,
    key: 'k-r2',
  });

  it('Telegram: a parent that is not <chat>/<message> is rejected', async () => {
    const client = await clientFor('telegram');
    expect(await client?.notes?.publish(call('telegram', '12345'))).toMatchObject({
      kind: 'rejected',
      message: '12345 is not a Telegram message id',
    });
  });

  it('LinkedIn: a parent that is not a post URN is rejected', async () => {
    const client = await clientFor('linkedin');
    expect(await client?.notes?.publish(call('linkedin', 'urn:li:person:abc'))).toMatchObject({
      kind: 'rejected',
      message: 'urn:li:person:abc is not a LinkedIn post URN',
    });
  });

  it.each(PLATFORMS)('%s: an empty note is rejected', async (platform) => {
    const client = await clientFor(platform);
    const parent =
      platform === 'telegram' ? '-1001/2' : platform === 'linkedin' ? 'urn:li:share:1' : '1';
    const outcome = await client?.notes?.publish(call(platform, parent, ' \n '));
    expect(outcome?.kind).toBe('rejected');
  });

  it('Telegram: reconcile can never tell, and says where to look', async () => {
    const client = await clientFor('telegram');
    const looked = await client?.notes?.reconcile({
      ...call('telegram', '-1001/2'),
      credentials: { botToken: '123456:ABCdefGhIJKlmnoPQRstuVWXyz0123456789', chatId: '@newsroom' },
    });
    expect(looked).toMatchObject({ kind: 'unsure', never: true });
    if (looked?.kind === 'unsure') expect(looked.reason).toContain('https://t.me/newsroom');
  });
});
