/**
 * Correction notes against each network's sandbox, through the client: a note goes out
 * under the published post (a reply on X, Bluesky, Mastodon, Threads and Telegram, a
 * comment on Facebook, Instagram and LinkedIn) and shows in the sandbox's posts with the
 * post as `inReplyToId`; reconcile finds it, or says it is absent, or (Telegram) that no
 * one can tell; a note whose answer was lost is found and never posted twice.
 */
import { TID } from '@atproto/common-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxPost } from '../../../infra/local/sandbox/posts';
import type { Platform } from '../../../shared/domain/platform';
import type { Share } from '../../../shared/domain/share';
import type { NoteCall } from '../../../shared/platforms/client';
import { type Harness, NETWORKS, startHarness } from '../../support/sandbox-contract';

const COMMENTS: Platform[] = ['facebook', 'instagram', 'linkedin'];
let notes = 0;

/** A note of its own (X refuses a text it holds), with a link, and its key. */
function note(): { text: string; key: string } {
  notes += 1;
  return {
    text: `Correction (${notes}): an earlier version misstated the date of the vote. Details: https://news.example.org/corrections/${notes}`,
    key: `note-${Date.now().toString(36)}-${notes}`,
  };
}

/** A parent id of the network's form that names no post. */
function missingLike(platform: Platform, parentId: string): string {
  if (platform === 'bluesky') return parentId.replace(/[^/]+$/, TID.nextStr());
  if (platform === 'linkedin') return 'urn:li:share:7999999999999999999';
  if (platform === 'telegram') return parentId.replace(/\/\d+$/, '/99999');
  return parentId.replace(/\d{4}$/, '9999');
}

for (const network of NETWORKS) {
  const { platform, client } = network;
  const comment = COMMENTS.includes(platform);
  const lookable = platform !== 'telegram';

  describe(`${network.name}: correction notes`, () => {
    let h: Harness;
    let parent: Share;

    beforeAll(async () => {
      h = await startHarness(network.start);
      let share = network.share();
      if (network.ready) share = await network.ready(client, h.call(share));
      const outcome = await client.publish(h.call(share));
      if (outcome.kind !== 'published') throw new Error(JSON.stringify(outcome));
      parent = { ...share, remoteId: outcome.remoteId, remoteUrl: outcome.remoteUrl };
    });
    afterAll(() => h.sandbox.stop());

    const call = (
      n: { text: string; key: string },
      parentId = parent.remoteId ?? '',
    ): NoteCall => ({
      ...h.call(parent),
      ...n,
      parentId,
    });
    // Bluesky shows a link by a shortened label (and a facet), so a note is known by its opening.
    const notesOf = (text: string): SandboxPost[] =>
      h.posts
        .list()
        .filter(
          (p) => p.platform === platform && p.text.startsWith(text.slice(0, text.indexOf(':') + 1)),
        );
    const notesApi = () => {
      if (!client.notes) throw new Error(`${network.name} has no notes`);
      return client.notes;
    };

    it(`posts the note ${comment ? 'as a comment on' : 'as a reply to'} the post, and reconcile finds it`, async () => {
      const n = note();
      const outcome = await notesApi().publish(call(n));
      expect(outcome).toMatchObject({ kind: 'published' });
      if (outcome.kind !== 'published') return;
      const [shown, ...more] = notesOf(n.text);
      expect(more).toEqual([]);
      expect(shown).toMatchObject({
        remoteId: outcome.remoteId,
        inReplyToId: parent.remoteId,
        ...(comment ? { comment: true } : {}),
      });
      expect(outcome.remoteUrl).toMatch(/^https?:\/\//);
      const looked = await notesApi().reconcile(call(n));
      if (lookable) {
        expect(looked).toMatchObject({ kind: 'found', remoteId: outcome.remoteId });
      } else {
        expect(looked).toMatchObject({ kind: 'unsure', never: true });
      }
    });

    it(
      lookable ? 'says absent for a note never posted' : 'can never say whether a note is there',
      async () => {
        const looked = await notesApi().reconcile(call(note()));
        expect(looked).toMatchObject(
          lookable ? { kind: 'absent' } : { kind: 'unsure', never: true },
        );
      },
    );

    it('after the answer to a posted note is lost, reconcile finds the one note', async () => {
      const n = note();
      h.faults.set(`${platform}:crash-after-post:1:1`);
      const outcome = await notesApi().publish(call(n));
      h.faults.set(undefined);
      expect(outcome.kind).toBe('unknown');
      expect(notesOf(n.text)).toHaveLength(1);
      const looked = await notesApi().reconcile(call(n));
      if (lookable) {
        expect(looked).toMatchObject({ kind: 'found', remoteId: notesOf(n.text)[0]?.remoteId });
      } else {
        expect(looked).toMatchObject({ kind: 'unsure', never: true });
      }
    });

    if (platform === 'mastodon' || platform === 'bluesky' || platform === 'x') {
      it('a repeat of the same note does not post it twice', async () => {
        const n = note();
        const first = await notesApi().publish(call(n));
        expect(first.kind).toBe('published');
        const again = await notesApi().publish(call(n));
        // Mastodon answers the original under the same key; Bluesky's record key collides
        // and X refuses the duplicate, both unknown, which reconcile settles.
        if (platform === 'mastodon') {
          expect(again).toMatchObject({
            kind: 'published',
            remoteId: notesOf(n.text)[0]?.remoteId,
          });
        } else {
          expect(again.kind).toBe('unknown');
          expect(await notesApi().reconcile(call(n))).toMatchObject({ kind: 'found' });
        }
        expect(notesOf(n.text)).toHaveLength(1);
      });
    }

    it('refuses a note under a post that is not there, and posts nothing', async () => {
      const n = note();
      const outcome = await notesApi().publish(
        call(n, missingLike(platform, parent.remoteId ?? '')),
      );
      expect(['rejected', 'retry']).toContain(outcome.kind);
      expect(notesOf(n.text)).toEqual([]);
    });

    // The 429's window (a second here) holds every create after it: the next test waits it out.
    it('is rate-limited by a 429 like any post, and nothing is posted', async () => {
      const n = note();
      h.faults.set(`${platform}:429:1:1`);
      const outcome = await notesApi().publish(call(n));
      h.faults.set(undefined);
      expect(outcome).toMatchObject({ kind: 'rate', until: expect.any(String) });
      expect(notesOf(n.text)).toEqual([]);
    });

    it('is refused as auth when the network refuses the token, and nothing is posted', async () => {
      const n = note();
      // After the 429's window (a second, counted in whole seconds); a refused token may
      // stay refused (Bluesky's session), so this comes last of the calls that post.
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      h.faults.set(`${platform}:auth:1:1`);
      const outcome = await notesApi().publish(call(n));
      h.faults.set(undefined);
      expect(outcome.kind).toBe('auth');
      expect(notesOf(n.text)).toEqual([]);
    });

    it('refuses an empty note without calling the network', async () => {
      const before = h.posts.list().length;
      const outcome = await notesApi().publish(call({ text: '   ', key: 'empty' }));
      expect(outcome.kind).toBe('rejected');
      expect(h.posts.list()).toHaveLength(before);
    });
  });
}
